//! `stats`, `eventstats` and `streamstats`.
//!
//! Rows are grouped by the values of the `by` fields; a row that lacks one of them is left
//! out of `stats` (Splunk drops it) and left unchanged by `eventstats`/`streamstats`. A
//! multivalue `by` field puts the row in one group per value. `stats` output is sorted by
//! the group values; without `by` it is one row, even over no events.

use std::cmp::Ordering;

use qlint_grammar::spl::ast::{Command, Name, StatsCommand};

use super::aggregate::AggSpec;
use super::expr::Env;
use super::values::{compare, elements};
use super::{error, option_flag, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

/// The compiled aggregations and `by` fields of a statistics command.
pub struct Grouping {
    /// The aggregations in output order.
    pub aggs: Vec<AggSpec>,
    /// The `by` fields, as the rows name them.
    pub by: Vec<String>,
}

impl Grouping {
    /// Compiles `stats`-like aggregations; `by` may be renamed by the caller (tstats).
    pub fn new(aggs: Vec<AggSpec>, by: &[Name]) -> Result<Grouping, EvalError> {
        for name in by {
            if name.has_wildcard() {
                return Err(unsupported("a wildcard `by` field", name.span));
            }
        }
        Ok(Grouping { aggs, by: by.iter().map(|n| n.text.clone()).collect() })
    }

    /// The group keys of a row (several for multivalue fields); none when a field is missing.
    fn keys(&self, row: &Row) -> Vec<Vec<Value>> {
        let mut keys: Vec<Vec<Value>> = vec![Vec::new()];
        for field in &self.by {
            let values = row.get(field).map(elements).unwrap_or_default();
            keys = keys
                .into_iter()
                .flat_map(|key| {
                    values.iter().map(move |v| {
                        let mut k = key.clone();
                        k.push(v.clone());
                        k
                    })
                })
                .collect();
        }
        keys
    }

    /// `stats`: one row per group, sorted by the group values.
    pub fn aggregate(&self, rows: &[Row], env: &Env) -> Result<Vec<Row>, EvalError> {
        let mut groups: Vec<(Vec<Value>, Vec<&Row>)> = Vec::new();
        for row in rows {
            for key in self.keys(row) {
                match groups.iter_mut().find(|(k, _)| same_key(k, &key)) {
                    Some((_, members)) => members.push(row),
                    None => groups.push((key, vec![row])),
                }
            }
        }
        if self.by.is_empty() && groups.is_empty() {
            groups.push((Vec::new(), Vec::new()));
        }
        groups.sort_by(|(a, _), (b, _)| compare_keys(a, b));
        groups.iter().map(|(key, members)| self.output_row(key, members, env)).collect()
    }

    fn output_row(&self, key: &[Value], members: &[&Row], env: &Env) -> Result<Row, EvalError> {
        let mut out = Row::new();
        for (field, value) in self.by.iter().zip(key) {
            out.set(field.clone(), value.clone());
        }
        for agg in &self.aggs {
            out.set(agg.output.clone(), agg.compute(members, env)?);
        }
        Ok(out)
    }
}

fn same_key(a: &[Value], b: &[Value]) -> bool {
    a.iter().zip(b).all(|(x, y)| super::values::text(x) == super::values::text(y))
}

fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    a.iter().zip(b).map(|(x, y)| compare(x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

/// Compiles the aggregations of a `stats`-family command.
pub fn grouping(stats: &StatsCommand, source: &str) -> Result<Grouping, EvalError> {
    let aggs = stats
        .aggregations
        .iter()
        .map(|a| AggSpec::compile(a, source))
        .collect::<Result<Vec<_>, _>>()?;
    Grouping::new(aggs, &stats.by)
}

/// Runs `stats`, `eventstats` or `streamstats`.
pub fn run(
    cmd: &Command,
    stats: &StatsCommand,
    rows: Vec<Row>,
    source: &str,
    env: &Env,
) -> Result<Vec<Row>, EvalError> {
    let name = cmd.name.text.to_ascii_lowercase();
    if let Some(m) = stats.macros.first() {
        return Err(error(format!("macro `{}` is not defined in the workspace", m.name), m.span));
    }
    if let Some(over) = &stats.over {
        return Err(unsupported("`over` in a statistics command", over.span));
    }
    let grouping = grouping(stats, source)?;
    match name.as_str() {
        "stats" => {
            check_options(stats, &[])?;
            grouping.aggregate(&rows, env)
        }
        "eventstats" => {
            check_options(stats, &[])?;
            eventstats(&grouping, rows, env)
        }
        "streamstats" => {
            check_options(stats, &["current", "window", "global"])?;
            let current = option_flag(&stats.options, "current").unwrap_or(true);
            let window = option_number(stats, "window")?;
            streamstats(&grouping, rows, current, window, env)
        }
        _ => Err(unsupported(&format!("the command `{}`", cmd.name.text), cmd.name.span)),
    }
}

fn check_options(stats: &StatsCommand, allowed: &[&str]) -> Result<(), EvalError> {
    for option in &stats.options {
        let key = option.key.text.to_ascii_lowercase();
        if !allowed.contains(&key.as_str()) && key != "allnum" {
            return Err(unsupported(&format!("the option `{}`", option.key.text), option.span));
        }
    }
    Ok(())
}

fn option_number(stats: &StatsCommand, key: &str) -> Result<usize, EvalError> {
    let Some(option) = stats.options.iter().find(|o| o.key.text.eq_ignore_ascii_case(key)) else {
        return Ok(0);
    };
    option
        .value
        .text
        .parse()
        .map_err(|_| error(format!("`{key}` needs a whole number"), option.value.span))
}

/// Adds each group's aggregates to every row of the group.
fn eventstats(grouping: &Grouping, rows: Vec<Row>, env: &Env) -> Result<Vec<Row>, EvalError> {
    let summary = grouping.aggregate(&rows, env)?;
    let mut out = rows.clone();
    for row in &mut out {
        let Some(key) = grouping.keys(row).into_iter().next() else { continue };
        let found = summary.iter().find(|s| {
            let skey: Vec<Value> =
                grouping.by.iter().map(|f| s.get(f).cloned().unwrap_or(Value::Null)).collect();
            same_key(&skey, &key)
        });
        if let Some(found) = found {
            for agg in &grouping.aggs {
                row.set(agg.output.clone(), found.get(&agg.output).cloned().unwrap_or(Value::Null));
            }
        }
    }
    Ok(out)
}

/// Running aggregates in event order over the rows of the same group seen so far
/// (`current=f` leaves the row itself out; `window=N` keeps the last N).
fn streamstats(
    grouping: &Grouping,
    rows: Vec<Row>,
    current: bool,
    window: usize,
    env: &Env,
) -> Result<Vec<Row>, EvalError> {
    let mut seen: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let mut result = row.clone();
        if let Some(key) = grouping.keys(row).into_iter().next() {
            let at = match seen.iter().position(|(k, _)| same_key(k, &key)) {
                Some(at) => at,
                None => {
                    seen.push((key, Vec::new()));
                    seen.len() - 1
                }
            };
            if current {
                seen[at].1.push(i);
            }
            let members = &seen[at].1;
            let start = if window > 0 { members.len().saturating_sub(window) } else { 0 };
            let refs: Vec<&Row> = members[start..].iter().map(|&m| &rows[m]).collect();
            for agg in &grouping.aggs {
                result.set(agg.output.clone(), agg.compute(&refs, env)?);
            }
            if !current {
                seen[at].1.push(i);
            }
        }
        out.push(result);
    }
    Ok(out)
}
