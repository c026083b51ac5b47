//! Runs one test case and checks its expectations: [`run_case`].
//!
//! `expect.count` is the number of result rows; each row of `expect.rows` must match some
//! result row on the fields it lists (other fields are ignored), each result row matching at
//! most one expected row. Expected values compare by the actual value's type: text for
//! strings (case-sensitive), numbers for numbers, ISO-8601 for datetimes, JSON for dynamics.

use std::path::Path;

use qlint_knowledge::Knowledge;
use serde_json::Value as Json;

use crate::data::{build_test_data, latest_time};
use crate::table::{Row, Table};
use crate::testfile::{Expect, RawRow, TestCase, TestFile};
use crate::value::{Value, parse_datetime, parse_timespan};
use crate::{EvalError, Language, run_query};

/// The query a test file runs.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySpec {
    /// Its language.
    pub language: Language,
    /// Its text (macros unexpanded: the evaluator expands them).
    pub text: String,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every expectation held.
    Passed,
    /// The query ran and an expectation did not hold.
    Failed,
    /// The case could not run (bad data, unsupported syntax).
    Error,
}

impl Status {
    /// `passed`, `failed`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Error => "error",
        }
    }
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// Line of the case in the test file.
    pub line: u32,
    /// Passed, failed or error.
    pub status: Status,
    /// Empty when passed; otherwise what went wrong, one line per problem.
    pub message: String,
    /// Line in the test file of the first failing expectation (or of the bad data).
    pub failure_line: Option<u32>,
    /// Byte range in the query of an evaluation error.
    pub query_span: Option<std::ops::Range<usize>>,
    /// The result, when the query ran.
    pub table: Option<Table>,
    /// The expected rows no result row matched.
    pub missing: Vec<RawRow>,
}

/// Runs `case` of `file` with `query`; `base` is the test file's folder.
pub fn run_case(
    query: &QuerySpec,
    file: &TestFile,
    case: &TestCase,
    knowledge: &Knowledge,
    base: &Path,
) -> CaseOutcome {
    let mut outcome = CaseOutcome {
        name: case.name.value.clone(),
        line: case.line,
        status: Status::Error,
        message: String::new(),
        failure_line: None,
        query_span: None,
        table: None,
        missing: Vec::new(),
    };
    let data = match build_test_data(case, knowledge, base) {
        Ok(data) => data,
        Err(e) => {
            outcome.message = e.message;
            outcome.failure_line = Some(e.line);
            return outcome;
        }
    };
    let now = match resolve_now(file, &data) {
        Ok(now) => now,
        Err((message, line)) => {
            outcome.message = message;
            outcome.failure_line = Some(line);
            return outcome;
        }
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_query(query.language, &query.text, &data, now, knowledge)
    }));
    let run = run.unwrap_or_else(|_| {
        Err(EvalError::new(
            "internal error: the evaluator panicked on this query (please report it)",
        ))
    });
    match run {
        Ok(table) => judge(&mut outcome, &case.expect, table),
        Err(EvalError { message, span }) => {
            outcome.message = message;
            outcome.query_span = span;
        }
    }
    outcome
}

/// `now:` of the file, else the latest time in the data, else the clock.
fn resolve_now(file: &TestFile, data: &crate::TestData) -> Result<i64, (String, u32)> {
    if let Some(now) = &file.now {
        return parse_datetime(&now.value).ok_or_else(|| {
            (format!("`now: {}` is not an ISO-8601 datetime", now.value), now.line)
        });
    }
    Ok(latest_time(data).unwrap_or_else(clock_now))
}

fn clock_now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| (d.as_nanos() / 100) as i64)
}

fn judge(outcome: &mut CaseOutcome, expect: &Expect, table: Table) {
    let mut problems = Vec::new();
    if let Some(count) = &expect.count
        && count.value != table.rows.len() as u64
    {
        problems.push(format!("expected {} rows, got {}", count.value, table.rows.len()));
        outcome.failure_line = Some(count.line);
    }
    outcome.missing = missing_rows(&expect.rows, &table.rows);
    if let Some(first) = outcome.missing.first() {
        problems.push(format!("{} expected rows not in the result", outcome.missing.len()));
        outcome.failure_line.get_or_insert(first.line);
    }
    outcome.status = if problems.is_empty() { Status::Passed } else { Status::Failed };
    outcome.message = problems.join("; ");
    outcome.table = Some(table);
}

