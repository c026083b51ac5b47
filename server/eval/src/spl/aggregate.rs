//! Aggregation functions shared by `stats`, `eventstats`, `streamstats` and `tstats`.
//!
//! `values` sorts its distinct values as text; `list` keeps order (first 100); `min`/`max`
//! compare numbers numerically and fall back to text when no value is a number and keep the
//! winning value as it was (so `min(_time)` is still a time); `dc` counts distinct texts
//! exactly (Splunk's is exact as well unless `estdc` is used). Percentiles (`perc95`, `p95`,
//! `exactperc95`, `upperperc95`) are exact, interpolating between the nearest ranks; Splunk
//! estimates `perc` over large sets.

use std::cmp::Ordering;

use qlint_grammar::Span;
use qlint_grammar::spl::ast::{Aggregation, Expr};

use super::expr::{Env, eval};
use super::values::{compare, elements, from_number, multivalue, number, text};
use super::{error, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

/// One aggregation ready to run.
#[derive(Debug, Clone)]
pub struct AggSpec {
    kind: AggKind,
    /// What it reads: a field or an `eval(...)` expression; `None` for a bare `count`.
    arg: Option<Expr>,
    /// The output field (the alias, or the aggregation as written).
    pub output: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AggKind {
    Count,
    DistinctCount,
    Values,
    List,
    Min,
    Max,
    Sum,
    Avg,
    Earliest,
    Latest,
    First,
    Last,
    Range,
    Stdev,
    StdevP,
    Var,
    VarP,
    Median,
    Mode,
    /// `percN`/`pN`/`exactpercN`/`upperpercN`, N in hundredths (99.5 is 9950).
    Percentile(u32),
}

impl AggSpec {
    /// Reads an aggregation; `source` is the text its span points into.
    pub fn compile(agg: &Aggregation, source: &str) -> Result<AggSpec, EvalError> {
        let name = agg.function.text.to_ascii_lowercase();
        let kind = kind_of(&name).ok_or_else(|| {
            unsupported(&format!("the aggregation `{}`", agg.function.text), agg.function.span)
        })?;
        let arg = match agg.args.as_slice() {
            [] if kind == AggKind::Count => None,
            [] => return Err(error(format!("`{}` needs a field", agg.function.text), agg.span)),
            [one] => Some(unwrap_eval(one)?),
            [_, extra, ..] => {
                return Err(error(
                    format!("`{}` takes one field", agg.function.text),
                    extra.span(),
                ));
            }
        };
        if let Some(expr) = &arg {
            super::functions::check(expr)?;
        }
        if let Some(Expr::Field(f)) = &arg
            && f.has_wildcard()
        {
            return Err(unsupported("a wildcard field in an aggregation", f.span));
        }
        let output = match &agg.alias {
            Some(alias) => alias.text.clone(),
            None => written(agg, source),
        };
        Ok(AggSpec { kind, arg, output })
    }

    /// The aggregate of `rows` (in event order).
    pub fn compute(&self, rows: &[&Row], env: &Env) -> Result<Value, EvalError> {
        if self.kind == AggKind::Count && self.arg.is_none() {
            return Ok(Value::Long(rows.len() as i64));
        }
        let per_row = self.inputs(rows, env)?;
        Ok(match self.kind {
            AggKind::Count => Value::Long(per_row.iter().map(|(_, vs)| vs.len() as i64).sum()),
            AggKind::Earliest | AggKind::Latest => by_time(&per_row, self.kind == AggKind::Latest),
            AggKind::First => {
                per_row.iter().find_map(|(_, vs)| vs.first().cloned()).unwrap_or(Value::Null)
            }
            AggKind::Last => {
                per_row.iter().rev().find_map(|(_, vs)| vs.last().cloned()).unwrap_or(Value::Null)
            }
            _ => fold(self.kind, per_row.into_iter().flat_map(|(_, vs)| vs).collect()),
        })
    }

    /// Each row's time with the values the argument gives for it (nulls dropped).
    fn inputs(&self, rows: &[&Row], env: &Env) -> Result<Vec<(f64, Vec<Value>)>, EvalError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let value = match &self.arg {
                Some(expr) => eval(expr, row, env)?,
                None => Value::Null,
            };
            // `count(eval(cond))` counts the rows where the condition holds.
            let values = if value == Value::Bool(false) { Vec::new() } else { elements(&value) };
            let time = row.get("_time").and_then(number).unwrap_or(f64::NAN);
            out.push((time, values));
        }
        Ok(out)
    }
}

