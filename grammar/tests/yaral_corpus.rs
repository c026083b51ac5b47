//! YARA-L conformance over Google's public rules (`../shared/corpus/yaral/chronicle.jsonl`,
//! 891 files, current and deprecated): every one must parse without a syntax error, and
//! every rule's tree must hold the sections the corpus lists for it.
//!
//! The corpus lives outside the repository (`../shared` from the workspace root, or the folder
//! named by `QLINT_SHARED`); without it the test prints a message and passes.

use std::path::{Path, PathBuf};

use qlint_grammar::yaral::{self, ast::SectionKind};

/// The shared folder (as `tests/support/shared.rs` finds it, from the `grammar` crate).
mod shared {
    use super::*;

    pub fn shared_dir() -> Option<PathBuf> {
        let candidates: Vec<PathBuf> = match std::env::var_os("QLINT_SHARED") {
            Some(dir) => vec![PathBuf::from(dir)],
            None => {
                let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
                vec![root.join("../shared"), root.join("../../shared")]
            }
        };
        candidates.into_iter().find(|dir| dir.join("corpus").is_dir())
    }
}

#[test]
fn every_chronicle_rule_parses_without_a_syntax_error() {
    let Some(shared) = shared::shared_dir().filter(|d| d.join("corpus/yaral").is_dir()) else {
        println!(
            "SKIPPED yaral corpus: no corpus at ../shared (set QLINT_SHARED to the shared folder \
             to run it)"
        );
        return;
    };
    let text = std::fs::read_to_string(shared.join("corpus/yaral/chronicle.jsonl"))
        .expect("read chronicle.jsonl");
    let mut total = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        let id = row["id"].as_str().unwrap_or("?");
        let rule = row["rule"].as_str().unwrap_or("");
        total += 1;
        let parse = yaral::parse(rule);
        if let Some(e) = parse.errors.first() {
            let at = e.span.start as usize;
            let around = &rule[rule.floor_char_boundary(at.saturating_sub(40))
                ..rule.ceil_char_boundary((at + 40).min(rule.len()))];
            failures.push(format!("{id}: {} near {around:?}", e.message));
            continue;
        }
        let [tree_rule] = parse.tree.rules.as_slice() else {
            failures
                .push(format!("{id}: {} rules in the tree, expected 1", parse.tree.rules.len()));
            continue;
        };
        assert_eq!(tree_rule.name.text, row["name"].as_str().unwrap_or(""), "{id}: rule name");
        let sections: Vec<&str> = tree_rule.sections.iter().map(|s| s.kind.keyword()).collect();
        let expected: Vec<&str> = row["sections"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(sections, expected, "{id}: sections");
        assert!(
            tree_rule.sections.iter().all(|s| s.kind != SectionKind::Error),
            "{id}: error section"
        );
    }
    println!("yaral corpus: {total} files, {} with a syntax error", failures.len());
    assert!(total >= 891, "expected the 891 Chronicle rules, read {total}");
    assert!(failures.is_empty(), "false syntax errors:\n{}", failures.join("\n"));
}

#[test]
fn every_chronicle_rule_broken_three_ways_gets_a_syntax_error() {
    let Some(shared) = shared::shared_dir().filter(|d| d.join("corpus/yaral").is_dir()) else {
        println!("SKIPPED yaral corpus mutations: no corpus at ../shared");
        return;
    };
    let text = std::fs::read_to_string(shared.join("corpus/yaral/chronicle.jsonl"))
        .expect("read chronicle.jsonl");
    let mut missed = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        let id = row["id"].as_str().unwrap_or("?");
        let rule = row["rule"].as_str().unwrap_or("");
        let last_brace = rule.rfind('}').unwrap_or(0);
        let mutants = [
            ("truncated", rule[..last_brace].to_string()),
            ("misspelt section", rule.replacen("condition:", "conditon:", 1)),
            ("unbalanced paren", rule.replacen("events:", "events:\n    (", 1)),
        ];
        for (how, mutant) in mutants {
            if yaral::parse(&mutant).errors.is_empty() {
                missed.push(format!("{id}: {how}"));
            }
        }
    }
    assert!(missed.is_empty(), "broken rules parsed without error:\n{}", missed.join("\n"));
}
