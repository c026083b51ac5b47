//! The one entry point the CLI and the language server share.

use qlint_grammar::{kql, spl};

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
