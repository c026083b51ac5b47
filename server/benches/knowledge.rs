//! Cost of the built-in catalog: parsing it from the compiled-in text, and common lookups.

use criterion::{Criterion, criterion_group, criterion_main};
use qlint::knowledge::{Knowledge, parse_builtin_uncached};
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

criterion_group!(benches, catalog);
criterion_main!(benches);
