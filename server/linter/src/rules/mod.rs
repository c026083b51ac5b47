//! The rules: one file per rule, named by code and slug, and the registry that lists them.
//!
//! A rule file holds `META` (code, slug, summary, docs, category, default severity, whether it
//! offers a fix) and a `check` function that turns analysis facts into diagnostics. The docs
//! are written in fixed sections (*What it does*, *Why is this bad?*, *Example*,
//! *Use instead*, *References*); `qlint rule CODE` prints them, and a test lints the two
//! examples of every rule: the bad one must fire, the good one must not.

use qlint_grammar::Span;

use crate::analysis::Analysis;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::query::QueryFacts;
use qlint_knowledge::Knowledge;

pub mod detection;
pub mod exclusion;
pub mod kql;
pub mod meta;
pub mod spl;

/// What the registry knows about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// `KQL401`.
    pub code: &'static str,
    /// Kebab-case name of the problem: `case-sensitive-exclusion`.
    pub slug: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    /// The full documentation in Markdown, sections in the fixed order.
    pub docs: &'static str,
    /// Family, following the code range.
    pub category: Category,
    /// Severity unless configured otherwise.
    pub default_severity: Severity,
    /// Whether the rule offers a fix (safe or unsafe) for at least some findings.
    pub fixable: bool,
    /// Whether the rule is in the default rule set (on unless deselected). Rules whose value
    /// depends on the team are off until selected by code or with `ALL`.
    pub default_enabled: bool,
}

impl RuleMeta {
    /// A diagnostic of this rule at `span`, at the default severity.
    pub fn diagnostic(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.code, self.category, self.default_severity, span, message)
    }
}

/// What a rule sees: the text, the knowledge and the analysis of the query.
pub struct Context<'a> {
    /// The query text; spans index into it.
    pub text: &'a str,
    /// Built-in and workspace knowledge.
    pub knowledge: &'a Knowledge,
    /// Names, columns, macros and the condition model of the query.
    pub analysis: &'a Analysis,
    /// What the query's container says about it (time window, declared parameters).
    pub facts: &'a QueryFacts,
}

type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

/// Syntax errors come from the parser, not from a check.
fn no_check(_: &Context<'_>, _: &mut Vec<Diagnostic>) {}

/// Every rule with its check, in code order.
const RULES: &[(RuleMeta, Check)] = &[
    (kql::kql001_syntax_error::META, no_check),
    (kql::kql101_invalid_regex::META, kql::kql101_invalid_regex::check),
    (kql::kql102_wrong_arity::META, kql::kql102_wrong_arity::check),
    (kql::kql103_operator_type_mismatch::META, kql::kql103_operator_type_mismatch::check),
    (kql::kql104_argument_type_mismatch::META, kql::kql104_argument_type_mismatch::check),
    (kql::kql201_unknown_table::META, kql::kql201_unknown_table::check),
    (kql::kql202_unknown_column::META, kql::kql202_unknown_column::check),
    (kql::kql203_unknown_function::META, kql::kql203_unknown_function::check),
    (kql::kql301_contains_vs_has::META, kql::kql301_contains_vs_has::check),
    (kql::kql401_case_sensitive_exclusion::META, kql::kql401_case_sensitive_exclusion::check),
    (kql::kql402_case_sensitive_match::META, kql::kql402_case_sensitive_match::check),
    (kql::kql403_missing_exclusion::META, kql::kql403_missing_exclusion::check),
    (kql::kql404_unbounded_time_range::META, kql::kql404_unbounded_time_range::check),
    (kql::kql405_duplicate_condition::META, kql::kql405_duplicate_condition::check),
    (kql::kql406_contradictory_condition::META, kql::kql406_contradictory_condition::check),
    (meta::QL001_UNREADABLE_FILE, no_check),
    (meta::QL002_MALFORMED_CONTAINER, no_check),
    (meta::QL003_UNUSED_SUPPRESSION, no_check),
    (meta::QL004_INTERNAL_ERROR, no_check),
    (spl::spl001_syntax_error::META, no_check),
    (spl::spl101_invalid_regex::META, spl::spl101_invalid_regex::check),
    (spl::spl102_undefined_macro::META, spl::spl102_undefined_macro::check),
    (spl::spl103_macro_arity::META, spl::spl103_macro_arity::check),
    (spl::spl104_unknown_command::META, spl::spl104_unknown_command::check),
    (spl::spl105_literal_asterisk_in_eval::META, spl::spl105_literal_asterisk_in_eval::check),
    (spl::spl201_unknown_datamodel::META, spl::spl201_unknown_datamodel::check),
    (spl::spl202_unknown_datamodel_field::META, spl::spl202_unknown_datamodel_field::check),
    (
        spl::spl301_tstats_without_summariesonly::META,
        spl::spl301_tstats_without_summariesonly::check,
    ),
    (spl::spl302_leading_wildcard::META, spl::spl302_leading_wildcard::check),
    (spl::spl401_case_sensitive_exclusion::META, spl::spl401_case_sensitive_exclusion::check),
    (spl::spl402_case_sensitive_match::META, spl::spl402_case_sensitive_match::check),
    (spl::spl403_missing_exclusion::META, spl::spl403_missing_exclusion::check),
    (spl::spl404_unbounded_time_range::META, spl::spl404_unbounded_time_range::check),
    (spl::spl405_duplicate_condition::META, spl::spl405_duplicate_condition::check),
];

static ALL: [RuleMeta; RULES.len()] = {
    let mut all = [RULES[0].0; RULES.len()];
    let mut i = 0;
    while i < RULES.len() {
        all[i] = RULES[i].0;
        i += 1;
    }
    all
};

/// Every rule qlint knows, in code order (syntax errors `KQL001`/`SPL001` included).
pub fn all() -> &'static [RuleMeta] {
    &ALL
}

/// The rule with this code (case-insensitive), if any.
pub fn find(code: &str) -> Option<&'static RuleMeta> {
    all().iter().find(|rule| rule.code.eq_ignore_ascii_case(code))
}

/// Runs every rule of the query's language.
pub fn run(cx: &Context<'_>) -> Vec<Diagnostic> {
    let prefix = match cx.analysis {
        Analysis::Kql(_) => "KQL",
        Analysis::Spl(_) => "SPL",
    };
    let mut out = Vec::new();
    for (meta, check) in RULES {
        if meta.code.starts_with(prefix) {
            check(cx, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn registry_is_sorted_and_unique() {
        let codes: Vec<_> = super::all().iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}
