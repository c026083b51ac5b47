//! `top` / `rare`: the most (least) common combinations of field values, with `count` and
//! `percent` (of the rows that have every field, per `by` group; six decimals).

use std::cmp::Ordering;

use qlint_grammar::spl::ast::{Command, TopCommand};

use super::values::{compare, text};
use super::{error, option_flag, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

/// Default number of combinations kept per group.
const LIMIT: usize = 10;

struct TopOptions {
    limit: usize,
    count_field: Option<String>,
    percent_field: Option<String>,
}

/// Runs `top` or `rare`; `source` is the text the spans point into (for `top N field`).
pub fn run(
    cmd: &Command,
    t: &TopCommand,
    rows: Vec<Row>,
    source: &str,
) -> Result<Vec<Row>, EvalError> {
    let Some(first) = t.fields.first() else {
        return Err(error(format!("`{}` needs a field", cmd.name.text), cmd.span));
    };
    if let Some(w) = t.fields.iter().chain(&t.by).find(|f| f.has_wildcard()) {
        return Err(unsupported(&format!("a wildcard field in `{}`", cmd.name.text), w.span));
    }
    let written = source.get(cmd.name.span.end as usize..first.span.start as usize).unwrap_or("");
    let options = read_options(t, written.trim())?;
    let rare = cmd.name.text.eq_ignore_ascii_case("rare");
    let groups = count_groups(t, &rows);
    let mut out = Vec::new();
    for (by, mut combos) in groups {
        let total: usize = combos.iter().map(|(_, n)| n).sum();
        combos.sort_by(|a, b| {
            let by_count = if rare { a.1.cmp(&b.1) } else { b.1.cmp(&a.1) };
            by_count.then_with(|| order_keys(&a.0, &b.0))
        });
        let keep = if options.limit == 0 { combos.len() } else { options.limit };
        for (key, n) in combos.into_iter().take(keep) {
            let mut row = Row::new();
            for (field, value) in t.by.iter().zip(&by).chain(t.fields.iter().zip(&key)) {
                row.set(field.text.clone(), Value::str(value.clone()));
            }
            if let Some(name) = &options.count_field {
                row.set(name.clone(), Value::Long(n as i64));
            }
            if let Some(name) = &options.percent_field {
                let percent = (n as f64 * 100.0 / total as f64 * 1e6).round() / 1e6;
                row.set(name.clone(), Value::Real(percent));
            }
            out.push(row);
        }
    }
    Ok(out)
}

/// Combinations of the fields' values with their counts, per `by` group.
type Counts = Vec<(Vec<String>, usize)>;

fn count_groups(t: &TopCommand, rows: &[Row]) -> Vec<(Vec<String>, Counts)> {
    let mut groups: Vec<(Vec<String>, Counts)> = Vec::new();
    for row in rows {
        let (Some(by), Some(key)) = (values_of(row, &t.by), values_of(row, &t.fields)) else {
            continue;
        };
        let at = match groups.iter().position(|(g, _)| *g == by) {
            Some(at) => at,
            None => {
                groups.push((by, Vec::new()));
                groups.len() - 1
            }
        };
        let combos = &mut groups[at].1;
        match combos.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => combos.push((key, 1)),
        }
    }
    groups
}

fn read_options(t: &TopCommand, leading: &str) -> Result<TopOptions, EvalError> {
    let mut options = TopOptions {
        limit: leading.parse().unwrap_or(LIMIT),
        count_field: Some("count".to_owned()),
        percent_field: Some("percent".to_owned()),
    };
    for o in &t.options {
        let flag = option_flag(std::slice::from_ref(o), &o.key.text);
        match o.key.text.to_ascii_lowercase().as_str() {
            "limit" => {
                let bad = || error("`limit` must be a whole number", o.value.span);
                options.limit = o.value.text.parse().map_err(|_| bad())?;
            }
            "countfield" => options.count_field = Some(o.value.text.clone()),
            "percentfield" => options.percent_field = Some(o.value.text.clone()),
            "showcount" if flag == Some(false) => options.count_field = None,
            "showperc" if flag == Some(false) => options.percent_field = None,
            "showcount" | "showperc" if flag == Some(true) => {}
            "useother" if flag == Some(false) => {}
            _ => return Err(unsupported(&format!("the option `{}`", o.key.text), o.span)),
        }
    }
    Ok(options)
}

/// The text of each field, or `None` when one is missing.
fn values_of(row: &Row, fields: &[qlint_grammar::spl::ast::Name]) -> Option<Vec<String>> {
    fields.iter().map(|f| row.get(&f.text).and_then(text)).collect()
}

fn order_keys(a: &[String], b: &[String]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare(&Value::str(x.clone()), &Value::str(y.clone())))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}
