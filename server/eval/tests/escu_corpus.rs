//! The SPL evaluator over every ESCU detection of the shared corpus (skipped when
//! `../shared` is absent): no query may panic, whatever it holds.
//!
//! Each detection runs twice: as written over no data (what stops it is an unsupported
//! construct), and with its first command replaced by `| inputlookup synthetic`, so that
//! every later command runs over three rows that give each name the query mentions the
//! same value (`1`, `abc`, a Windows path). Counts are printed with `--nocapture`.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use qlint_eval::{Language, Row, Table, TestData, Value, run_query};
use qlint_grammar::Span;
use qlint_knowledge::{Knowledge, MacroDef};
use serde_json::Value as Json;

fn shared() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    path.join("corpus/spl/escu.jsonl").exists().then_some(path)
}

fn knowledge(shared: &Path) -> Knowledge {
    let mut knowledge = Knowledge::builtin();
    let text = std::fs::read_to_string(shared.join("catalog/spl/macros.json")).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    for m in json["macros"].as_array().into_iter().flatten() {
        knowledge.add_macro(MacroDef {
            name: m["name"].as_str().unwrap_or_default().to_owned(),
            args: m["arguments"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
            definition: m["definition"].as_str().unwrap_or_default().to_owned(),
            iseval: false,
            description: None,
            file: PathBuf::from("macros.json"),
            line: 0,
            span: Span::default(),
            definition_span: Span::default(),
        });
    }
    knowledge
}

/// Three rows giving every name-like word of the query one value each.
fn synthetic(query: &str) -> TestData {
    let names: Vec<&str> = query
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| w.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_'))
        .collect();
    let rows: Vec<Row> = ["1", "abc", r"C:\Windows\System32\x.exe"]
        .iter()
        .map(|v| {
            let mut row: Row = names.iter().map(|n| (n.to_string(), Value::str(*v))).collect();
            row.set("_time", Value::DateTime(17_000_000_000_000_000));
            row
        })
        .collect();
    let mut table = Table::with_columns(names.iter().copied());
    table.rows = rows;
    TestData { lookups: BTreeMap::from([("synthetic".to_string(), table)]), ..TestData::default() }
}

/// The query with its first command replaced by `| inputlookup synthetic`.
fn from_synthetic(query: &str) -> Option<String> {
    let parse = qlint_grammar::spl::parse(query);
    let second = parse.tree.commands.get(1)?;
    let rest = query.get(second.span.start as usize..)?;
    Some(format!("| inputlookup synthetic | {rest}"))
}

#[derive(Default)]
struct Tally {
    ok: usize,
    errors: BTreeMap<String, usize>,
    panics: Vec<String>,
}

impl Tally {
    fn run(&mut self, name: &str, query: &str, data: &TestData, knowledge: &Knowledge) {
        let result = catch_unwind(AssertUnwindSafe(|| {
            run_query(Language::Spl, query, data, 17_100_000_000_000_000, knowledge)
        }));
        match result {
            Ok(Ok(_)) => self.ok += 1,
            Ok(Err(e)) => {
                let key = e.message.split(" is not ").next().unwrap_or(&e.message).to_owned();
                *self.errors.entry(key).or_default() += 1;
            }
            Err(_) => self.panics.push(name.to_owned()),
        }
    }

    fn print(&self, title: &str, total: usize) {
        println!(
            "{title}: {} of {total} ran, {} errors, {} panics",
            self.ok,
            total - self.ok - self.panics.len(),
            self.panics.len()
        );
        let mut ranked: Vec<_> = self.errors.iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(a.1));
        for (message, count) in ranked.iter().take(40) {
            println!("  {count:5}  {message}");
        }
    }
}

#[test]
fn escu_detections_never_panic() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/corpus/spl/escu.jsonl is absent");
        return;
    };
    let knowledge = knowledge(&shared);
    let text = std::fs::read_to_string(shared.join("corpus/spl/escu.jsonl")).unwrap();
    let (mut empty, mut rows, mut total, mut with_rows) =
        (Tally::default(), Tally::default(), 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: Json = serde_json::from_str(line).unwrap();
        let (Some(name), Some(query)) = (record["id"].as_str(), record["query"].as_str()) else {
            continue;
        };
        total += 1;
        empty.run(name, query, &TestData::default(), &knowledge);
        if let Some(rest) = from_synthetic(query) {
            with_rows += 1;
            rows.run(name, &rest, &synthetic(query), &knowledge);
        }
    }
    empty.print("as written, no data", total);
    rows.print("later commands over synthetic rows", with_rows);
    assert!(
        empty.panics.is_empty() && rows.panics.is_empty(),
        "panics: {:?} {:?}",
        empty.panics,
        rows.panics
    );
}
