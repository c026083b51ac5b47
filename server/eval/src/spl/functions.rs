//! Eval functions. Each takes its evaluated arguments; a name not listed here is an error
//! naming the function, never a silent null.

use qlint_grammar::Span;
use qlint_grammar::spl::ast::{Expr, Name};
use regex::Regex;

use super::expr::{Env, eval, in_list};
use super::time::{relative_time, strftime};
use super::values::{elements, from_number, multivalue, number, text, truth};
use super::wildcard::like_match;
use super::{error, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

/// Every eval function [`call`] knows (lower-case).
const SUPPORTED: &[&str] = &[
    "if",
    "case",
    "coalesce",
    "isnull",
    "isnotnull",
    "null",
    "true",
    "false",
    "isnum",
    "isint",
    "isstr",
    "typeof",
    "in",
    "like",
    "match",
    "lower",
    "upper",
    "len",
    "substr",
    "trim",
    "ltrim",
    "rtrim",
    "replace",
    "split",
    "mvindex",
    "mvcount",
    "mvjoin",
    "mvappend",
    "mvdedup",
    "mvfind",
    "tonumber",
    "tostring",
    "abs",
    "floor",
    "ceil",
    "ceiling",
    "sqrt",
    "ln",
    "exp",
    "round",
    "pow",
    "min",
    "max",
    "now",
    "time",
    "relative_time",
    "strftime",
    "cidrmatch",
    "urldecode",
    "mvzip",
    "mvmap",
    "mvfilter",
];

/// Checks an expression before any row is read: every function is one [`call`] knows and
/// every literal regular expression compiles, so an unsupported construct is an error even
/// when the test data never reaches it.
pub fn check(expr: &Expr) -> Result<(), EvalError> {
    match expr {
        Expr::Call { name, args, span } => {
            let lower = name.text.to_ascii_lowercase();
            if !SUPPORTED.contains(&lower.as_str()) {
                return Err(unsupported(&format!("the eval function `{}`", name.text), *span));
            }
            let regex_at = match lower.as_str() {
                "match" | "replace" | "mvfind" => Some(1),
                _ => None,
            };
            if let Some(Expr::String(pattern)) = regex_at.and_then(|i| args.get(i)) {
                compile_regex(&pattern.text, pattern.span)?;
            }
            args.iter().try_for_each(check)
        }
        Expr::Unary { operand, .. } => check(operand),
        Expr::Binary { lhs, rhs, .. } => check(lhs).and_then(|()| check(rhs)),
        Expr::In { lhs, list, .. } => check(lhs).and_then(|()| list.iter().try_for_each(check)),
        Expr::Paren { inner, .. } => check(inner),
        Expr::Macro(m) => {
            Err(error(format!("macro `{}` is not defined in the workspace", m.name), m.span))
        }
        Expr::Error(span) => Err(error("the expression does not parse", *span)),
        Expr::Field(_) | Expr::String(_) | Expr::Number(_) => Ok(()),
    }
}

/// Calls eval function `name` on `args` for `row`.
pub fn call(
    name: &Name,
    args: &[Expr],
    span: Span,
    row: &Row,
    env: &Env,
) -> Result<Value, EvalError> {
    let lower = name.text.to_ascii_lowercase();
    // Functions that decide which arguments to evaluate.
    match lower.as_str() {
        "if" => return if_(args, span, row, env),
        "case" => return case(args, span, row, env),
        "coalesce" => return coalesce(args, row, env),
        "mvmap" => return mvmap(args, span, row, env),
        "mvfilter" => return mvfilter(args, span, row, env),
        _ => {}
    }
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        values.push(eval(arg, row, env)?);
    }
    let call = Call { name: &name.text, span, args: &values, env };
    call.dispatch(&lower)
}

fn if_(args: &[Expr], span: Span, row: &Row, env: &Env) -> Result<Value, EvalError> {
    let [condition, then, otherwise] = args else {
        return Err(arity("if", "3", span));
    };
    if truth(&eval(condition, row, env)?) == Some(true) {
        eval(then, row, env)
    } else {
        eval(otherwise, row, env)
    }
}

fn case(args: &[Expr], span: Span, row: &Row, env: &Env) -> Result<Value, EvalError> {
    if args.is_empty() || !args.len().is_multiple_of(2) {
        return Err(arity("case", "an even number of", span));
    }
    for pair in args.chunks(2) {
        if truth(&eval(&pair[0], row, env)?) == Some(true) {
            return eval(&pair[1], row, env);
        }
    }
    Ok(Value::Null)
}

