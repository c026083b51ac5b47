//! Formats every query of corpus JSONL files and prints one JSON line per query:
//! `{"id", "query", "changed"}` for a query that was formatted, `{"id", "error"}` for one that
//! does not parse. `cargo run -p qlint-fmt --example fmt_jsonl -- kql|spl FILE.jsonl...`
//! (`tests/oracle/fmt_validity.py` feeds the output to Kusto's parser.)
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let dialect = match args.next().as_deref() {
        Some("spl") => qlint_fmt::Dialect::Spl,
        Some("kql") => qlint_fmt::Dialect::Kql,
        _ => {
            eprintln!("usage: fmt_jsonl kql|spl FILE.jsonl...");
            std::process::exit(2);
        }
    };
    let options = qlint_fmt::Options::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in args {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        });
        for (n, line) in text.lines().enumerate() {
            let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Some(query) = record.get("query").and_then(|q| q.as_str()) else { continue };
            let id =
                record.get("id").cloned().unwrap_or_else(|| format!("{path}:{}", n + 1).into());
            let value = match qlint_fmt::format(dialect, query, &options) {
                Ok(formatted) => serde_json::json!({
                    "id": id, "changed": formatted != query, "query": formatted,
                }),
                Err(error) => serde_json::json!({ "id": id, "error": error.message }),
            };
            let _ = writeln!(out, "{value}");
        }
    }
}
