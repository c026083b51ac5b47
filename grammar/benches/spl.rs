//! Lex + parse throughput over the SPL corpus (`../shared/corpus/spl/*.jsonl`, field `query`),
//! or over a synthetic set of searches when the corpus is absent.
//!
//! Run: `cargo bench -p qlint-grammar --bench spl` (criterion reports MiB/s).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qlint_grammar::spl;

fn corpus_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [manifest.join("../../shared/corpus/spl"), manifest.join("../../../shared/corpus/spl")]
        .into_iter()
        .find(|p| p.is_dir())
}

fn load_corpus() -> Option<Vec<String>> {
    let dir = corpus_dir()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).ok()?;
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(q) = v.get("query").and_then(|q| q.as_str())
            {
                out.push(q.to_string());
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Searches shaped like real detections, for when the corpus is absent.
fn synthetic() -> Vec<String> {
    (0..2000)
        .map(|i| {
            format!(
                "| tstats `security_content_summariesonly` count min(_time) as firstTime max(_time) as lastTime \
                 from datamodel=Endpoint.Processes where Processes.process_name IN (\"cmd{i}.exe\", \"powershell.exe\") \
                 AND Processes.process=\"*-enc*\" by Processes.dest Processes.user Processes.process \
                 | `drop_dm_object_name(Processes)` | eval risk=if(match(process, \"(?i)bypass\"), {i}, 0) . \"x\" \
                 | where risk > 10 | rex field=process \"(?<flag>-\\w+)\" | stats values(flag) as flags by dest \
                 | `security_content_ctime(firstTime)` | `detection_{i}_filter`"
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (label, searches) = match load_corpus() {
        Some(s) => ("corpus", s),
        None => {
            eprintln!("SPL corpus not found under ../shared: benchmarking synthetic searches");
            ("synthetic", synthetic())
        }
    };
    let bytes: usize = searches.iter().map(String::len).sum();
    let mut group = c.benchmark_group("spl");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function(format!("lex_{label}"), |b| {
        b.iter(|| {
            for q in &searches {
                black_box(spl::lex(black_box(q)));
            }
        })
    });
    group.bench_function(format!("lex_parse_{label}"), |b| {
        b.iter(|| {
            for q in &searches {
                black_box(spl::parse(black_box(q)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
