//! SPL corpus conformance: every production detection in `../shared/corpus/spl` must parse
//! without a syntax error, except the searches listed in `tests/spl_known_gaps.txt`.
//!
//! Skips (with a printed message) when `../shared` is absent.

#[path = "support/shared.rs"]
mod shared;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use qlint_grammar::spl;

/// Share of searches that must parse cleanly.
const THRESHOLD: f64 = 0.995;

/// Reads `(id, query)` pairs from every `*.jsonl` in `dir`, field `field`.
fn read_jsonl(dir: &Path, field: &str) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("corpus file is readable");
        for (n, line) in text.lines().enumerate() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Some(query) = value.get(field).and_then(|q| q.as_str()) else { continue };
            let id = value
                .get("id")
                .and_then(|i| i.as_str())
                .map_or_else(|| format!("{}:{}", file.display(), n + 1), str::to_string);
            out.push((id, query.to_string()));
        }
    }
    out
}

/// Known gaps: `id<TAB>reason` lines; `#` starts a comment.
fn known_gaps() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/spl_known_gaps.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((id, reason)) => (id.trim().to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[test]
fn escu_detections_parse() {
    let dir = shared::shared_dir().unwrap_or_default().join("corpus/spl");
    if !dir.is_dir() {
        println!("SKIPPED: {} not found; the SPL corpus check needs ../shared", dir.display());
        return;
    }
    let searches = read_jsonl(&dir, "query");
    assert!(!searches.is_empty(), "no searches found in {}", dir.display());
    let gaps = known_gaps();
    let mut clean = 0usize;
    let mut unexpected = Vec::new();
    let mut failing_ids = Vec::new();
    for (id, query) in &searches {
        // Cut searches (as typed in an editor) must parse without panic and with sane spans.
        for cut in [query.len() / 3, query.len() / 2, query.len() * 3 / 4] {
            let cut = (0..=cut).rev().find(|&i| query.is_char_boundary(i)).unwrap_or(0);
            let part = &query[..cut];
            let p = spl::parse(part);
            let sane = |e: &qlint_grammar::SyntaxError| {
                e.span.end as usize <= part.len() && !e.span.is_empty()
            };
            assert!(part.is_empty() || p.errors.iter().all(sane), "{id} cut at {cut}");
        }
        let parse = spl::parse(query);
        if parse.is_ok() {
            clean += 1;
            continue;
        }
        failing_ids.push(id.clone());
        if !gaps.contains_key(id) {
            let e = &parse.errors[0];
            let at = e.span.start as usize;
            let snippet: String =
                query.get(at.saturating_sub(40)..).unwrap_or("").chars().take(100).collect();
            unexpected.push(format!("{id}\n    {} at {}: …{snippet}…", e.message, e.span.start));
        }
    }
    let total = searches.len();
    let rate = clean as f64 / total as f64;
    println!(
        "SPL corpus: {clean}/{total} parse without syntax error ({:.2}%), {} failing, {} known gaps",
        rate * 100.0,
        total - clean,
        gaps.len()
    );
    for u in &unexpected {
        println!("UNEXPECTED {u}");
    }
    let stale: Vec<&String> = gaps.keys().filter(|id| !failing_ids.contains(id)).collect();
    assert!(stale.is_empty(), "stale known gaps (they parse now; remove them): {stale:?}");
    assert!(unexpected.is_empty(), "{} searches fail that are not known gaps", unexpected.len());
    assert!(
        rate >= THRESHOLD,
        "parse-clean rate {:.2}% is below {:.1}%",
        rate * 100.0,
        THRESHOLD * 100.0
    );
}

#[test]
fn sigma_converted_searches_parse() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/sigma_spl.jsonl");
    if !path.is_file() {
        println!(
            "SKIPPED: {} not found; run tests/sigma/convert.sh to convert the Sigma rules first",
            path.display()
        );
        return;
    }
    let text = std::fs::read_to_string(&path).expect("converted file is readable");
    let mut total = 0usize;
    let mut clean = 0usize;
    let mut shown = 0usize;
    for line in text.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Some(query) = value.get("spl").and_then(|q| q.as_str()) else { continue };
        total += 1;
        let parse = spl::parse(query);
        if parse.is_ok() {
            clean += 1;
        } else if shown < 20 {
            shown += 1;
            let id = value.get("id").and_then(|i| i.as_str()).unwrap_or("?");
            println!("SIGMA FAIL {id}: {}", parse.errors[0].message);
        }
    }
    assert!(total > 0, "no converted searches in {}", path.display());
    let rate = clean as f64 / total as f64;
    println!("Sigma SPL: {clean}/{total} parse without syntax error ({:.2}%)", rate * 100.0);
    assert!(
        rate >= THRESHOLD,
        "Sigma parse-clean rate {:.2}% is below {:.1}%",
        rate * 100.0,
        THRESHOLD * 100.0
    );
}
