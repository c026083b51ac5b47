//! The one entry point the CLI and the language server share.

use qlint_grammar::{Span, kql, spl};

use crate::analysis::{self, Analysis};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::knowledge::{Knowledge, ScalarType};
use crate::rules;

/// The query language of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Kusto Query Language.
    Kql,
    /// Splunk Search Processing Language.
    Spl,
}

/// What the file around a query says about it, outside the query text: the time range a
/// scheduled rule runs over, the parameters a stored function receives. Empty for a query
/// that is a whole file or a Markdown fence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFacts {
    /// The time range the container runs the query over, when it sets one.
    pub time_window: Option<TimeWindow>,
    /// The parameters the container declares (Sentinel `FunctionParams`, ASIM `ParserParams`),
    /// or `None` when it declares none. `Some(vec![])` says "declared, and there are none".
    pub parameters: Option<Vec<Parameter>>,
}

impl QueryFacts {
    /// True when the container says nothing about the query.
    pub fn is_empty(&self) -> bool {
        self.time_window.is_none() && self.parameters.is_none()
    }

    /// The declared parameters (empty when none are declared).
    pub fn declared_parameters(&self) -> &[Parameter] {
        self.parameters.as_deref().unwrap_or(&[])
    }
}

/// Where the time range of a query comes from when its container sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeWindow {
    /// Each run looks back this far: `queryPeriod: 14d` in a Sentinel scheduled rule,
    /// `dispatch.earliest_time = -24h` in a Splunk saved search.
    Lookback {
        /// The container key, for messages.
        setting: &'static str,
        /// The value as written.
        value: String,
    },
    /// A Sentinel near-real-time rule (`kind: NRT`): each run reads what arrived since the
    /// previous run.
    NearRealTime,
}

impl std::fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeWindow::Lookback { setting, value } => write!(f, "{setting} {value}"),
            TimeWindow::NearRealTime => f.write_str("kind NRT"),
        }
    }
}

/// A parameter that the container declares for the query body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The name the body uses.
    pub name: String,
    /// Its type.
    pub ty: ParameterType,
    /// Where the container names it, in file byte offsets, when known (for go-to-definition).
    pub declared_at: Option<Span>,
}

impl Parameter {
    /// A parameter whose declaration is not located in a file.
    pub fn new(name: impl Into<String>, ty: ParameterType) -> Self {
        Self { name: name.into(), ty, declared_at: None }
    }
}

/// The type of a declared parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    /// A scalar, with its type when the declared type name is known.
    Scalar(Option<ScalarType>),
    /// A table (`Type: table`).
    Tabular,
}

/// Lints one query text that has no container facts; spans in the result are byte offsets
/// into `text`.
pub fn lint_query(language: Language, text: &str, knowledge: &Knowledge) -> Vec<Diagnostic> {
    lint_query_with(language, text, knowledge, &QueryFacts::default())
}

/// Lints one query text with what its container says about it (see [`QueryFacts`]).
pub fn lint_query_with(
    language: Language,
    text: &str,
    knowledge: &Knowledge,
    facts: &QueryFacts,
) -> Vec<Diagnostic> {
    with_stack_for(text, || lint_on_this_stack(language, text, knowledge, facts))
}

/// Texts up to this size are analysed on the caller's stack.
const INLINE_TEXT: usize = 4 << 10;
/// The stack of the helper thread for longer texts.
const DEEP_STACK: usize = 256 << 20;

/// Runs `work` (parsing and analysing `text`) where the stack is big enough for it.
///
/// Trees are as deep as their longest operator chain (`a or b or c ...` nests to the left),
/// the parser allows 20,000 operators in a statement, and the walkers over the tree (and its
/// drop) recurse. A short text cannot hold a deep chain, so it runs inline; a longer one runs
/// on a scoped helper thread with a large stack, so that callers on small stacks (the
/// language server's blocking pool, rayon workers, test threads) never overflow.
pub(crate) fn with_stack_for<T: Send>(text: &str, work: impl FnOnce() -> T + Send) -> T {
    if text.len() <= INLINE_TEXT {
        return work();
    }
    let mut work = Some(work);
    let outcome = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("qlint-deep-query".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, || work.take().map(|work| work()));
        spawned.ok().map(|handle| handle.join())
    });
    match (outcome, work.take()) {
        (Some(Ok(Some(result))), _) => result,
        // A panic in the work is the caller's, as if it had run inline.
        (Some(Err(panic)), _) => std::panic::resume_unwind(panic),
        // The thread could not start: run here rather than not at all.
        (_, Some(work)) => work(),
        (Some(Ok(None)), None) | (None, None) => {
            unreachable!("the work either ran on the helper thread or is still here")
        }
    }
}

