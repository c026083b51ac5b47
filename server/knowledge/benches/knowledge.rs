//! Cost of the built-in catalog: parsing it from the compiled-in text, and common lookups.
//!
//! Besides criterion's wall-clock figures, prints the CPU time per parse read from
//! `/proc/thread-self/schedstat` (Linux), which stays meaningful on a loaded machine.

use criterion::{Criterion, criterion_group};
use qlint_knowledge::{Knowledge, parse_builtin_uncached};
use std::hint::black_box;

fn catalog(c: &mut Criterion) {
    c.bench_function("parse builtin catalog", |b| b.iter(|| black_box(parse_builtin_uncached())));
    let k = Knowledge::builtin();
    c.bench_function("kql_table + column lookup", |b| {
        b.iter(|| {
            let t = k.kql_table(black_box("DeviceProcessEvents")).unwrap();
            black_box(t.column(black_box("InitiatingProcessCommandLine")))
        })
    });
    c.bench_function("suggest table (miss)", |b| {
        b.iter(|| black_box(k.suggest_kql_table(black_box("DeviceProcesEvents"))))
    });
}

/// Nanoseconds this thread has spent on a CPU, when the kernel tells.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn cpu_time_per_parse() {
    const RUNS: u32 = 50;
    black_box(parse_builtin_uncached());
    let (Some(start), wall) = (thread_cpu_ns(), std::time::Instant::now()) else {
        println!("cpu time per parse: unavailable (no /proc/thread-self/schedstat)");
        return;
    };
    for _ in 0..RUNS {
        black_box(parse_builtin_uncached());
    }
    let wall = wall.elapsed() / RUNS;
    if let Some(end) = thread_cpu_ns() {
        let cpu = (end - start) as f64 / f64::from(RUNS) / 1e6;
        println!("parse builtin catalog: {cpu:.2} ms CPU per parse, {wall:.2?} wall ({RUNS} runs)");
    }
}

criterion_group!(benches, catalog);

fn main() {
    if std::env::args().any(|a| a == "--cpu-only") {
        cpu_time_per_parse();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    cpu_time_per_parse();
}
