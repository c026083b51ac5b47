//! Lex + parse throughput of the KQL front end, in bytes/s over the shared corpus
//! (`../shared/corpus/kql/*.jsonl`), or over a built-in synthetic text when it is absent.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/kql");
    let dir = std::env::var("QLINT_SHARED")
        .map(|d| format!("{d}/corpus/kql"))
        .unwrap_or_else(|_| dir.to_string());
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "jsonl")) {
            let Ok(text) = std::fs::read_to_string(path) else { continue };
            for line in text.lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                    && let Some(q) = v["query"].as_str()
                {
                    out.push(q.to_string());
                }
            }
        }
    }
    if out.is_empty() {
        eprintln!("kql bench: no corpus at {dir}; using a synthetic text");
        let one = "let lookback = 1d;\r\nSigninLogs // sign-ins\r\n| where TimeGenerated > ago(lookback) and ResultType != \"0\"\r\n| where AppDisplayName has_any (\"Azure Portal\", \"Graph\") or UserPrincipalName endswith \"@contoso.com\"\r\n| extend City = tostring(LocationDetails.city), Hour = bin(TimeGenerated, 1h)\r\n| summarize Failures = count(), Users = dcount(UserPrincipalName) by IPAddress, City, Hour\r\n| join kind=inner (AuditLogs | project IPAddress = tostring(InitiatedBy.user.ipAddress), OperationName) on IPAddress\r\n| project-away IPAddress1\r\n| top 50 by Failures desc";
        out = (0..2000).map(|i| format!("{one} // {i}")).collect();
    }
    out
}

fn bench(c: &mut Criterion) {
    let queries = corpus();
    let bytes: usize = queries.iter().map(String::len).sum();
    let mut group = c.benchmark_group("kql");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("lex", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(qlint_grammar::kql::lex(black_box(q)));
            }
        })
    });
    group.bench_function("lex+parse", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(qlint_grammar::kql::parse(black_box(q)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
