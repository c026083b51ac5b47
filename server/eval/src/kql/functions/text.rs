//! String functions: `tostring`, `tolower`, `strcat`, `split`, `extract`, `replace_*`, ...

use serde_json::Value as Json;

use super::{Call, R, string_array};
use crate::kql::compare::scalarize;
use crate::kql::scope::err_at;
use crate::value::Value;

/// The string function of the call, if it is one.
pub(super) fn builtin(c: &Call) -> Option<R> {
    Some(match c.name {
        "tostring" => one_text(c, |s| s),
        "tolower" => one_text(c, |s| s.to_lowercase()),
        "toupper" => one_text(c, |s| s.to_uppercase()),
        "string_size" => c.arity(1, 1).and_then(|_| Ok(Value::Long(c.text(0)?.len() as i64))),
        "strcat_array" => strcat_array(c),
        "countof" => countof(c),
        "strlen" => c.arity(1, 1).and_then(|_| Ok(Value::Long(c.text(0)?.chars().count() as i64))),
        "strcat" => {
            (0..c.len()).map(|i| c.text(i)).collect::<Result<String, _>>().map(Value::String)
        }
        "strcat_delim" => strcat_delim(c),
        "substring" => substring(c),
        "split" => split(c),
        "indexof" => indexof(c),
        "reverse" => one_text(c, |s| s.chars().rev().collect()),
        "replace_string" => replace_string(c),
        "replace_regex" | "replace" => replace_regex(c),
        "trim" => trim(c, true, true),
        "trim_start" => trim(c, true, false),
        "trim_end" => trim(c, false, true),
        "extract" => extract(c),
        "extract_all" => extract_all(c),
        "base64_decode_tostring" => base64_decode(c),
        _ => return None,
    })
}

fn one_text(c: &Call, f: impl Fn(String) -> String) -> R {
    c.arity(1, 1)?;
    Ok(Value::String(f(c.text(0)?)))
}

fn strcat_delim(c: &Call) -> R {
    if c.len() < 2 {
        return err_at(c.span, "`strcat_delim` takes a delimiter and at least one value");
    }
    let delim = c.text(0)?;
    let parts = (1..c.len()).map(|i| c.text(i)).collect::<Result<Vec<_>, _>>()?;
    Ok(Value::String(parts.join(&delim)))
}

fn strcat_array(c: &Call) -> R {
    c.arity(2, 2)?;
    let Value::Dynamic(Json::Array(items)) = c.get(0)? else { return Ok(Value::str("")) };
    let parts: Vec<String> = items.iter().map(|j| Value::Dynamic(j.clone()).to_text()).collect();
    Ok(Value::String(parts.join(&c.text(1)?)))
}

/// `countof(text, search[, kind])`: plain matches may overlap; `regex` matches do not.
fn countof(c: &Call) -> R {
    c.arity(2, 3)?;
    let text = c.text(0)?;
    let search = c.text(1)?;
    let regex_kind = c.len() == 3 && c.text(2)? == "regex";
    if regex_kind {
        let regex = c.eval.regex(&search, c.expr(1).span())?;
        return Ok(Value::Long(regex.find_iter(&text).count() as i64));
    }
    if search.is_empty() {
        return Ok(Value::Long(0));
    }
    let count = text.char_indices().filter(|(i, _)| text[*i..].starts_with(&search)).count();
    Ok(Value::Long(count as i64))
}

fn substring(c: &Call) -> R {
    c.arity(2, 3)?;
    let chars: Vec<char> = c.text(0)?.chars().collect();
    let start = c.long(1)?.unwrap_or(0).clamp(0, chars.len() as i64) as usize;
    let len = if c.len() == 3 { c.long(2)?.unwrap_or(0).max(0) as usize } else { chars.len() };
    Ok(Value::String(chars[start..].iter().take(len).collect()))
}

fn split(c: &Call) -> R {
    c.arity(2, 3)?;
    let text = c.text(0)?;
    let delim = c.text(1)?;
    let parts: Vec<String> = if delim.is_empty() {
        vec![text]
    } else {
        text.split(delim.as_str()).map(str::to_string).collect()
    };
    if c.len() == 3 {
        let Some(i) = c.long(2)? else { return Ok(Value::Null) };
        let at = if i < 0 { parts.len() as i64 + i } else { i };
        return Ok(match usize::try_from(at).ok().and_then(|at| parts.get(at)) {
            Some(p) => string_array([p.clone()]),
            None => Value::Dynamic(Json::Array(Vec::new())),
        });
    }
    Ok(string_array(parts))
}

fn indexof(c: &Call) -> R {
    c.arity(2, 2)?;
    let text = c.text(0)?;
    let needle = c.text(1)?;
    Ok(Value::Long(match text.find(&needle) {
        Some(byte) => text[..byte].chars().count() as i64,
        None => -1,
    }))
}

