//! Lints the whole shared corpus through its containers: every KQL and SPL query of
//! `../shared/corpus` is written back into Markdown, Sentinel YAML, Splunk YAML, `.kql` files
//! and `savedsearches.conf` in a temp folder, the decoded queries are checked against the
//! originals, and the real binary is run over the folder. Prints wall time and counts.
//!
//! Sentinel YAML gets the record's `kind`, `queryFrequency`, `queryPeriod`,
//! `relevantTechniques` and `FunctionParams`, so the container facts (time window, declared
//! parameters, schedule, ATT&CK ids) that the extractor reads from the file must equal those
//! `rule_stats` reads from the record.
//!
//! Ignored by default (it takes a while in debug builds). Run it with
//! `cargo test --release -p qlint --test cli_corpus_containers -- --ignored --nocapture`.
//! Set `QLINT_CORPUS_OUT=/some/dir` to keep the generated tree, `QLINT_SHARED=/path/to/shared`
//! when the workspace is not next to `shared/`.

#[path = "support/shared.rs"]
mod shared;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use qlint_files::sources::{self, SentinelKeys, SourceKind};
use qlint_linter::QueryFacts;
use serde_json::Value;

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A YAML scalar for `key` that decodes to `value` exactly.
fn yaml_scalar(key: &str, value: &str, style: usize) -> String {
    let printable =
        value.chars().all(|c| c == '\n' || c == '\t' || (!c.is_control() && c != '\u{feff}'));
    let single_line_ok = !value.contains('\n') && !value.starts_with(' ') && !value.ends_with(' ');
    if style % 9 == 4 && single_line_ok && printable {
        return format!("{key}: '{}'\n", value.replace('\'', "''"));
    }
    let block_ok = printable
        && !value.contains('\r')
        && !value.lines().next().is_some_and(|l| l.trim().is_empty())
        && value.lines().all(|l| !l.starts_with('\t'));
    if style % 5 == 2 || !block_ok {
        // JSON strings are valid YAML double-quoted scalars.
        return format!("{key}: {}\n", serde_json::to_string(value).unwrap());
    }
    let trailing = value.len() - value.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // An explicit indentation indicator when the first line starts with a space, and for
    // every seventh query anyway (Sentinel files use `|2` now and then).
    let first_indented = value.starts_with(' ');
    let indicator = if first_indented || style % 7 == 3 { "2" } else { "" };
    let mut out = format!("{key}: |{indicator}{chomp}\n");
    for line in value.trim_end_matches('\n').split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    out
}

fn fence_tag(record: &Value) -> &'static str {
    match record["fence_lang"].as_str().unwrap_or("") {
        "KQL" => "KQL",
        "kusto" => "kusto",
        "Kusto" => "Kusto",
        _ => "kql",
    }
}

fn fence_for(query: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in query.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat(3.max(longest + 1))
}

struct Tree {
    files: BTreeMap<PathBuf, String>,
    /// The queries each file must yield, in order (compared after trimming line ends).
    expected: BTreeMap<PathBuf, Vec<String>>,
    /// The facts the queries of a Sentinel YAML file must carry.
    facts: BTreeMap<PathBuf, QueryFacts>,
}

impl Tree {
    fn add(&mut self, path: PathBuf, text: &str, queries: Vec<String>) {
        self.files.entry(path.clone()).or_default().push_str(text);
        self.expected.entry(path).or_default().extend(queries);
    }
}

/// A YAML value for a short record field: plain when it is a simple word, else quoted.
fn yaml_value(value: &str) -> String {
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric()) {
        value.to_owned()
    } else {
        serde_json::to_string(value).unwrap()
    }
}

/// The keys of a Sentinel file that state facts about its query, written from the record:
/// `kind`, `queryFrequency`, `queryPeriod`, `relevantTechniques`, and `FunctionParams` as a
/// block sequence or (every other file) a flow sequence.
fn sentinel_fact_keys(record: &Value, style: usize) -> String {
    let mut out = String::new();
    for key in ["kind", "queryFrequency", "queryPeriod"] {
        if let Some(value) = record[key].as_str() {
            writeln!(out, "{key}: {}", yaml_value(value)).unwrap();
        }
    }
    if let Some(techniques) = record["relevantTechniques"].as_array() {
        // A flow sequence; a `null` entry stays one (an empty list item in the file).
        writeln!(out, "relevantTechniques: {}", serde_json::to_string(techniques).unwrap())
            .unwrap();
    }
    if let Some(params) = record["FunctionParams"].as_array() {
        if style.is_multiple_of(2) {
            // JSON is YAML: a flow sequence of flow mappings.
            writeln!(out, "FunctionParams: {}", serde_json::to_string(params).unwrap()).unwrap();
        } else {
            out.push_str("FunctionParams:\n");
            for param in params {
                let Some(fields) = param.as_object() else { continue };
                let mut first = true;
                for (name, value) in fields {
                    let value = match value.as_str() {
                        Some(text) => serde_json::to_string(text).unwrap(),
                        None => value.to_string(),
                    };
                    let lead = if first { "  - " } else { "    " };
                    writeln!(out, "{lead}{name}: {value}").unwrap();
                    first = false;
                }
            }
        }
    }
    out
}