fn coalesce(args: &[Expr], row: &Row, env: &Env) -> Result<Value, EvalError> {
    for arg in args {
        let value = eval(arg, row, env)?;
        if !value.is_null() {
            return Ok(value);
        }
    }
    Ok(Value::Null)
}

/// `mvmap(field, expr)`: `expr` for each value, the field standing for that value.
fn mvmap(args: &[Expr], span: Span, row: &Row, env: &Env) -> Result<Value, EvalError> {
    let [Expr::Field(field), expr] = args else {
        return Err(error("`mvmap` takes a field and an expression", span));
    };
    let mut out = Vec::new();
    for value in row.get(&field.text).map(elements).unwrap_or_default() {
        let mut each = row.clone();
        each.set(field.text.clone(), value);
        out.extend(elements(&eval(expr, &each, env)?));
    }
    Ok(multivalue(out))
}

/// `mvfilter(predicate)`: the values of the one field the predicate reads that satisfy it.
fn mvfilter(args: &[Expr], span: Span, row: &Row, env: &Env) -> Result<Value, EvalError> {
    let [predicate] = args else { return Err(arity("mvfilter", "1", span)) };
    let Some(field) = first_field(predicate) else {
        return Err(error("`mvfilter` needs a condition on a field", span));
    };
    let mut kept = Vec::new();
    for value in row.get(&field).map(elements).unwrap_or_default() {
        let mut each = row.clone();
        each.set(field.clone(), value.clone());
        if truth(&eval(predicate, &each, env)?) == Some(true) {
            kept.push(value);
        }
    }
    Ok(multivalue(kept))
}

fn first_field(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Field(name) => Some(name.text.clone()),
        Expr::Call { args, .. } => args.iter().find_map(first_field),
        Expr::Unary { operand, .. } => first_field(operand),
        Expr::Binary { lhs, rhs, .. } => first_field(lhs).or_else(|| first_field(rhs)),
        Expr::In { lhs, .. } => first_field(lhs),
        Expr::Paren { inner, .. } => first_field(inner),
        _ => None,
    }
}

fn arity(name: &str, expected: &str, span: Span) -> EvalError {
    error(format!("`{name}` takes {expected} arguments"), span)
}

/// One call with its evaluated arguments.
struct Call<'a> {
    name: &'a str,
    span: Span,
    args: &'a [Value],
    env: &'a Env,
}

