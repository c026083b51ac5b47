//! Lints every rule of a YARA-L corpus file (`{"id", "deprecated", "rule"}` per line, the
//! format of `../shared/corpus/yaral/chronicle.jsonl`) and prints, per code, how many
//! findings and rules it has among current and deprecated rules.
//!
//! ```text
//! cargo run -p qlint --example yaral_stats -- ../shared/corpus/yaral/chronicle.jsonl [CODE]
//! ```
//!
//! With a code, every finding of that code is printed with its rule id and the line it is on.

use std::collections::BTreeMap;

use qlint_knowledge::Knowledge;
use qlint_linter::{Language, lint_query};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: yaral_stats FILE.jsonl [CODE]");
        std::process::exit(2);
    };
    let show = args.get(1);
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(1);
    });
    let knowledge = Knowledge::builtin();
    // code -> [current findings, current rules, deprecated findings, deprecated rules]
    let mut counts: BTreeMap<&'static str, [usize; 4]> = BTreeMap::new();
    let (mut current, mut deprecated) = (0, 0);
    for line in text.lines() {
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Some(rule) = record.get("rule").and_then(|q| q.as_str()) else { continue };
        let id = record.get("id").and_then(|v| v.as_str()).unwrap_or("?");
        let is_deprecated = record.get("deprecated").and_then(|v| v.as_bool()).unwrap_or(false);
        if is_deprecated {
            deprecated += 1
        } else {
            current += 1
        }
        let base = if is_deprecated { 2 } else { 0 };
        let found = lint_query(Language::Yaral, rule, &knowledge);
        let mut seen = Vec::new();
        for d in &found {
            let c = counts.entry(d.code).or_default();
            c[base] += 1;
            if !seen.contains(&d.code) {
                seen.push(d.code);
                c[base + 1] += 1;
            }
            if show.is_some_and(|s| s == d.code) {
                let start = rule[..d.span.start as usize].rfind('\n').map_or(0, |i| i + 1);
                let end = rule[d.span.end as usize..]
                    .find('\n')
                    .map_or(rule.len(), |i| i + d.span.end as usize);
                println!("{id}: {}\n    {}", d.message, rule[start..end].trim());
            }
        }
    }
    println!("{current} current rules, {deprecated} deprecated rules");
    println!("code     current findings (rules)   deprecated findings (rules)");
    for (code, c) in counts {
        println!("{code:8} {:>8} ({:>4})              {:>8} ({:>4})", c[0], c[1], c[2], c[3]);
    }
}
