//! SPL's view of a field value: text or number, possibly multivalue.
//!
//! Splunk fields are untyped: a value is compared as a number when both sides read as
//! numbers, as text otherwise. A multivalue field is a [`Value::Dynamic`] array here. `_time`
//! is kept as a [`Value::DateTime`] (so results print as dates) and reads as epoch seconds.

use std::cmp::Ordering;

use serde_json::Value as Json;

use crate::value::{TICKS_PER_SECOND, Value};

/// The single values of a field: each element of a multivalue, the value itself otherwise,
/// nothing for null.
pub fn elements(value: &Value) -> Vec<Value> {
    match value {
        Value::Null | Value::Dynamic(Json::Null) => Vec::new(),
        Value::Dynamic(Json::Array(items)) => items.iter().map(Value::from_json).collect(),
        other => vec![other.clone()],
    }
}

/// A multivalue from its elements (a single element stays single, none is null).
pub fn multivalue(mut items: Vec<Value>) -> Value {
    match items.len() {
        0 => Value::Null,
        1 => items.pop().unwrap_or(Value::Null),
        _ => Value::Dynamic(Json::Array(items.iter().map(Value::to_json).collect())),
    }
}

/// The value as a number, when Splunk would read it as one (`"42"`, `" 4.5 "`, `_time`).
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Long(i) => Some(*i as f64),
        Value::Real(r) => Some(*r),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::DateTime(t) => Some(*t as f64 / TICKS_PER_SECOND as f64),
        Value::String(s) => parse_number(s),
        Value::Dynamic(Json::Number(n)) => n.as_f64(),
        Value::Dynamic(Json::String(s)) => parse_number(s),
        _ => None,
    }
}

/// Text that reads as a decimal number (also hex `0x..`, as `tonumber` defaults do not).
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.to_ascii_lowercase().contains("inf") {
        return None;
    }
    t.parse::<f64>().ok()
}

/// The value as text, the way Splunk shows it (`_time` as epoch seconds); null gives `None`.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Dynamic(Json::Null) => None,
        Value::DateTime(_) => number(value).map(format_number),
        Value::Real(r) => Some(format_number(*r)),
        Value::Dynamic(Json::Array(_)) => {
            Some(elements(value).iter().filter_map(text).collect::<Vec<_>>().join("\n"))
        }
        other => Some(other.to_text()),
    }
}

/// A number as Splunk prints it: whole numbers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// A number result: whole numbers as `Long`, others as `Real`.
pub fn from_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 { Value::Long(n as i64) } else { Value::Real(n) }
}

/// Orders two single values: numerically when both are numbers, else as text
/// (case-sensitive). Nulls sort first.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => match (text(a), text(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
        },
    }
}

/// The value's truth in `where`/`if`: booleans as they are; anything else is an error in
/// Splunk, read here as "set and not zero/empty" only for booleans coming from fields.
pub fn truth(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Null => None,
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_from_text_and_time() {
        assert_eq!(number(&Value::str(" 42 ")), Some(42.0));
        assert_eq!(number(&Value::str("4a")), None);
        assert_eq!(number(&Value::DateTime(15 * TICKS_PER_SECOND)), Some(15.0));
        assert_eq!(text(&Value::Real(3.0)).as_deref(), Some("3"));
        assert_eq!(text(&Value::Real(2.5)).as_deref(), Some("2.5"));
    }

    #[test]
    fn comparison_is_numeric_only_when_both_are_numbers() {
        assert_eq!(compare(&Value::str("10"), &Value::str("9")), Ordering::Greater);
        assert_eq!(compare(&Value::str("10"), &Value::str("9a")), Ordering::Less);
        assert_eq!(compare(&Value::str("B"), &Value::str("a")), Ordering::Less);
    }

    #[test]
    fn multivalues_round_trip() {
        let mv = multivalue(vec![Value::str("a"), Value::Long(2)]);
        assert!(matches!(mv, Value::Dynamic(Json::Array(_))));
        assert_eq!(elements(&mv), vec![Value::str("a"), Value::Long(2)]);
        assert_eq!(multivalue(vec![Value::str("a")]), Value::str("a"));
        assert_eq!(multivalue(vec![]), Value::Null);
        assert_eq!(text(&mv).as_deref(), Some("a\n2"));
    }
}
