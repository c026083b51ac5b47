//! Equality, ordering and truth of values, as Kusto's `==`, `<`, `sort` and `where` see them.

use std::cmp::Ordering;

use serde_json::Value as Json;

use crate::value::Value;

/// A dynamic scalar as its plain value (`dynamic("a")` compares as the string `a`); arrays,
/// property bags and other values are returned unchanged.
pub(crate) fn scalarize(value: Value) -> Value {
    match value {
        Value::Dynamic(json) => match json {
            Json::Null => Value::Null,
            Json::Array(_) | Json::Object(_) => Value::Dynamic(json),
            other => Value::from_json(&other),
        },
        other => other,
    }
}

/// `a == b`: `None` when either side is null; strings compare case-sensitively; numbers
/// across `long` and `real`.
pub(crate) fn equals(a: &Value, b: &Value) -> Option<bool> {
    let (a, b) = (scalarize(a.clone()), scalarize(b.clone()));
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(match (&a, &b) {
        (Value::Dynamic(x), Value::Dynamic(y)) => x == y,
        _ => order(&a, &b) == Some(Ordering::Equal),
    })
}

/// The order of two values of comparable types; `None` for nulls and mixed types.
pub(crate) fn order(a: &Value, b: &Value) -> Option<Ordering> {
    let (a, b) = (scalarize(a.clone()), scalarize(b.clone()));
    match (&a, &b) {
        (Value::Long(x), Value::Long(y)) => Some(x.cmp(y)),
        (Value::Long(_) | Value::Real(_), Value::Long(_) | Value::Real(_)) => {
            as_f64(&a)?.partial_cmp(&as_f64(&b)?)
        }
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::Timespan(x), Value::Timespan(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The number in a `long` or `real`.
pub(crate) fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Long(i) => Some(*i as f64),
        Value::Real(r) => Some(*r),
        Value::Dynamic(j) => j.as_f64(),
        _ => None,
    }
}

/// True only for `true` (a null or non-bool predicate drops the row).
pub(crate) fn truthy(value: &Value) -> bool {
    matches!(value, Value::Bool(true) | Value::Dynamic(Json::Bool(true)))
}

/// The sort order of `sort`/`top`: nulls (and empty-looking values) by `nulls_first`, then
/// values of one type in their order, mixed types by type name.
pub(crate) fn sort_order(a: &Value, b: &Value, nulls_first: bool) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => {
            if nulls_first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (false, true) => {
            if nulls_first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (false, false) => order(a, b).unwrap_or_else(|| {
            a.type_name().cmp(b.type_name()).then_with(|| a.to_text().cmp(&b.to_text()))
        }),
    }
}

/// A key for grouping (`summarize by`, `distinct`, join keys): equal values give equal keys.
pub(crate) fn group_key(value: &Value) -> String {
    match scalarize(value.clone()) {
        Value::Null => "\u{0}null".into(),
        Value::Real(r) if r.fract() == 0.0 && r.abs() < 9e15 => format!("n{}", r as i64),
        Value::Long(i) => format!("n{i}"),
        Value::Real(r) => format!("n{r}"),
        Value::String(s) => format!("s{s}"),
        Value::Bool(b) => format!("b{b}"),
        Value::DateTime(t) => format!("d{t}"),
        Value::Timespan(t) => format!("t{t}"),
        Value::Dynamic(j) => format!("j{j}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_is_case_sensitive_and_null_is_unknown() {
        assert_eq!(equals(&Value::str("a"), &Value::str("a")), Some(true));
        assert_eq!(equals(&Value::str("A"), &Value::str("a")), Some(false));
        assert_eq!(equals(&Value::Long(1), &Value::Real(1.0)), Some(true));
        assert_eq!(equals(&Value::Null, &Value::Long(1)), None);
        assert_eq!(equals(&Value::Dynamic(Json::from("x")), &Value::str("x")), Some(true));
    }

    #[test]
    fn nulls_sort_by_placement() {
        assert_eq!(sort_order(&Value::Null, &Value::Long(1), true), Ordering::Less);
        assert_eq!(sort_order(&Value::Null, &Value::Long(1), false), Ordering::Greater);
        assert_eq!(sort_order(&Value::Long(2), &Value::Long(1), true), Ordering::Greater);
    }
}
