//! The per-file pipeline shared by `qlint check` and the language server: find the queries,
//! lint each, map spans back to the file, apply configuration and inline suppressions, sort.
//!
//! No IO and no printing here.

use std::path::{Path, PathBuf};

use qlint_grammar::Span;

use crate::config::{Config, RuleSelection};
use crate::sources::{self, EmbeddedQuery, SourceKind};
use qlint_knowledge::Knowledge;
use qlint_linter::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use qlint_linter::suppression::{self, Scope};
use qlint_linter::{lint_query_with, syntax_errors};

/// The diagnostics of one file, in file byte offsets, sorted by position then code.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// The file (as given, or the stdin file name).
    pub path: PathBuf,
    /// Findings with spans in file offsets.
    pub diagnostics: Vec<Diagnostic>,
    /// How many queries the file held.
    pub queries: usize,
    /// True when a query or the container did not parse (fixes are then never applied).
    pub has_syntax_errors: bool,
    /// What identifies each rule of the file (id, name, query), for the checks across the
    /// files of a run ([`crate::across::report`]).
    pub identities: Vec<crate::across::RuleIdentity>,
}

/// Checks `text` as the content of `path`; the kind of file comes from its name.
/// A file whose name says it holds no queries gives an empty report.
pub fn check_text(path: &Path, text: &str, knowledge: &Knowledge, config: &Config) -> FileReport {
    match SourceKind::of_path(path) {
        Some(kind) => check_source(path, kind, text, knowledge, config),
        None => FileReport { path: path.to_owned(), ..FileReport::default() },
    }
}

/// Checks `text` read as `kind` (for stdin and files whose name says nothing).
pub fn check_source(
    path: &Path,
    kind: SourceKind,
    text: &str,
    knowledge: &Knowledge,
    config: &Config,
) -> FileReport {
    let extraction = sources::extract_with(kind, text, &config.yaml_queries);
    // Rule ids, names and queries, for the checks across the files of one run (CLI only).
    let identities =
        crate::across::identities(kind, text, &extraction.queries, &config.selection_for(path));
    let mut report = check_extraction(path, extraction, knowledge, config, &mut NoMemo);
    report.identities = identities;
    report
}

/// Checks the queries `extraction` found in a file (`sources::extract_with` on its text, with
/// the config's `[[yaml-queries]]`), asking `memo` for each query's lint first.
pub fn check_extraction(
    path: &Path,
    extraction: sources::Extraction,
    knowledge: &Knowledge,
    config: &Config,
    memo: &mut dyn QueryMemo,
) -> FileReport {
    let selection = config.selection_for(path);
    let mut report = FileReport {
        path: path.to_owned(),
        queries: extraction.queries.len(),
        ..FileReport::default()
    };
    for error in extraction.errors {
        report.has_syntax_errors = true;
        report.diagnostics.push(Diagnostic::new(
            "QL002",
            Category::Syntax,
            Severity::Error,
            error.span,
            error.message,
        ));
    }
    for query in &extraction.queries {
        let lint = memo.lint(query, &|query| QueryLint::of(query, knowledge, &selection));
        match lint.internal_error {
            None => {
                report.has_syntax_errors |= lint.syntax_errors;
                report
                    .diagnostics
                    .extend(lint.diagnostics.into_iter().map(|d| map_to_file(d, query)));
            }
            Some(reason) => {
                // Never write fixes into a file qlint did not fully understand.
                report.has_syntax_errors = true;
                report.diagnostics.push(internal_error(query.span_in_file, &reason));
            }
        }
    }
    report.diagnostics = configure(report.diagnostics, &selection);
    sort_diagnostics(&mut report.diagnostics);
    report
}

/// What linting one query gives, in query offsets (suppressions applied), before it is
/// mapped into its file. It depends only on the query's language, text and facts, the
/// knowledge and the rule selection, so a caller may keep it while those stay the same.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryLint {
    /// Findings in query offsets.
    pub diagnostics: Vec<Diagnostic>,
    /// True when the query did not parse.
    pub syntax_errors: bool,
    /// The reason qlint failed on the query (a panic), reported as `QL004`.
    pub internal_error: Option<String>,
}

