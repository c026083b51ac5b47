//! Helpers for the evaluator's unit tests: run a query over tables written as JSON rows.

use qlint_knowledge::Knowledge;
use serde_json::Value as Json;

use crate::data::build_test_data;
use crate::testfile::{RawRow, TestCase};
use crate::value::parse_datetime;
use crate::{EvalContext, EvalError, Table, Value};

/// The `now` of the tests: 2024-07-15T12:00:00Z.
pub(crate) fn test_now() -> i64 {
    parse_datetime("2024-07-15T12:00:00Z").unwrap()
}

/// Runs `query` over `tables` (name, JSON array of row objects).
pub(crate) fn run(query: &str, tables: &[(&str, Json)]) -> Result<Table, EvalError> {
    let rows = |json: &Json| -> Vec<RawRow> {
        json.as_array()
            .unwrap()
            .iter()
            .map(|r| RawRow {
                fields: r
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                line: 1,
            })
            .collect()
    };
    let case = TestCase {
        name: crate::testfile::Located { value: "t".into(), line: 1, column: 1, offset: None },
        tables: tables.iter().map(|(n, j)| (n.to_string(), rows(j))).collect(),
        events: Vec::new(),
        datamodels: Vec::new(),
        lookups: Vec::new(),
        expect: Default::default(),
        line: 1,
    };
    let knowledge = Knowledge::builtin();
    let data = build_test_data(&case, &knowledge, std::path::Path::new(".")).unwrap();
    let ctx = EvalContext { data: &data, now: test_now(), knowledge: &knowledge };
    super::run(query, &ctx)
}

/// The values of `column` in the result, as display text.
pub(crate) fn column(table: &Table, column: &str) -> Vec<String> {
    table
        .rows
        .iter()
        .map(|r| r.get(column).map(Value::to_string).unwrap_or_else(|| "<none>".into()))
        .collect()
}

/// Evaluates a scalar expression with `print`.
pub(crate) fn scalar(expr: &str) -> Result<Value, EvalError> {
    let table = run(&format!("print v = {expr}"), &[])?;
    Ok(table.rows[0].get("v").cloned().unwrap_or(Value::Null))
}
