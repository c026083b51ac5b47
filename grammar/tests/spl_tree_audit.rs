//! Audit of tree shapes over the corpus (ignored by default; prints counts).
//! `cargo test -p qlint-grammar --test spl_tree_audit -- --ignored --nocapture`

use std::collections::BTreeMap;
use std::path::Path;

use qlint_grammar::spl::{self, ast::*, visit};

#[test]
#[ignore]
fn audit() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(dir) =
        [manifest.join("../../shared/corpus/spl"), manifest.join("../../../shared/corpus/spl")]
            .into_iter()
            .find(|p| p.is_dir())
    else {
        println!("SKIPPED: no corpus");
        return;
    };
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut odd = Vec::new();
    for f in ["escu.jsonl", "escu_support.jsonl"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let q = v["query"].as_str().unwrap_or("");
            let p = spl::parse(q);
            for c in visit::all_commands(&p.tree) {
                let k = format!("{:?}", c.kind);
                let k = k.split(['(', ' ']).next().unwrap_or("").to_string();
                *kinds.entry(format!("{k} {}", c.name.text.to_lowercase())).or_default() += 1;
            }
            for clause in visit::all_search_clauses(&p.tree) {
                for leaf in visit::clause_leaves(clause) {
                    if let SearchExpr::Term(t) = leaf
                        && !t.quoted
                        && (t.text.contains('=')
                            || t.text.contains('(')
                            || t.text == ","
                            || t.text.starts_with('|'))
                    {
                        odd.push(format!("{} :: {}", t.text, &q[..q.len().min(120)]));
                    }
                }
            }
        }
    }
    for (k, n) in &kinds {
        println!("{n:6} {k}");
    }
    for o in odd.iter().take(30) {
        println!("ODD TERM {o}");
    }
    println!("odd terms: {}", odd.len());
}
