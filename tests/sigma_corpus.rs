//! The SigmaHQ corpus (`../shared/corpus/sigma/sigmahq.jsonl`, 3,780 rules that pySigma
//! accepts) through the per-file pipeline, as `qlint check rule.yml` sees each file: every
//! file must hold one Sigma rule, no rule may get an error, and the warning counts per code
//! are printed. Skipped with a message when the shared folder is absent.

#[path = "support/shared.rs"]
mod shared;

use std::collections::BTreeMap;
use std::path::Path;

use qlint_files::check::check_text;
use qlint_files::config::Config;
use qlint_knowledge::Knowledge;
use qlint_linter::Severity;
use serde_json::Value;

#[test]
fn sigmahq_rules_have_no_errors() {
    let Some(shared) = shared::shared_dir() else {
        eprintln!("skipped: no shared folder with corpus/ next to the workspace");
        return;
    };
    let path = shared.join("corpus/sigma/sigmahq.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let knowledge = Knowledge::builtin();
    let config = Config::default();
    let mut counts: BTreeMap<(&'static str, Severity), usize> = BTreeMap::new();
    let mut rules_with: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut files = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).expect("a JSON record");
        let rule = record["rule"].as_str().unwrap_or_default();
        let name = record["path"].as_str().unwrap_or("rule.yml");
        let report = check_text(Path::new(name), rule, &knowledge, &config);
        files += 1;
        assert_eq!(report.queries, 1, "{name}: expected one Sigma rule");
        let mut seen = Vec::new();
        for d in &report.diagnostics {
            *counts.entry((d.code, d.severity)).or_default() += 1;
            if !seen.contains(&d.code) {
                seen.push(d.code);
                *rules_with.entry(d.code).or_default() += 1;
            }
            if d.severity == Severity::Error {
                let at = d.span.start as usize;
                let line = rule[..at.min(rule.len())].matches('\n').count() + 1;
                errors.push(format!("{name}:{line}: {} {}", d.code, d.message));
            }
        }
    }
    println!("{files} SigmaHQ rule files");
    for ((code, severity), n) in &counts {
        println!("{code} {severity:?}: {n} findings in {} rules", rules_with[code]);
    }
    assert!(files >= 3000, "only {files} records");
    assert!(errors.is_empty(), "{} errors:\n{}", errors.len(), errors.join("\n"));
}
