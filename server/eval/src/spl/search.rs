//! The search clause (`search`, the implicit first command, `tstats ... where`) against one
//! row: bare terms against `_raw`, `field=value` case-insensitively with `*` wildcards,
//! `NOT`/`OR`/`AND`, `IN`, `CASE()`/`TERM()`, and `earliest`/`latest` against `_time`.

use qlint_grammar::spl::ast::{CompareOp, FieldComparison, InList, SearchExpr, Term};

use super::terms::{TermMatcher, TermMode};
use super::time::relative_time;
use super::values::{compare, elements, number, text};
use super::wildcard::wildcard_match;
use super::{error, unsupported};
use crate::EvalError;
use crate::table::Row;

/// True when `row` satisfies `clause`; `now` (epoch seconds) resolves time modifiers.
pub fn matches(clause: &SearchExpr, row: &Row, now: f64) -> Result<bool, EvalError> {
    Ok(match clause {
        SearchExpr::Term(term) => term_matches(term, TermMode::Plain, row),
        SearchExpr::Compare(c) if c.is_time_modifier() => time_modifier(c, row, now)?,
        SearchExpr::Compare(c) => compare_matches(c, row),
        SearchExpr::In(list) => in_matches(list, row),
        SearchExpr::And { operands, .. } => {
            let mut i = 0;
            while i < operands.len() {
                let (hit, used) = match directive_pair(&operands[i], operands.get(i + 1)) {
                    Some(c) => (compare_matches(&c, row), 2),
                    None => (matches(&operands[i], row, now)?, 1),
                };
                if !hit {
                    return Ok(false);
                }
                i += used;
            }
            true
        }
        SearchExpr::Or { operands, .. } => {
            for operand in operands {
                if matches(operand, row, now)? {
                    return Ok(true);
                }
            }
            false
        }
        SearchExpr::Not { operand, .. } => !matches(operand, row, now)?,
        SearchExpr::Group { inner, .. } => matches(inner, row, now)?,
        SearchExpr::Function { name, arg, .. } => {
            let mode = if name.text.eq_ignore_ascii_case("CASE") {
                TermMode::CaseSensitive
            } else {
                TermMode::WholeToken
            };
            term_matches(arg, mode, row)
        }
        SearchExpr::Macro(m) => {
            return Err(error(
                format!("macro `{}` is not defined in the workspace", m.name),
                m.span,
            ));
        }
        SearchExpr::Subsearch(s) => return Err(unsupported("a subsearch", s.span)),
        SearchExpr::Error(span) => return Err(error("the search clause does not parse", *span)),
    })
}

/// A bare term: `*` alone matches every event; otherwise the raw text must hold it.
fn term_matches(term: &Term, mode: TermMode, row: &Row) -> bool {
    if term.text == "*" {
        return true;
    }
    TermMatcher::new(&term.text, term.quoted, mode).is_match(&raw_text(row))
}

/// `_raw`, or (for test events written as fields only) `field=value` pairs of the
/// event's own fields, so that a term still finds a value.
pub fn raw_text(row: &Row) -> String {
    if let Some(raw) = row.get("_raw").and_then(text) {
        return raw;
    }
    let mut out = Vec::new();
    for (name, value) in row.iter() {
        if name.starts_with('_') || ["index", "sourcetype", "source", "host"].contains(&name) {
            continue;
        }
        for v in elements(value).iter().filter_map(text) {
            out.push(format!("{name}={v}"));
        }
    }
    out.join(" ")
}

/// The values of every field whose name matches `field` (wildcards allowed).
fn field_values(row: &Row, field: &str) -> Vec<String> {
    let named: Vec<&crate::value::Value> = if field.contains('*') {
        row.iter().filter(|(n, _)| wildcard_match(field, n, false)).map(|(_, v)| v).collect()
    } else {
        row.get(field).into_iter().collect()
    };
    named.into_iter().flat_map(elements).filter_map(|v| text(&v)).collect()
}

/// `field=value` (any value of a multivalue field may match); `field!=value` needs the
/// field to exist with no matching value; `<`, `>` compare numerically when both are numbers.
fn compare_matches(c: &FieldComparison, row: &Row) -> bool {
    let values = field_values(row, &c.field.text);
    let (pattern, case_sensitive) = directive_value(&c.value);
    let hit = |v: &String| {
        if case_sensitive { wildcard_match(pattern, v, false) } else { value_matches(pattern, v) }
    };
    match c.op {
        CompareOp::Eq | CompareOp::EqEq => values.iter().any(hit),
        CompareOp::Ne => !values.is_empty() && !values.iter().any(hit),
        op => values.iter().any(|v| ordered(op, v, pattern)),
    }
}

/// `field=CASE(x)` reaches here as `field=CASE` followed by the group `(x)`: one comparison
/// with the value `CASE(x)` when the two touch.
fn directive_pair(first: &SearchExpr, next: Option<&SearchExpr>) -> Option<FieldComparison> {
    let (SearchExpr::Compare(c), Some(SearchExpr::Group { inner, span })) = (first, next) else {
        return None;
    };
    let SearchExpr::Term(term) = inner.as_ref() else { return None };
    let directive = ["CASE", "TERM"].iter().any(|d| c.value.text.eq_ignore_ascii_case(d));
    if !directive || c.value.quoted || c.value.span.end != span.start {
        return None;
    }
    let mut merged = c.clone();
    merged.value.text = format!("{}({})", c.value.text, term.text);
    Some(merged)
}

