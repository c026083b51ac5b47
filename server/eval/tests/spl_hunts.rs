//! Every SPL detection in `corpus/hunts` has a test file in `corpus/tests/spl/`, and every
//! case of those files passes through the SPL evaluator.
//!
//! A test file's `rule:` is a path relative to the file; `path#N` picks the N-th query (from
//! 1, any language) of a file holding several, as `qlint test` does.

use std::path::{Path, PathBuf};

use qlint_eval::Language;
use qlint_eval::runner::{QuerySpec, Status, run_case};
use qlint_eval::testfile::parse_test_file;
use qlint_files::sources::{SourceKind, extract};
use qlint_knowledge::Knowledge;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

/// The queries of a rule file (any language), with whether each is SPL.
fn queries(path: &Path) -> Vec<(bool, String)> {
    let Some(kind) = SourceKind::of_path(path) else { return Vec::new() };
    if kind == SourceKind::Macros {
        return Vec::new();
    }
    let text = std::fs::read_to_string(path).expect("rule file reads");
    extract(kind, &text)
        .queries
        .into_iter()
        .map(|q| (q.language == qlint_linter::Language::Spl, q.text))
        .collect()
}

/// The query a `rule:` names (`path` or `path#N`) and a key naming it: `path#N`.
fn resolve_rule(base: &Path, rule: &str) -> (String, String) {
    let (file, index) = match rule.rsplit_once('#') {
        Some((f, n)) => (f, Some(n.parse::<usize>().expect("`#N` is a query number"))),
        None => (rule, None),
    };
    let path = base.join(file).canonicalize().expect("rule exists");
    let all = queries(&path);
    let n = match index {
        Some(n) => n,
        None if all.len() == 1 => 1,
        None => panic!("{rule}: the file holds {} queries; pick one with `#N`", all.len()),
    };
    let (is_spl, text) =
        all.into_iter().nth(n - 1).unwrap_or_else(|| panic!("{rule}: no query {n}"));
    assert!(is_spl, "{rule}: not an SPL query");
    (format!("{}#{n}", path.display()), text)
}

fn test_files() -> Vec<PathBuf> {
    let dir = corpus().join("tests/spl");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus/tests/spl exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".test.yaml"))
        .collect();
    files.sort();
    files
}

fn knowledge() -> Knowledge {
    let mut knowledge = Knowledge::builtin();
    let errors = knowledge.discover_workspace(&corpus().join("hunts"));
    assert!(errors.is_empty(), "{errors:?}");
    knowledge
}

#[test]
fn every_case_of_the_spl_test_files_passes() {
    let knowledge = knowledge();
    let mut failures = Vec::new();
    let mut cases = 0;
    for file in test_files() {
        let text = std::fs::read_to_string(&file).expect("test file reads");
        let parsed = parse_test_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let base = file.parent().expect("folder");
        let rule = parsed.rule.as_ref().expect("SPL test files name their rule");
        let (_, query) = resolve_rule(base, &rule.value);
        let spec = QuerySpec { language: Language::Spl, text: query };
        for case in &parsed.tests {
            cases += 1;
            let outcome = run_case(&spec, &parsed, case, &knowledge, base);
            if outcome.status != Status::Passed {
                let table = outcome.table.map(|t| t.render()).unwrap_or_default();
                failures.push(format!(
                    "{} / {}: {} {}\n{table}",
                    file.display(),
                    outcome.name,
                    outcome.message,
                    outcome.query_span.map(|s| format!("at {s:?}")).unwrap_or_default()
                ));
            }
        }
    }
    assert!(cases > 0, "no cases found");
    assert!(failures.is_empty(), "{} failing:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_spl_hunt_has_a_test_file() {
    let mut tested = Vec::new();
    for file in test_files() {
        let parsed = parse_test_file(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let rule = parsed.rule.expect("rule");
        tested.push(resolve_rule(file.parent().unwrap(), &rule.value).0);
    }
    let mut untested = Vec::new();
    let mut stack = vec![corpus().join("hunts")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let canonical = path.canonicalize().unwrap().display().to_string();
            for (i, (is_spl, _)) in queries(&path).into_iter().enumerate() {
                let key = format!("{canonical}#{}", i + 1);
                if is_spl && !tested.contains(&key) {
                    untested.push(key);
                }
            }
        }
    }
    assert!(untested.is_empty(), "SPL hunts without a test file: {untested:#?}");
}
