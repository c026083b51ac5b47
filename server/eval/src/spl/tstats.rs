//! `tstats` over the data-model rows a test supplies.
//!
//! A test gives `Model.Dataset` rows with bare field names (`process_name`); the query
//! names them with the dataset prefix (`Processes.process_name`). Each row is offered under
//! every name on the dataset's path (`Authentication.user` and `Failed_Authentication.user`
//! for `Authentication.Failed_Authentication`), so whichever prefix the query writes finds
//! it, and output columns are named as the query writes them, as in Splunk. Fields starting
//! with `_` (`_time`) keep their bare names. All supplied rows count as summarized, so
//! `summariesonly` does not change the result. Without `from datamodel=`, `tstats` reads the
//! events (their indexed fields).

use qlint_grammar::spl::ast::TstatsCommand;

use super::aggregate::AggSpec;
use super::bin::bin_time;
use super::expr::Env;
use super::search::matches;
use super::stats::Grouping;
use super::{Pipeline, error, unsupported};
use crate::EvalError;
use crate::table::Row;

/// Options that do not change the result over test data.
const HARMLESS: &[&str] =
    &["summariesonly", "allow_old_summaries", "chunk_size", "local", "include_reduced_buckets"];

impl Pipeline<'_> {
    /// Runs a `tstats` that starts the pipeline.
    pub(super) fn tstats(&self, t: &TstatsCommand) -> Result<Vec<Row>, EvalError> {
        if let Some(m) = t.macros.first() {
            return Err(error(
                format!("macro `{}` is not defined in the workspace", m.name),
                m.span,
            ));
        }
        let mut span = None;
        for option in &t.options {
            let key = option.key.text.to_ascii_lowercase();
            if key == "span" {
                span = Some(&option.value);
            } else if !HARMLESS.contains(&key.as_str()) {
                return Err(unsupported(
                    &format!("the `tstats` option `{}`", option.key.text),
                    option.span,
                ));
            }
        }
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
        if let Some(span) = span {
            rows = bin_time(rows, "_time", span)?;
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
        if !model.text.contains('.') {
            return Err(unsupported(
                "a data model without a dataset (write `Model.Dataset`)",
                model.span,
            ));
        }
        let Some((_, rows)) = self
            .ctx
            .data
            .datamodels
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&model.text))
        else {
            return Ok(Vec::new());
        };
        let prefixes: Vec<&str> = model.text.split('.').collect();
        Ok(rows.iter().map(|row| prefixed(row, &prefixes)).collect())
    }
}

/// A dataset row with each field under every prefix (and `_` fields bare).
fn prefixed(row: &Row, prefixes: &[&str]) -> Row {
    let mut out = Row::new();
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
