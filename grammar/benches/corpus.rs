//! Lex + parse throughput of both front ends over the real queries of `../shared/corpus`
//! (KQL and SPL, field `query` of every `*.jsonl`). Without the corpus it prints SKIPPED and
//! measures nothing.
//!
//! Run: `cargo bench -p qlint-grammar --bench corpus` (criterion reports MiB/s).
//! `tests/bench/parse_speed.sh` prints the same figures per CPU-second against the target.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus_dir(lang: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("QLINT_SHARED") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => {
            let grammar = Path::new(env!("CARGO_MANIFEST_DIR"));
            vec![grammar.join("../../shared"), grammar.join("../../../shared")]
        }
    };
    root.into_iter().map(|d| d.join("corpus").join(lang)).find(|d| d.is_dir())
}

fn queries(lang: &str) -> Vec<String> {
    let Some(dir) = corpus_dir(lang) else { return Vec::new() };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(q) = v.get("query").and_then(|q| q.as_str())
            {
                out.push(q.to_string());
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let (kql, spl) = (queries("kql"), queries("spl"));
    if kql.is_empty() || spl.is_empty() {
        println!("SKIPPED: no ../shared/corpus/{{kql,spl}} (set QLINT_SHARED); nothing measured");
        return;
    }
    let mut group = c.benchmark_group("corpus");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(kql.iter().map(String::len).sum::<usize>() as u64));
    group.bench_function("kql_lex_parse", |b| {
        b.iter(|| kql.iter().for_each(|q| drop(black_box(qlint_grammar::kql::parse(q)))))
    });
    group.throughput(Throughput::Bytes(spl.iter().map(String::len).sum::<usize>() as u64));
    group.bench_function("spl_lex_parse", |b| {
        b.iter(|| spl.iter().for_each(|q| drop(black_box(qlint_grammar::spl::parse(q)))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
