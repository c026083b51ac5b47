//! SPL rules.

pub mod spl001_syntax_error;
pub mod spl101_invalid_regex;
pub mod spl102_undefined_macro;
pub mod spl103_macro_arity;
pub mod spl104_unknown_command;
pub mod spl105_literal_asterisk_in_eval;
pub mod spl201_unknown_datamodel;
pub mod spl202_unknown_datamodel_field;
pub mod spl301_tstats_without_summariesonly;
pub mod spl302_leading_wildcard;
pub mod spl401_case_sensitive_exclusion;
pub mod spl402_case_sensitive_match;
pub mod spl403_broad_match_without_exclusion;
pub mod spl404_unbounded_time_range;
pub mod spl405_duplicate_condition;
