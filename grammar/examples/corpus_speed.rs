//! Lex + parse throughput of the KQL and SPL front ends over the shared corpus, on one core.
//!
//! `cargo run --release -p qlint-grammar --example corpus_speed` prints MB/s (10^6 bytes of
//! query text per second of CPU time on one core) for each language; `-- --digest` instead prints one line per query
//! with a hash of its full parse result (tree and errors), so two builds can be compared for
//! identical output with `diff`; `-- --profile kql` (or `spl`) measures only that parser, for
//! `perf record` (`kql-errors`: KQL's syntax errors without the tree); `-- --errors-only` lists
//! the KQL queries whose `syntax_errors` differ from their parse's errors. The corpus is `$QLINT_SHARED/corpus` or `../shared/corpus`
//! beside the workspace; without it the program says so and exits successfully.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// CPU time each measurement runs for (at least one full pass over the queries).
const MEASURE: Duration = Duration::from_secs(2);

fn shared_dir() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("QLINT_SHARED") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => {
            let grammar = Path::new(env!("CARGO_MANIFEST_DIR"));
            vec![grammar.join("../../shared"), grammar.join("../../../shared")]
        }
    };
    candidates.into_iter().find(|dir| dir.join("corpus").is_dir())
}

/// `(id, query)` of every record of every `*.jsonl` file in `dir`, in file order.
fn queries(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        for (n, line) in text.lines().enumerate() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let Some(query) = value.get("query").and_then(|q| q.as_str()) else { continue };
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            out.push((format!("{name}:{}", n + 1), query.to_string()));
        }
    }
    out
}

/// CPU time (user + system) this thread has used, in seconds (Linux, 10 ms ticks), so that
/// figures count time on a core and not time spent waiting for one on a busy machine. Time
/// of the helper thread the KQL parser starts for a text nested deeper than 6 levels (20 of
/// the 4,217 corpus queries, by a rough count) is not counted.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Runs `f` over every query until [`MEASURE`] of CPU time has passed (of wall-clock time
/// where CPU time cannot be read); returns MB per second of that time.
fn throughput(queries: &[(String, String)], f: impl Fn(&str)) -> f64 {
    let bytes: usize = queries.iter().map(|(_, q)| q.len()).sum();
    let wall = Instant::now();
    let cpu_start = cpu_seconds();
    let elapsed = || match (cpu_start, cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => wall.elapsed().as_secs_f64(),
    };
    let mut passes = 0u32;
    while passes == 0 || elapsed() < MEASURE.as_secs_f64() {
        for (_, q) in queries {
            f(q);
        }
        passes += 1;
    }
    (bytes as f64 * f64::from(passes)) / elapsed() / 1e6
}

fn digest<T: std::fmt::Debug>(value: &T) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    format!("{value:?}").hash(&mut h);
    h.finish()
}

fn main() {
    let Some(shared) = shared_dir() else {
        println!("SKIPPED: no ../shared/corpus (set QLINT_SHARED); nothing to measure");
        return;
    };
    let kql = queries(&shared.join("corpus/kql"));
    let spl = queries(&shared.join("corpus/spl"));
    if std::env::args().any(|a| a == "--digest") {
        for (id, q) in &kql {
            let p = qlint_grammar::kql::parse(q);
            println!("kql {id} {:016x} {}", digest(&(&p.tree, &p.errors)), p.errors.len());
        }
        for (id, q) in &spl {
            let p = qlint_grammar::spl::parse(q);
            println!("spl {id} {:016x} {}", digest(&(&p.tree, &p.errors)), p.errors.len());
        }
        return;
    }
    // `--errors-only`: every KQL query whose `syntax_errors` differ from its parse's errors.
    if std::env::args().any(|a| a == "--errors-only") {
        let mut differ = 0;
        for (id, q) in &kql {
            if qlint_grammar::kql::syntax_errors(q) != qlint_grammar::kql::parse(q).errors {
                println!("differ: kql {id}");
                differ += 1;
            }
        }
        println!("{differ} of {} KQL queries differ between parse and syntax_errors", kql.len());
        return;
    }
    // `--profile kql|kql-errors|spl`: only lex+parse of one language (`kql-errors`: KQL's
    // syntax errors without the tree), for `perf record`.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let lang = args.get(i + 1).map_or("", String::as_str);
        let rate = match lang {
            "kql" => throughput(&kql, |q| drop(qlint_grammar::kql::parse(q))),
            "kql-errors" => throughput(&kql, |q| drop(qlint_grammar::kql::syntax_errors(q))),
            _ => throughput(&spl, |q| drop(qlint_grammar::spl::parse(q))),
        };
        println!("{lang} lex+parse {rate:8.1} MB/s");
        return;
    }
    for (lang, qs) in [("kql", &kql), ("spl", &spl)] {
        let bytes: usize = qs.iter().map(|(_, q)| q.len()).sum();
        println!("{lang}: {} queries, {:.2} MB", qs.len(), bytes as f64 / 1e6);
    }
    let kql_lex = throughput(&kql, |q| drop(std::hint::black_box(qlint_grammar::kql::lex(q))));
    let kql_parse = throughput(&kql, |q| drop(std::hint::black_box(qlint_grammar::kql::parse(q))));
    let spl_lex = throughput(&spl, |q| drop(std::hint::black_box(qlint_grammar::spl::lex(q))));
    let spl_parse = throughput(&spl, |q| drop(std::hint::black_box(qlint_grammar::spl::parse(q))));
    println!("kql lex        {kql_lex:8.1} MB/s");
    println!("kql lex+parse  {kql_parse:8.1} MB/s");
    println!("spl lex        {spl_lex:8.1} MB/s");
    println!("spl lex+parse  {spl_parse:8.1} MB/s");
}
