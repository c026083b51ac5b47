//! `qlint test`: finds `*.test.yaml` files, runs each test's query over its data, reports.
//!
//! A test file's `rule:` is read through the same container readers as `qlint check`
//! (`.kql`, Markdown fences, Sentinel/Splunk YAML, `.conf` stanzas); `rule: file#N` picks the
//! N-th query of a file that holds several. Knowledge (schemas, macros, lookups) comes from the
//! nearest `qlint.toml` and the workspace, as for `qlint check`, plus the rule's own folder.

mod report;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qlint_eval::Language as EvalLanguage;
use qlint_eval::runner::{CaseOutcome, QuerySpec, Status, run_case};
use qlint_eval::testfile::{TestFile, is_test_file_name, parse_test_file, rule_target};
use qlint_files::config::{CliOverrides, line_column};
use qlint_files::sources::{self, OffsetMap, SourceKind};
use qlint_knowledge::Knowledge;
use qlint_linter::Language;

use super::walk::Resolver;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, TestArgs};

/// Where a test file's query came from, to place evaluation errors in the right file.
enum Origin {
    /// A query in a rule file: its path, text and the map from query to file offsets.
    Rule { path: PathBuf, text: String, map: OffsetMap },
    /// The test file's own `query:`.
    Inline { line: u32 },
}

/// A test file ready to run.
struct Prepared {
    file: TestFile,
    query: QuerySpec,
    origin: Origin,
    knowledge: Arc<Knowledge>,
}

/// One reported test: its file, outcome and, for evaluation errors, where in the query.
pub(crate) struct Reported {
    pub file: String,
    pub outcome: CaseOutcome,
    pub location: Option<String>,
}

pub fn run(args: TestArgs) -> u8 {
    let paths = match (&args.show, args.paths.is_empty()) {
        (Some(file), _) => vec![file.clone()],
        (None, true) => vec![PathBuf::from(".")],
        (None, false) => args.paths.clone(),
    };
    let roots: Vec<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
    let resolver = match Resolver::new(args.config.as_deref(), CliOverrides::default(), &[], &roots)
    {
        Ok(resolver) => resolver,
        Err(error) => {
            eprintln!("qlint: {error}");
            return EXIT_ERROR;
        }
    };
    let (files, missing) = find_test_files(&paths);
    for (path, message) in &missing {
        eprintln!("qlint test: {}: {message}", path.display());
    }
    let mut workspace = Workspaces::default();
    if let Some(show) = &args.show {
        return show_file(show, &resolver, &mut workspace);
    }
    let mut reported = Vec::new();
    for path in &files {
        reported.extend(run_file(path, &resolver, &mut workspace));
    }
    let mut out = std::io::stdout().lock();
    if let Err(error) = report::write(&mut out, args.format, &reported) {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("qlint: cannot write the report: {error}");
        }
        return EXIT_ERROR;
    }
    if files.is_empty() && missing.is_empty() {
        eprintln!("qlint test: no *.test.yaml files found");
    }
    exit_code(&reported, !missing.is_empty())
}

