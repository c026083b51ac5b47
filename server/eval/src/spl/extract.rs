//! Commands that read or rewrite field text: `rex`, `regex`, `convert`, `mvexpand`, `makemv`,
//! `spath`.

use qlint_grammar::spl::ast::{
    Command, ConvertCommand, Expr, MvExpandCommand, RegexCommand, RexCommand, SpathCommand,
};
use regex::Regex;
use serde_json::Value as Json;

use super::functions::{compile_regex, sed_replacement};
use super::search::raw_text;
use super::time::strftime;
use super::values::{elements, from_number, multivalue, number, text};
use super::{error, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

fn option<'a>(
    options: &'a [qlint_grammar::spl::ast::CommandOption],
    key: &str,
) -> Option<&'a qlint_grammar::spl::ast::Value> {
    options.iter().find(|o| o.key.text.eq_ignore_ascii_case(key)).map(|o| &o.value)
}

/// The text a command reads from `field` (`_raw` falls back to the event's fields).
fn field_text(row: &Row, field: &str) -> Option<String> {
    if field == "_raw" {
        return Some(raw_text(row));
    }
    row.get(field).and_then(text)
}

/// `rex [field=_raw] [max_match=1] "(?<name>...)"` sets the named groups of the first match
/// (every match with `max_match=0` or above 1, as a multivalue); `mode=sed` rewrites the field.
pub fn rex(cmd: &Command, r: &RexCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    let Some(pattern) = &r.regex else {
        return Err(error("`rex` needs a regular expression", cmd.span));
    };
    for o in &r.options {
        if !["field", "mode", "max_match"].contains(&o.key.text.to_ascii_lowercase().as_str()) {
            return Err(unsupported(&format!("the `rex` option `{}`", o.key.text), o.span));
        }
    }
    let field = option(&r.options, "field").map_or("_raw".to_owned(), |v| v.text.clone());
    if option(&r.options, "mode").is_some_and(|m| m.text.eq_ignore_ascii_case("sed")) {
        let (re, with, global) = sed_expression(&pattern.text, pattern.span)?;
        return Ok(rows.into_iter().map(|row| sed_row(row, &field, &re, &with, global)).collect());
    }
    let max_match: usize = match option(&r.options, "max_match") {
        Some(v) => {
            v.text.parse().map_err(|_| error("`max_match` must be a whole number", v.span))?
        }
        None => 1,
    };
    let re = compile_regex(&pattern.text, pattern.span)?;
    Ok(rows.into_iter().map(|row| extract_row(row, &field, &re, max_match)).collect())
}

fn extract_row(mut row: Row, field: &str, re: &Regex, max_match: usize) -> Row {
    let Some(source) = field_text(&row, field) else { return row };
    let limit = if max_match == 0 { usize::MAX } else { max_match };
    let names: Vec<&str> = re.capture_names().flatten().collect();
    let mut found: Vec<Vec<Value>> = vec![Vec::new(); names.len()];
    for caps in re.captures_iter(&source).take(limit) {
        for (i, name) in names.iter().enumerate() {
            if let Some(m) = caps.name(name) {
                found[i].push(Value::str(m.as_str()));
            }
        }
    }
    for (name, values) in names.iter().zip(found) {
        if !values.is_empty() {
            row.set(*name, multivalue(values));
        }
    }
    row
}

/// `s/regex/replacement/[g]` of `rex mode=sed`.
fn sed_expression(
    expr: &str,
    span: qlint_grammar::Span,
) -> Result<(Regex, String, bool), EvalError> {
    let bad =
        || error(format!("`{expr}` is not a sed expression `s/regex/replacement/flags`"), span);
    let body = expr.strip_prefix("s/").ok_or_else(bad)?;
    let parts = split_unescaped(body, '/');
    let [re, with, flags] = parts.as_slice() else { return Err(bad()) };
    let regex = compile_regex(re, span)?;
    Ok((regex, sed_replacement(with), flags.contains('g')))
}

fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            if c != sep {
                parts.last_mut().expect("non-empty").push('\\');
            }
            parts.last_mut().expect("non-empty").push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("non-empty").push(c);
        }
    }
    parts
}

fn sed_row(mut row: Row, field: &str, re: &Regex, with: &str, global: bool) -> Row {
    let Some(source) = field_text(&row, field) else { return row };
    let replaced = if global { re.replace_all(&source, with) } else { re.replace(&source, with) };
    row.set(field, Value::str(replaced.into_owned()));
    row
}

/// `regex [field=|field!=]"pattern"`: keeps rows whose field matches (or does not).
pub fn regex(cmd: &Command, r: &RegexCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    let Some(pattern) = &r.regex else {
        return Err(error("`regex` needs a regular expression", cmd.span));
    };
    let re = compile_regex(&pattern.text, pattern.span)?;
    let field = r.field.as_ref().map_or("_raw", |f| f.text.as_str());
    Ok(rows
        .into_iter()
        .filter(|row| {
            let hit = field_text(row, field).is_some_and(|t| re.is_match(&t));
            hit != r.negated
        })
        .collect())
}

/// `convert [timeformat=..] ctime(f) [as g] num(f) ...`.
pub fn convert(c: &ConvertCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    let mut format = "%m/%d/%Y %H:%M:%S".to_owned();
    for o in &c.options {
        if o.key.text.eq_ignore_ascii_case("timeformat") {
            format = o.value.text.clone();
        } else {
            return Err(unsupported(&format!("the `convert` option `{}`", o.key.text), o.span));
        }
    }
    let mut plans = Vec::new();
    for conv in &c.conversions {
        let func = conv.function.text.to_ascii_lowercase();
        if !["ctime", "num", "none"].contains(&func.as_str()) {
            return Err(unsupported(
                &format!("the conversion `{}`", conv.function.text),
                conv.function.span,
            ));
        }
        let [Expr::Field(field)] = conv.args.as_slice() else {
            return Err(error(format!("`{}` takes one field", conv.function.text), conv.span));
        };
        if field.has_wildcard() {
            return Err(unsupported("a wildcard field in `convert`", field.span));
        }
        let target = conv.alias.as_ref().unwrap_or(field).text.clone();
        plans.push((func, field.text.clone(), target));
    }
    Ok(rows
        .into_iter()
        .map(|mut row| {
            for (func, field, target) in &plans {
                let Some(value) = row.get(field).cloned() else { continue };
                let converted = match func.as_str() {
                    "ctime" => number(&value).map(|t| Value::str(strftime(t, &format))),
                    "num" => number(&value).map(from_number),
                    _ => Some(value),
                };
                if let Some(v) = converted {
                    row.set(target.clone(), v);
                }
            }
            row
        })
        .collect())
}

/// `mvexpand field [limit=N]`: one row per value. `makemv [delim=" "] field` splits text.
pub fn mv(cmd: &Command, m: &MvExpandCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    let Some(field) = &m.field else { return Err(error("a field is needed", cmd.span)) };
    if cmd.name.text.eq_ignore_ascii_case("makemv") {
        return makemv(m, &field.text, rows);
    }
    let limit = match option(&m.options, "limit") {
        Some(v) => v.text.parse().map_err(|_| error("`limit` must be a whole number", v.span))?,
        None => usize::MAX,
    };
    let mut out = Vec::new();
    for row in rows {
        let values = row.get(&field.text).map(elements).unwrap_or_default();
        if values.is_empty() {
            out.push(row);
            continue;
        }
        for v in values.into_iter().take(limit) {
            let mut copy = row.clone();
            copy.set(field.text.clone(), v);
            out.push(copy);
        }
    }
    Ok(out)
}

