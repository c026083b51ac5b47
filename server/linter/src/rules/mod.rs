//! The rules: one file per rule, named by code and slug, and the registry that lists them.
//!
//! A rule file holds `META` (code, slug, summary, docs, category, default severity, whether it
//! offers a fix) and a `check` function that turns analysis facts into diagnostics. The docs
//! are written in fixed sections (*What it does*, *Why is this bad?*, *Example*,
//! *Use instead*, *References*); `qlint rule CODE` prints them, and a test lints the two
//! examples of every rule: the bad one must fire, the good one must not.

use qlint_grammar::Span;

use crate::analysis::Analysis;
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::query::QueryFacts;
use qlint_knowledge::Knowledge;

pub mod across;
pub(crate) mod container;
pub mod detection;
pub mod exclusion;
pub mod indicators;
pub mod kql;
pub mod meta;
pub mod sigma;
pub mod spl;
pub mod yaral;

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
    /// The syntax tree the analysis was built from.
    pub syntax: Syntax<'a>,
}

/// The parsed query, for rules that read the syntax itself (operator parameters, `let`
/// statements, command options) rather than the facts the analysis records.
#[derive(Debug, Clone, Copy)]
pub enum Syntax<'a> {
    /// A KQL query.
    Kql(&'a qlint_grammar::kql::ast::Query),
    /// An SPL search.
    Spl(&'a qlint_grammar::spl::ast::Search),
    /// A Sigma rule: its model lives in the analysis (the YAML has no query tree).
    Sigma,
    /// A YARA-L rule file: its tree lives in the analysis.
    Yaral,
}

impl<'a> Context<'a> {
    /// The KQL tree, if this is KQL.
    pub fn kql(&self) -> Option<&'a qlint_grammar::kql::ast::Query> {
        match self.syntax {
            Syntax::Kql(q) => Some(q),
            Syntax::Spl(_) | Syntax::Sigma | Syntax::Yaral => None,
        }
    }

    /// The SPL tree, if this is SPL.
    pub fn spl(&self) -> Option<&'a qlint_grammar::spl::ast::Search> {
        match self.syntax {
            Syntax::Spl(s) => Some(s),
            Syntax::Kql(_) | Syntax::Sigma | Syntax::Yaral => None,
        }
    }
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
    (kql::kql110_wildcard_in_literal::META, kql::kql110_wildcard_in_literal::check),
    (kql::kql111_join_without_kind::META, kql::kql111_join_without_kind::check),
    (kql::kql112_unused_let::META, kql::kql112_unused_let::check),
    (kql::kql113_escape_in_path::META, kql::kql113_escape_in_path::check),
    (kql::kql114_extract_missing_group::META, kql::kql114_extract_missing_group::check),
    (kql::kql115_malformed_attack_technique::META, kql::kql115_malformed_attack_technique::check),
    (kql::kql116_unknown_attack_technique::META, kql::kql116_unknown_attack_technique::check),
    (kql::kql201_unknown_table::META, kql::kql201_unknown_table::check),
    (kql::kql202_unknown_column::META, kql::kql202_unknown_column::check),
    (kql::kql203_unknown_function::META, kql::kql203_unknown_function::check),
    (kql::kql204_unlisted_column::META, kql::kql204_unlisted_column::check),
    (kql::kql301_contains_vs_has::META, kql::kql301_contains_vs_has::check),
    (
        kql::kql310_let_reused_without_materialize::META,
        kql::kql310_let_reused_without_materialize::check,
    ),
    (kql::kql311_search_all_tables::META, kql::kql311_search_all_tables::check),
    (kql::kql312_has_short_term::META, kql::kql312_has_short_term::check),
    (kql::kql313_regex_without_pattern::META, kql::kql313_regex_without_pattern::check),
    (kql::kql401_case_sensitive_exclusion::META, kql::kql401_case_sensitive_exclusion::check),
    (kql::kql402_case_sensitive_match::META, kql::kql402_case_sensitive_match::check),
    (kql::kql403_missing_exclusion::META, kql::kql403_missing_exclusion::check),
    (kql::kql404_unbounded_time_range::META, kql::kql404_unbounded_time_range::check),
    (kql::kql405_duplicate_condition::META, kql::kql405_duplicate_condition::check),
    (kql::kql406_contradictory_condition::META, kql::kql406_contradictory_condition::check),
    (kql::kql410_bypassable_exclusion::META, kql::kql410_bypassable_exclusion::check),
    (kql::kql411_empty_string_match::META, kql::kql411_empty_string_match::check),
    (kql::kql412_ip_prefix_overmatch::META, kql::kql412_ip_prefix_overmatch::check),
    (kql::kql413_ip_prefix_as_text::META, kql::kql413_ip_prefix_as_text::check),
    (kql::kql414_fuzzy_union::META, kql::kql414_fuzzy_union::check),
    (kql::kql415_take_in_scheduled_rule::META, kql::kql415_take_in_scheduled_rule::check),
    (
        kql::kql416_lookback_beyond_query_period::META,
        kql::kql416_lookback_beyond_query_period::check,
    ),
    (kql::kql417_empty_check_tautology::META, kql::kql417_empty_check_tautology::check),
    (kql::kql418_frequency_exceeds_period::META, kql::kql418_frequency_exceeds_period::check),
    (meta::QL001_UNREADABLE_FILE, no_check),
    (meta::QL002_MALFORMED_CONTAINER, no_check),
    (meta::QL003_UNUSED_SUPPRESSION, no_check),
    (meta::QL004_INTERNAL_ERROR, no_check),
    (across::ql101_duplicate_rule_id::META, no_check),
    (across::ql102_duplicate_rule_name::META, no_check),
    (across::ql103_duplicate_query::META, no_check),
    (sigma::sig001_condition_syntax_error::META, sigma::sig001_condition_syntax_error::check),
    (sigma::sig002_deprecated_aggregation::META, sigma::sig002_deprecated_aggregation::check),
    (
        sigma::sig101_undefined_search_identifier::META,
        sigma::sig101_undefined_search_identifier::check,
    ),
    (sigma::sig102_pattern_matches_nothing::META, sigma::sig102_pattern_matches_nothing::check),
    (sigma::sig103_unused_search_identifier::META, sigma::sig103_unused_search_identifier::check),
    (sigma::sig104_unknown_modifier::META, sigma::sig104_unknown_modifier::check),
    (sigma::sig105_conflicting_modifiers::META, sigma::sig105_conflicting_modifiers::check),
    (sigma::sig106_invalid_regex::META, sigma::sig106_invalid_regex::check),
    (sigma::sig107_missing_required_key::META, sigma::sig107_missing_required_key::check),
    (sigma::sig108_invalid_metadata_value::META, sigma::sig108_invalid_metadata_value::check),
    (sigma::sig109_unknown_key::META, sigma::sig109_unknown_key::check),
    (sigma::sig110_malformed_tag::META, sigma::sig110_malformed_tag::check),
    (sigma::sig111_duplicate_key::META, sigma::sig111_duplicate_key::check),
    (sigma::sig112_empty_or_duplicate_value::META, sigma::sig112_empty_or_duplicate_value::check),
    (sigma::sig113_pointless_modifier::META, sigma::sig113_pointless_modifier::check),
    (sigma::sig114_escaped_wildcard::META, sigma::sig114_escaped_wildcard::check),
    (sigma::sig115_wildcard_in_regex::META, sigma::sig115_wildcard_in_regex::check),
    (sigma::sig116_cased_misuse::META, sigma::sig116_cased_misuse::check),
    (sigma::sig117_control_character::META, sigma::sig117_control_character::check),
    (sigma::sig201_unknown_taxonomy_field::META, sigma::sig201_unknown_taxonomy_field::check),
    (sigma::sig202_unknown_logsource::META, sigma::sig202_unknown_logsource::check),
    (
        sigma::sig401_broad_match_without_exclusion::META,
        sigma::sig401_broad_match_without_exclusion::check,
    ),
    (sigma::sig402_contains_on_image_path::META, sigma::sig402_contains_on_image_path::check),
    (sigma::sig403_match_never_succeeds::META, sigma::sig403_match_never_succeeds::check),
    (spl::spl001_syntax_error::META, no_check),
    (spl::spl101_invalid_regex::META, spl::spl101_invalid_regex::check),
    (spl::spl102_undefined_macro::META, spl::spl102_undefined_macro::check),
    (spl::spl103_macro_arity::META, spl::spl103_macro_arity::check),
    (spl::spl104_unknown_command::META, spl::spl104_unknown_command::check),
    (spl::spl105_literal_asterisk_in_eval::META, spl::spl105_literal_asterisk_in_eval::check),
    (spl::spl110_where_unquoted_value::META, spl::spl110_where_unquoted_value::check),
    (spl::spl111_renamed_field_used::META, spl::spl111_renamed_field_used::check),
    (spl::spl112_rex_without_named_group::META, spl::spl112_rex_without_named_group::check),
    (spl::spl113_sort_without_limit::META, spl::spl113_sort_without_limit::check),
    (spl::spl114_malformed_attack_technique::META, spl::spl114_malformed_attack_technique::check),
    (spl::spl115_unknown_attack_technique::META, spl::spl115_unknown_attack_technique::check),
    (spl::spl201_unknown_datamodel::META, spl::spl201_unknown_datamodel::check),
    (spl::spl202_unknown_datamodel_field::META, spl::spl202_unknown_datamodel_field::check),
    (
        spl::spl210_tstats_field_without_dataset::META,
        spl::spl210_tstats_field_without_dataset::check,
    ),
    (spl::spl211_field_gone_after_stats::META, spl::spl211_field_gone_after_stats::check),
    (
        spl::spl301_tstats_without_summariesonly::META,
        spl::spl301_tstats_without_summariesonly::check,
    ),
    (spl::spl302_leading_wildcard::META, spl::spl302_leading_wildcard::check),
    (spl::spl310_search_without_index::META, spl::spl310_search_without_index::check),
    (spl::spl311_table_mid_pipeline::META, spl::spl311_table_mid_pipeline::check),
    (spl::spl312_transaction::META, spl::spl312_transaction::check),
    (spl::spl401_case_sensitive_exclusion::META, spl::spl401_case_sensitive_exclusion::check),
    (spl::spl402_case_sensitive_match::META, spl::spl402_case_sensitive_match::check),
    (spl::spl403_missing_exclusion::META, spl::spl403_missing_exclusion::check),
    (spl::spl404_unbounded_time_range::META, spl::spl404_unbounded_time_range::check),
    (spl::spl405_duplicate_condition::META, spl::spl405_duplicate_condition::check),
    (spl::spl410_not_equal_drops_missing::META, spl::spl410_not_equal_drops_missing::check),
    (spl::spl411_stats_by_time_without_bin::META, spl::spl411_stats_by_time_without_bin::check),
    (spl::spl412_mixed_and_or::META, spl::spl412_mixed_and_or::check),
    (spl::spl413_subsearch_limits::META, spl::spl413_subsearch_limits::check),
    (yaral::yl001_syntax_error::META, no_check),
    (yaral::yl101_invalid_regex::META, yaral::yl101_invalid_regex::check),
    (yaral::yl102_unknown_function::META, yaral::yl102_unknown_function::check),
    (yaral::yl103_wrong_arity::META, yaral::yl103_wrong_arity::check),
    (yaral::yl104_undefined_variable::META, yaral::yl104_undefined_variable::check),
    (yaral::yl105_unused_event_variable::META, yaral::yl105_unused_event_variable::check),
    (yaral::yl106_unassigned_match_variable::META, yaral::yl106_unassigned_match_variable::check),
    (yaral::yl107_multi_event_without_match::META, yaral::yl107_multi_event_without_match::check),
    (yaral::yl108_type_mismatch::META, yaral::yl108_type_mismatch::check),
    (yaral::yl109_nocase_without_effect::META, yaral::yl109_nocase_without_effect::check),
    (yaral::yl110_match_window_out_of_range::META, yaral::yl110_match_window_out_of_range::check),
    (yaral::yl201_unknown_udm_field::META, yaral::yl201_unknown_udm_field::check),
    (yaral::yl202_unknown_enum_value::META, yaral::yl202_unknown_enum_value::check),
    (yaral::yl401_case_sensitive_exclusion::META, yaral::yl401_case_sensitive_exclusion::check),
    (yaral::yl403_missing_exclusion::META, yaral::yl403_missing_exclusion::check),
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
/// The quick fix of a did-you-mean finding: `name` becomes `suggestion` at each of `spans`
/// (a span may be wider than the name, e.g. a macro call with its backticks: the name inside
/// it is replaced). Unsafe: only the author knows whether the suggestion is what they meant.
pub(crate) fn did_you_mean_fix(
    text: &str,
    spans: &[Span],
    name: &str,
    suggestion: &str,
) -> Option<Fix> {
    let mut edits = Vec::new();
    for span in spans {
        let found = span.text(text);
        let at = if found == name {
            0
        } else {
            let at = found.find(name)?;
            // Only when the name occurs once in the span: never guess which one.
            if found[at + name.len()..].contains(name) {
                return None;
            }
            at
        };
        let start = span.start + at as u32;
        edits.push(Edit {
            span: Span::new(start, start + name.len() as u32),
            replacement: suggestion.to_owned(),
        });
    }
    edits.sort_by_key(|e| e.span.start);
    edits.dedup_by_key(|e| e.span.start);
    (!edits.is_empty()).then(|| Fix {
        title: format!("Replace `{name}` with `{suggestion}`"),
        applicability: Applicability::Unsafe,
        edits,
    })
}

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
        Analysis::Yaral(_) => "YL",
        Analysis::Sigma(_) => "SIG",
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