fn safe_name(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect()
}

fn build(corpus: &Path) -> Tree {
    let mut tree =
        Tree { files: BTreeMap::new(), expected: BTreeMap::new(), facts: BTreeMap::new() };
    let mut style = 0;
    for source in [
        "bertjanp",
        "falconfriday",
        "mdatp",
        "msdocs_azure_monitor_queries",
        "sentinel",
        "sentinel_parsers",
    ] {
        for record in records(&corpus.join(format!("kql/{source}.jsonl"))) {
            style += 1;
            let query = record["query"].as_str().unwrap_or("").to_owned();
            if query.trim().is_empty() {
                continue;
            }
            let path = record["path"].as_str().unwrap_or("x");
            let container = record["container"].as_str().unwrap_or("");
            match container {
                "markdown-fence" => {
                    let file = PathBuf::from(format!("kql/{source}/{}.md", safe_name(path)));
                    let fence = fence_for(&query);
                    let body =
                        if query.ends_with('\n') { query.clone() } else { format!("{query}\n") };
                    let name = record["name"].as_str().unwrap_or("Query").replace('\n', " ");
                    let text =
                        format!("## {name}\n\n{fence}{}\n{body}{fence}\n\n", fence_tag(&record));
                    tree.add(file, &text, vec![query]);
                }
                c if c.starts_with("yaml:") => {
                    let key = &c[5..];
                    let file = PathBuf::from(format!(
                        "kql/{source}/{}.yaml",
                        safe_name(record["id"].as_str().unwrap_or(path))
                    ));
                    // No `name:` when the record has none (a made-up one would repeat).
                    let name_line = record["name"].as_str().map_or(String::new(), |name| {
                        format!("name: {}\n", serde_json::to_string(name).unwrap())
                    });
                    // The rule's own id when the record keeps it (for the duplicate checks).
                    let rule_id = record["yaml_id"]
                        .as_str()
                        .map_or(style.to_string(), |id| serde_json::to_string(id).unwrap());
                    let text = format!(
                        "id: {rule_id}\n{name_line}severity: Medium\n{}{}",
                        yaml_scalar(key, &query, style),
                        sentinel_fact_keys(&record, style)
                    );
                    // What `rule_stats` reads from the same record.
                    let facts = serde_json::from_value::<SentinelKeys>(record.clone())
                        .map(|keys| keys.facts_for(key))
                        .unwrap_or_default();
                    tree.facts.insert(file.clone(), facts);
                    tree.add(file, &text, vec![query]);
                }
                _ => {
                    let file = PathBuf::from(format!(
                        "kql/{source}/{}.kql",
                        safe_name(record["id"].as_str().unwrap_or(path))
                    ));
                    tree.add(file, &query, vec![query.clone()]);
                }
            }
        }
    }
    for source in ["escu", "escu_support"] {
        let mut conf = String::new();
        let mut conf_queries = Vec::new();
        for record in records(&corpus.join(format!("spl/{source}.jsonl"))) {
            style += 1;
            let query = record["query"].as_str().unwrap_or("").to_owned();
            if query.trim().is_empty() {
                continue;
            }
            let conf_ok = source == "escu_support"
                && query == query.trim()
                && !query.lines().any(|l| l.ends_with('\\'))
                && !query.contains('\r');
            if conf_ok {
                let name = record["name"].as_str().unwrap_or("x").replace(['[', ']', '\n'], " ");
                let value = query.replace('\n', "\\\n");
                writeln!(conf, "[{name}]\ndispatch.earliest_time = -24h\nsearch = {value}\n")
                    .unwrap();
                conf_queries.push(query);
                continue;
            }
            let id = record["id"].as_str().unwrap_or("x");
            let file = PathBuf::from(format!("spl/{source}/{}.yml", safe_name(id)));
            let name = serde_json::to_string(record["name"].as_str().unwrap_or("x")).unwrap();
            // The record's `type` decides whether the search alerts (`TTP`) or is a hunt.
            let rule_type = yaml_value(record["type"].as_str().unwrap_or("TTP"));
            let rule_id = record["detection_id"]
                .as_str()
                .map_or(style.to_string(), |id| serde_json::to_string(id).unwrap());
            // The ATT&CK ids, for SPL114/SPL115.
            let tags = match &record["mitre_attack_id"] {
                Value::Array(ids) if !ids.is_empty() => {
                    format!("tags:\n  mitre_attack_id: {}\n", Value::Array(ids.clone()))
                }
                _ => String::new(),
            };
            let text = format!(
                "name: {name}\nid: {rule_id}\nversion: 1\ntype: {rule_type}\n{}how_to_implement: x\n{tags}",
                yaml_scalar("search", &query, style)
            );
            tree.add(file, &text, vec![query]);
        }
        if !conf.is_empty() {
            tree.add(
                PathBuf::from(format!("spl/{source}/savedsearches.conf")),
                &conf,
                conf_queries,
            );
        }
    }
    tree
}

