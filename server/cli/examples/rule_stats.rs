//! How often each rule fires on the shared corpus.
//!
//! ```text
//! cargo run -p qlint --example rule_stats                 # hits per rule
//! cargo run -p qlint --example rule_stats -- KQL401 20    # plus 20 sample hits of KQL401
//! cargo run -p qlint --example rule_stats -- KQL110,SPL211 5   # 5 samples of each code
//! ```
//!
//! Reads `../shared/corpus/{kql,spl}/*.jsonl` (the `query` field of each line) relative to
//! the workspace root (or `$QLINT_SHARED/corpus`); prints a message and exits when the corpus is absent.
//!
//! Each query is linted with the facts its rule file states, read from the record's copy of
//! the file's keys (`kind`, `queryPeriod`, `FunctionParams`, `ParserParams`) by the same
//! code that reads them from YAML. Set `QLINT_NO_FACTS=1` to lint the bare texts instead.
//! Set `QLINT_MACROS=<macros.conf or macros/*.yml>` to load a macro source first.
//!
//! Only the default rule set is counted (as `qlint check` runs it without a `qlint.toml`);
//! set `QLINT_ALL_RULES=1` to count every rule. ESCU records give their `type` (`TTP` is an
//! alerting rule, `Hunting` a hunt) like a security-content YAML file does. The table per
//! language gives findings per query and, per rule, the queries hit (and their share) and
//! the findings. `QLINT_SAMPLE_FULL=1` prints the whole query of each sample.

use std::collections::BTreeMap;
use std::path::Path;

use qlint_files::config::RuleSelection;
use qlint_files::sources::SentinelKeys;
use qlint_knowledge::Knowledge;
use qlint_linter::{Language, QueryFacts, lint_query_with};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sample_codes: Vec<String> =
        args.first().map(|a| a.split(',').map(str::to_owned).collect()).unwrap_or_default();
    let sample_count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);
    // `QLINT_SHARED` points elsewhere (e.g. from a git worktree).
    let shared = std::env::var_os("QLINT_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let root = shared.join("corpus");
    if !root.exists() {
        println!("corpus not found at {}; nothing to measure", root.display());
        return;
    }
    let mut knowledge = Knowledge::builtin();
    if let Some(path) = std::env::var_os("QLINT_MACROS") {
        let errors = knowledge.load_macro_file_all(Path::new(&path));
        println!("macros: {} loaded, {} problems", knowledge.macros().count(), errors.len());
    }
    let use_facts = std::env::var_os("QLINT_NO_FACTS").is_none();
    let all_rules = std::env::var_os("QLINT_ALL_RULES").is_some();
    let full_samples = std::env::var_os("QLINT_SAMPLE_FULL").is_some();
    let selection = RuleSelection::default();
    // Per language: rule -> (findings, queries hit).
    let mut per_language: BTreeMap<&str, BTreeMap<&'static str, (usize, usize)>> = BTreeMap::new();
    let (mut with_window, mut with_parameters) = (0, 0);
    let mut hits: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut queries = BTreeMap::new();
    let mut shown: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut panics = 0;
    std::panic::set_hook(Box::new(|_| {}));
    for (dir, language) in [("kql", Language::Kql), ("spl", Language::Spl)] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "jsonl")) {
            let Ok(text) = std::fs::read_to_string(file) else { continue };
            for line in text.lines() {
                let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else { continue };
                let Some(query) = record.get("query").and_then(|q| q.as_str()) else { continue };
                *queries.entry(dir).or_insert(0usize) += 1;
                // `container` is `yaml:<key of the query>` for queries from rule files.
                // ESCU records come from security-content YAML (`search:`) without a container.
                let yaml_key = record
                    .get("container")
                    .and_then(|c| c.as_str())
                    .and_then(|c| c.strip_prefix("yaml:"))
                    .or((language == Language::Spl).then_some("search"));
                let facts = match yaml_key {
                    Some(key) if use_facts => {
                        serde_json::from_value::<SentinelKeys>(record.clone())
                            .map(|keys| keys.facts_for(key))
                            .unwrap_or_default()
                    }
                    _ => QueryFacts::default(),
                };
                with_window += usize::from(facts.time_window.is_some());
                with_parameters += usize::from(!facts.declared_parameters().is_empty());
                // A panic is a bug elsewhere; count it and go on measuring.
                let run = std::panic::catch_unwind(|| {
                    lint_query_with(language, query, &knowledge, &facts)
                });
                let Ok(mut diagnostics) = run else {
                    panics += 1;
                    continue;
                };
                if !all_rules {
                    diagnostics.retain(|d| selection.is_enabled(d.code));
                }
                let mut seen = Vec::new();
                let language_hits = per_language.entry(dir).or_default();
                for d in &diagnostics {
                    let entry = hits.entry(d.code).or_default();
                    entry.0 += 1;
                    let language_entry = language_hits.entry(d.code).or_default();
                    language_entry.0 += 1;
                    if !seen.contains(&d.code) {
                        seen.push(d.code);
                        entry.1 += 1;
                        language_entry.1 += 1;
                    }
                    let count = shown.entry(d.code).or_default();
                    if sample_codes.iter().any(|c| c == d.code) && *count < sample_count {
                        *count += 1;
                        let id = record.get("id").and_then(|v| v.as_str()).unwrap_or("?");
                        let start = d.span.start as usize;
                        let line_start =
                            query[..start.min(query.len())].rfind('\n').map_or(0, |i| i + 1);
                        let line_end = query[start.min(query.len())..]
                            .find('\n')
                            .map_or(query.len(), |i| start + i);
                        println!(
                            "--- {}:{id} ({:?}, {:?})\n{}: {}\n  | {}",
                            file.file_name().unwrap().to_string_lossy(),
                            facts.role,
                            d.severity,
                            d.code,
                            d.message,
                            query.get(line_start..line_end).unwrap_or("").trim()
                        );
                        if full_samples {
                            println!("{query}");
                        }
                    }
                }
            }
        }
    }
    println!("queries: {queries:?}, panics: {panics}");
    println!(
        "container facts: {with_window} queries with a time window, {with_parameters} with declared parameters"
    );
    println!("{:<8} {:>7} {:>8}", "rule", "hits", "queries");
    for (code, (n, q)) in hits {
        println!("{code:<8} {n:>7} {q:>8}");
    }
    for (language, rules) in &per_language {
        let total = queries.get(language).copied().unwrap_or(0).max(1);
        let findings: usize = rules.values().map(|(n, _)| n).sum();
        println!(
            "\n{language}: {total} queries, {findings} findings, {:.3} findings per query",
            findings as f64 / total as f64
        );
        println!("{:<8} {:>8} {:>7} {:>9}", "rule", "queries", "share", "findings");
        for (code, (n, q)) in rules {
            let share = 100.0 * *q as f64 / total as f64;
            println!("{code:<8} {q:>8} {share:>6.1}% {n:>9}");
        }
    }
}