impl QueryLint {
    /// Lints `query` (a panic in qlint becomes `internal_error`).
    pub fn of(query: &EmbeddedQuery, knowledge: &Knowledge, selection: &RuleSelection) -> Self {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_query(query, knowledge, selection)
        })) {
            Ok((diagnostics, syntax_errors)) => {
                Self { diagnostics, syntax_errors, internal_error: None }
            }
            Err(panic) => Self {
                diagnostics: Vec::new(),
                syntax_errors: true,
                internal_error: Some(panic_reason(panic.as_ref())),
            },
        }
    }
}

/// Where [`check_extraction`] gets each query's lint: `lint` computes it; a memo may answer
/// from an earlier run instead (the language server keeps one per open document).
pub trait QueryMemo {
    /// The lint of `query`, from memory or from `lint`.
    fn lint(
        &mut self,
        query: &EmbeddedQuery,
        lint: &dyn Fn(&EmbeddedQuery) -> QueryLint,
    ) -> QueryLint;
}

/// Remembers nothing.
pub struct NoMemo;

impl QueryMemo for NoMemo {
    fn lint(
        &mut self,
        query: &EmbeddedQuery,
        lint: &dyn Fn(&EmbeddedQuery) -> QueryLint,
    ) -> QueryLint {
        lint(query)
    }
}

/// A report for a file that could not be read (`QL001`).
pub fn unreadable(path: &Path, message: impl Into<String>) -> FileReport {
    FileReport {
        path: path.to_owned(),
        diagnostics: vec![Diagnostic::new(
            "QL001",
            Category::Meta,
            Severity::Error,
            Span::empty(0),
            message,
        )],
        queries: 0,
        has_syntax_errors: true,
        identities: Vec::new(),
    }
}

/// The message of a caught panic.
fn panic_reason(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// The `QL004` finding at `span` for a query qlint failed on (a bug in qlint): the other
/// queries and files are still checked.
fn internal_error(span: Span, reason: &str) -> Diagnostic {
    Diagnostic::new(
        "QL004",
        Category::Meta,
        Severity::Error,
        span,
        format!(
            "qlint failed on this query (internal error: {reason}); it was not checked. \
             Please report it with the query"
        ),
    )
}

/// Runs `work` on one query; a panic in it becomes a `QL004` finding at `span`.
#[cfg(test)]
fn guarded<T>(span: Span, work: impl FnOnce() -> T) -> Result<T, Diagnostic> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
        .map_err(|panic| internal_error(span, &panic_reason(panic.as_ref())))
}

/// True when `selection` turns on a rule that needs analysis: anything but the syntax codes
/// and the `QL` codes, which this crate reports itself.
fn selects_rules(selection: &RuleSelection) -> bool {
    // The usual syntax-only selection (`--select KQL001`) answers without asking each rule:
    // no default set, and every selector is a syntax code, which no other rule code starts
    // with (`syntax_codes_prefix_no_other_code` below).
    if !selection.default_set
        && selection.select.iter().all(|s| SYNTAX.iter().any(|c| c.eq_ignore_ascii_case(s)))
    {
        return false;
    }
    asks_rules(selection)
}

const SYNTAX: [&str; 3] = ["KQL001", "SPL001", "YL001"];

/// [`selects_rules`] asking every rule.
fn asks_rules(selection: &RuleSelection) -> bool {
    qlint_linter::rules::all()
        .iter()
        .filter(|rule| !SYNTAX.contains(&rule.code) && !rule.code.starts_with("QL"))
        .any(|rule| selection.is_enabled(rule.code))
}

/// Sorts by position, then code, then message.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
}

/// Applies selection and severities (suppression has already run per query).
fn configure(diagnostics: Vec<Diagnostic>, selection: &RuleSelection) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|d| selection.is_enabled(d.code))
        .map(|mut d| {
            d.severity = selection.severity(d.code, d.severity);
            d
        })
        .collect()
}

