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
pub mod sig114_escaped_wildcard;
pub mod sig115_wildcard_in_regex;
pub mod sig116_cased_misuse;
pub mod sig201_unknown_taxonomy_field;
pub mod sig202_unknown_logsource;
pub mod sig401_broad_match_without_exclusion;
pub mod sig402_contains_on_image_path;
pub mod sig403_match_never_succeeds;
pub mod taxonomy;
mod values;

pub use taxonomy::fields_of;

/// The Sigma rule of the context, if the text is one.
pub(crate) fn rule<'a>(cx: &'a Context<'_>) -> Option<&'a SigmaRule> {
    cx.analysis.sigma()
}

/// Every modifier pySigma knows, plus `utf16le` from the specification, with one line on what
/// it does (shown on hover in the editor).
pub const MODIFIER_DOCS: &[(&str, &str)] = &[
    ("contains", "The value may appear anywhere in the field (wildcards on both sides)."),
    ("startswith", "The field begins with the value."),
    ("endswith", "The field ends with the value."),
    ("all", "Every value of the list must match (instead of any one)."),
    ("re", "The value is a regular expression (PCRE-like), matched unanchored."),
    ("i", "Regex flag: ignore case. Needs `|re`."),
    ("ignorecase", "Regex flag: ignore case. Needs `|re`."),
    ("m", "Regex flag: `^` and `$` match at line breaks. Needs `|re`."),
    ("multiline", "Regex flag: `^` and `$` match at line breaks. Needs `|re`."),
    ("s", "Regex flag: `.` also matches a line break. Needs `|re`."),
    ("dotall", "Regex flag: `.` also matches a line break. Needs `|re`."),
    ("base64", "Matches the value encoded in base64."),
    (
        "base64offset",
        "Matches the three base64 forms the value takes at any offset in a longer encoded text; follow with `|contains`.",
    ),
    ("wide", "Encodes the value as UTF-16LE first; use before `|base64`/`|base64offset`."),
    ("utf16le", "Encodes the value as UTF-16LE first; use before `|base64`/`|base64offset`."),
    ("utf16be", "Encodes the value as UTF-16BE first; use before `|base64`/`|base64offset`."),
    ("utf16", "Encodes the value as UTF-16 with a byte-order mark first; use before `|base64`."),
    (
        "windash",
        "Also matches the value with `-` replaced by `/`, en dash, em dash and horizontal bar, as Windows command lines accept.",
    ),
    ("cidr", "The value is an IP network (`10.0.0.0/8`); the field must be an address inside it."),
    ("lt", "The field is a number less than the value."),
    ("lte", "The field is a number less than or equal to the value."),
    ("gt", "The field is a number greater than the value."),
    ("gte", "The field is a number greater than or equal to the value."),
    (
        "expand",
        "Placeholders such as `%Admins%` in the value are filled in by the conversion pipeline.",
    ),
    ("fieldref", "The value names another field: both fields must be equal."),
    ("exists", "`true`: the field is present; `false`: it is absent."),
    ("cased", "Match case-sensitively (Sigma matching ignores case otherwise)."),
    ("neq", "The field is not equal to the value."),
    ("minute", "The minute of the field's timestamp."),
    ("hour", "The hour of the field's timestamp."),
    ("day", "The day of the month of the field's timestamp."),
    ("week", "The week of the year of the field's timestamp."),
    ("month", "The month of the field's timestamp."),
    ("year", "The year of the field's timestamp."),
];

/// The names of [`MODIFIER_DOCS`].
pub(crate) const MODIFIERS: &[&str] = &{
    let mut names = [""; MODIFIER_DOCS.len()];
    let mut i = 0;
    while i < MODIFIER_DOCS.len() {
        names[i] = MODIFIER_DOCS[i].0;
        i += 1;
    }
    names
};

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
