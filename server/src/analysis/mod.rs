//! The semantic model of a query: names resolved against the knowledge, columns tracked
//! through the pipeline, macros expanded, regexes collected, and the condition model that the
//! detection-logic rules reason about. Analysis records facts; rules turn them into
//! diagnostics.

pub mod fields;
pub mod kql;
pub mod logic;
pub mod regex;
pub mod spl;

use qlint_grammar::Span;

use logic::LogicModel;

/// A name that did not resolve, with the closest known name when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The name as written.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// "Did you mean" candidate.
    pub suggestion: Option<String>,
    /// Extra context for the message (the table or data model the name was looked up in).
    pub scope: Option<String>,
}

/// A regex literal and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexUse {
    /// The pattern after string escapes are decoded.
    pub pattern: String,
    /// The literal in the text.
    pub span: Span,
    /// Who uses it (`matches regex`, `extract()`, `rex`): for messages.
    pub user: String,
}

/// A call with the wrong number of arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArityProblem {
    /// Function or macro name.
    pub name: String,
    /// The call.
    pub span: Span,
    /// Arguments given.
    pub given: usize,
    /// What is accepted, as text ("2", "1 to 3", "at least 1").
    pub expected: String,
}

/// The analysis of one query.
#[derive(Debug, Clone)]
pub enum Analysis {
    /// A KQL query.
    Kql(kql::KqlAnalysis),
    /// An SPL search.
    Spl(spl::SplAnalysis),
}

impl Analysis {
    /// The condition model.
    pub fn logic(&self) -> &LogicModel {
        match self {
            Analysis::Kql(a) => &a.logic,
            Analysis::Spl(a) => &a.logic,
        }
    }

    /// The KQL analysis, if this is KQL.
    pub fn kql(&self) -> Option<&kql::KqlAnalysis> {
        match self {
            Analysis::Kql(a) => Some(a),
            Analysis::Spl(_) => None,
        }
    }

    /// The SPL analysis, if this is SPL.
    pub fn spl(&self) -> Option<&spl::SplAnalysis> {
        match self {
            Analysis::Spl(a) => Some(a),
            Analysis::Kql(_) => None,
        }
    }
}

/// Text for an accepted arity range.
pub(crate) fn describe_arity(min: usize, max: Option<usize>) -> String {
    match max {
        Some(max) if max == min => min.to_string(),
        Some(max) => format!("{min} to {max}"),
        None => format!("at least {min}"),
    }
}