#[test]
#[ignore = "slow: lints the whole shared corpus; run with --ignored --nocapture"]
fn lint_shared_corpus_through_containers() {
    let Some(corpus) = shared::shared_dir().map(|d| d.join("corpus")) else {
        println!("SKIP: ../shared/corpus not found; nothing to measure");
        return;
    };
    let tree = build(&corpus);
    let temp = tempfile::tempdir().unwrap();
    let root =
        std::env::var_os("QLINT_CORPUS_OUT").map_or_else(|| temp.path().to_owned(), PathBuf::from);
    let mut queries_written = 0;
    let mut mismatched = Vec::new();
    let mut inexact = 0;
    let mut facts_differ = Vec::new();
    let (mut with_window, mut with_parameters) = (0, 0);
    let (mut queries_found, mut split_files) = (0, 0);
    for (path, text) in &tree.files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        let expected = &tree.expected[path];
        queries_written += expected.len();
        // The decoded queries must be the originals (Markdown adds a final newline).
        let extraction = sources::extract(SourceKind::of_path(path).unwrap(), text);
        // Markdown readers drop the `\r` of CRLF line ends; the map still points at the file.
        let markdown = path.extension().is_some_and(|e| e == "md");
        let normalise = |q: &str| {
            let q = q.trim_end();
            if markdown { q.replace("\r\n", "\n") } else { q.to_owned() }
        };
        let got: Vec<String> = extraction.queries.iter().map(|q| normalise(&q.text)).collect();
        let want: Vec<String> = expected.iter().map(|q| normalise(q)).collect();
        queries_found += got.len();
        if got != want && splits_at_blank_lines(path, &got, &want) {
            // A corpus record that is a whole multi-query hunt file: a `.kql` file is read as
            // Kusto Explorer reads it, one query per blank-line separated part.
            split_files += 1;
        } else if got != want {
            if mismatched.is_empty() {
                let first = got.iter().zip(&want).position(|(g, w)| g != w);
                println!(
                    "first mismatch in {}: {} decoded vs {} written; first differing: {:?}",
                    path.display(),
                    got.len(),
                    want.len(),
                    first.map(|i| (&got[i], &want[i]))
                );
            }
            mismatched.push(path.display().to_string());
        }
        if let Some(want) = tree.facts.get(path) {
            for query in &extraction.queries {
                with_window += usize::from(query.facts.time_window.is_some());
                with_parameters += usize::from(!query.facts.declared_parameters().is_empty());
                // A record has no file, so its parameters have no location.
                let mut got = query.facts.clone();
                for parameter in got.parameters.iter_mut().flatten() {
                    parameter.declared_at = None;
                }
                // The rule's id and name are read from the file's own keys, not the facts
                // keys of the record.
                got.rule_id = None;
                got.rule_name = None;
                if &got != want {
                    if facts_differ.is_empty() {
                        println!(
                            "facts differ in {}: {:?} vs {want:?}",
                            path.display(),
                            query.facts
                        );
                    }
                    facts_differ.push(path.display().to_string());
                }
            }
        }
        for query in extraction.queries.iter().filter(|q| !q.exact) {
            if inexact < 3 {
                println!(
                    "inexact map in {}: {:?}",
                    path.display(),
                    &query.text[..query.text.len().min(80)]
                );
            }
            inexact += 1;
        }
    }
    println!(
        "generated {} files holding {queries_written} queries in {}",
        tree.files.len(),
        root.display()
    );
    println!(
        "decoded differently from the original: {} files {:?}",
        mismatched.len(),
        &mismatched[..mismatched.len().min(5)]
    );
    println!(
        "{split_files} records are multi-query .kql files, split at blank lines; {queries_found} queries decoded in all"
    );
    println!("queries whose offset map fell back to the scalar start: {inexact}");
    println!(
        "container facts: {with_window} queries with a time window, {with_parameters} with declared parameters; {} files whose facts differ from the record's",
        facts_differ.len()
    );

    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_qlint"))
        .args(["check", "--format", "concise", "--no-progress"])
        .arg(&root)
        .output()
        .unwrap();
    let wall = started.elapsed();
    let summary = String::from_utf8_lossy(&output.stderr);
    println!("qlint check --format concise: {:.2?} wall, exit {:?}", wall, output.status.code());
    println!("{}", summary.trim());

    let output = Command::new(env!("CARGO_BIN_EXE_qlint"))
        .args(["check", "--format", "json"])
        .arg(&root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut files_with_findings = std::collections::BTreeSet::new();
    for d in report["diagnostics"].as_array().unwrap() {
        *by_code.entry(d["code"].as_str().unwrap().to_owned()).or_default() += 1;
        files_with_findings.insert(d["path"].as_str().unwrap().to_owned());
    }
    println!("findings by code: {by_code:?}");
    // Findings per query by language (the default rule set, as a user without qlint.toml
    // gets it): the paths start with `kql/` or `spl/`.
    for language in ["kql", "spl"] {
        let queries: usize = tree
            .expected
            .iter()
            .filter(|(path, _)| path.starts_with(language))
            .map(|(_, queries)| queries.len())
            .sum();
        let findings = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                let path = d["path"].as_str().unwrap();
                Path::new(path).strip_prefix(&root).is_ok_and(|p| p.starts_with(language))
            })
            .count();
        println!(
            "{language}: {findings} findings on {queries} queries, {:.3} per query",
            findings as f64 / queries.max(1) as f64
        );
    }
    println!("files with findings: {}", files_with_findings.len());
    let examples: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .take(5)
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d["path"].as_str().unwrap(),
                d["start"]["line"],
                d["start"]["column"],
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    println!("first findings: {examples:#?}");
    assert!(summary.contains(&format!("{} files checked", tree.files.len())), "{summary}");
    assert!(summary.contains(&format!("{queries_found} queries")), "{summary}");
    assert!(mismatched.is_empty(), "{} files decode differently", mismatched.len());
    assert!(facts_differ.is_empty(), "{} files: facts differ from the record", facts_differ.len());
    assert!(!by_code.contains_key("QL001") && !by_code.contains_key("QL002"), "{by_code:?}");
}