fn exit_code(reported: &[Reported], io_error: bool) -> u8 {
    let any = |s: Status| reported.iter().any(|r| r.outcome.status == s);
    if io_error || any(Status::Error) {
        EXIT_ERROR
    } else if any(Status::Failed) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Test files under `paths` (files given by name are taken whatever their name), sorted.
fn find_test_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        if !path.is_dir() {
            missing.push((path.clone(), "no such file or folder".to_string()));
            continue;
        }
        for entry in ignore::WalkBuilder::new(path).build().flatten() {
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_some_and(|t| t.is_file()) && is_test_file_name(&name) {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    (files, missing)
}

/// Knowledge per rule folder: the configured knowledge plus the folder's macros and lookups.
#[derive(Default)]
struct Workspaces {
    cache: HashMap<PathBuf, Arc<Knowledge>>,
}

impl Workspaces {
    fn knowledge(&mut self, resolver: &Resolver, near: &Path) -> Arc<Knowledge> {
        let dir = near.parent().unwrap_or(Path::new(".")).to_path_buf();
        self.cache
            .entry(dir.clone())
            .or_insert_with(|| {
                let mut knowledge = resolver.for_path(near).knowledge.clone();
                if !knowledge.macro_files().iter().any(|f| f.starts_with(&dir)) {
                    let _ = knowledge.discover_workspace(&dir);
                }
                Arc::new(knowledge)
            })
            .clone()
    }
}

fn file_error(path: &Path, message: String, line: u32) -> Reported {
    let outcome = CaseOutcome {
        name: "(test file)".into(),
        line,
        status: Status::Error,
        message,
        failure_line: Some(line),
        query_span: None,
        table: None,
        missing: Vec::new(),
    };
    Reported { file: display(path), outcome, location: None }
}

fn display(path: &Path) -> String {
    path.strip_prefix("./").unwrap_or(path).display().to_string()
}

fn run_file(path: &Path, resolver: &Resolver, workspace: &mut Workspaces) -> Vec<Reported> {
    let prepared = match prepare(path, resolver, workspace) {
        Ok(p) => p,
        Err((message, line)) => return vec![file_error(path, message, line)],
    };
    if prepared.file.tests.is_empty() {
        return vec![file_error(path, "the test file has no tests".into(), 1)];
    }
    let base = path.parent().unwrap_or(Path::new("."));
    prepared
        .file
        .tests
        .iter()
        .map(|case| {
            let outcome =
                run_case(&prepared.query, &prepared.file, case, &prepared.knowledge, base);
            let location =
                outcome.query_span.as_ref().map(|span| locate(&prepared.origin, span.start));
            Reported { file: display(path), outcome, location }
        })
        .collect()
}

/// `path:line:col` of a query offset.
fn locate(origin: &Origin, offset: usize) -> String {
    match origin {
        Origin::Rule { path, text, map } => {
            let (line, column) = line_column(text, map.to_file_start(offset as u32) as usize);
            format!("{}:{line}:{column}", display(path))
        }
        Origin::Inline { line } => format!("query (from line {line}) at byte {offset}"),
    }
}

type Prep<T> = Result<T, (String, u32)>;

fn prepare(path: &Path, resolver: &Resolver, workspace: &mut Workspaces) -> Prep<Prepared> {
    let text = std::fs::read_to_string(path).map_err(|e| (format!("cannot read: {e}"), 1))?;
    let file = parse_test_file(&text).map_err(|e| (e.message, e.line))?;
    if let Some(rule) = &file.rule {
        let (rule_path, index) = rule_target(path, &rule.value);
        let (query, origin) =
            rule_query(&rule_path, index, resolver).map_err(|m| (m, rule.line))?;
        let knowledge = workspace.knowledge(resolver, &rule_path);
        return Ok(Prepared { file, query, origin, knowledge });
    }
    let language = file.language.as_ref().expect("checked by parse_test_file");
    let language = EvalLanguage::parse(&language.value).ok_or_else(|| {
        (format!("unknown language `{}` (expected kql or spl)", language.value), language.line)
    })?;
    let query = file.query.as_ref().expect("checked by parse_test_file");
    let spec = QuerySpec { language, text: query.value.clone() };
    let origin = Origin::Inline { line: query.line };
    let knowledge = workspace.knowledge(resolver, path);
    Ok(Prepared { file, query: spec, origin, knowledge })
}

fn rule_query(
    path: &Path,
    index: Option<usize>,
    resolver: &Resolver,
) -> Result<(QuerySpec, Origin), String> {
    let shown = display(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the rule `{shown}`: {e}"))?;
    let kind = SourceKind::of_path(path)
        .ok_or_else(|| format!("`{shown}` is not a file qlint reads queries from"))?;
    let config = &resolver.for_path(path).config;
    let extraction = sources::extract_with(kind, &text, &config.yaml_queries);
    if let Some(error) = extraction.errors.first() {
        return Err(format!("`{shown}` is malformed: {}", error.message));
    }
    let queries = extraction.queries;
    let query = match index {
        Some(n) => queries
            .into_iter()
            .nth(n.saturating_sub(1))
            .ok_or_else(|| format!("`{shown}` has no query number {n}"))?,
        None if queries.len() == 1 => queries.into_iter().next().expect("one query"),
        None => {
            return Err(format!(
                "`{shown}` holds {} queries; pick one with `rule: {}#N`",
                queries.len(),
                path.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned())
            ));
        }
    };
    let language = match query.language {
        Language::Kql => EvalLanguage::Kql,
        Language::Spl => EvalLanguage::Spl,
        other => {
            return Err(format!("`{shown}` holds a {other:?} query; qlint test runs KQL and SPL"));
        }
    };
    let spec = QuerySpec { language, text: query.text };
    Ok((spec, Origin::Rule { path: path.to_path_buf(), text, map: query.map }))
}

/// `qlint test --show FILE`: each test's result table.
fn show_file(path: &Path, resolver: &Resolver, workspace: &mut Workspaces) -> u8 {
    use std::io::Write;
    let reported = run_file(path, resolver, workspace);
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    let mut code = EXIT_CLEAN;
    for r in &reported {
        text.push_str(&format!("── {} ──\n", r.outcome.name));
        match &r.outcome.table {
            Some(table) => text.push_str(&report::render_table(table)),
            None => {
                let at = r.location.as_deref().map(|l| format!(" (at {l})")).unwrap_or_default();
                text.push_str(&format!("error: {}{at}\n", r.outcome.message));
                code = EXIT_ERROR;
            }
        }
    }
    if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
        return EXIT_ERROR;
    }
    code
}
