//! KQL rules.

pub mod kql001_syntax_error;
pub mod kql101_invalid_regex;
pub mod kql102_wrong_arity;
pub mod kql103_operator_type_mismatch;
pub mod kql104_argument_type_mismatch;
pub mod kql201_unknown_table;
pub mod kql202_unknown_column;
pub mod kql203_unknown_function;
pub mod kql301_contains_vs_has;
pub mod kql401_case_sensitive_exclusion;
pub mod kql402_case_sensitive_match;
pub mod kql403_missing_exclusion;
pub mod kql404_unbounded_time_range;
pub mod kql405_duplicate_condition;
pub mod kql406_contradictory_condition;

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
