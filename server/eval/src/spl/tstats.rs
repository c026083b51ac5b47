//! `tstats` over the data-model rows a test supplies.
//!
//! A test gives `Model.Dataset` rows with bare field names (`process_name`); the query
//! names them with the dataset prefix (`Processes.process_name`). Each row is offered under
//! every name on the dataset's path (`Authentication.user` and `Failed_Authentication.user`
//! for `Authentication.Failed_Authentication`), so whichever prefix the query writes finds
//! it, and output columns are named as the query writes them, as in Splunk. Fields starting
//! with `_` (`_time`) keep their bare names. All supplied rows count as summarized, so
//! `summariesonly` does not change the result; `fillnull_value=x` gives rows that lack a
//! `by` field the value `x` instead of dropping them. A bare model (`from datamodel=Web`)
//! reads the test's `Web.Web` (the root dataset) or `Web`; with `where nodename=X` it reads
//! `Model.X`. Without `from datamodel=`, `tstats` reads the events (their indexed fields).

use qlint_grammar::spl::ast::{Name, SearchExpr, TstatsCommand, Value as Word};

use super::aggregate::AggSpec;
use super::bin::bin_time;
use super::expr::Env;
use super::search::matches;
use super::stats::Grouping;
use super::{Pipeline, error, unsupported};
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

/// Options that do not change the result over test data.
const HARMLESS: &[&str] =
    &["summariesonly", "allow_old_summaries", "chunk_size", "local", "include_reduced_buckets"];

impl Pipeline<'_> {
    /// Runs a `tstats` that starts the pipeline.
    pub(super) fn tstats(&self, t: &TstatsCommand) -> Result<Vec<Row>, EvalError> {
        if let Some(m) = t.macros.first() {
            let message = format!("macro `{}` is not defined in the workspace", m.name);
            return Err(error(message, m.span));
        }
        let options = TstatsOptions::read(t)?;
        let mut rows = self.tstats_source(t)?;
        if let Some(clause) = &t.where_clause {
            let mut kept = Vec::new();
            for row in rows {
                if matches(clause, &row, self.env.now)? {
                    kept.push(row);
                }
            }
            rows = kept;
        }
        if let Some(span) = options.span {
            rows = bin_time(rows, "_time", span)?;
        }
        if let Some(fill) = options.fillnull {
            rows = fill_by_fields(rows, &t.by, fill);
        }
        let aggs = t
            .aggregations
            .iter()
            .map(|a| AggSpec::compile(a, self.source))
            .collect::<Result<Vec<_>, _>>()?;
        Grouping::new(aggs, &t.by)?.aggregate(&rows, &Env { now: self.env.now })
    }

    /// The rows `tstats` reads: the data model's rows under their prefixed names, or the events.
    fn tstats_source(&self, t: &TstatsCommand) -> Result<Vec<Row>, EvalError> {
        if let Some(from) = &t.from {
            return Err(unsupported(&format!("`tstats from {}`", from.text), from.span));
        }
        let Some(model) = &t.datamodel else { return Ok(self.events()) };
        let candidates = dataset_names(&model.text, t.where_clause.as_ref());
        let found = candidates.iter().find_map(|wanted| {
            self.ctx.data.datamodels.iter().find(|(name, _)| name.eq_ignore_ascii_case(wanted))
        });
        let Some((name, rows)) = found else { return Ok(Vec::new()) };
        let prefixes: Vec<&str> = name.split('.').collect();
        let node = name.split_once('.').map_or(name.as_str(), |(_, d)| d);
        Ok(rows.iter().map(|row| prefixed(row, &prefixes, node)).collect())
    }
}

/// The test's `datamodels:` keys that `from datamodel=X` may mean, best first:
/// `Model.Dataset` as written; for a bare model, the `nodename=` of the where clause,
/// then the root dataset (`Web` is `Web.Web`), then the bare name.
fn dataset_names(model: &str, clause: Option<&SearchExpr>) -> Vec<String> {
    if model.contains('.') {
        return vec![model.to_owned()];
    }
    let mut names = Vec::new();
    if let Some(node) = clause.and_then(nodename) {
        names.push(format!("{model}.{node}"));
    }
    names.push(format!("{model}.{model}"));
    names.push(model.to_owned());
    names
}

/// The value of `nodename=X` in a where clause.
fn nodename(clause: &SearchExpr) -> Option<String> {
    match clause {
        SearchExpr::Compare(c) if c.field.text.eq_ignore_ascii_case("nodename") => {
            Some(c.value.text.clone())
        }
        SearchExpr::And { operands, .. } => operands.iter().find_map(nodename),
        SearchExpr::Group { inner, .. } => nodename(inner),
        _ => None,
    }
}

/// The options of a `tstats` that change its result.
struct TstatsOptions<'a> {
    /// `span=` of the `by _time` bins.
    span: Option<&'a Word>,
    /// `fillnull_value=`: what a missing `by` field reads as (otherwise the row is dropped).
    fillnull: Option<&'a str>,
}

impl<'a> TstatsOptions<'a> {
    fn read(t: &'a TstatsCommand) -> Result<Self, EvalError> {
        let mut options = TstatsOptions { span: None, fillnull: None };
        for option in &t.options {
            match option.key.text.to_ascii_lowercase().as_str() {
                "span" => options.span = Some(&option.value),
                "fillnull_value" => options.fillnull = Some(&option.value.text),
                key if HARMLESS.contains(&key) => {}
                _ => {
                    let what = format!("the `tstats` option `{}`", option.key.text);
                    return Err(unsupported(&what, option.span));
                }
            }
        }
        Ok(options)
    }
}

/// Gives every missing `by` field the `fillnull_value`.
fn fill_by_fields(rows: Vec<Row>, by: &[Name], fill: &str) -> Vec<Row> {
    rows.into_iter()
        .map(|mut row| {
            for field in by {
                if row.get(&field.text).is_none_or(Value::is_null) {
                    row.set(field.text.clone(), Value::str(fill));
                }
            }
            row
        })
        .collect()
}

/// A dataset row with each field under every prefix (and `_` fields bare); `nodename` is
/// the dataset's path below the model, for `where nodename=...`.
fn prefixed(row: &Row, prefixes: &[&str], node: &str) -> Row {
    let mut out = Row::new();
    out.set("nodename", Value::str(node));
    for (name, value) in row.iter() {
        if name.starts_with('_') {
            out.set(name, super::prepare_time(name, value.clone()));
            continue;
        }
        for prefix in prefixes {
            out.set(format!("{prefix}.{name}"), value.clone());
        }
    }
    out
}