/// The expected rows left unmatched, each result row matching at most one expected row.
pub fn missing_rows(expected: &[RawRow], actual: &[Row]) -> Vec<RawRow> {
    let mut used = vec![false; actual.len()];
    let mut missing = Vec::new();
    for want in expected {
        let hit = actual.iter().enumerate().position(|(i, row)| !used[i] && row_matches(row, want));
        match hit {
            Some(i) => used[i] = true,
            None => missing.push(want.clone()),
        }
    }
    missing
}

/// True when `row` has every field of `want` with a matching value.
pub fn row_matches(row: &Row, want: &RawRow) -> bool {
    want.fields.iter().all(|(name, expected)| match row.get(name) {
        Some(actual) => value_matches(actual, expected),
        None => expected.is_null(),
    })
}

/// True when the result value `actual` is what the test file's `expected` says.
pub fn value_matches(actual: &Value, expected: &Json) -> bool {
    if expected.is_null() {
        return actual.is_null() || matches!(actual, Value::String(s) if s.is_empty());
    }
    match actual {
        Value::Null => false,
        Value::String(s) => json_text(expected) == *s,
        Value::Bool(b) => expected.as_bool() == Some(*b) || json_text(expected) == b.to_string(),
        Value::Long(i) => number_of(expected).is_some_and(|n| n == *i as f64),
        Value::Real(r) => number_of(expected).is_some_and(|n| close(n, *r)),
        Value::DateTime(t) => expected.as_str().and_then(parse_datetime) == Some(*t),
        Value::Timespan(t) => expected.as_str().and_then(parse_timespan) == Some(*t),
        Value::Dynamic(j) => dynamic_matches(j, expected),
    }
}

fn dynamic_matches(actual: &Json, expected: &Json) -> bool {
    if actual == expected {
        return true;
    }
    match expected {
        Json::String(s) => {
            serde_json::from_str::<Json>(s).is_ok_and(|parsed| parsed == *actual)
                || actual.as_str() == Some(s)
        }
        Json::Number(_) => actual.as_f64().zip(expected.as_f64()).is_some_and(|(a, b)| close(a, b)),
        _ => false,
    }
}

fn json_text(json: &Json) -> String {
    match json {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number_of(json: &Json) -> Option<f64> {
    match json {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(fields: Json) -> RawRow {
        let fields = fields.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone()));
        RawRow { fields: fields.collect(), line: 1 }
    }

    #[test]
    fn values_match_by_the_actual_type() {
        assert!(value_matches(&Value::str("evil.exe"), &json!("evil.exe")));
        assert!(!value_matches(&Value::str("Evil.exe"), &json!("evil.exe")));
        assert!(value_matches(&Value::Long(3), &json!(3)));
        assert!(value_matches(&Value::Long(3), &json!("3")));
        assert!(value_matches(&Value::Real(0.1 + 0.2), &json!(0.3)));
        let t = parse_datetime("2024-07-15T11:00:00Z").unwrap();
        assert!(value_matches(&Value::DateTime(t), &json!("2024-07-15 11:00:00")));
        assert!(value_matches(&Value::Dynamic(json!(["a"])), &json!(["a"])));
        assert!(value_matches(&Value::Dynamic(json!(["a"])), &json!("[\"a\"]")));
        assert!(value_matches(&Value::str(""), &Json::Null));
        assert!(!value_matches(&Value::Null, &json!("")));
    }

    #[test]
    fn each_result_row_matches_one_expected_row() {
        let a: Row = [("F".to_string(), Value::str("a")), ("N".to_string(), Value::Long(1))]
            .into_iter()
            .collect();
        let wants = [raw(json!({"F": "a"})), raw(json!({"F": "a"}))];
        assert_eq!(missing_rows(&wants[..1], std::slice::from_ref(&a)).len(), 0);
        assert_eq!(missing_rows(&wants, std::slice::from_ref(&a)).len(), 1);
        assert!(!row_matches(&a, &raw(json!({"Missing": "x"}))));
    }
}
