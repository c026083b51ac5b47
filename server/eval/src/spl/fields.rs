//! Commands that shape rows: `table`, `fields`, `rename`, `dedup`, `sort`, `head`/`tail`,
//! `fillnull`.

use std::cmp::Ordering;

use qlint_grammar::spl::ast::{
    Command, DedupCommand, FieldsCommand, FillNullCommand, HeadCommand, Name, RenameCommand,
    SortCommand, SortKey,
};

use super::values::{compare, elements, number, text};
use super::wildcard::{rename_with_wildcards, wildcard_match};
use super::{error, option_flag, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

/// Default row limit of `sort` when none is written.
const SORT_LIMIT: usize = 10_000;

fn matches_any(patterns: &[Name], field: &str) -> bool {
    patterns.iter().any(|p| wildcard_match(&p.text, field, false))
}

/// `table a, b*`: only the listed fields, in the listed order. `fields a` keeps them (in
/// row order); `fields - a` removes them.
pub fn fields(
    cmd: &Command,
    f: &FieldsCommand,
    rows: Vec<Row>,
) -> Result<(Vec<Row>, Option<Vec<String>>), EvalError> {
    if let Some(m) = f.macros.first() {
        return Err(error(format!("macro `{}` is not defined in the workspace", m.name), m.span));
    }
    let is_table = cmd.name.text.eq_ignore_ascii_case("table");
    if f.remove {
        let kept = rows
            .into_iter()
            .map(|row| {
                row.iter()
                    .filter(|(n, _)| !matches_any(&f.fields, n))
                    .map(|(n, v)| (n.to_owned(), v.clone()))
                    .collect()
            })
            .collect();
        return Ok((kept, None));
    }
    let order = if is_table { Some(table_order(&f.fields, &rows)) } else { None };
    let kept = rows
        .into_iter()
        .map(|row| match &order {
            Some(order) => {
                order.iter().filter_map(|n| row.get(n).map(|v| (n.clone(), v.clone()))).collect()
            }
            None => row
                .iter()
                .filter(|(n, _)| matches_any(&f.fields, n))
                .map(|(n, v)| (n.to_owned(), v.clone()))
                .collect(),
        })
        .collect();
    Ok((kept, order))
}

/// The columns of a `table`: each listed name, wildcards expanded in first-seen order.
fn table_order(patterns: &[Name], rows: &[Row]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for pattern in patterns {
        if !pattern.has_wildcard() {
            if !order.contains(&pattern.text) {
                order.push(pattern.text.clone());
            }
            continue;
        }
        for row in rows {
            for name in row.names() {
                if wildcard_match(&pattern.text, name, false) && !order.iter().any(|o| o == name) {
                    order.push(name.to_owned());
                }
            }
        }
    }
    order
}

/// `rename a AS b`, `rename DNS.* AS *`: fields keep their place; the new name replaces an
/// existing field of that name.
pub fn rename(r: &RenameCommand, rows: Vec<Row>) -> Vec<Row> {
    rows.into_iter()
        .map(|mut row| {
            for pair in &r.renames {
                row = rename_one(row, &pair.from.text, &pair.to.text);
            }
            row
        })
        .collect()
}

fn rename_one(row: Row, from: &str, to: &str) -> Row {
    let renamed: Vec<(String, Option<String>)> =
        row.names().map(|n| (n.to_owned(), rename_with_wildcards(from, to, n))).collect();
    let targets: Vec<&String> = renamed.iter().filter_map(|(_, t)| t.as_ref()).collect();
    row.iter()
        .zip(&renamed)
        .filter(|((name, _), (_, target))| target.is_some() || !targets.iter().any(|t| t == name))
        .map(|((name, value), (_, target))| {
            (target.clone().unwrap_or_else(|| name.to_owned()), value.clone())
        })
        .collect()
}

/// `dedup [N] a, b [keepempty=t] [consecutive=t]`: the first N rows of each combination;
/// rows missing a field are dropped unless `keepempty=true`.
pub fn dedup(d: &DedupCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    if let Some(key) = d.sort_by.first() {
        return Err(unsupported("`dedup ... sortby`", key.span));
    }
    for option in &d.options {
        let key = option.key.text.to_ascii_lowercase();
        if key != "keepempty" && key != "consecutive" {
            return Err(unsupported(
                &format!("the `dedup` option `{}`", option.key.text),
                option.span,
            ));
        }
    }
    let keep = match &d.count {
        Some(v) => {
            v.text.parse().map_err(|_| error("`dedup` count must be a whole number", v.span))?
        }
        None => 1usize,
    };
    let keepempty = option_flag(&d.options, "keepempty").unwrap_or(false);
    let consecutive = option_flag(&d.options, "consecutive").unwrap_or(false);
    let mut seen: Vec<(Vec<Option<String>>, usize)> = Vec::new();
    let mut out = Vec::new();
    for row in rows {
        let key: Vec<Option<String>> =
            d.fields.iter().map(|f| row.get(&f.text).and_then(text)).collect();
        if key.iter().any(Option::is_none) {
            if keepempty {
                out.push(row);
            }
            continue;
        }
        if consecutive {
            seen.retain(|(k, _)| *k == key);
        }
        match seen.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) if *n >= keep => {}
            Some((_, n)) => {
                *n += 1;
                out.push(row);
            }
            None => {
                seen.push((key, 1));
                out.push(row);
            }
        }
    }
    Ok(out)
}