/// The syntax findings of `qlint check` over `root`, by path: the files that do not parse.
fn unparsed_files(root: &Path) -> std::collections::BTreeSet<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_qlint"))
        .args(["check", "--format", "json", "--no-progress", "--select", "KQL001,SPL001,QL"])
        .arg(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| matches!(d["code"].as_str(), Some("KQL001" | "SPL001" | "QL002" | "QL004")))
        .map(|d| d["path"].as_str().unwrap().to_owned())
        .collect()
}

fn run_fix(root: &Path) -> (std::time::Duration, String) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_qlint"))
        .args(["check", "--fix", "--format", "concise", "--no-progress"])
        .arg(root)
        .output()
        .unwrap();
    (started.elapsed(), String::from_utf8_lossy(&output.stderr).trim().to_owned())
}

fn read_tree(root: &Path, tree: &Tree) -> BTreeMap<PathBuf, String> {
    tree.files.keys().map(|p| (p.clone(), std::fs::read_to_string(root.join(p)).unwrap())).collect()
}

/// Kusto.Language's syntax verdict (true: no syntax error) for each query, or `None` when
/// node or the oracle's `node_modules` is missing.
fn kusto_accepts(shared: &Path, queries: &[String]) -> Option<Vec<bool>> {
    let oracle = shared.join("oracles/kusto");
    if !oracle.join("node_modules").is_dir() {
        return None;
    }
    let mut input = String::new();
    for (i, query) in queries.iter().enumerate() {
        let line = serde_json::json!({"id": i.to_string(), "query": query});
        writeln!(input, "{line}").unwrap();
    }
    let mut child = Command::new("node")
        .arg(oracle.join("check.js"))
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        stdin.write_all(input.as_bytes()).unwrap();
    });
    let output = child.wait_with_output().ok()?;
    writer.join().unwrap();
    let verdicts: Vec<bool> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["syntax_errors"].as_array().is_some_and(Vec::is_empty) && v.get("crash").is_none()
        })
        .collect();
    (verdicts.len() == queries.len()).then_some(verdicts)
}

