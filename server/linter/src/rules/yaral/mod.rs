//! YARA-L 2.0 rules (`YL` codes).

pub mod yl001_syntax_error;
pub mod yl101_invalid_regex;
pub mod yl102_unknown_function;
pub mod yl103_wrong_arity;
pub mod yl104_undefined_variable;
pub mod yl105_unused_event_variable;
pub mod yl106_unassigned_match_variable;
pub mod yl107_multi_event_without_match;
pub mod yl108_type_mismatch;
pub mod yl109_nocase_without_effect;
pub mod yl110_match_window_out_of_range;
pub mod yl201_unknown_udm_field;
pub mod yl202_unknown_enum_value;
pub mod yl401_case_sensitive_exclusion;
pub mod yl403_missing_exclusion;

/// A did-you-mean tail for a message: ` (did you mean `x`?)` or nothing.
pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}
