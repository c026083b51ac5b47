//! `lookup` and `inputlookup` against the lookups a test supplies (a CSV file or rows).
//!
//! A lookup is found by the name the query writes, with or without `.csv`. Matching is exact
//! and case-sensitive (Splunk's default `case_sensitive_match = true`); several matching
//! lookup rows give multivalue outputs. With `OUTPUT`, an event without a match loses the
//! output fields; `OUTPUTNEW` only fills fields the event lacks.

use qlint_grammar::spl::ast::{InputLookupCommand, LookupCommand, LookupField, Name};

use super::search::matches;
use super::values::{elements, multivalue, text};
use super::{Pipeline, error, unsupported};
use crate::EvalError;
use crate::table::{Row, Table};

impl Pipeline<'_> {
    fn lookup_table(&self, name: &Name) -> Result<&Table, EvalError> {
        let wanted = name.text.trim_end_matches(".csv");
        self.ctx
            .data
            .lookups
            .iter()
            .find(|(n, _)| n.as_str() == name.text || n.trim_end_matches(".csv") == wanted)
            .map(|(_, t)| t)
            .ok_or_else(|| {
                error(
                    format!(
                        "lookup `{}` is not given by the test (add it under `lookups:`)",
                        name.text
                    ),
                    name.span,
                )
            })
    }

    /// `lookup table in [AS field] ... [OUTPUT|OUTPUTNEW out [AS field] ...]`.
    pub(super) fn lookup(&self, l: &LookupCommand, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
        // `local` and `update` change where Splunk runs the lookup, not its result.
        let other = l
            .options
            .iter()
            .find(|o| !["local", "update"].contains(&o.key.text.to_ascii_lowercase().as_str()));
        if let Some(o) = other {
            return Err(unsupported(&format!("the `lookup` option `{}`", o.key.text), o.span));
        }
        let Some(name) = &l.table else {
            return Err(error(
                "`lookup` needs a table",
                l.inputs.first().map_or_else(Default::default, |f| f.span),
            ));
        };
        let table = self.lookup_table(name)?;
        if l.inputs.is_empty() {
            return Err(error("`lookup` needs an input field", name.span));
        }
        let outputs = output_fields(l, table);
        let only_new =
            l.output_keyword.as_ref().is_some_and(|k| k.text.eq_ignore_ascii_case("outputnew"));
        Ok(rows.into_iter().map(|row| enrich(row, table, &l.inputs, &outputs, only_new)).collect())
    }

    /// `| inputlookup table [where clause]`: the lookup's rows (`append=t` adds them to the
    /// rows so far, `max=N` keeps the first N).
    pub(super) fn inputlookup(
        &self,
        i: &InputLookupCommand,
        span: qlint_grammar::Span,
    ) -> Result<Vec<Row>, EvalError> {
        let other = i
            .options
            .iter()
            .find(|o| !["append", "max"].contains(&o.key.text.to_ascii_lowercase().as_str()));
        if let Some(o) = other {
            return Err(unsupported(&format!("the `inputlookup` option `{}`", o.key.text), o.span));
        }
        let Some(name) = &i.table else { return Err(error("`inputlookup` needs a table", span)) };
        let mut rows = self.lookup_table(name)?.rows.clone();
        if let Some(max) = i.options.iter().find(|o| o.key.text.eq_ignore_ascii_case("max")) {
            let n: usize = max
                .value
                .text
                .parse()
                .map_err(|_| error("`max` must be a whole number", max.value.span))?;
            rows.truncate(n);
        }
        let Some(clause) = &i.where_clause else { return Ok(rows) };
        let mut kept = Vec::new();
        for row in rows {
            if matches(clause, &row, self.env.now)? {
                kept.push(row);
            }
        }
        Ok(kept)
    }
}

/// (lookup column, event field) pairs to copy; every non-input column when none are named.
fn output_fields(l: &LookupCommand, table: &Table) -> Vec<(String, String)> {
    if !l.outputs.is_empty() {
        return l.outputs.iter().map(|f| (f.field.text.clone(), event_name(f))).collect();
    }
    table
        .column_names()
        .filter(|c| !l.inputs.iter().any(|i| i.field.text == *c))
        .map(|c| (c.to_owned(), c.to_owned()))
        .collect()
}

fn event_name(f: &LookupField) -> String {
    f.alias.as_ref().unwrap_or(&f.field).text.clone()
}

fn enrich(
    mut row: Row,
    table: &Table,
    inputs: &[LookupField],
    outputs: &[(String, String)],
    only_new: bool,
) -> Row {
    let hits: Vec<&Row> = table
        .rows
        .iter()
        .filter(|candidate| {
            inputs.iter().all(|input| {
                let wanted = candidate.get(&input.field.text).and_then(text);
                let have = row.get(&event_name(input)).map(elements).unwrap_or_default();
                wanted.is_some_and(|w| have.iter().filter_map(text).any(|h| h == w))
            })
        })
        .collect();
    for (column, field) in outputs {
        if only_new && row.get(field).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let values: Vec<_> = hits.iter().filter_map(|h| h.get(column)).flat_map(elements).collect();
        if values.is_empty() {
            if !only_new {
                row.remove(field);
            }
        } else {
            row.set(field.clone(), multivalue(values));
        }
    }
    row
}