/// Lints one query and applies its suppressions (spans stay in query offsets).
fn check_query(
    query: &EmbeddedQuery,
    knowledge: &Knowledge,
    selection: &RuleSelection,
) -> (Vec<Diagnostic>, bool) {
    let found = if selects_rules(selection) {
        lint_query_with(query.language, &query.text, knowledge, &query.facts)
    } else {
        // Only syntax codes are on: parsing alone gives every finding (issue 15's
        // syntax-only runs spent most of their time in analysis and rules).
        syntax_errors(query.language, &query.text).unwrap_or_else(|| {
            lint_query_with(query.language, &query.text, knowledge, &query.facts)
        })
    };
    let syntax_errors = found.iter().any(|d| d.category == Category::Syntax);
    let suppressions = suppression::scan(query.language, &query.text);
    let mut used: Vec<Vec<bool>> =
        suppressions.iter().map(|s| vec![false; s.codes.len().max(1)]).collect();
    let mut kept: Vec<Diagnostic> = found
        .into_iter()
        .filter(|d| selection.is_enabled(d.code))
        .filter(|d| !suppress(d, &query.text, &suppressions, &mut used))
        .collect();
    // Unused suppressions are reported as QL003, which other suppressions may silence in
    // turn; repeat until no suppression changes from unused to used.
    if selection.is_enabled("QL003") {
        // `used` only grows, one code at least per extra round.
        let rounds = used.iter().map(Vec::len).sum::<usize>() + 1;
        for _ in 0..rounds {
            let before = used.clone();
            let unused = unused_suppressions(&suppressions, &used, selection);
            let mut still = Vec::new();
            for d in unused {
                if !suppress(&d, &query.text, &suppressions, &mut used) {
                    still.push(d);
                }
            }
            if used == before {
                kept.extend(still);
                break;
            }
        }
    }
    (kept, syntax_errors)
}

/// True when a suppression covers `diagnostic`; marks the code it used.
fn suppress(
    diagnostic: &Diagnostic,
    text: &str,
    suppressions: &[suppression::Suppression],
    used: &mut [Vec<bool>],
) -> bool {
    if suppressions.is_empty() {
        // The common case; counting lines per finding made big queries quadratic.
        return false;
    }
    let line = suppression::line_of(text, diagnostic.span.start);
    let mut suppressed = false;
    for (index, s) in suppressions.iter().enumerate() {
        if diagnostic.code == "QL003" && diagnostic.span == s.comment {
            continue;
        }
        let in_scope = match s.scope {
            Scope::Query => true,
            Scope::Line(target) => target == line,
        };
        if let (true, Some(code)) = (in_scope, s.matches(diagnostic.code)) {
            used[index][code] = true;
            suppressed = true;
        }
    }
    suppressed
}

/// A QL003 diagnostic for every suppression (or code in one) that matched nothing.
fn unused_suppressions(
    suppressions: &[suppression::Suppression],
    used: &[Vec<bool>],
    selection: &RuleSelection,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (s, used) in suppressions.iter().zip(used) {
        let unused: Vec<&str> = if s.codes.is_empty() {
            if used[0] { Vec::new() } else { vec!["any code"] }
        } else {
            s.codes
                .iter()
                .zip(used)
                .filter(|(code, used)| !**used && selection.is_enabled(code))
                .map(|(code, _)| code.as_str())
                .collect()
        };
        if unused.is_empty() {
            continue;
        }
        let nothing_used = used.iter().all(|u| !u);
        let message = if s.codes.is_empty() {
            "this suppression matches no diagnostic".to_owned()
        } else {
            let list = unused.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
            format!("unused suppression of {list}: no such diagnostic here")
        };
        let mut diagnostic =
            Diagnostic::new("QL003", Category::Meta, Severity::Warning, s.comment, message);
        if nothing_used {
            diagnostic = diagnostic.with_fix(Fix {
                title: "Remove the unused suppression".to_owned(),
                applicability: Applicability::Safe,
                edits: vec![Edit { span: s.removal, replacement: String::new() }],
            });
        }
        found.push(diagnostic);
    }
    found
}