/// `sort [N] [-]a, [+]b [desc]`: numbers numerically, text lexicographically; a missing
/// value sorts first ascending. `N` of 0 means all rows; the default keeps 10000.
pub fn sort(s: &SortCommand, mut rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    for key in &s.keys {
        if let Some(f) = &key.function
            && !["num", "str", "auto"].contains(&f.text.to_ascii_lowercase().as_str())
        {
            return Err(unsupported(&format!("`sort {}(...)`", f.text), f.span));
        }
    }
    let limit = match &s.limit {
        Some(v) => {
            v.text.parse().map_err(|_| error("the `sort` limit must be a whole number", v.span))?
        }
        None => SORT_LIMIT,
    };
    rows.sort_by(|a, b| {
        let ord = s
            .keys
            .iter()
            .map(|k| key_order(k, a, b))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal);
        if s.descending { ord.reverse() } else { ord }
    });
    if limit > 0 {
        rows.truncate(limit);
    }
    Ok(rows)
}

fn key_order(key: &SortKey, a: &Row, b: &Row) -> Ordering {
    let first = |row: &Row| {
        row.get(&key.field.text)
            .map(elements)
            .and_then(|vs| vs.into_iter().next())
            .unwrap_or(Value::Null)
    };
    let (x, y) = (first(a), first(b));
    let as_text = key.function.as_ref().is_some_and(|f| f.text.eq_ignore_ascii_case("str"));
    let ord = if as_text {
        text(&x).cmp(&text(&y))
    } else if key.function.as_ref().is_some_and(|f| f.text.eq_ignore_ascii_case("num")) {
        number(&x).partial_cmp(&number(&y)).unwrap_or(Ordering::Equal)
    } else {
        compare(&x, &y)
    };
    if key.descending { ord.reverse() } else { ord }
}

/// `head [N]` (default 10) and `tail [N]` (the last N, last first).
pub fn head(cmd: &Command, h: &HeadCommand, mut rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    if let Some(cond) = &h.condition {
        return Err(unsupported("`head` with a condition", cond.span()));
    }
    if let Some(option) = h.options.first() {
        return Err(unsupported(&format!("the `head` option `{}`", option.key.text), option.span));
    }
    let n = match &h.count {
        Some(v) => v.text.parse().map_err(|_| error("the count must be a whole number", v.span))?,
        None => 10usize,
    };
    if cmd.name.text.eq_ignore_ascii_case("tail") {
        let skip = rows.len().saturating_sub(n);
        let mut last: Vec<Row> = rows.split_off(skip);
        last.reverse();
        return Ok(last);
    }
    rows.truncate(n);
    Ok(rows)
}

/// `fillnull [value=0] [fields]`: fills the listed fields, or every field some row has.
pub fn fillnull(f: &FillNullCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    let mut fill = Value::Long(0);
    for option in &f.options {
        if option.key.text.eq_ignore_ascii_case("value") {
            fill = Value::str(option.value.text.clone());
        } else {
            return Err(unsupported(
                &format!("the `fillnull` option `{}`", option.key.text),
                option.span,
            ));
        }
    }
    let targets: Vec<String> = if f.fields.is_empty() {
        let mut all: Vec<String> = Vec::new();
        for row in &rows {
            for name in row.names() {
                if !all.iter().any(|a| a == name) {
                    all.push(name.to_owned());
                }
            }
        }
        all
    } else {
        f.fields.iter().map(|n| n.text.clone()).collect()
    };
    Ok(rows
        .into_iter()
        .map(|mut row| {
            for t in &targets {
                if row.get(t).is_none_or(Value::is_null) {
                    row.set(t.clone(), fill.clone());
                }
            }
            row
        })
        .collect())
}