impl Call<'_> {
    fn dispatch(&self, lower: &str) -> Result<Value, EvalError> {
        match lower {
            "isnull" => self.one().map(|v| Value::Bool(v.is_null())),
            "isnotnull" => self.one().map(|v| Value::Bool(!v.is_null())),
            "null" => Ok(Value::Null),
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "isnum" => self.one().map(|v| Value::Bool(number(v).is_some())),
            "isint" => self.one().map(|v| Value::Bool(number(v).is_some_and(|n| n.fract() == 0.0))),
            "isstr" => self
                .one()
                .map(|v| Value::Bool(matches!(v, Value::String(_)) && number(v).is_none())),
            "typeof" => self.one().map(type_of),
            "in" => self.in_(),
            "like" => self.like(),
            "match" => self.match_(),
            "lower" => self.map_text(|s| s.to_lowercase()),
            "upper" => self.map_text(|s| s.to_uppercase()),
            "len" => self
                .one()
                .map(|v| text(v).map_or(Value::Null, |s| Value::Long(s.chars().count() as i64))),
            "substr" => self.substr(),
            "trim" | "ltrim" | "rtrim" => self.trim(lower),
            "replace" => self.replace(),
            "split" => self.split(),
            "mvindex" => self.mvindex(),
            "mvcount" => self.one().map(count_of),
            "mvjoin" => self.mvjoin(),
            "mvappend" => Ok(multivalue(self.args.iter().flat_map(elements).collect())),
            "mvdedup" => self.one().map(|v| multivalue(dedup(elements(v)))),
            "mvfind" => self.mvfind(),
            "tonumber" => self.tonumber(),
            "tostring" => self.tostring(),
            "abs" => self.math(f64::abs),
            "floor" => self.math(f64::floor),
            "ceil" | "ceiling" => self.math(f64::ceil),
            "sqrt" => self.math(f64::sqrt),
            "ln" => self.math(f64::ln),
            "exp" => self.math(f64::exp),
            "round" => self.round(),
            "pow" => self.pow(),
            "min" | "max" => self.min_max(lower == "max"),
            "now" | "time" => Ok(from_number(self.env.now)),
            "relative_time" => self.relative_time(),
            "strftime" => self.strftime(),
            "cidrmatch" => self.cidrmatch(),
            "urldecode" => {
                self.one().map(|v| text(v).map_or(Value::Null, |s| Value::str(urldecode(&s))))
            }
            "mvzip" => self.mvzip(),
            _ => Err(unsupported(&format!("the eval function `{}`", self.name), self.span)),
        }
    }

    fn expect(&self, range: std::ops::RangeInclusive<usize>) -> Result<(), EvalError> {
        if range.contains(&self.args.len()) {
            return Ok(());
        }
        let expected = if range.start() == range.end() {
            range.start().to_string()
        } else {
            format!("{} to {}", range.start(), range.end())
        };
        Err(arity(self.name, &expected, self.span))
    }

    fn one(&self) -> Result<&Value, EvalError> {
        self.expect(1..=1)?;
        Ok(&self.args[0])
    }

    fn text_arg(&self, at: usize) -> Option<String> {
        self.args.get(at).and_then(text)
    }

    fn map_text(&self, f: impl Fn(&str) -> String) -> Result<Value, EvalError> {
        let value = self.one()?;
        let mapped: Vec<Value> =
            elements(value).iter().filter_map(text).map(|s| Value::str(f(&s))).collect();
        Ok(multivalue(mapped))
    }

    fn in_(&self) -> Result<Value, EvalError> {
        if self.args.len() < 2 {
            return Err(arity(self.name, "at least 2", self.span));
        }
        Ok(in_list(&self.args[0], &self.args[1..]))
    }

    fn like(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let (Some(pattern), false) = (self.text_arg(1), self.args[0].is_null()) else {
            return Ok(Value::Null);
        };
        Ok(Value::Bool(
            elements(&self.args[0]).iter().filter_map(text).any(|s| like_match(&s, &pattern)),
        ))
    }

    fn regex(&self, at: usize) -> Result<Option<Regex>, EvalError> {
        let Some(pattern) = self.text_arg(at) else { return Ok(None) };
        compile_regex(&pattern, self.span).map(Some)
    }

    fn match_(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let Some(re) = self.regex(1)? else { return Ok(Value::Null) };
        let values = elements(&self.args[0]);
        if values.is_empty() {
            return Ok(Value::Null);
        }
        Ok(Value::Bool(values.iter().filter_map(text).any(|s| re.is_match(&s))))
    }

    /// `substr(s, start [, length])`: 1-based; a negative start counts from the end.
    fn substr(&self) -> Result<Value, EvalError> {
        self.expect(2..=3)?;
        let (Some(s), Some(start)) = (self.text_arg(0), self.args.get(1).and_then(number)) else {
            return Ok(Value::Null);
        };
        let chars: Vec<char> = s.chars().collect();
        let len = chars.len() as i64;
        let start = start as i64;
        let from = if start < 0 { (len + start).max(0) } else { (start - 1).max(0) };
        let count = match self.args.get(2) {
            Some(v) => match number(v) {
                Some(n) => n.max(0.0) as i64,
                None => return Ok(Value::Null),
            },
            None => len,
        };
        let end = (from + count).min(len);
        Ok(Value::str(
            chars[from.min(len) as usize..end.max(from.min(len)) as usize]
                .iter()
                .collect::<String>(),
        ))
    }

    fn trim(&self, which: &str) -> Result<Value, EvalError> {
        self.expect(1..=2)?;
        let Some(s) = self.text_arg(0) else { return Ok(Value::Null) };
        let set: Vec<char> =
            self.text_arg(1).map_or_else(|| vec![' ', '\t'], |c| c.chars().collect());
        let strip = |c: char| set.contains(&c);
        Ok(Value::str(match which {
            "ltrim" => s.trim_start_matches(strip),
            "rtrim" => s.trim_end_matches(strip),
            _ => s.trim_matches(strip),
        }))
    }

    /// `replace(s, regex, replacement)`: `\1` in the replacement is a capture group.
    fn replace(&self) -> Result<Value, EvalError> {
        self.expect(3..=3)?;
        let (Some(s), Some(re), Some(with)) = (self.text_arg(0), self.regex(1)?, self.text_arg(2))
        else {
            return Ok(Value::Null);
        };
        Ok(Value::str(re.replace_all(&s, sed_replacement(&with).as_str()).into_owned()))
    }

    fn split(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let (Some(s), Some(delim)) = (self.text_arg(0), self.text_arg(1)) else {
            return Ok(Value::Null);
        };
        let parts: Vec<Value> = if delim.is_empty() {
            s.chars().map(|c| Value::str(c.to_string())).collect()
        } else {
            s.split(delim.as_str()).map(Value::str).collect()
        };
        Ok(mv_always(parts))
    }

    /// `mvindex(mv, start [, end])`: 0-based, negative from the end, `end` inclusive.
    fn mvindex(&self) -> Result<Value, EvalError> {
        self.expect(2..=3)?;
        let items = elements(&self.args[0]);
        let len = items.len() as i64;
        let index = |v: &Value| number(v).map(|n| if n < 0.0 { len + n as i64 } else { n as i64 });
        let Some(start) = index(&self.args[1]) else { return Ok(Value::Null) };
        let end = match self.args.get(2) {
            Some(v) => match index(v) {
                Some(e) => e,
                None => return Ok(Value::Null),
            },
            None => start,
        };
        if start < 0 || start >= len || end < start {
            return Ok(Value::Null);
        }
        Ok(multivalue(items[start as usize..=(end.min(len - 1)) as usize].to_vec()))
    }

    fn mvjoin(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let Some(delim) = self.text_arg(1) else { return Ok(Value::Null) };
        let items: Vec<String> = elements(&self.args[0]).iter().filter_map(text).collect();
        Ok(if items.is_empty() { Value::Null } else { Value::str(items.join(&delim)) })
    }

    fn mvfind(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let Some(re) = self.regex(1)? else { return Ok(Value::Null) };
        let found =
            elements(&self.args[0]).iter().position(|v| text(v).is_some_and(|s| re.is_match(&s)));
        Ok(found.map_or(Value::Null, |i| Value::Long(i as i64)))
    }

    /// `tonumber(s [, base])`: base 2 to 36; text that is not a number gives null.
    fn tonumber(&self) -> Result<Value, EvalError> {
        self.expect(1..=2)?;
        let Some(s) = self.text_arg(0) else { return Ok(Value::Null) };
        let base = self.args.get(1).and_then(number).unwrap_or(10.0) as u32;
        if base == 10 {
            return Ok(number(&Value::str(s)).map_or(Value::Null, from_number));
        }
        if !(2..=36).contains(&base) {
            return Err(error(
                format!("`tonumber` base {base} is not between 2 and 36"),
                self.span,
            ));
        }
        let digits = s.trim().trim_start_matches("0x").trim_start_matches("0X");
        Ok(i64::from_str_radix(digits, base).map_or(Value::Null, Value::Long))
    }

    /// `tostring(v [, "hex" | "commas" | "duration"])`.
    fn tostring(&self) -> Result<Value, EvalError> {
        self.expect(1..=2)?;
        let value = &self.args[0];
        let Some(format) = self.text_arg(1) else {
            return Ok(match value {
                Value::Bool(b) => Value::str(if *b { "True" } else { "False" }),
                other => text(other).map_or(Value::Null, Value::str),
            });
        };
        let Some(n) = number(value) else { return Ok(Value::Null) };
        Ok(Value::str(match format.as_str() {
            "hex" => format!("0x{:X}", n as i64),
            "commas" => commas(n),
            "duration" => duration(n as i64),
            other => {
                return Err(error(
                    format!("`tostring` format `{other}` is not supported"),
                    self.span,
                ));
            }
        }))
    }

    fn math(&self, f: impl Fn(f64) -> f64) -> Result<Value, EvalError> {
        Ok(number(self.one()?).map_or(Value::Null, |n| from_number(f(n))))
    }

    fn round(&self) -> Result<Value, EvalError> {
        self.expect(1..=2)?;
        let Some(n) = number(&self.args[0]) else { return Ok(Value::Null) };
        let digits = self.args.get(1).and_then(number).unwrap_or(0.0) as i32;
        let scale = 10f64.powi(digits);
        Ok(from_number((n * scale).round() / scale))
    }

    fn pow(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        match (number(&self.args[0]), number(&self.args[1])) {
            (Some(x), Some(y)) => Ok(from_number(x.powf(y))),
            _ => Ok(Value::Null),
        }
    }

    /// Eval's `min`/`max`: numbers compare numerically and win over text.
    fn min_max(&self, max: bool) -> Result<Value, EvalError> {
        let items: Vec<Value> = self.args.iter().flat_map(elements).collect();
        let numbers: Vec<f64> = items.iter().filter_map(number).collect();
        if !numbers.is_empty() {
            let pick = numbers.into_iter().reduce(|a, b| if (b > a) == max { b } else { a });
            return Ok(pick.map_or(Value::Null, from_number));
        }
        let texts = items.iter().filter_map(text);
        Ok((if max { texts.max() } else { texts.min() }).map_or(Value::Null, Value::str))
    }

    fn relative_time(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let (Some(t), Some(spec)) = (number(&self.args[0]), self.text_arg(1)) else {
            return Ok(Value::Null);
        };
        Ok(relative_time(t, &spec).map_or(Value::Null, from_number))
    }

    fn strftime(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let (Some(t), Some(format)) = (number(&self.args[0]), self.text_arg(1)) else {
            return Ok(Value::Null);
        };
        Ok(Value::str(strftime(t, &format)))
    }

    /// `mvzip(a, b [, delim])`: pairs the values of two multivalues (`,` between them).
    fn mvzip(&self) -> Result<Value, EvalError> {
        self.expect(2..=3)?;
        let delim = self.text_arg(2).unwrap_or_else(|| ",".to_owned());
        let (a, b) = (elements(&self.args[0]), elements(&self.args[1]));
        let pairs =
            a.iter().zip(&b).filter_map(|(x, y)| Some(format!("{}{delim}{}", text(x)?, text(y)?)));
        Ok(multivalue(pairs.map(Value::str).collect()))
    }

    /// `cidrmatch("10.0.0.0/8", ip)` for IPv4.
    fn cidrmatch(&self) -> Result<Value, EvalError> {
        self.expect(2..=2)?;
        let (Some(cidr), Some(ip)) = (self.text_arg(0), self.text_arg(1)) else {
            return Ok(Value::Null);
        };
        Ok(Value::Bool(ipv4_in_cidr(&cidr, &ip).unwrap_or(false)))
    }
}