fn kind_of(name: &str) -> Option<AggKind> {
    if let Some(p) = percentile(name) {
        return Some(AggKind::Percentile(p));
    }
    Some(match name {
        "count" | "c" => AggKind::Count,
        "dc" | "distinct_count" => AggKind::DistinctCount,
        "values" => AggKind::Values,
        "list" => AggKind::List,
        "min" => AggKind::Min,
        "max" => AggKind::Max,
        "sum" => AggKind::Sum,
        "avg" | "mean" => AggKind::Avg,
        "earliest" => AggKind::Earliest,
        "latest" => AggKind::Latest,
        "first" => AggKind::First,
        "last" => AggKind::Last,
        "range" => AggKind::Range,
        "stdev" => AggKind::Stdev,
        "stdevp" => AggKind::StdevP,
        "var" => AggKind::Var,
        "varp" => AggKind::VarP,
        "median" => AggKind::Median,
        "mode" => AggKind::Mode,
        _ => return None,
    })
}

/// `perc95`, `p99.5`, `exactperc50`, `upperperc90` -> the percentile in hundredths.
fn percentile(name: &str) -> Option<u32> {
    let digits =
        ["exactperc", "upperperc", "perc", "p"].iter().find_map(|p| name.strip_prefix(p))?;
    let value: f64 = digits.parse().ok()?;
    (digits.starts_with(|c: char| c.is_ascii_digit()) && (0.0..=100.0).contains(&value))
        .then(|| (value * 100.0).round() as u32)
}

/// `eval(expr)` as an argument is the expression itself.
fn unwrap_eval(arg: &Expr) -> Result<Expr, EvalError> {
    match arg {
        Expr::Call { name, args, span } if name.text.eq_ignore_ascii_case("eval") => {
            match args.as_slice() {
                [inner] => Ok(inner.clone()),
                _ => Err(error("`eval(...)` takes one expression", *span)),
            }
        }
        other => Ok(other.clone()),
    }
}

/// The aggregation as written, spaces removed: `dc(user)`, `count`.
fn written(agg: &Aggregation, source: &str) -> String {
    let span: Span = agg.span;
    let text = source.get(span.start as usize..span.end as usize).unwrap_or(&agg.function.text);
    text.split_whitespace().collect()
}

fn fold(kind: AggKind, values: Vec<Value>) -> Value {
    match kind {
        AggKind::DistinctCount => {
            let mut texts: Vec<String> = values.iter().filter_map(text).collect();
            texts.sort();
            texts.dedup();
            Value::Long(texts.len() as i64)
        }
        AggKind::Values => {
            let mut texts: Vec<String> = values.iter().filter_map(text).collect();
            texts.sort();
            texts.dedup();
            multivalue(texts.into_iter().map(Value::str).collect())
        }
        AggKind::List => multivalue(values.into_iter().take(100).collect()),
        AggKind::Min => extreme(values, Ordering::Less),
        AggKind::Max => extreme(values, Ordering::Greater),
        AggKind::Sum => numbers(&values).map_or(Value::Null, |ns| from_number(ns.iter().sum())),
        AggKind::Avg => numbers(&values)
            .map_or(Value::Null, |ns| from_number(ns.iter().sum::<f64>() / ns.len() as f64)),
        AggKind::Range => numbers(&values).map_or(Value::Null, |ns| {
            let max = ns.iter().copied().fold(f64::MIN, f64::max);
            let min = ns.iter().copied().fold(f64::MAX, f64::min);
            from_number(max - min)
        }),
        AggKind::Stdev | AggKind::StdevP | AggKind::Var | AggKind::VarP => spread(kind, &values),
        AggKind::Median => median(&values),
        AggKind::Mode => mode(values),
        AggKind::Percentile(p) => percentile_of(&values, f64::from(p) / 100.0),
        _ => Value::Null,
    }
}