fn makemv(m: &MvExpandCommand, field: &str, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    for o in &m.options {
        if !o.key.text.eq_ignore_ascii_case("delim") {
            return Err(unsupported(&format!("the `makemv` option `{}`", o.key.text), o.span));
        }
    }
    let delim = option(&m.options, "delim").map_or(" ".to_owned(), |v| v.text.clone());
    Ok(rows
        .into_iter()
        .map(|mut row| {
            if let Some(t) = row.get(field).and_then(text) {
                let parts =
                    t.split(delim.as_str()).filter(|p| !p.is_empty()).map(Value::str).collect();
                row.set(field, multivalue(parts));
            }
            row
        })
        .collect())
}

/// `spath [input=_raw] [output=f] [path=]p`: JSON fields. Without a path every leaf becomes a
/// field named by its path (`a.b`, arrays as `a{}`, their values a multivalue); with one,
/// the value there (an object or array as its JSON text) goes to `output` (default: the path).
pub fn spath(s: &SpathCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
    for o in &s.options {
        if !["input", "output", "path"].contains(&o.key.text.to_ascii_lowercase().as_str()) {
            return Err(unsupported(&format!("the `spath` option `{}`", o.key.text), o.span));
        }
    }
    let input = option(&s.options, "input").map_or("_raw".to_owned(), |v| v.text.clone());
    let path = option(&s.options, "path").or(s.path.as_ref()).map(|v| v.text.clone());
    if let Some(p) = &path
        && p.contains(|c: char| c.is_ascii_digit())
        && p.contains('{')
    {
        let at = option(&s.options, "path")
            .or(s.path.as_ref())
            .map_or_else(Default::default, |v| v.span);
        return Err(unsupported("an array index in an `spath` path", at));
    }
    let output = option(&s.options, "output").map(|v| v.text.clone()).or_else(|| path.clone());
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let Some(json) =
                field_text(&row, &input).and_then(|t| serde_json::from_str::<Json>(&t).ok())
            else {
                return row;
            };
            match (&path, &output) {
                (Some(p), Some(out)) => {
                    let values = at_path(&json, p);
                    if !values.is_empty() {
                        row.set(out.clone(), multivalue(values));
                    }
                }
                _ => {
                    let mut fields: Vec<(String, Vec<Value>)> = Vec::new();
                    flatten(&json, String::new(), &mut fields);
                    for (name, values) in fields {
                        row.set(name, multivalue(values));
                    }
                }
            }
            row
        })
        .collect())
}

/// Leaves of `json` by path, in document order.
fn flatten(json: &Json, prefix: String, out: &mut Vec<(String, Vec<Value>)>) {
    match json {
        Json::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(value, name, out);
            }
        }
        Json::Array(items) => {
            for item in items {
                flatten(item, format!("{prefix}{{}}"), out);
            }
        }
        leaf => {
            let value = leaf_value(leaf);
            match out.iter_mut().find(|(n, _)| *n == prefix) {
                Some((_, values)) => values.push(value),
                None => out.push((prefix, vec![value])),
            }
        }
    }
}

/// The values at `a.b{}.c`; an object or array found there is given as JSON text.
fn at_path(json: &Json, path: &str) -> Vec<Value> {
    let mut nodes = vec![json];
    for segment in path.split('.') {
        let (key, each) = match segment.strip_suffix("{}") {
            Some(k) => (k, true),
            None => (segment, false),
        };
        let mut next = Vec::new();
        for node in nodes {
            let child = if key.is_empty() { Some(node) } else { node.get(key) };
            match (child, each) {
                (Some(Json::Array(items)), true) => next.extend(items.iter()),
                (Some(c), false) => next.push(c),
                _ => {}
            }
        }
        nodes = next;
    }
    nodes.into_iter().map(leaf_value).collect()
}

fn leaf_value(json: &Json) -> Value {
    match json {
        Json::String(s) => Value::str(s.clone()),
        Json::Number(_) | Json::Bool(_) => Value::str(json.to_string()),
        Json::Null => Value::str("null"),
        other => Value::str(other.to_string()),
    }
}
