//! KQL rules.

pub mod kql001_syntax_error;
pub mod kql101_invalid_regex;
pub mod kql102_wrong_arity;
pub mod kql103_operator_type_mismatch;
pub mod kql104_argument_type_mismatch;
pub mod kql110_wildcard_in_literal;
pub mod kql111_join_without_kind;
pub mod kql112_unused_let;
pub mod kql113_escape_in_path;
pub mod kql114_extract_missing_group;
pub mod kql115_malformed_attack_technique;
pub mod kql116_unknown_attack_technique;
pub mod kql201_unknown_table;
pub mod kql202_unknown_column;
pub mod kql203_unknown_function;
pub mod kql204_unlisted_column;
pub mod kql301_contains_vs_has;
pub mod kql310_let_reused_without_materialize;
pub mod kql311_search_all_tables;
pub mod kql312_has_short_term;
pub mod kql313_regex_without_pattern;
pub mod kql401_case_sensitive_exclusion;
pub mod kql402_case_sensitive_match;
pub mod kql403_missing_exclusion;
pub mod kql404_unbounded_time_range;
pub mod kql405_duplicate_condition;
pub mod kql406_contradictory_condition;
pub mod kql410_bypassable_exclusion;
pub mod kql411_empty_string_match;
pub mod kql412_ip_prefix_overmatch;
pub mod kql413_ip_prefix_as_text;
pub mod kql414_fuzzy_union;
pub mod kql415_take_in_scheduled_rule;
pub mod kql416_lookback_beyond_query_period;
pub mod kql417_empty_check_tautology;
pub mod kql418_frequency_exceeds_period;

/// The case-insensitive spelling of a case-sensitive KQL string operator.
pub(crate) fn case_insensitive_operator(op: &str) -> Option<&'static str> {
    Some(match op {
        "==" => "=~",
        "!=" => "!~",
        "in" => "in~",
        "!in" => "!in~",
        "has_cs" => "has",
        "!has_cs" => "!has",
        "contains_cs" => "contains",
        "!contains_cs" => "!contains",
        "startswith_cs" => "startswith",
        "!startswith_cs" => "!startswith",
        "endswith_cs" => "endswith",
        "!endswith_cs" => "!endswith",
        "hasprefix_cs" => "hasprefix",
        "!hasprefix_cs" => "!hasprefix",
        "hassuffix_cs" => "hassuffix",
        "!hassuffix_cs" => "!hassuffix",
        _ => return None,
    })
}
