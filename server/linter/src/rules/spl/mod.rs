//! SPL rules.

pub mod spl001_syntax_error;
pub mod spl101_invalid_regex;
pub mod spl102_undefined_macro;
pub mod spl103_macro_arity;
pub mod spl104_unknown_command;
pub mod spl105_literal_asterisk_in_eval;
pub mod spl110_where_unquoted_value;
pub mod spl111_renamed_field_used;
pub mod spl112_rex_without_named_group;
pub mod spl113_sort_without_limit;
pub mod spl114_malformed_attack_technique;
pub mod spl115_unknown_attack_technique;
pub mod spl201_unknown_datamodel;
pub mod spl202_unknown_datamodel_field;
pub mod spl210_tstats_field_without_dataset;
pub mod spl211_field_gone_after_stats;
pub mod spl301_tstats_without_summariesonly;
pub mod spl302_leading_wildcard;
pub mod spl310_search_without_index;
pub mod spl311_table_mid_pipeline;
pub mod spl312_transaction;
pub mod spl401_case_sensitive_exclusion;
pub mod spl402_case_sensitive_match;
pub mod spl403_missing_exclusion;
pub mod spl404_unbounded_time_range;
pub mod spl405_duplicate_condition;
pub mod spl410_not_equal_drops_missing;
pub mod spl411_stats_by_time_without_bin;
pub mod spl412_mixed_and_or;
pub mod spl413_subsearch_limits;

pub(crate) mod flow;

use crate::analysis::spl::SplAnalysis;
use crate::diagnostic::Diagnostic;

/// For the rules on `where`/`eval` comparisons (SPL105, SPL401, SPL402): runs `check` on the
/// search, then on each macro body it expands. A finding inside a body is reported at the
/// call as "in macro `name`: ...", without a fix (the edit belongs in the file that defines
/// the macro).
pub(crate) fn check_with_macro_bodies(
    spl: &SplAnalysis,
    text: &str,
    out: &mut Vec<Diagnostic>,
    check: fn(&SplAnalysis, &str, &mut Vec<Diagnostic>),
) {
    check(spl, text, out);
    for body in &spl.macro_bodies {
        let mut found = Vec::new();
        check(&body.analysis, &body.text, &mut found);
        for mut diagnostic in found {
            diagnostic.span = body.call_span;
            diagnostic.message = format!("in macro `{}`: {}", body.name, diagnostic.message);
            diagnostic.fix = None;
            if !out.contains(&diagnostic) {
                out.push(diagnostic);
            }
        }
    }
}