/// Moves a diagnostic (and its fix) from query offsets to file offsets.
fn map_to_file(mut diagnostic: Diagnostic, query: &EmbeddedQuery) -> Diagnostic {
    diagnostic.span = query.map.to_file_span(diagnostic.span);
    diagnostic.fix = diagnostic.fix.and_then(|fix| {
        if !query.exact {
            return None;
        }
        let mut edits = Vec::with_capacity(fix.edits.len());
        for edit in fix.edits {
            edits.push(Edit {
                span: map_edit_span(query, edit.span),
                replacement: query.encoding.encode(&edit.replacement)?,
            });
        }
        Some(Fix { edits, ..fix })
    });
    diagnostic
}

/// Like a diagnostic span, except that an edit ending after a line break also takes the
/// container's indentation of the next line (so deleting whole lines keeps indentation right).
fn map_edit_span(query: &EmbeddedQuery, span: Span) -> Span {
    let start = query.map.to_file_start(span.start);
    if span.is_empty() {
        return Span::empty(start);
    }
    let ends_line = query.text.as_bytes().get(span.end as usize - 1) == Some(&b'\n');
    let end =
        if ends_line { query.map.to_file_start(span.end) } else { query.map.to_file_end(span.end) };
    Span::new(start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick answer of `selects_rules` for syntax-only selections holds only while no
    /// other rule code starts with a syntax code.
    #[test]
    fn syntax_codes_prefix_no_other_code() {
        for rule in qlint_linter::rules::all() {
            for code in SYNTAX {
                let starts = rule.code.len() >= code.len()
                    && rule.code.as_bytes()[..code.len()].eq_ignore_ascii_case(code.as_bytes());
                assert!(!starts || rule.code == code, "{} starts with {code}", rule.code);
            }
        }
    }

    /// With only syntax codes selected the queries are parsed, not analysed; the findings are
    /// the same as a full check's syntax findings.
    #[test]
    fn a_syntax_only_selection_finds_what_a_full_check_finds() {
        use crate::config::CliOverrides;
        let knowledge = Knowledge::builtin();
        let only = |codes: &[&str]| {
            let select = codes.iter().map(|c| (*c).to_owned()).collect();
            Config::default().with_cli(CliOverrides { select, ..CliOverrides::default() })
        };
        let all = only(&["ALL"]);
        for (name, text) in [
            ("q.kql", "SecurityEvent\n| where EventID == \n| project"),
            ("q.kql", "SecurityEvent | where Account == \"X\""),
            ("q.spl", "index=main | stats count by"),
            ("r.yaml", "name: x\nquery: |\n  T | where a ==\n"),
        ] {
            let path = Path::new(name);
            let syntax = only(&["KQL001", "SPL001"]);
            assert!(!selects_rules(&syntax.selection_for(path)));
            assert!(!asks_rules(&syntax.selection_for(path)));
            assert!(selects_rules(&all.selection_for(path)));
            let fast = check_text(path, text, &knowledge, &syntax);
            let mut full = check_text(path, text, &knowledge, &all);
            full.diagnostics.retain(|d| d.code == "KQL001" || d.code == "SPL001");
            assert_eq!(fast.diagnostics, full.diagnostics, "{text}");
            assert_eq!(fast.has_syntax_errors, full.has_syntax_errors, "{text}");
        }
    }

    #[test]
    fn a_panic_on_one_query_becomes_ql004_at_that_query() {
        let span = Span::new(10, 40);
        let ok = guarded(span, || 7);
        assert_eq!(ok.ok(), Some(7));
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let failed = guarded(span, || -> u8 { panic!("index out of bounds") });
        let owned = guarded(span, || -> u8 { panic!("{} went wrong", "something") });
        std::panic::set_hook(previous);
        let failed = failed.expect_err("the panic is caught");
        assert_eq!((failed.code, failed.span, failed.severity), ("QL004", span, Severity::Error));
        assert!(
            failed.message.contains("internal error: index out of bounds"),
            "{}",
            failed.message
        );
        assert!(owned.expect_err("caught").message.contains("something went wrong"));
    }
}
