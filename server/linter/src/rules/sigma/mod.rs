//! Sigma rules (`SIG`): structure, condition, modifiers, fields and detection logic of a
//! Sigma rule document. Each check reads the [`SigmaRule`] model built by
//! `analysis::sigma`; spans are byte offsets into the document.

use qlint_grammar::sigma::ast::{Expr, Reference};
use qlint_grammar::sigma::pattern_matches;

use crate::analysis::sigma::{Search, SigmaRule};
use crate::rules::Context;

pub mod sig001_condition_syntax_error;
pub mod sig002_deprecated_aggregation;
pub mod sig101_undefined_search_identifier;
pub mod sig102_pattern_matches_nothing;
pub mod sig103_unused_search_identifier;
pub mod sig104_unknown_modifier;
pub mod sig105_conflicting_modifiers;
pub mod sig106_invalid_regex;
pub mod sig107_missing_required_key;
pub mod sig108_invalid_metadata_value;
pub mod sig109_unknown_key;
pub mod sig110_malformed_tag;
pub mod sig111_duplicate_key;
pub mod sig112_empty_or_duplicate_value;
pub mod sig113_pointless_modifier;
pub mod sig201_unknown_taxonomy_field;
pub mod sig401_broad_match_without_exclusion;
pub mod taxonomy;

/// The Sigma rule of the context, if the text is one.
pub(crate) fn rule<'a>(cx: &'a Context<'_>) -> Option<&'a SigmaRule> {
    cx.analysis.sigma()
}

/// Every modifier pySigma knows, plus `utf16le` from the specification.
pub(crate) const MODIFIERS: &[&str] = &[
    "contains",
    "startswith",
    "endswith",
    "all",
    "re",
    "i",
    "m",
    "s",
    "ignorecase",
    "multiline",
    "dotall",
    "base64",
    "base64offset",
    "wide",
    "utf16le",
    "utf16be",
    "utf16",
    "windash",
    "cidr",
    "lt",
    "lte",
    "gt",
    "gte",
    "expand",
    "fieldref",
    "exists",
    "cased",
    "neq",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
];

/// True when the conditions of the rule parsed without a syntax error.
pub(crate) fn conditions_ok(rule: &SigmaRule) -> bool {
    rule.detection.as_ref().is_some_and(|d| d.conditions.iter().all(|c| c.parse.is_ok()))
}

/// The searches a condition reference selects (by name, pattern or `them`).
pub(crate) fn selected<'r>(rule: &'r SigmaRule, reference: &Reference<'_>) -> Vec<&'r Search> {
    let Some(detection) = &rule.detection else { return Vec::new() };
    detection
        .searches
        .iter()
        .filter(|s| match reference {
            Reference::Ident(name) => s.name == name.text,
            Reference::Pattern(pattern) => pattern_matches(&pattern.text, &s.name),
            Reference::Them(_) => !s.name.starts_with('_'),
        })
        .collect()
}

/// True when some condition negates something (`not x`, `not 1 of filter_*`).
pub(crate) fn has_negation(rule: &SigmaRule) -> bool {
    let Some(detection) = &rule.detection else { return false };
    detection.conditions.iter().any(|c| {
        let mut found = false;
        c.parse.tree.expr.walk(&mut |e| found |= matches!(e, Expr::Not { .. }));
        found
    })
}
