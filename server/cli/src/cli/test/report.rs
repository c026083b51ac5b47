//! The reports of `qlint test`: human, JSON and JUnit.

use std::io::{self, Write};

use qlint_eval::Table;
use qlint_eval::runner::Status;
use qlint_eval::table::{Row, render_text};
use qlint_eval::testfile::RawRow;
use qlint_eval::value::Value;
use serde_json::{Value as Json, json};

use super::Reported;
use crate::cli::TestFormat;

/// Writes the report in `format`.
pub fn write(out: &mut impl Write, format: TestFormat, reported: &[Reported]) -> io::Result<()> {
    match format {
        TestFormat::Human => human(out, reported),
        TestFormat::Json => {
            let tests: Vec<Json> = reported.iter().map(json_test).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&json!({ "tests": tests }))?)
        }
        TestFormat::Junit => junit(out, reported),
    }
}

fn human(out: &mut impl Write, reported: &[Reported]) -> io::Result<()> {
    for r in reported {
        let o = &r.outcome;
        let line = o.failure_line.filter(|_| o.status != Status::Passed).unwrap_or(o.line);
        let label = match o.status {
            Status::Passed => "PASS ",
            Status::Failed => "FAIL ",
            Status::Error => "ERROR",
        };
        write!(out, "{label} {}:{line}: {}", r.file, o.name)?;
        if !o.message.is_empty() {
            write!(out, " — {}", o.message)?;
        }
        if let Some(at) = &r.location {
            write!(out, " (at {at})")?;
        }
        writeln!(out)?;
        if o.status == Status::Failed {
            failure_detail(out, r)?;
        }
    }
    writeln!(out, "{}", summary(reported))
}

fn failure_detail(out: &mut impl Write, r: &Reported) -> io::Result<()> {
    if !r.outcome.missing.is_empty() {
        writeln!(out, "  expected rows not found:")?;
        indent(out, &expected_table(&r.outcome.missing))?;
    }
    if let Some(table) = &r.outcome.table {
        writeln!(out, "  actual rows ({}):", table.rows.len())?;
        indent(out, &render_table(table))?;
    }
    Ok(())
}

fn indent(out: &mut impl Write, text: &str) -> io::Result<()> {
    for line in text.lines() {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}

/// The summary line: `N tests: a passed, b failed, c errors` (`1 test`, `1 error`).
pub fn summary(reported: &[Reported]) -> String {
    let count = |s: Status| reported.iter().filter(|r| r.outcome.status == s).count();
    let errors = count(Status::Error);
    format!(
        "{} {}: {} passed, {} failed, {errors} {}",
        reported.len(),
        if reported.len() == 1 { "test" } else { "tests" },
        count(Status::Passed),
        count(Status::Failed),
        if errors == 1 { "error" } else { "errors" }
    )
}

/// A result table without the columns that are empty in every row (a catalog table has
/// dozens), with a note saying how many were hidden.
pub fn render_table(table: &Table) -> String {
    let shown: Vec<&str> = table
        .column_names()
        .filter(|name| table.rows.iter().any(|r| r.get(name).is_some_and(|v| !is_blank(v))))
        .collect();
    let hidden = table.columns.len() - shown.len();
    let mut text = if table.rows.is_empty() {
        "(no rows)\n".to_string()
    } else {
        render_text(&shown, &table.rows)
    };
    if hidden > 0 && !table.rows.is_empty() {
        text.push_str(&format!("({hidden} empty columns not shown)\n"));
    }
    text
}

fn is_blank(v: &Value) -> bool {
    v.is_null() || matches!(v, Value::String(s) if s.is_empty())
}

fn expected_table(rows: &[RawRow]) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        for (name, _) in &row.fields {
            if !columns.contains(&name.as_str()) {
                columns.push(name);
            }
        }
    }
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| r.fields.iter().map(|(n, v)| (n.clone(), Value::from_json(v))).collect())
        .collect();
    render_text(&columns, &rows)
}

fn json_test(r: &Reported) -> Json {
    let rows: Vec<Json> = r.outcome.table.as_ref().map_or(Vec::new(), |t| {
        t.rows
            .iter()
            .map(|row| {
                Json::Object(row.iter().map(|(n, v)| (n.to_string(), v.to_json())).collect())
            })
            .collect()
    });
    json!({
        "file": r.file,
        "name": r.outcome.name,
        "line": r.outcome.line,
        "status": r.outcome.status.as_str(),
        "message": r.outcome.message,
        "location": r.location,
        "rows": rows,
    })
}

fn junit(out: &mut impl Write, reported: &[Reported]) -> io::Result<()> {
    let count = |s: Status| reported.iter().filter(|r| r.outcome.status == s).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="qlint test" tests="{}" failures="{}" errors="{}">"#,
        reported.len(),
        count(Status::Failed),
        count(Status::Error)
    )?;
    let mut files: Vec<&str> = reported.iter().map(|r| r.file.as_str()).collect();
    files.dedup();
    for file in files {
        let cases: Vec<&Reported> = reported.iter().filter(|r| r.file == file).collect();
        let n = |s: Status| cases.iter().filter(|r| r.outcome.status == s).count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}">"#,
            xml(file),
            cases.len(),
            n(Status::Failed),
            n(Status::Error)
        )?;
        for r in cases {
            junit_case(out, r)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn junit_case(out: &mut impl Write, r: &Reported) -> io::Result<()> {
    let o = &r.outcome;
    let open = format!(r#"    <testcase name="{}" classname="{}""#, xml(&o.name), xml(&r.file));
    let tag = match o.status {
        Status::Passed => return writeln!(out, "{open}/>"),
        Status::Failed => "failure",
        Status::Error => "error",
    };
    let mut detail = o.message.clone();
    if let Some(at) = &r.location {
        detail.push_str(&format!(" (at {at})"));
    }
    if let Some(table) = &o.table {
        detail.push_str(&format!("\nactual rows ({}):\n{}", table.rows.len(), render_table(table)));
    }
    writeln!(out, "{open}>")?;
    writeln!(out, r#"      <{tag} message="{}">{}</{tag}>"#, xml(&o.message), xml(&detail))?;
    writeln!(out, "    </testcase>")
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
