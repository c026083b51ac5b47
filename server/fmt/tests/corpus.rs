//! The formatter's promises on every real query of `../shared/corpus` that parses: the same
//! tokens in the same order, touching tokens still touching and separated ones still apart,
//! formatting twice changes nothing, and the result still parses. Skips (with a message) when
//! the shared corpus is absent.

use std::path::{Path, PathBuf};

use qlint_fmt::{Dialect, Options, format};
use qlint_grammar::{kql, spl, yaral};

fn shared_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = match std::env::var_os("QLINT_SHARED") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => vec![root.join("../shared"), root.join("../../shared")],
    };
    candidates.into_iter().find(|dir| dir.join("corpus").is_dir())
}

fn queries(dir: &Path) -> Vec<(String, String)> {
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
            let query = value.get("query").or_else(|| value.get("rule"));
            let Some(query) = query.and_then(|q| q.as_str()) else { continue };
            out.push((format!("{}:{}", file.display(), n + 1), query.to_owned()));
        }
    }
    out
}

/// Token texts with whether each touches the one before it. A bracket that holds a pipeline
/// gets a line break inside it, and a pipeline stage or a statement starts a line, even where
/// the original text had no space; brackets, pipes and `;` are delimiters in both languages,
/// so touching is not compared next to them (the parse check below covers those).
fn shape(dialect: Dialect, text: &str) -> Vec<(String, bool)> {
    let spans: Vec<(usize, usize)> = match dialect {
        Dialect::Kql => {
            kql::lex(text).iter().map(|t| (t.span.start as usize, t.span.end as usize)).collect()
        }
        Dialect::Spl => {
            spl::lex(text).iter().map(|t| (t.span.start as usize, t.span.end as usize)).collect()
        }
        Dialect::Yaral => {
            yaral::lex(text).iter().map(|t| (t.span.start as usize, t.span.end as usize)).collect()
        }
    };
    let mut previous = None;
    spans
        .into_iter()
        .map(|(start, end)| {
            let token = &text[start..end];
            // YARA-L: a comma is always followed by a space.
            let after_bracket = previous
                .is_some_and(|p: usize| text[..p].ends_with(['(', '[', '{', '|', ';', ',']));
            let bracket = matches!(token, ")" | "]" | "}" | "|") || after_bracket;
            let touches = previous == Some(start) && !bracket;
            previous = Some(end);
            (token.to_owned(), touches)
        })
        .collect()
}

fn parses(dialect: Dialect, text: &str) -> bool {
    match dialect {
        Dialect::Kql => kql::parse(text).is_ok(),
        Dialect::Spl => spl::parse(text).is_ok(),
        Dialect::Yaral => yaral::parse(text).is_ok(),
    }
}

/// The YARA-L tree with its spans left out: formatting must not change it.
fn yaral_tree(text: &str) -> String {
    let tree = format!("{:?}", yaral::parse(text).tree);
    let mut out = String::with_capacity(tree.len());
    let mut rest = tree.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |i| at + i + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn check_corpus(dialect: Dialect, folder: &str) {
    let Some(shared) = shared_dir() else {
        println!("SKIPPED formatter corpus test: no ../shared/corpus (set QLINT_SHARED)");
        return;
    };
    let options = Options::default();
    let (mut formatted, mut changed, mut refused) = (0, 0, 0);
    let mut failures = Vec::new();
    for (id, query) in queries(&shared.join("corpus").join(folder)) {
        let Ok(once) = format(dialect, &query, &options) else {
            refused += 1;
            continue;
        };
        formatted += 1;
        changed += usize::from(once != query);
        let (before, after) = (shape(dialect, &query), shape(dialect, &once));
        if before != after {
            let at = before.iter().zip(&after).position(|(a, b)| a != b).unwrap_or(0);
            let near = |s: &[(String, bool)]| format!("{:?}", &s[at..(at + 3).min(s.len())]);
            failures.push(format!(
                "{id}: tokens changed at token {at}: {} became {}",
                near(&before),
                near(&after)
            ));
        } else if !parses(dialect, &once) {
            failures.push(format!("{id}: no longer parses"));
        } else if dialect == Dialect::Yaral && yaral_tree(&once) != yaral_tree(&query) {
            failures.push(format!("{id}: the syntax tree changed"));
        } else if format(dialect, &once, &options).as_deref() != Ok(once.as_str()) {
            failures.push(format!("{id}: not idempotent"));
        }
    }
    println!(
        "{folder}: {formatted} formatted ({changed} changed), {refused} left alone (syntax errors)"
    );
    assert!(formatted > 0);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

#[test]
fn kql_corpus_keeps_tokens_parses_and_is_idempotent() {
    check_corpus(Dialect::Kql, "kql");
}

#[test]
fn spl_corpus_keeps_tokens_parses_and_is_idempotent() {
    check_corpus(Dialect::Spl, "spl");
}

#[test]
fn yaral_corpus_keeps_tokens_and_tree_parses_and_is_idempotent() {
    check_corpus(Dialect::Yaral, "yaral");
}