/// `CASE(x)` (match `x` case-sensitively) and `TERM(x)` (`x`) as an unquoted value.
fn directive_value(value: &qlint_grammar::spl::ast::Value) -> (&str, bool) {
    let text = value.text.as_str();
    if value.quoted || !text.ends_with(')') {
        return (text, false);
    }
    let inner = |prefix: &str| {
        let head = text.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..text.len() - 1])
    };
    match (inner("CASE("), inner("TERM(")) {
        (Some(x), _) => (x, true),
        (_, Some(x)) => (x, false),
        _ => (text, false),
    }
}

fn in_matches(list: &InList, row: &Row) -> bool {
    let values = field_values(row, &list.field.text);
    values.iter().any(|v| list.values.iter().any(|p| value_matches(&p.text, v)))
}

/// A field value against a search value: wildcards, no case; equal numbers also match.
pub fn value_matches(pattern: &str, value: &str) -> bool {
    if wildcard_match(pattern, value, true) {
        return true;
    }
    matches!((number_of(pattern), number_of(value)), (Some(a), Some(b)) if a == b)
}

fn number_of(text: &str) -> Option<f64> {
    number(&crate::value::Value::str(text))
}

fn ordered(op: CompareOp, value: &str, bound: &str) -> bool {
    use std::cmp::Ordering::*;
    let ord = compare(&crate::value::Value::str(value), &crate::value::Value::str(bound));
    match op {
        CompareOp::Lt => ord == Less,
        CompareOp::Le => ord != Greater,
        CompareOp::Gt => ord == Greater,
        CompareOp::Ge => ord != Less,
        _ => false,
    }
}

/// `earliest=-24h` keeps events at or after the time, `latest=now` those before it.
fn time_modifier(c: &FieldComparison, row: &Row, now: f64) -> Result<bool, EvalError> {
    let field = c.field.text.to_ascii_lowercase();
    let bound = match field.as_str() {
        "earliest" | "latest" => relative_time(now, &c.value.text).ok_or_else(|| {
            error(format!("`{}` is not a time this evaluator understands", c.value.text), c.span)
        })?,
        _ => return Err(unsupported(&format!("the time modifier `{}`", c.field.text), c.span)),
    };
    let Some(time) = row.get("_time").and_then(number) else { return Ok(true) };
    Ok(if field == "earliest" { time >= bound } else { time < bound })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use qlint_grammar::spl::ast::CommandKind;

    fn row(fields: &[(&str, Value)]) -> Row {
        fields.iter().map(|(n, v)| (n.to_string(), v.clone())).collect()
    }

    fn hits(query: &str, row: &Row) -> bool {
        let parse = qlint_grammar::spl::parse(query);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let CommandKind::Search(s) = &parse.tree.commands[0].kind else { panic!("not a search") };
        matches(s.clause.as_ref().expect("clause"), row, 1_721_043_296.0).expect("evaluates")
    }

    fn sysmon() -> Row {
        row(&[
            ("index", Value::str("endpoint")),
            ("EventCode", Value::Long(1)),
            ("Image", Value::str(r"C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.exe")),
            ("CommandLine", Value::str("powershell -enc SQBFAFgA")),
        ])
    }

    #[test]
    fn field_values_ignore_case_and_take_wildcards() {
        let e = sysmon();
        assert!(hits(r#"index=ENDPOINT EventCode=1 Image="*\\powershell.exe""#, &e));
        assert!(!hits(r#"index=endpoint Image="*\\pwsh.exe""#, &e));
        assert!(hits(r#"CommandLine="* -enc *" OR CommandLine="* -e *""#, &e));
        assert!(!hits("index=windows", &e));
        assert!(hits("Image=*", &e));
        assert!(!hits("ParentImage=*", &e));
    }

    #[test]
    fn not_and_not_equal_differ_on_missing_fields() {
        let e = sysmon();
        assert!(hits("NOT User=admin", &e));
        assert!(!hits("User!=admin", &e));
        assert!(hits("EventCode!=4688", &e));
        assert!(!hits("NOT EventCode=1", &e));
    }

    #[test]
    fn in_lists_and_numeric_bounds() {
        let e = sysmon();
        assert!(hits("EventCode IN (4688, 1)", &e));
        assert!(!hits("EventCode IN (4688, 3)", &e));
        assert!(hits("EventCode<4", &e));
        assert!(!hits("EventCode>=4", &e));
    }

    #[test]
    fn terms_search_raw_or_the_fields() {
        let with_raw = row(&[("_raw", Value::str("Failed password for root from 10.1.1.1"))]);
        assert!(hits("failed root", &with_raw));
        assert!(!hits("failed admin", &with_raw));
        assert!(hits(r#""password for""#, &with_raw));
        assert!(hits("sqbfafga", &sysmon()));
    }

    #[test]
    fn multivalue_fields_match_any_value() {
        let mv = Value::Dynamic(serde_json::json!(["a.exe", "b.exe"]));
        assert!(hits("proc=b.exe", &row(&[("proc", mv)])));
    }

    #[test]
    fn earliest_filters_on_time() {
        let old = row(&[("_time", Value::DateTime(0))]);
        assert!(!hits("earliest=-24h", &old));
        assert!(hits("earliest=0", &old));
    }
}
