//! A test case's data as typed tables: [`build_test_data`].
//!
//! KQL rows take their columns' types from the catalog or the user's schemas (ISO-8601 text
//! in a `datetime` column becomes a datetime, JSON text in a `dynamic` column is parsed);
//! every column of a known table is present, missing cells hold the type's null (the empty
//! string for `string`). A column the schemas do not know keeps the YAML value's own type,
//! except that a column whose every value is ISO-8601 date-and-time text becomes `datetime`.
//! SPL events, data-model rows and lookups stay untyped, but for `_time`, which becomes a
//! datetime (ISO-8601 text, or epoch seconds).
//!
//! A row with `_repeat: N` stands for N copies of itself (without that field): thresholds
//! such as "more than 200 deletions" need many rows.

use std::path::Path;

use qlint_knowledge::{Knowledge, ScalarType};
use serde_json::Value as Json;

use crate::TestData;
use crate::table::{Column, Row, Table};
use crate::testfile::{LookupSource, RawRow, TestCase};
use crate::value::{self, Value, null_of, parse_datetime};

/// A problem in a case's data, at a line of the test file.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// What is wrong.
    pub message: String,
    /// 1-based line in the test file.
    pub line: u32,
}

/// Converts a case's data; `base` is the test file's folder (for lookup CSV files).
pub fn build_test_data(
    case: &TestCase,
    knowledge: &Knowledge,
    base: &Path,
) -> Result<TestData, DataError> {
    let mut data = TestData::default();
    let tables: Vec<(String, Vec<RawRow>)> = case
        .tables
        .iter()
        .map(|(n, rows)| Ok((n.clone(), repeat_rows(rows)?)))
        .collect::<Result<_, DataError>>()?;
    for (name, rows) in &tables {
        data.tables.insert(name.clone(), kql_table(name, rows, knowledge)?);
    }
    data.events = repeat_rows(&case.events)?.iter().map(spl_row).collect();
    for (name, rows) in &case.datamodels {
        data.datamodels.insert(name.clone(), repeat_rows(rows)?.iter().map(spl_row).collect());
    }
    for (name, source) in &case.lookups {
        data.lookups.insert(name.clone(), lookup_table(source, base, case.line)?);
    }
    Ok(data)
}

/// The rows with each `_repeat: N` row written out N times.
pub fn repeat_rows(rows: &[RawRow]) -> Result<Vec<RawRow>, DataError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(at) = row.fields.iter().position(|(n, _)| n == REPEAT) else {
            out.push(row.clone());
            continue;
        };
        let count =
            row.fields[at].1.as_u64().filter(|n| *n <= 100_000).ok_or_else(|| DataError {
                message: format!("`{REPEAT}` must be a whole number up to 100000"),
                line: row.line,
            })?;
        let mut single = row.clone();
        single.fields.remove(at);
        out.extend(std::iter::repeat_n(single, count as usize));
    }
    Ok(out)
}

/// The row field that repeats a row.
pub const REPEAT: &str = "_repeat";

/// The latest datetime anywhere in the data: the default `now`.
pub fn latest_time(data: &TestData) -> Option<i64> {
    let tables = data.tables.values().flat_map(|t| t.rows.iter());
    let rows = tables.chain(data.events.iter()).chain(data.datamodels.values().flatten());
    rows.flat_map(|r| r.iter())
        .filter_map(|(_, v)| match v {
            Value::DateTime(t) => Some(*t),
            _ => None,
        })
        .max()
}

fn kql_table(name: &str, rows: &[RawRow], knowledge: &Knowledge) -> Result<Table, DataError> {
    let mut columns: Vec<Column> = knowledge
        .kql_table(name)
        .map(|t| t.columns.iter().map(|c| Column::typed(&c.name, c.ty)).collect())
        .unwrap_or_default();
    for row in rows {
        for (field, _) in &row.fields {
            if !columns.iter().any(|c| c.name == *field) {
                columns.push(Column::typed(field, inferred_type(field, rows)));
            }
        }
    }
    let rows = rows.iter().map(|r| typed_row(r, &columns)).collect::<Result<_, _>>()?;
    Ok(Table { columns, rows })
}

/// The type of a column the schemas do not know, from its values in the test rows.
fn inferred_type(field: &str, rows: &[RawRow]) -> ScalarType {
    let values: Vec<&Json> = rows
        .iter()
        .filter_map(|r| r.fields.iter().find(|(n, _)| n == field).map(|(_, v)| v))
        .filter(|v| !v.is_null())
        .collect();
    let all = |f: fn(&Json) -> bool| !values.is_empty() && values.iter().all(|v| f(v));
    if all(|v| v.as_str().is_some_and(looks_like_datetime)) {
        ScalarType::Datetime
    } else if all(|v| v.is_i64()) {
        ScalarType::Long
    } else if all(Json::is_number) {
        ScalarType::Real
    } else if all(Json::is_boolean) {
        ScalarType::Bool
    } else if all(|v| v.is_array() || v.is_object()) {
        ScalarType::Dynamic
    } else {
        ScalarType::String
    }
}

/// ISO-8601 date and time (`2024-07-15T11:00:00Z`), not a bare date or a number.
fn looks_like_datetime(text: &str) -> bool {
    text.len() >= 16 && text.as_bytes()[4] == b'-' && parse_datetime(text).is_some()
}

