//! What the missing-exclusion skeleton (the editor-only fix of KQL403/SPL403) does to the real
//! queries of the shared corpus: for every finding, apply its fix and check that the query
//! still parses (no syntax error it did not have) and that the finding is gone.
//!
//! ```text
//! cargo run -p qlint --example skeleton_stats            # counts
//! cargo run -p qlint --example skeleton_stats -- 3       # plus 3 samples per language
//! ```
//!
//! Reads `../shared/corpus/{kql,spl}/*.jsonl` (or `$QLINT_SHARED/corpus`); prints a message and
//! exits when the corpus is absent. Queries are linted as bare texts (no container facts).

use std::path::{Path, PathBuf};

use qlint_knowledge::Knowledge;
use qlint_linter::{Diagnostic, Language, lint_query};

#[derive(Default)]
struct Counts {
    findings: usize,
    with_fix: usize,
    still_parses: usize,
    finding_gone: usize,
}

fn syntax_errors(language: Language, text: &str) -> usize {
    match language {
        Language::Kql => qlint_grammar::kql::parse(text).errors.len(),
        _ => qlint_grammar::spl::parse(text).errors.len(),
    }
}

fn apply(text: &str, d: &Diagnostic) -> Option<String> {
    let fix = d.fix.as_ref()?;
    let mut out = text.to_owned();
    for edit in fix.edits.iter().rev() {
        out.replace_range(edit.span.start as usize..edit.span.end as usize, &edit.replacement);
    }
    Some(out)
}

fn queries(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|f| f.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        for line in text.lines() {
            let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            if let Some(query) = record.get("query").and_then(|q| q.as_str()) {
                out.push(query.to_owned());
            }
        }
    }
    out
}

fn main() {
    let samples: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
    let shared = std::env::var_os("QLINT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let root = shared.join("corpus");
    if !root.exists() {
        println!("corpus not found at {}; nothing to measure", root.display());
        return;
    }
    let knowledge = Knowledge::builtin();
    for (language, folder, code) in
        [(Language::Kql, "kql", "KQL403"), (Language::Spl, "spl", "SPL403")]
    {
        let mut counts = Counts::default();
        let mut shown = 0;
        for query in queries(&root.join(folder)) {
            let found = lint_query(language, &query, &knowledge);
            let Some(d) = found.iter().find(|d| d.code == code) else { continue };
            counts.findings += 1;
            let Some(fixed) = apply(&query, d) else { continue };
            counts.with_fix += 1;
            let parses = syntax_errors(language, &fixed) <= syntax_errors(language, &query);
            counts.still_parses += usize::from(parses);
            let gone = !lint_query(language, &fixed, &knowledge).iter().any(|d| d.code == code);
            counts.finding_gone += usize::from(gone);
            if shown < samples || !parses {
                shown += 1;
                println!("--- {code} sample (parses: {parses}, finding gone: {gone})\n{fixed}\n");
            }
        }
        println!(
            "{code}: {} findings, {} with a skeleton, {} still parse, {} no longer reported",
            counts.findings, counts.with_fix, counts.still_parses, counts.finding_gone
        );
    }
}
