//! Detection tests in the editor, without the protocol: which `*.test.yaml` files test the
//! queries of a document (the "Run tests" code lens) and running them (`qlint.runTests`).
//!
//! A test file belongs to a query when its `rule:` resolves to the document (compared after
//! canonicalising both paths) and its `#N` picks that query, or names none and the document
//! holds one query. Lines here are 1-based, as in test files; the server converts them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use qlint_eval::Language as EvalLanguage;
use qlint_eval::runner::{QuerySpec, Status, run_case};
use qlint_eval::testfile::{TestFile, is_test_file_name, parse_test_file, rule_target};
use qlint_files::config::Config;
use qlint_files::sources::{self, EmbeddedQuery, SourceKind};
use qlint_linter::Language;

use crate::workspace::Workspace;

/// Test files a lens looks at: at most this many in the workspace.
const MAX_TEST_FILES: usize = 2_000;

/// A "Run tests" lens: the query it sits above and the test files that test it.
#[derive(Debug, Clone, PartialEq)]
pub struct Lens {
    /// 0-based line of the query's first character in the document.
    pub line: u32,
    /// How many test cases the files hold.
    pub tests: usize,
    /// The test files, sorted.
    pub files: Vec<PathBuf>,
}

/// A problem to show on a test file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based line in the test file.
    pub line: u32,
    /// True for a test that could not run (bad data, unsupported syntax); false for a failure.
    pub error: bool,
    /// Test name and what went wrong, one line.
    pub message: String,
}

/// The outcome of one test file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileRun {
    /// Cases that passed, failed, errored.
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Failures and errors, at their lines.
    pub problems: Vec<Problem>,
}