/// `%41` escapes and `+` as a space.
fn urldecode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Compiles a PCRE pattern with the `regex` crate (no look-around or back-references).
pub fn compile_regex(pattern: &str, span: Span) -> Result<Regex, EvalError> {
    Regex::new(&escape_literal_braces(pattern)).map_err(|e| {
        let reason = e.to_string().lines().last().unwrap_or("").trim().to_owned();
        error(format!("regular expression `{pattern}` is not supported here: {reason}"), span)
    })
}

/// PCRE reads a `{` that does not start a repetition (`{2}`, `{2,}`, `{2,5}`) as a literal
/// brace; Rust's `regex` rejects it, so such braces are escaped first.
fn escape_literal_braces(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let (mut escaped, mut after_class_escape) = (false, false);
    for (i, c) in pattern.char_indices() {
        let literal = c == '{' && !escaped && !after_class_escape;
        if literal && !starts_repetition(&pattern[i + 1..]) {
            out.push_str("\\{");
        } else {
            out.push(c);
        }
        // `\p{L}`, `\x{41}`: the brace belongs to the escape.
        after_class_escape = escaped && matches!(c, 'p' | 'P' | 'x');
        escaped = c == '\\' && !escaped;
    }
    out
}

fn starts_repetition(rest: &str) -> bool {
    let Some(close) = rest.find('}') else { return false };
    let inner = &rest[..close];
    let (low, high) = inner.split_once(',').unwrap_or((inner, "0"));
    !low.is_empty()
        && low.chars().all(|c| c.is_ascii_digit())
        && high.chars().all(|c| c.is_ascii_digit())
}

