//! `bin` / `bucket`: times rounded down to a span (`span=10m`), numbers into `lo-hi` ranges.

use qlint_grammar::spl::ast::{BinCommand, Command, Value as Word};

use super::values::{from_number, number};
use super::{error, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::{TICKS_PER_SECOND, Value};

/// Runs `bin [span=..] field [as alias]`.
pub fn run(cmd: &Command, bin: &BinCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    let Some(field) = &bin.field else {
        return Err(error("`bin` needs a field", cmd.span));
    };
    let mut span = None;
    for option in &bin.options {
        if option.key.text.eq_ignore_ascii_case("span") {
            span = Some(&option.value);
        } else {
            return Err(unsupported(
                &format!("the `bin` option `{}`", option.key.text),
                option.span,
            ));
        }
    }
    let Some(span) = span else {
        return Err(unsupported("`bin` without `span=`", cmd.span));
    };
    let target = bin.alias.as_ref().unwrap_or(field).text.clone();
    let timed = span.text.trim().ends_with(|c: char| c.is_ascii_alphabetic());
    if field.text == "_time" || timed {
        let rows = copy_field(rows, &field.text, &target);
        return bin_time(rows, &target, span);
    }
    let width = number(&Value::str(span.text.clone()))
        .filter(|w| *w > 0.0)
        .ok_or_else(|| error(format!("`{}` is not a numeric span", span.text), span.span))?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            if let Some(n) = row.get(&field.text).and_then(number) {
                let lo = (n / width).floor() * width;
                let text = format!("{}-{}", fmt(lo), fmt(lo + width));
                row.set(target.clone(), Value::str(text));
            }
            row
        })
        .collect())
}

/// Copies `from` into `to` (`bin x as y` leaves `x` as it was).
fn copy_field(rows: Vec<Row>, from: &str, to: &str) -> Vec<Row> {
    if from == to {
        return rows;
    }
    rows.into_iter()
        .map(|mut row| {
            if let Some(v) = row.get(from).cloned() {
                row.set(to, v);
            }
            row
        })
        .collect()
}

fn fmt(n: f64) -> String {
    super::values::format_number(n)
}

/// Rounds `field` (a time) down to multiples of `span` (`10m`, `1h`, `1d`, `30s`).
pub fn bin_time(rows: Vec<Row>, field: &str, span: &Word) -> Result<Vec<Row>, EvalError> {
    let seconds = span_seconds(&span.text).ok_or_else(|| {
        error(format!("`{}` is not a time span this evaluator understands", span.text), span.span)
    })?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let binned = match row.get(field) {
                Some(Value::DateTime(t)) => {
                    let step = seconds.saturating_mul(TICKS_PER_SECOND);
                    Some(Value::DateTime(t.div_euclid(step) * step))
                }
                Some(other) => number(other)
                    .map(|n| from_number((n / seconds as f64).floor() * seconds as f64)),
                None => None,
            };
            if let Some(v) = binned {
                row.set(field, v);
            }
            row
        })
        .collect())
}

/// Seconds in a span such as `10m`, `1h`, `2d`, `1w`, `45s` (a bare number is seconds).
pub fn span_seconds(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (amount, unit) = t.split_at(split);
    let amount: i64 = if amount.is_empty() { 1 } else { amount.parse().ok()? };
    let unit_seconds = match unit {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return None,
    };
    if amount > 0 { amount.checked_mul(unit_seconds) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_units() {
        assert_eq!(span_seconds("10m"), Some(600));
        assert_eq!(span_seconds("1h"), Some(3600));
        assert_eq!(span_seconds("2d"), Some(172_800));
        assert_eq!(span_seconds("30"), Some(30));
        assert_eq!(span_seconds("1mon"), None);
        assert_eq!(span_seconds("999999999999999999d"), None);
    }
}