fn typed_row(raw: &RawRow, columns: &[Column]) -> Result<Row, DataError> {
    let mut row = Row::new();
    for column in columns {
        let ty = column.ty.unwrap_or(ScalarType::Dynamic);
        let value = match raw.fields.iter().find(|(n, _)| *n == column.name) {
            Some((_, json)) => Value::from_json_typed(json, ty).map_err(|m| DataError {
                message: format!("column `{}` is `{}`: {m}", column.name, ty.name()),
                line: raw.line,
            })?,
            None => null_of(ty),
        };
        row.set(&column.name, value);
    }
    Ok(row)
}

fn spl_row(raw: &RawRow) -> Row {
    raw.fields
        .iter()
        .map(|(name, json)| {
            let value = if name == "_time" { spl_time(json) } else { Value::from_json(json) };
            (name.clone(), value)
        })
        .collect()
}

fn spl_time(json: &Json) -> Value {
    match json {
        Json::String(s) => parse_datetime(s).map_or_else(|| Value::str(s), Value::DateTime),
        Json::Number(n) => n
            .as_f64()
            .map_or(Value::Null, |s| Value::DateTime((s * value::TICKS_PER_SECOND as f64) as i64)),
        other => Value::from_json(other),
    }
}

fn lookup_table(source: &LookupSource, base: &Path, line: u32) -> Result<Table, DataError> {
    match source {
        LookupSource::Rows(rows) => Ok(untyped_table(rows.iter().map(spl_row).collect())),
        LookupSource::File(path) => {
            let full = base.join(path);
            let text = std::fs::read_to_string(&full).map_err(|e| DataError {
                message: format!("cannot read lookup `{}`: {e}", full.display()),
                line,
            })?;
            parse_csv(&text)
                .map_err(|message| DataError { message: format!("{path}: {message}"), line })
        }
    }
}

fn untyped_table(rows: Vec<Row>) -> Table {
    let mut table = Table::default();
    for row in &rows {
        for name in row.names() {
            table.add_column(Column::untyped(name));
        }
    }
    table.rows = rows;
    table
}

/// Parses CSV text (RFC 4180: a header line, `"` quoting with `""` escapes) into a table of
/// string values.
pub fn parse_csv(text: &str) -> Result<Table, String> {
    let records = csv_records(text)?;
    let mut records = records.into_iter();
    let header = records.next().ok_or("the CSV file is empty")?;
    let mut table = Table::with_columns(header.iter().cloned());
    for (i, record) in records.enumerate() {
        if record.len() != header.len() {
            return Err(format!(
                "record {} has {} fields, the header {}",
                i + 2,
                record.len(),
                header.len()
            ));
        }
        table
            .rows
            .push(header.iter().cloned().zip(record.into_iter().map(Value::String)).collect());
    }
    Ok(table)
}

fn csv_records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| !(r.len() == 1 && r[0].is_empty()));
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testfile::parse_test_file;

    fn data_of(yaml: &str) -> TestData {
        let file = parse_test_file(yaml).unwrap();
        build_test_data(&file.tests[0], &Knowledge::builtin(), Path::new(".")).unwrap()
    }

    #[test]
    fn catalog_tables_get_typed_columns_and_empty_strings() {
        let data = data_of(
            "query: x\nlanguage: kql\ntests:\n  - name: a\n    tables:\n      DeviceProcessEvents:\n        - {Timestamp: 2024-07-15T11:00:00Z, FileName: a.exe}\n",
        );
        let table = &data.tables["DeviceProcessEvents"];
        let row = &table.rows[0];
        assert!(matches!(row.get("Timestamp"), Some(Value::DateTime(_))));
        assert_eq!(row.get("ProcessCommandLine"), Some(&Value::str("")));
        assert_eq!(row.get("ProcessId"), Some(&Value::Null));
        assert!(table.columns.len() > 20);
        assert_eq!(latest_time(&data), parse_datetime("2024-07-15T11:00:00Z"));
    }

    #[test]
    fn unknown_columns_are_typed_from_their_values() {
        let data = data_of(
            "query: x\nlanguage: kql\ntests:\n  - name: a\n    tables:\n      Custom_CL:\n        - {T: 2024-07-15T11:00:00Z, N: 3, S: '2024', D: [1]}\n",
        );
        let row = &data.tables["Custom_CL"].rows[0];
        assert!(matches!(row.get("T"), Some(Value::DateTime(_))));
        assert_eq!(row.get("N"), Some(&Value::Long(3)));
        assert_eq!(row.get("S"), Some(&Value::str("2024")));
        assert_eq!(row.get("D"), Some(&Value::Dynamic(serde_json::json!([1]))));
    }

    #[test]
    fn repeat_writes_a_row_out_n_times() {
        let data = data_of(
            "query: x\nlanguage: kql\ntests:\n  - name: a\n    tables:\n      T:\n        - {A: 1, _repeat: 3}\n        - {A: 2}\n",
        );
        let table = &data.tables["T"];
        assert_eq!(table.rows.len(), 4);
        assert_eq!(table.column_names().collect::<Vec<_>>(), ["A"]);
    }

    #[test]
    fn csv_lookups_read_quotes_and_escapes() {
        let table = parse_csv("name,note\nevil.exe,\"a, \"\"b\"\"\"\r\nok.exe,\n").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].get("note"), Some(&Value::str("a, \"b\"")));
        assert_eq!(table.rows[1].get("note"), Some(&Value::str("")));
        assert!(parse_csv("a,b\n1\n").is_err());
    }
}