/// `--fix` over the whole corpus in its containers: the second run changes nothing, no file
/// stops parsing, and every KQL query the fixes changed is still valid for Kusto.Language when
/// its original was (checked with `../shared/oracles/kusto`, after `npm ci` there).
#[test]
#[ignore = "slow: fixes the whole shared corpus; run with --ignored --nocapture"]
fn fix_shared_corpus_through_containers() {
    let Some(shared) = shared::shared_dir() else {
        println!("SKIP: ../shared/corpus not found; nothing to fix");
        return;
    };
    let tree = build(&shared.join("corpus"));
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    for (path, text) in &tree.files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
    }
    let unparsed_before = unparsed_files(root);
    let (first_wall, first_summary) = run_fix(root);
    let after_first = read_tree(root, &tree);
    let (second_wall, second_summary) = run_fix(root);
    let after_second = read_tree(root, &tree);
    let unparsed_after = unparsed_files(root);

    let changed: Vec<&PathBuf> =
        tree.files.iter().filter(|(p, text)| &after_first[*p] != *text).map(|(p, _)| p).collect();
    let changed_again: Vec<&PathBuf> =
        after_first.iter().filter(|(p, text)| &after_second[*p] != *text).map(|(p, _)| p).collect();
    let stopped_parsing: Vec<&String> = unparsed_after.difference(&unparsed_before).collect();
    println!(
        "{} files; first --fix: {first_wall:.2?}, {} files changed ({first_summary})",
        tree.files.len(),
        changed.len()
    );
    println!(
        "second --fix: {second_wall:.2?}, {} files changed ({second_summary})",
        changed_again.len()
    );
    println!(
        "files with syntax errors: {} before, {} after; {} stopped parsing",
        unparsed_before.len(),
        unparsed_after.len(),
        stopped_parsing.len()
    );

    // The KQL queries the fixes changed, before and after.
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for path in &changed {
        let kind = SourceKind::of_path(path).unwrap();
        let old = sources::extract(kind, &tree.files[*path]).queries;
        let new = sources::extract(kind, &after_first[*path]).queries;
        for (o, n) in old.iter().zip(&new) {
            if o.language == qlint_linter::Language::Kql && o.text != n.text {
                before.push(o.text.clone());
                after.push(n.text.clone());
            }
        }
    }
    let mut rejected = Vec::new();
    match (kusto_accepts(&shared, &before), kusto_accepts(&shared, &after)) {
        (Some(old), Some(new)) => {
            for (i, (o, n)) in old.iter().zip(&new).enumerate() {
                if *o && !*n {
                    rejected.push(after[i].clone());
                }
            }
            let valid_before = old.iter().filter(|v| **v).count();
            let valid_after = new.iter().filter(|v| **v).count();
            println!(
                "{} KQL queries changed by fixes: Kusto.Language accepts {valid_before} before, \
                 {valid_after} after; {} valid before and not after",
                before.len(),
                rejected.len()
            );
        }
        _ => println!(
            "{} KQL queries changed by fixes; Kusto.Language not checked (node or `npm ci` in \
             ../shared/oracles/kusto missing)",
            before.len()
        ),
    }
    assert!(changed_again.is_empty(), "second --fix changed {changed_again:?}");
    assert!(stopped_parsing.is_empty(), "stopped parsing: {stopped_parsing:?}");
    assert!(
        rejected.is_empty(),
        "Kusto.Language rejects fixed queries: {:#?}",
        &rejected[..rejected.len().min(3)]
    );
}

/// Whether a `.kql` file written from one record was read as several queries that together
/// are that record: the parts, in order, hold the record's text apart from whitespace.
fn splits_at_blank_lines(path: &Path, got: &[String], want: &[String]) -> bool {
    let kql = path.extension().is_some_and(|e| e == "kql");
    let squeeze = |parts: &[String]| -> String {
        parts.iter().flat_map(|p| p.chars()).filter(|c| !c.is_whitespace()).collect()
    };
    kql && want.len() == 1 && got.len() > 1 && squeeze(got) == squeeze(want)
}