/// `*.test.yaml` / `*.test.yml` files under `roots` (hidden folders, `target`, `node_modules`
/// skipped), sorted.
pub fn test_files(roots: &[PathBuf]) -> Vec<PathBuf> {
    crate::workspace::files_under(roots, MAX_TEST_FILES, |path| {
        path.file_name().is_some_and(|name| is_test_file_name(&name.to_string_lossy()))
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The queries of a document, as `qlint check` extracts them.
fn queries_of(path: &Path, text: &str, config: &Config) -> Vec<EmbeddedQuery> {
    match SourceKind::of_path(path) {
        Some(kind) => sources::extract_with(kind, text, &config.yaml_queries).queries,
        None => Vec::new(),
    }
}

/// 0-based index of the query `index` (1-based, or none) picks among `count`.
fn pick(index: Option<usize>, count: usize) -> Option<usize> {
    match index {
        Some(n) if (1..=count).contains(&n) => Some(n - 1),
        None if count == 1 => Some(0),
        _ => None,
    }
}

/// The lenses of the document at `path` with `text`: one per query that has test files.
pub fn lenses(path: &Path, text: &str, config: &Config, candidates: &[PathBuf]) -> Vec<Lens> {
    let queries = queries_of(path, text, config);
    let mut by_query: BTreeMap<usize, Lens> = BTreeMap::new();
    for test_path in candidates {
        let Ok(test_text) = std::fs::read_to_string(test_path) else { continue };
        let Ok(file) = parse_test_file(&test_text) else { continue };
        let Some(rule) = &file.rule else { continue };
        let (rule_path, index) = rule_target(test_path, &rule.value);
        if !same_file(&rule_path, path) {
            continue;
        }
        let Some(i) = pick(index, queries.len()) else { continue };
        let start = queries[i].map.to_file_start(0) as usize;
        let line = text[..start.min(text.len())].matches('\n').count() as u32;
        let lens = by_query.entry(i).or_insert(Lens { line, tests: 0, files: Vec::new() });
        lens.tests += file.tests.len();
        lens.files.push(test_path.clone());
    }
    by_query.into_values().collect()
}

/// Runs the test file at `path`; `text_of` gives a rule's text (an open document's, else the
/// saved file's).
pub fn run_file(
    path: &Path,
    workspace: &Workspace,
    text_of: &dyn Fn(&Path) -> Option<String>,
) -> FileRun {
    let (file, query, knowledge_path) = match prepare(path, workspace, text_of) {
        Ok(prepared) => prepared,
        Err((message, line)) => return file_error(message, line),
    };
    if file.tests.is_empty() {
        return file_error("the test file has no tests".into(), 1);
    }
    let profile = workspace.profile_for(Some(&knowledge_path));
    let base = path.parent().unwrap_or(Path::new("."));
    let mut run = FileRun::default();
    for case in &file.tests {
        let outcome = run_case(&query, &file, case, &profile.knowledge, base);
        let line = outcome.failure_line.unwrap_or(case.name.line);
        let message = format!("{}: {}", outcome.name, outcome.message);
        match outcome.status {
            Status::Passed => run.passed += 1,
            Status::Failed => {
                run.failed += 1;
                run.problems.push(Problem { line, error: false, message });
            }
            Status::Error => {
                run.errors += 1;
                run.problems.push(Problem { line, error: true, message });
            }
        }
    }
    run
}

fn file_error(message: String, line: u32) -> FileRun {
    FileRun {
        errors: 1,
        problems: vec![Problem { line, error: true, message }],
        ..FileRun::default()
    }
}

type Prepared = (TestFile, QuerySpec, PathBuf);

fn prepare(
    path: &Path,
    workspace: &Workspace,
    text_of: &dyn Fn(&Path) -> Option<String>,
) -> Result<Prepared, (String, u32)> {
    let text = std::fs::read_to_string(path).map_err(|e| (format!("cannot read: {e}"), 1))?;
    let file = parse_test_file(&text).map_err(|e| (e.message, e.line))?;
    if let Some(rule) = &file.rule {
        let (rule_path, index) = rule_target(path, &rule.value);
        let query =
            rule_query(&rule_path, index, workspace, text_of).map_err(|m| (m, rule.line))?;
        return Ok((file, query, rule_path));
    }
    let language = file.language.as_ref().expect("checked by parse_test_file");
    let Some(eval_language) = EvalLanguage::parse(&language.value) else {
        let message = format!("unknown language `{}` (expected kql or spl)", language.value);
        return Err((message, language.line));
    };
    let text = file.query.as_ref().expect("checked by parse_test_file").value.clone();
    Ok((file, QuerySpec { language: eval_language, text }, path.to_path_buf()))
}

fn rule_query(
    path: &Path,
    index: Option<usize>,
    workspace: &Workspace,
    text_of: &dyn Fn(&Path) -> Option<String>,
) -> Result<QuerySpec, String> {
    let shown = path.display();
    let text = text_of(path).ok_or_else(|| format!("cannot read the rule `{shown}`"))?;
    let profile = workspace.profile_for(Some(path));
    let queries = queries_of(path, &text, &profile.config);
    let i = pick(index, queries.len()).ok_or_else(|| match index {
        Some(n) => format!("`{shown}` has no query number {n}"),
        None => format!("`{shown}` holds {} queries; pick one with `#N`", queries.len()),
    })?;
    let query = &queries[i];
    let language = match query.language {
        Language::Kql => EvalLanguage::Kql,
        Language::Spl => EvalLanguage::Spl,
        other => return Err(format!("`{shown}` holds a {other:?} query; tests run KQL and SPL")),
    };
    Ok(QuerySpec { language, text: query.text.clone() })
}

/// "3 passed, 1 failed, 1 error" (parts that are zero left out; "no tests" when all are).
pub fn summary(passed: usize, failed: usize, errors: usize) -> String {
    let parts: Vec<String> =
        [(passed, "passed"), (failed, "failed"), (errors, "error")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, word)| {
                if *word == "error" && *n > 1 {
                    format!("{n} errors")
                } else {
                    format!("{n} {word}")
                }
            })
            .collect();
    if parts.is_empty() { "no tests".to_owned() } else { parts.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Settings;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_sample_hunts_get_a_lens_per_tested_query() {
        let hunt = repo().join("corpus/hunts/markdown/credential_access_hunts.md");
        let text = std::fs::read_to_string(&hunt).unwrap();
        let candidates = test_files(&[repo().join("corpus/tests")]);
        let found = lenses(&hunt, &text, &Config::default(), &candidates);
        let lines: Vec<u32> = found.iter().map(|l| l.line).collect();
        let first_lines: Vec<&str> =
            lines.iter().map(|&l| text.lines().nth(l as usize).unwrap()).collect();
        assert_eq!(
            first_lines,
            [
                "DeviceEvents",
                "SecurityEvent",
                "index=wineventlog EventCode=4769 Ticket_Encryption_Type=0x17"
            ]
        );
        assert!(found.iter().all(|l| l.files.len() == 1 && l.tests >= 2));
    }

    #[test]
    fn the_sample_hunt_tests_pass_when_run_from_the_server() {
        let workspace = Workspace::load(vec![repo()], Settings::default());
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        for file in test_files(&[repo().join("corpus/tests")]) {
            let run = run_file(&file, &workspace, &read);
            assert_eq!(run.problems, [], "{}", file.display());
            assert!(run.passed >= 1);
        }
    }

    #[test]
    fn a_broken_rule_reference_is_an_error_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let test = dir.path().join("x.test.yaml");
        std::fs::write(&test, "now: 2024-01-01T00:00:00Z\nrule: missing.kql\ntests: []\n").unwrap();
        let workspace = Workspace::load(vec![dir.path().to_path_buf()], Settings::default());
        let run = run_file(&test, &workspace, &|p: &Path| std::fs::read_to_string(p).ok());
        assert_eq!(run.errors, 1);
        assert_eq!(run.problems[0].line, 2);
        assert!(run.problems[0].message.contains("cannot read the rule"), "{:?}", run.problems);
    }

    #[test]
    fn summaries_name_only_what_happened() {
        assert_eq!(summary(3, 1, 0), "3 passed, 1 failed");
        assert_eq!(summary(0, 0, 2), "2 errors");
        assert_eq!(summary(0, 0, 0), "no tests");
    }

    #[test]
    fn a_rule_without_a_number_needs_a_single_query() {
        assert_eq!(pick(None, 1), Some(0));
        assert_eq!(pick(None, 2), None);
        assert_eq!(pick(Some(2), 2), Some(1));
        assert_eq!(pick(Some(3), 2), None);
    }
}
