//! How much of a JSONL corpus of SPL queries the evaluator can run: each query runs over no
//! data with the corpus's macros, and every error (an unsupported command, function or
//! option) is counted by message.
//!
//! ```text
//! cargo run -p qlint-eval --example spl_coverage -- ../shared/corpus/spl/escu.jsonl \
//!     ../shared/catalog/spl/macros.json
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use qlint_eval::{Language, TestData, run_query};
use qlint_grammar::Span;
use qlint_knowledge::{Knowledge, MacroDef};
use serde_json::Value as Json;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [queries, macros] = args.as_slice() else {
        eprintln!("usage: spl_coverage QUERIES.jsonl MACROS.json");
        std::process::exit(2);
    };
    let knowledge = knowledge_with(macros);
    let text = std::fs::read_to_string(queries).expect("queries read");
    let (mut ok, mut total) = (0, 0);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: Json = serde_json::from_str(line).expect("JSONL");
        let Some(query) = record["query"].as_str() else { continue };
        total += 1;
        match run_query(Language::Spl, query, &TestData::default(), 0, &knowledge) {
            Ok(_) => ok += 1,
            Err(e) => *errors.entry(normalise(&e.message)).or_default() += 1,
        }
    }
    println!("{ok} of {total} queries run ({:.1}%)", 100.0 * ok as f64 / total.max(1) as f64);
    let mut ranked: Vec<_> = errors.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (message, count) in ranked.iter().take(40) {
        println!("{count:5}  {message}");
    }
}

/// The catalog's macros (`{"macros": [{name, arguments, definition}]}`).
fn knowledge_with(path: &str) -> Knowledge {
    let mut knowledge = Knowledge::builtin();
    let json: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("macros read"))
        .expect("macros JSON");
    for m in json["macros"].as_array().into_iter().flatten() {
        let args = m["arguments"].as_array().into_iter().flatten();
        knowledge.add_macro(MacroDef {
            name: m["name"].as_str().unwrap_or_default().to_owned(),
            args: args.filter_map(|a| a.as_str().map(str::to_owned)).collect(),
            definition: m["definition"].as_str().unwrap_or_default().to_owned(),
            iseval: false,
            description: None,
            file: PathBuf::from(path),
            line: 0,
            span: Span::default(),
            definition_span: Span::default(),
        });
    }
    knowledge
}

/// A message with its quoted regular expressions cut, so that equal causes group together.
fn normalise(message: &str) -> String {
    match message.find("regular expression `") {
        Some(at) => format!("{}regular expression …", &message[..at]),
        None => message.to_owned(),
    }
}
