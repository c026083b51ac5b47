//! Lints every query of a JSONL file (`{"id": ..., "query": ...}` per line, the corpus
//! format) as KQL and prints one JSON line per query with its diagnostics, for the oracle
//! comparison scripts in `tests/oracle/`.
//!
//! ```text
//! cargo run -p qlint --example lint_jsonl -- FILE.jsonl [CODE_PREFIX...]
//! ```
//!
//! Spans are byte offsets into the query. With code prefixes (`KQL1`, `KQL202`), only the
//! diagnostics whose code starts with one of them are printed.

use qlint_knowledge::Knowledge;
use qlint_linter::{Language, lint_query};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: lint_jsonl FILE.jsonl [CODE_PREFIX...]");
        std::process::exit(2);
    };
    let prefixes = &args[1..];
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let knowledge = Knowledge::builtin();
    for line in text.lines() {
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Some(query) = record.get("query").and_then(|q| q.as_str()) else { continue };
        let id = record.get("id").cloned().unwrap_or(serde_json::Value::Null);
        let diagnostics: Vec<serde_json::Value> = lint_query(Language::Kql, query, &knowledge)
            .into_iter()
            .filter(|d| prefixes.is_empty() || prefixes.iter().any(|p| d.code.starts_with(p)))
            .map(|d| {
                serde_json::json!({
                    "code": d.code,
                    "start": d.span.start,
                    "end": d.span.end,
                    "message": d.message,
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "id": id, "diagnostics": diagnostics }));
    }
}
