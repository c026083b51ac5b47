//! Codes about the rule files of one run taken together (`QL1xx`): two rules with the same
//! id, the same name or the same query. No query-level check: `qlint-files`' cross-file
//! pass (`across.rs`) reports them once every file of a `qlint check` run is read.

pub mod ql101_duplicate_rule_id;
pub mod ql102_duplicate_rule_name;
pub mod ql103_duplicate_query;