/// Sample (`stdev`, `var`) or population (`stdevp`, `varp`) spread of the numbers.
fn spread(kind: AggKind, values: &[Value]) -> Value {
    let Some(ns) = numbers(values) else { return Value::Null };
    let n = ns.len() as f64;
    let sample = matches!(kind, AggKind::Stdev | AggKind::Var);
    if sample && ns.len() < 2 {
        return Value::Null;
    }
    let mean = ns.iter().sum::<f64>() / n;
    let squares = ns.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    let variance = squares / if sample { n - 1.0 } else { n };
    let result =
        if matches!(kind, AggKind::Stdev | AggKind::StdevP) { variance.sqrt() } else { variance };
    from_number(result)
}

/// The middle number (the lower of the two middle ones for an even count).
fn median(values: &[Value]) -> Value {
    let Some(mut ns) = numbers(values) else { return Value::Null };
    ns.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    from_number(ns[(ns.len() - 1) / 2])
}

/// The `p`-th percentile, interpolating linearly between the two nearest ranks.
fn percentile_of(values: &[Value], p: f64) -> Value {
    let Some(mut ns) = numbers(values) else { return Value::Null };
    ns.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    let rank = p / 100.0 * (ns.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    from_number(ns[low] + (ns[high] - ns[low]) * (rank - low as f64))
}

/// The most frequent value (the first seen among equals).
fn mode(values: Vec<Value>) -> Value {
    let mut counts: Vec<(String, usize, Value)> = Vec::new();
    for v in values {
        let Some(t) = text(&v) else { continue };
        match counts.iter_mut().find(|(k, _, _)| *k == t) {
            Some(entry) => entry.1 += 1,
            None => counts.push((t, 1, v)),
        }
    }
    let best = counts.iter().map(|(_, n, _)| *n).max().unwrap_or(0);
    counts.into_iter().find(|(_, n, _)| *n == best).map_or(Value::Null, |(_, _, v)| v)
}

fn numbers(values: &[Value]) -> Option<Vec<f64>> {
    let ns: Vec<f64> = values.iter().filter_map(number).collect();
    (!ns.is_empty()).then_some(ns)
}

/// The smallest (`Less`) or largest value: numbers win over text when any is present.
fn extreme(values: Vec<Value>, want: Ordering) -> Value {
    let has_number = values.iter().any(|v| number(v).is_some());
    values
        .into_iter()
        .filter(|v| !has_number || number(v).is_some())
        .reduce(|best, v| if compare(&v, &best) == want { v } else { best })
        .unwrap_or(Value::Null)
}

/// The value of the earliest (or latest) row by `_time`.
fn by_time(rows: &[(f64, Vec<Value>)], latest: bool) -> Value {
    let mut best: Option<(f64, &Vec<Value>)> = None;
    for (time, values) in rows.iter().filter(|(_, vs)| !vs.is_empty()) {
        let better = match best {
            None => true,
            Some((t, _)) => (latest && *time >= t) || (!latest && *time < t),
        };
        if better {
            best = Some((*time, values));
        }
    }
    best.map_or(Value::Null, |(_, vs)| multivalue(vs.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::TICKS_PER_SECOND;
    use qlint_grammar::spl::ast::CommandKind;

    fn specs(query: &str) -> Vec<AggSpec> {
        let parse = qlint_grammar::spl::parse(query);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let CommandKind::Stats(s) = &parse.tree.commands[0].kind else { panic!("not stats") };
        s.aggregations.iter().map(|a| AggSpec::compile(a, query).expect("compiles")).collect()
    }

    fn rows() -> Vec<Row> {
        let make = |t: i64, user: &str, bytes: Value| -> Row {
            [
                ("_time".to_string(), Value::DateTime(t * TICKS_PER_SECOND)),
                ("user".to_string(), Value::str(user)),
                ("bytes".to_string(), bytes),
            ]
            .into_iter()
            .collect()
        };
        vec![
            make(30, "bob", Value::Long(10)),
            make(10, "alice", Value::str("5")),
            make(20, "bob", Value::Null),
        ]
    }

    fn run(query: &str) -> Vec<(String, Value)> {
        let rows = rows();
        let refs: Vec<&Row> = rows.iter().collect();
        let env = Env { now: 0.0 };
        specs(query).iter().map(|s| (s.output.clone(), s.compute(&refs, &env).unwrap())).collect()
    }

    #[test]
    fn counts_and_distinct_counts() {
        let out = run("| stats count count(bytes) dc(user) as users c");
        assert_eq!(out[0], ("count".into(), Value::Long(3)));
        assert_eq!(out[1], ("count(bytes)".into(), Value::Long(2)));
        assert_eq!(out[2], ("users".into(), Value::Long(2)));
        assert_eq!(out[3], ("c".into(), Value::Long(3)));
    }

    #[test]
    fn values_sort_and_list_keeps_order() {
        let out = run("| stats values(user) list(user)");
        assert_eq!(out[0].1, Value::Dynamic(serde_json::json!(["alice", "bob"])));
        assert_eq!(out[1].1, Value::Dynamic(serde_json::json!(["bob", "alice", "bob"])));
    }

    #[test]
    fn numeric_aggregations() {
        let out = run("| stats sum(bytes) avg(bytes) min(bytes) max(bytes) range(bytes)");
        let values: Vec<Value> = out.into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            values,
            [Value::Long(15), Value::Real(7.5), Value::str("5"), Value::Long(10), Value::Long(5)]
        );
    }

    #[test]
    fn spread_median_and_mode() {
        let out = run("| stats stdev(bytes) varp(bytes) median(bytes) mode(user)");
        let values: Vec<Value> = out.into_iter().map(|(_, v)| v).collect();
        let stdev = 12.5f64.sqrt();
        assert_eq!(
            values,
            [Value::Real(stdev), Value::Real(6.25), Value::Long(5), Value::str("bob")]
        );
    }

    #[test]
    fn percentiles_interpolate() {
        let out = run("| stats perc50(bytes) p100(bytes) exactperc0(bytes) perc25(bytes)");
        let values: Vec<Value> = out.into_iter().map(|(_, v)| v).collect();
        assert_eq!(values, [Value::Real(7.5), Value::Long(10), Value::Long(5), Value::Real(6.25)]);
        assert!(percentile("perc101").is_none() && percentile("pages").is_none());
        assert_eq!(percentile("p99.5"), Some(9950));
    }

    #[test]
    fn time_aggregations_keep_times() {
        let out =
            run("| stats min(_time) as first earliest(user) latest(user) first(user) last(user)");
        assert_eq!(out[0].1, Value::DateTime(10 * TICKS_PER_SECOND));
        assert_eq!(out[1].1, Value::str("alice"));
        assert_eq!(out[2].1, Value::str("bob"));
        assert_eq!(out[3].1, Value::str("bob"));
        assert_eq!(out[4].1, Value::str("bob"));
    }

    #[test]
    fn count_of_eval_counts_true_conditions() {
        let out = run(r#"| stats count(eval(user="bob")) as bobs"#);
        assert_eq!(out[0].1, Value::Long(2));
    }

    #[test]
    fn unknown_aggregations_are_named() {
        let parse = qlint_grammar::spl::parse("| stats estdc(x)");
        let CommandKind::Stats(s) = &parse.tree.commands[0].kind else { panic!() };
        let err = AggSpec::compile(&s.aggregations[0], "| stats estdc(x)").unwrap_err();
        assert!(err.message.contains("`estdc`"), "{}", err.message);
    }
}