fn replace_string(c: &Call) -> R {
    c.arity(3, 3)?;
    let lookup = c.text(1)?;
    let text = c.text(0)?;
    if lookup.is_empty() {
        return Ok(Value::String(text));
    }
    Ok(Value::String(text.replace(&lookup, &c.text(2)?)))
}

/// Kusto's rewrite uses `\1` for groups; the regex crate uses `${1}`.
fn rewrite_pattern(rewrite: &str) -> String {
    let mut out = String::new();
    let mut chars = rewrite.chars().peekable();
    while let Some(ch) = chars.next() {
        match (ch, chars.peek()) {
            ('\\', Some(d)) if d.is_ascii_digit() => {
                out.push_str(&format!("${{{d}}}"));
                chars.next();
            }
            ('$', _) => out.push_str("$$"),
            _ => out.push(ch),
        }
    }
    out
}

fn replace_regex(c: &Call) -> R {
    c.arity(3, 3)?;
    let regex = c.eval.regex(&c.text(1)?, c.expr(1).span())?;
    let rewrite = rewrite_pattern(&c.text(2)?);
    Ok(Value::String(regex.replace_all(&c.text(0)?, rewrite.as_str()).into_owned()))
}

fn trim(c: &Call, start: bool, end: bool) -> R {
    c.arity(2, 2)?;
    let pattern = c.text(0)?;
    let mut text = c.text(1)?;
    if start {
        let re = c.eval.regex(&format!("^(?:{pattern})+"), c.expr(0).span())?;
        text = re.replace(&text, "").into_owned();
    }
    if end {
        let re = c.eval.regex(&format!("(?:{pattern})+$"), c.expr(0).span())?;
        text = re.replace(&text, "").into_owned();
    }
    Ok(Value::String(text))
}

fn extract(c: &Call) -> R {
    c.arity(3, 4)?;
    let regex = c.eval.regex(&c.text(0)?, c.expr(0).span())?;
    let group = c.long(1)?.unwrap_or(0).max(0) as usize;
    let text = c.text(2)?;
    let found =
        regex.captures(&text).and_then(|caps| caps.get(group)).map(|m| m.as_str().to_string());
    let Some(found) = found else {
        return Ok(if c.len() == 4 { Value::Null } else { Value::str("") });
    };
    if c.len() == 4 {
        return convert_to_type(c, &found);
    }
    Ok(Value::String(found))
}

/// `extract`'s optional `typeof(T)` argument.
fn convert_to_type(c: &Call, text: &str) -> R {
    let ty = match c.expr(3) {
        qlint_grammar::kql::ast::Expr::Call { args, .. } => {
            args.first().and_then(|a| a.value.as_name().map(|n| n.name.clone())).unwrap_or_default()
        }
        _ => String::new(),
    };
    let json = Json::String(text.to_string());
    let value = match qlint_knowledge::ScalarType::parse(&ty) {
        Some(t) => Value::from_json_typed(&json, t).unwrap_or(Value::Null),
        None => return err_at(c.expr(3).span(), "expected `typeof(type)`"),
    };
    Ok(value)
}

fn extract_all(c: &Call) -> R {
    c.arity(2, 3)?;
    let regex = c.eval.regex(&c.text(0)?, c.expr(0).span())?;
    let text = c.text(c.len() - 1)?;
    let groups: Vec<usize> = if c.len() == 3 {
        match scalarize(c.get(1)?) {
            Value::Dynamic(Json::Array(items)) => {
                items.iter().filter_map(|g| g.as_u64()).map(|g| g as usize).collect()
            }
            _ => return err_at(c.expr(1).span(), "expected a dynamic array of group numbers"),
        }
    } else {
        (1..regex.captures_len().max(2)).collect()
    };
    let single = groups.len() == 1;
    let mut matches = Vec::new();
    for caps in regex.captures_iter(&text) {
        let pick = |g: &usize| {
            let g = if regex.captures_len() == 1 { 0 } else { *g };
            Json::String(caps.get(g).map_or(String::new(), |m| m.as_str().to_string()))
        };
        matches.push(if single {
            pick(&groups[0])
        } else {
            Json::Array(groups.iter().map(pick).collect())
        });
    }
    Ok(if matches.is_empty() { Value::Null } else { Value::Dynamic(Json::Array(matches)) })
}

fn base64_decode(c: &Call) -> R {
    c.arity(1, 1)?;
    let text = c.text(0)?;
    Ok(decode_base64(&text)
        .and_then(|b| String::from_utf8(b).ok())
        .map_or(Value::Null, Value::String))
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for b in text.trim_end_matches('=').bytes() {
        let v = ALPHABET.iter().position(|&a| a == b)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}