/// `\1` back-references of Splunk's replacement text as the regex crate's `${1}`.
pub fn sed_replacement(with: &str) -> String {
    let mut out = String::new();
    let mut chars = with.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push_str(&format!("${{{}}}", chars.next().unwrap_or('0')));
            }
            '$' => out.push_str("$$"),
            other => out.push(other),
        }
    }
    out
}

/// A multivalue even for one element (what `split` returns).
fn mv_always(items: Vec<Value>) -> Value {
    if items.len() == 1 {
        return items.into_iter().next().unwrap_or(Value::Null);
    }
    multivalue(items)
}

fn count_of(value: &Value) -> Value {
    let n = elements(value).len();
    if n == 0 { Value::Null } else { Value::Long(n as i64) }
}

fn dedup(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn type_of(value: &Value) -> Value {
    Value::str(match value {
        Value::Null => "Invalid",
        Value::Bool(_) => "Boolean",
        v if number(v).is_some() && !matches!(v, Value::String(_)) => "Number",
        _ => "String",
    })
}

fn commas(n: f64) -> String {
    let rounded = format!("{:.2}", n);
    let (whole, fraction) = rounded.split_once('.').unwrap_or((&rounded, ""));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fraction.trim_end_matches('0').is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

fn duration(seconds: i64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let clock = format!("{:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    if days > 0 { format!("{days}+{clock}") } else { clock }
}

fn ipv4_in_cidr(cidr: &str, ip: &str) -> Option<bool> {
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    let bits: u32 = bits.parse().ok()?;
    let net: std::net::Ipv4Addr = net.trim().parse().ok()?;
    let ip: std::net::Ipv4Addr = ip.trim().parse().ok()?;
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits.min(32)) };
    Some(u32::from(net) & mask == u32::from(ip) & mask)
}

#[cfg(test)]
mod tests {
    use super::super::expr::tests::{eval_text, row};
    use super::*;
    use serde_json::json;

    fn mv(items: serde_json::Value) -> Value {
        Value::Dynamic(items)
    }

    #[test]
    fn conditionals() {
        let r = row(&[("a", Value::Long(2))]);
        assert_eq!(eval_text(r#"if(a>1, "big", "small")"#, &r), Value::str("big"));
        assert_eq!(eval_text(r#"case(a=1, "one", a=2, "two")"#, &r), Value::str("two"));
        assert_eq!(eval_text(r#"case(a=5, "five")"#, &r), Value::Null);
        assert_eq!(eval_text(r#"coalesce(missing, a)"#, &r), Value::Long(2));
        assert_eq!(eval_text("isnull(missing)", &r), Value::Bool(true));
        assert_eq!(eval_text("isnotnull(a)", &r), Value::Bool(true));
        assert_eq!(eval_text("if(missing>1, 1, 0)", &r), Value::Long(0));
    }

    #[test]
    fn text_functions() {
        let r = row(&[("s", Value::str("Hello World"))]);
        assert_eq!(eval_text("lower(s)", &r), Value::str("hello world"));
        assert_eq!(eval_text("upper(s)", &r), Value::str("HELLO WORLD"));
        assert_eq!(eval_text("len(s)", &r), Value::Long(11));
        assert_eq!(eval_text("substr(s, 1, 5)", &r), Value::str("Hello"));
        assert_eq!(eval_text("substr(s, -5)", &r), Value::str("World"));
        assert_eq!(eval_text("substr(s, 7)", &r), Value::str("World"));
        assert_eq!(
            eval_text(r#"replace(s, "(\w+) (\w+)", "\2 \1")"#, &r),
            Value::str("World Hello")
        );
        assert_eq!(eval_text(r#"trim("  x  ")"#, &r), Value::str("x"));
        assert_eq!(eval_text(r#"like(s, "Hello%")"#, &r), Value::Bool(true));
        assert_eq!(eval_text(r#"like(s, "hello%")"#, &r), Value::Bool(false));
        assert_eq!(eval_text(r#"match(s, "^H.*d$")"#, &r), Value::Bool(true));
        assert_eq!(eval_text(r#"match(s, "world")"#, &r), Value::Bool(false));
    }

    #[test]
    fn multivalue_functions() {
        let r = row(&[("q", Value::str("abc.example.com")), ("m", mv(json!(["a", "b", "a"])))]);
        assert_eq!(eval_text(r#"mvindex(split(q, "."), 0)"#, &r), Value::str("abc"));
        assert_eq!(eval_text(r#"mvindex(split(q, "."), -1)"#, &r), Value::str("com"));
        assert_eq!(eval_text(r#"mvindex(split(q, "."), 1, 2)"#, &r), mv(json!(["example", "com"])));
        assert_eq!(eval_text(r#"mvindex(split(q, "."), 5)"#, &r), Value::Null);
        assert_eq!(eval_text("mvcount(m)", &r), Value::Long(3));
        assert_eq!(eval_text(r#"mvjoin(mvdedup(m), ";")"#, &r), Value::str("a;b"));
        assert_eq!(eval_text(r#"mvfind(m, "b")"#, &r), Value::Long(1));
        assert_eq!(eval_text(r#"mvappend(q, "x")"#, &r), mv(json!(["abc.example.com", "x"])));
    }

    #[test]
    fn numbers() {
        let r = row(&[("h", Value::str("ff")), ("n", Value::str("12.5"))]);
        assert_eq!(eval_text("tonumber(n)", &r), Value::Real(12.5));
        assert_eq!(eval_text("tonumber(h, 16)", &r), Value::Long(255));
        assert_eq!(eval_text(r#"tonumber("abc")"#, &r), Value::Null);
        assert_eq!(eval_text("round(n)", &r), Value::Long(13));
        assert_eq!(eval_text("round(2.71828, 2)", &r), Value::Real(2.72));
        assert_eq!(eval_text("abs(-3)", &r), Value::Long(3));
        assert_eq!(eval_text("max(1, 5, 3)", &r), Value::Long(5));
        assert_eq!(eval_text(r#"tostring(1234567, "commas")"#, &r), Value::str("1,234,567"));
        assert_eq!(eval_text(r#"tostring(3661, "duration")"#, &r), Value::str("01:01:01"));
        assert_eq!(eval_text(r#"isnum(n)"#, &r), Value::Bool(true));
    }

    #[test]
    fn mvmap_and_mvfilter() {
        let r = row(&[("m", mv(json!(["a.exe", "b.dll", "c.exe"])))]);
        assert_eq!(eval_text(r#"mvmap(m, upper(m))"#, &r), mv(json!(["A.EXE", "B.DLL", "C.EXE"])));
        assert_eq!(eval_text(r#"mvfilter(match(m, "\.exe$"))"#, &r), mv(json!(["a.exe", "c.exe"])));
        assert_eq!(eval_text(r#"mvfilter(m="none")"#, &r), Value::Null);
    }

    #[test]
    fn pcre_literal_braces() {
        assert_eq!(escape_literal_braces("^%{x}"), "^%\\{x}");
        assert_eq!(escape_literal_braces("a{2,3}b{4}"), "a{2,3}b{4}");
        assert_eq!(escape_literal_braces("\\{"), "\\{");
        assert_eq!(escape_literal_braces(r"\p{L}\x{41}"), r"\p{L}\x{41}");
        let r = row(&[("s", Value::str("%{abc}"))]);
        assert_eq!(eval_text(r#"match(s, "^%{a")"#, &r), Value::Bool(true));
    }

    #[test]
    fn url_decoding_and_zipping() {
        let r = row(&[("u", Value::str("a%20b+c%2Fd")), ("m", mv(json!(["x", "y"])))]);
        assert_eq!(eval_text("urldecode(u)", &r), Value::str("a b c/d"));
        assert_eq!(eval_text(r#"mvzip(m, m, "=")"#, &r), mv(json!(["x=x", "y=y"])));
    }

    #[test]
    fn network_and_time() {
        let r = row(&[("ip", Value::str("10.1.2.3"))]);
        assert_eq!(eval_text(r#"cidrmatch("10.0.0.0/8", ip)"#, &r), Value::Bool(true));
        assert_eq!(eval_text(r#"cidrmatch("192.168.0.0/16", ip)"#, &r), Value::Bool(false));
        assert_eq!(eval_text(r#"in(ip, "a", "10.1.2.3")"#, &r), Value::Bool(true));
        assert_eq!(eval_text(r#"strftime(0, "%Y-%m-%d")"#, &r), Value::str("1970-01-01"));
        assert_eq!(eval_text(r#"relative_time(now(), "@d")"#, &r), Value::Long(1_721_001_600));
    }

    #[test]
    fn unknown_functions_are_errors_naming_them() {
        let parse = qlint_grammar::spl::parse("| eval x=sha512(y)");
        let qlint_grammar::spl::ast::CommandKind::Eval(e) = &parse.tree.commands[0].kind else {
            panic!()
        };
        let err = eval(&e.assignments[0].expr, &Row::new(), &Env { now: 0.0 }).unwrap_err();
        assert!(err.message.contains("`sha512`"), "{}", err.message);
        assert_eq!(err.span, Some(9..18));
    }
}
