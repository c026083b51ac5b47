//! KQL conformance over the shared corpus: qlint's parser against Microsoft's (precomputed
//! verdicts of Kusto.Language in `../shared/oracles/kusto/labels`).
//!
//! For every query: if the oracle accepts it, qlint must parse it without a syntax error; if
//! the oracle rejects it, qlint must report at least one error. Exceptions are listed in
//! `tests/kql_known_gaps.txt` (`corpus-file<TAB>id<TAB>reason`); at most 0.5% of the accepted
//! queries may be listed, and a listed query that now agrees with the oracle fails the test
//! (remove it from the list).
//!
//! The corpus lives outside the repository (`../shared` from the workspace root, or the folder
//! named by `QLINT_SHARED`); without it the test prints a message and passes.
//! `KQL_CORPUS_SHOW=N` prints the first N disagreements with a snippet of the query.

#[path = "support/shared.rs"]
mod shared;

use std::collections::BTreeMap;

const FILES: &[&str] = &[
    "bertjanp",
    "falconfriday",
    "mdatp",
    "msdocs_azure_monitor_queries",
    "sentinel",
    "sentinel_parsers",
];

fn known_gaps() -> BTreeMap<(String, String), String> {
    let text = include_str!("kql_known_gaps.txt");
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (Some(file), Some(id), Some(reason)) = (parts.next(), parts.next(), parts.next())
        else {
            panic!("malformed known-gaps line (want file<TAB>id<TAB>reason): {line}");
        };
        out.insert((file.to_string(), id.to_string()), reason.to_string());
    }
    out
}

#[derive(Default, Debug)]
struct Counts {
    accepted: usize,
    accepted_clean: usize,
    false_errors: usize,
    rejected: usize,
    rejects_caught: usize,
    missed_rejects: usize,
    not_kql: usize,
    not_kql_accepted: usize,
    templates: usize,
    templates_accepted: usize,
}

fn snippet(text: &str, at: u32) -> String {
    let at = (at as usize).min(text.len());
    let mut start = at.saturating_sub(60);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 60).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!("{}⟪here⟫{}", &text[start..at], &text[at..end]).replace('\n', "⏎")
}

#[test]
fn kql_corpus_conformance() {
    let Some(shared) = shared::shared_dir().filter(|d| d.join("corpus/kql").is_dir()) else {
        println!(
            "SKIPPED kql_corpus_conformance: no corpus at ../shared (set QLINT_SHARED to the \
             shared folder to run it)"
        );
        return;
    };
    let show: usize =
        std::env::var("KQL_CORPUS_SHOW").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let gaps = known_gaps();
    let mut seen_gaps = Vec::new();
    let mut unlisted = Vec::new();
    let mut panics = Vec::new();
    let mut c = Counts::default();
    let mut shown = 0;
    for file in FILES {
        let corpus = std::fs::read_to_string(shared.join(format!("corpus/kql/{file}.jsonl")))
            .expect("read corpus file");
        let labels =
            std::fs::read_to_string(shared.join(format!("oracles/kusto/labels/{file}.jsonl")))
                .expect("read labels file");
        let records: Vec<serde_json::Value> =
            corpus.lines().map(|l| serde_json::from_str(l).expect("corpus json")).collect();
        let verdicts: Vec<serde_json::Value> =
            labels.lines().map(|l| serde_json::from_str(l).expect("label json")).collect();
        assert_eq!(records.len(), verdicts.len(), "{file}: corpus and labels differ in length");
        for (rec, verdict) in records.iter().zip(&verdicts) {
            let id = rec["id"].as_str().expect("id");
            assert_eq!(Some(id), verdict["id"].as_str(), "{file}: ids out of order");
            let query = rec["query"].as_str().expect("query");
            let oracle_ok = verdict["syntax_errors"].as_array().is_some_and(|errs| errs.is_empty());
            let Ok(parse) = std::panic::catch_unwind(|| qlint_grammar::kql::parse(query)) else {
                panics.push(format!("{file}\t{id}"));
                continue;
            };
            let ok = parse.errors.is_empty();
            if rec["looks_kql"] == serde_json::Value::Bool(false) {
                c.not_kql += 1;
                c.not_kql_accepted += usize::from(oracle_ok);
            }
            if rec["template"] == serde_json::Value::Bool(true) {
                c.templates += 1;
                c.templates_accepted += usize::from(oracle_ok);
            }
            let agrees = if oracle_ok {
                c.accepted += 1;
                if ok {
                    c.accepted_clean += 1;
                } else {
                    c.false_errors += 1;
                }
                ok
            } else {
                c.rejected += 1;
                if ok {
                    c.missed_rejects += 1;
                } else {
                    c.rejects_caught += 1;
                }
                !ok
            };
            let key = (file.to_string(), id.to_string());
            if gaps.contains_key(&key) {
                seen_gaps.push((key, agrees));
            } else if !agrees {
                unlisted.push(format!("{file}\t{id}"));
                if shown < show {
                    shown += 1;
                    match parse.errors.first() {
                        Some(e) => println!(
                            "FALSE ERROR {file} {id}\n  {}\n  {}",
                            e.message,
                            snippet(query, e.span.start)
                        ),
                        None => println!(
                            "MISSED REJECT {file} {id}: oracle says {}\n  {}",
                            verdict["syntax_errors"],
                            snippet(
                                query,
                                verdict["syntax_errors"][0]["start"].as_u64().unwrap_or(0) as u32
                            )
                        ),
                    }
                }
            }
        }
    }
    println!("KQL corpus conformance (oracle: Kusto.Language syntax verdicts)");
    println!(
        "  accepted by oracle: {}  clean in qlint: {}  false errors: {}",
        c.accepted, c.accepted_clean, c.false_errors
    );
    println!(
        "  rejected by oracle: {}  caught by qlint: {}  missed: {}",
        c.rejected, c.rejects_caught, c.missed_rejects
    );
    println!(
        "  looks_kql=false: {} ({} accepted by oracle)  template=true: {} ({} accepted by oracle)",
        c.not_kql, c.not_kql_accepted, c.templates, c.templates_accepted
    );
    println!("  known gaps listed: {}  unlisted disagreements: {}", gaps.len(), unlisted.len());

    assert!(panics.is_empty(), "the parser panicked on {} queries: {panics:?}", panics.len());
    let stale: Vec<_> = seen_gaps.iter().filter(|(_, agrees)| *agrees).map(|(k, _)| k).collect();
    let missing: Vec<_> = gaps.keys().filter(|k| !seen_gaps.iter().any(|(s, _)| s == *k)).collect();
    assert!(stale.is_empty(), "known gaps now agree with the oracle, remove them: {stale:?}");
    assert!(missing.is_empty(), "known gaps name queries not in the corpus: {missing:?}");
    assert!(
        unlisted.is_empty(),
        "{} disagreements with the oracle are not in tests/kql_known_gaps.txt:\n{}",
        unlisted.len(),
        unlisted.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    let allowed = c.accepted / 200;
    assert!(
        gaps.len() <= allowed,
        "{} known gaps is more than 0.5% of the {} accepted queries ({allowed})",
        gaps.len(),
        c.accepted
    );
}