fn lint_on_this_stack(
    language: Language,
    text: &str,
    knowledge: &Knowledge,
    facts: &QueryFacts,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let (code, errors, analysis) = match language {
        Language::Kql => {
            let parse = kql::parse(text);
            let analysis = analysis::kql::analyze_tree_with(
                &parse.tree,
                text,
                knowledge,
                facts.parameters.as_deref(),
            );
            ("KQL001", parse.errors, Analysis::Kql(analysis))
        }
        Language::Spl => {
            let parse = spl::parse(text);
            let analysis = analysis::spl::analyze_tree(&parse.tree, text, knowledge);
            ("SPL001", parse.errors, Analysis::Spl(analysis))
        }
    };
    let broken = !errors.is_empty();
    for error in errors {
        diagnostics.push(Diagnostic::new(
            code,
            Category::Syntax,
            Severity::Error,
            error.span.widen_empty(text),
            error.message,
        ));
    }
    let cx = rules::Context { text, knowledge, analysis: &analysis, facts };
    for mut diagnostic in rules::run(&cx) {
        // Names in a partial tree are unreliable: fix the syntax first.
        if broken && matches!(diagnostic.category, Category::Schema | Category::Correctness) {
            continue;
        }
        diagnostic.span = diagnostic.span.widen_empty(text);
        diagnostics.push(diagnostic);
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    diagnostics
}

#[cfg(test)]
mod tests {
    use qlint_grammar::kql;

    use super::*;
    use crate::analysis::kql::{Schema, SymbolKind, analyze_tree_with};

    fn codes(found: &[Diagnostic]) -> Vec<&'static str> {
        found.iter().map(|d| d.code).collect()
    }

    #[test]
    fn a_window_from_the_container_silences_kql404() {
        let knowledge = Knowledge::builtin();
        let text = "SigninLogs\n| where ResultType != \"0\"\n";
        assert_eq!(codes(&lint_query(Language::Kql, text, &knowledge)), ["KQL404"]);
        for window in [
            TimeWindow::Lookback { setting: "queryPeriod", value: "14d".into() },
            TimeWindow::NearRealTime,
        ] {
            let facts = QueryFacts { time_window: Some(window), parameters: None };
            assert!(lint_query_with(Language::Kql, text, &knowledge, &facts).is_empty());
        }
    }

    #[test]
    fn declared_parameters_resolve_with_their_types() {
        let knowledge = Knowledge::builtin();
        let text = "Syslog\n| where TimeGenerated >= starttime\n| extend Since = starttime, Hosts = hostnames\n";
        let parameters = [
            Parameter::new("starttime", ParameterType::Scalar(Some(ScalarType::Datetime))),
            Parameter::new("hostnames", ParameterType::Scalar(None)),
        ];
        let parse = kql::parse(text);
        let analysis = analyze_tree_with(&parse.tree, text, &knowledge, Some(&parameters));
        assert!(analysis.unknown_columns.is_empty(), "{:?}", analysis.unknown_columns);
        let use_at = text.rfind("starttime").unwrap() as u32;
        let symbol = analysis.symbols.iter().find(|s| s.span.start == use_at).unwrap();
        assert_eq!(symbol.kind, SymbolKind::Parameter { ty: Some(ScalarType::Datetime) });
        // The type flows into the columns computed from the parameter.
        let last = analysis.scopes.iter().rfind(|s| s.after).unwrap();
        let Schema::Known(columns) = &last.schema else { panic!("{:?}", last.schema) };
        let since = columns.iter().find(|c| c.name == "Since").unwrap();
        assert_eq!(since.ty, Some(ScalarType::Datetime));
        // Declared parameters replace the guess: an undeclared lowercase name is reported.
        let declared_none = QueryFacts { time_window: None, parameters: Some(Vec::new()) };
        let found = lint_query_with(Language::Kql, text, &knowledge, &declared_none);
        assert_eq!(codes(&found), ["KQL202", "KQL202"], "{found:?}");
        // Without facts the lowercase names are taken for parameters of a stored function.
        assert!(lint_query(Language::Kql, text, &knowledge).iter().all(|d| d.code != "KQL202"));
    }

    #[test]
    fn a_tabular_parameter_is_a_table_of_unknown_columns() {
        let knowledge = Knowledge::builtin();
        let text = "T\n| extend Resolved = strcat(field, Anything)\n";
        let facts = QueryFacts {
            time_window: None,
            parameters: Some(vec![
                Parameter::new("T", ParameterType::Tabular),
                Parameter::new("field", ParameterType::Scalar(Some(ScalarType::String))),
            ]),
        };
        assert_eq!(lint_query_with(Language::Kql, text, &knowledge, &facts), []);
        assert_eq!(codes(&lint_query(Language::Kql, text, &knowledge)), ["KQL201"]);
    }
}
