//! Runs every KQL query of `../shared/corpus/kql/*.jsonl` over one empty-valued row per
//! catalog table and counts what the evaluator does: runs, unsupported construct (by name),
//! other errors. Measures coverage of real detections, not correctness.
//!
//!     cargo run -p qlint-eval --example eval_corpus [-- --top 30]

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use qlint_eval::table::{Column, Row, Table};
use qlint_eval::value::{null_of, parse_datetime};
use qlint_eval::{Language, TestData, run_query};
use qlint_knowledge::Knowledge;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/kql");
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!("skipped: {} is absent", root.display());
        return;
    };
    let top: usize = std::env::args()
        .skip_while(|a| a != "--top")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(25);
    let knowledge = Knowledge::builtin();
    let data = one_row_per_table(&knowledge);
    let now = parse_datetime("2024-07-15T12:00:00Z").unwrap_or(0);
    let (mut total, mut ran) = (0, 0);
    let mut unsupported: HashMap<String, usize> = HashMap::new();
    let mut other: HashMap<String, usize> = HashMap::new();
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines() {
            let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Some(query) = record["query"].as_str() else { continue };
            total += 1;
            let started = std::time::Instant::now();
            let result = run_query(Language::Kql, query, &data, now, &knowledge);
            if started.elapsed().as_secs_f64() > 1.0 {
                eprintln!("slow ({:.1}s): {}", started.elapsed().as_secs_f64(), record["id"]);
            }
            match result {
                Ok(_) => ran += 1,
                Err(e) if e.message.contains("not supported") => {
                    *unsupported.entry(construct(&e.message)).or_default() += 1
                }
                Err(e) => *other.entry(kind_of(&e.message)).or_default() += 1,
            }
        }
    }
    let failed: usize = unsupported.values().sum::<usize>() + other.values().sum::<usize>();
    println!(
        "{total} queries: {ran} ran, {} unsupported construct, {} other errors ({failed} total)",
        unsupported.values().sum::<usize>(),
        other.values().sum::<usize>()
    );
    print_top("unsupported", &unsupported, top);
    print_top("other errors", &other, top);
}

fn one_row_per_table(knowledge: &Knowledge) -> TestData {
    let mut tables = BTreeMap::new();
    for t in knowledge.kql_tables() {
        let columns: Vec<Column> = t.columns.iter().map(|c| Column::typed(&c.name, c.ty)).collect();
        let row: Row = t.columns.iter().map(|c| (c.name.clone(), null_of(c.ty))).collect();
        tables.insert(t.name.clone(), Table { columns, rows: vec![row] });
    }
    TestData { tables, ..TestData::default() }
}

/// The backquoted name in an "is not supported" message.
fn construct(message: &str) -> String {
    message.split('`').nth(1).map_or_else(
        || message.to_string(),
        |n| format!("{n} ({})", message.split('`').next().unwrap_or("").trim()),
    )
}

/// The message with names and numbers blanked, to group similar errors.
fn kind_of(message: &str) -> String {
    let mut out = String::new();
    for (i, part) in message.split('`').enumerate() {
        out.push_str(if i % 2 == 1 { "`…`" } else { part });
    }
    out
}

fn print_top(title: &str, counts: &HashMap<String, usize>, top: usize) {
    let mut sorted: Vec<_> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("\n{title}:");
    for (name, n) in sorted.into_iter().take(top) {
        println!("{n:6}  {name}");
    }
}
