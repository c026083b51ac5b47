//! The SPL evaluator: runs a search over a test's events, data-model rows and lookups.
//!
//! The query's macros are expanded first ([`macros`]), then it is parsed with the grammar's
//! SPL parser and its commands run in order over a list of rows. A search starts from the
//! events, newest first (Splunk's order); `| tstats` and `| inputlookup` generate their own
//! rows. Commands by family: the search clause ([`search`], [`terms`]), `where`/`eval`
//! ([`expr`], [`functions`]), statistics ([`stats`], [`aggregate`], [`tstats`]), row shaping
//! ([`fields`], [`top`], [`foreach`]), text extraction ([`extract`]), `bin` ([`bin`]), [`lookup`], subsearches
//! with `join`/`append`/`appendpipe` ([`subsearch`]). A command, option or function outside
//! that subset is an [`EvalError`] naming it, at its place in the query as written (a place
//! inside an expanded macro is the macro call).

mod aggregate;
mod bin;
mod expr;
mod extract;
mod fields;
mod foreach;
mod functions;
mod lookup;
mod macros;
mod search;
mod stats;
mod subsearch;
mod terms;
mod time;
mod top;
mod tstats;
mod values;
mod wildcard;

#[cfg(test)]
mod tests;

use qlint_grammar::Span;
use qlint_grammar::spl::ast::{Command, CommandKind, CommandOption, EvalCommand};

use crate::table::{Column, Row, Table};
use crate::value::{TICKS_PER_SECOND, Value, parse_datetime};
use crate::{EvalContext, EvalError};

use expr::Env;

/// Runs an SPL query over the context's events.
pub fn run(query: &str, ctx: &EvalContext) -> Result<Table, EvalError> {
    let expanded = macros::expand(query, ctx.knowledge);
    run_expanded(&expanded.text, ctx).map_err(|mut e| {
        if let Some(span) = &e.span {
            let original = expanded.to_original(Span::new(span.start as u32, span.end as u32));
            e.span = Some(original.start as usize..original.end as usize);
        }
        e
    })
}

fn run_expanded(text: &str, ctx: &EvalContext) -> Result<Table, EvalError> {
    let parse = qlint_grammar::spl::parse(text);
    if let Some(e) = parse.errors.first() {
        return Err(error(format!("the query does not parse: {}", e.message), e.span));
    }
    let pipeline =
        Pipeline { source: text, ctx, env: Env { now: ctx.now as f64 / TICKS_PER_SECOND as f64 } };
    let (rows, order) = pipeline.run_pipeline(&parse.tree.commands, None)?;
    Ok(into_table(rows, order))
}

/// What every command may read.
pub(crate) struct Pipeline<'a> {
    /// The expanded query text (spans point into it).
    source: &'a str,
    ctx: &'a EvalContext<'a>,
    env: Env,
}

type Step = (Vec<Row>, Option<Vec<String>>);

impl Pipeline<'_> {
    /// Runs `commands` over `input` (the events when `None`): the rows and, when a `table`
    /// shaped them last, its column order.
    fn run_pipeline(
        &self,
        commands: &[Command],
        input: Option<Vec<Row>>,
    ) -> Result<Step, EvalError> {
        let mut rows = input;
        let mut order: Option<Vec<String>> = None;
        for (i, cmd) in commands.iter().enumerate() {
            let (out, columns) = self.step(cmd, rows.take(), i == 0)?;
            rows = Some(out);
            if columns.is_some() {
                order = columns;
            }
        }
        Ok((rows.unwrap_or_default(), order))
    }

    /// The rows of a subsearch (or of `appendpipe`'s pipeline over `input`).
    fn run_search(
        &self,
        commands: &[Command],
        input: Option<Vec<Row>>,
    ) -> Result<Vec<Row>, EvalError> {
        self.run_pipeline(commands, input).map(|(rows, _)| rows)
    }

    /// The test's events, `_time` as a datetime, newest first.
    fn events(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .ctx
            .data
            .events
            .iter()
            .map(|row| {
                row.iter().map(|(n, v)| (n.to_owned(), prepare_time(n, v.clone()))).collect()
            })
            .collect();
        rows.sort_by(|a, b| {
            let t = |r: &Row| r.get("_time").and_then(values::number);
            t(b).partial_cmp(&t(a)).unwrap_or(std::cmp::Ordering::Equal)
        });
        rows
    }

    /// Runs one command; `first` commands without input generate rows.
    fn step(&self, cmd: &Command, input: Option<Vec<Row>>, first: bool) -> Result<Step, EvalError> {
        if let Some(rows) = self.generate(cmd, first)? {
            return Ok((rows, None));
        }
        let rows = input.unwrap_or_else(|| self.events());
        let env = self.env;
        let out = match &cmd.kind {
            CommandKind::Search(s) => match &s.clause {
                Some(clause) => {
                    let clause = self.resolve_subsearches(clause)?;
                    filter(rows, |row| search::matches(&clause, row, env.now))?
                }
                None => rows,
            },
            CommandKind::Where(w) => {
                functions::check(&w.expr)?;
                filter(rows, |row| expr::holds(&w.expr, row, &env))?
            }
            CommandKind::Eval(e) => {
                e.assignments.iter().try_for_each(|a| functions::check(&a.expr))?;
                eval_command(e, rows, &env)?
            }
            CommandKind::Stats(s) => stats::run(cmd, s, rows, self.source, &env)?,
            CommandKind::Fields(f) => return fields::fields(cmd, f, rows),
            CommandKind::Rename(r) => fields::rename(r, rows),
            CommandKind::Dedup(d) => fields::dedup(d, rows)?,
            CommandKind::Sort(s) => fields::sort(s, rows)?,
            CommandKind::Head(h) => fields::head(cmd, h, rows)?,
            CommandKind::FillNull(f) => fields::fillnull(f, rows)?,
            CommandKind::Rex(r) => extract::rex(cmd, r, rows)?,
            CommandKind::Regex(r) => extract::regex(cmd, r, rows)?,
            CommandKind::Convert(c) => extract::convert(c, rows)?,
            CommandKind::MvExpand(m) => extract::mv(cmd, m, rows)?,
            CommandKind::Bin(b) => bin::run(cmd, b, rows)?,
            CommandKind::Lookup(l) => self.lookup(l, rows)?,
            CommandKind::Join(j) => self.join(cmd, j, rows)?,
            CommandKind::Top(t) => top::run(cmd, t, rows, self.source)?,
            CommandKind::Foreach(f) => self.foreach(cmd, f, rows)?,
            // Writes the results to a lookup and passes them on; a test writes nothing.
            CommandKind::InputLookup(_) if cmd.name.text.eq_ignore_ascii_case("outputlookup") => {
                rows
            }
            CommandKind::InputLookup(i) => {
                let mut rows = rows;
                rows.extend(self.inputlookup(i, cmd.span)?);
                rows
            }
            CommandKind::Spath(sp) => extract::spath(sp, rows)?,
            CommandKind::Macro(m) => {
                return Err(error(
                    format!("macro `{}` is not defined in the workspace", m.name),
                    m.span,
                ));
            }
            CommandKind::Error => return Err(error("this command does not parse", cmd.span)),
            _ => {
                return Err(unsupported(
                    &format!("the command `{}`", cmd.name.text),
                    name_span(cmd),
                ));
            }
        };
        Ok((out, None))
    }

    /// The rows of a generating command (`tstats`, `inputlookup`) at the start.
    fn generate(&self, cmd: &Command, first: bool) -> Result<Option<Vec<Row>>, EvalError> {
        if cmd.name.text.eq_ignore_ascii_case("outputlookup") {
            return Ok(None);
        }
        if let CommandKind::InputLookup(i) = &cmd.kind
            && !first
            && option_flag(&i.options, "append") == Some(true)
        {
            return Ok(None);
        }
        let generating = matches!(cmd.kind, CommandKind::Tstats(_) | CommandKind::InputLookup(_));
        if generating && !first {
            return Err(unsupported(
                &format!("`{}` after the first command", cmd.name.text),
                name_span(cmd),
            ));
        }
        Ok(match &cmd.kind {
            CommandKind::Tstats(t) if cmd.name.text.eq_ignore_ascii_case("tstats") => {
                Some(self.tstats(t)?)
            }
            CommandKind::Tstats(_) => {
                return Err(unsupported(
                    &format!("the command `{}`", cmd.name.text),
                    name_span(cmd),
                ));
            }
            CommandKind::InputLookup(i) if cmd.name.text.eq_ignore_ascii_case("inputlookup") => {
                Some(self.inputlookup(i, cmd.span)?)
            }
            CommandKind::InputLookup(_) => {
                return Err(unsupported(
                    &format!("the command `{}`", cmd.name.text),
                    name_span(cmd),
                ));
            }
            _ => None,
        })
    }
}

fn name_span(cmd: &Command) -> Span {
    if cmd.name.span.start == cmd.name.span.end { cmd.span } else { cmd.name.span }
}

fn filter(
    rows: Vec<Row>,
    keep: impl Fn(&Row) -> Result<bool, EvalError>,
) -> Result<Vec<Row>, EvalError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if keep(&row)? {
            out.push(row);
        }
    }
    Ok(out)
}

/// `eval a=..., b=...`: left to right, each assignment sees the ones before it; a null
/// result removes the field.
fn eval_command(e: &EvalCommand, rows: Vec<Row>, env: &Env) -> Result<Vec<Row>, EvalError> {
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        for a in &e.assignments {
            let value = expr::eval(&a.expr, &row, env)?;
            if value.is_null() {
                row.remove(&a.field.text);
            } else {
                row.set(a.field.text.clone(), value);
            }
        }
        out.push(row);
    }
    Ok(out)
}

/// The result table: the last `table`'s columns first, then every other field in
/// first-seen order.
fn into_table(rows: Vec<Row>, order: Option<Vec<String>>) -> Table {
    let mut names = order.unwrap_or_default();
    for row in &rows {
        for n in row.names() {
            if !names.iter().any(|x| x == n) {
                names.push(n.to_owned());
            }
        }
    }
    Table { columns: names.into_iter().map(Column::untyped).collect(), rows }
}

/// `_time` as a datetime whatever the test wrote (ISO-8601 text or epoch seconds).
pub(crate) fn prepare_time(name: &str, value: Value) -> Value {
    if name != "_time" {
        return value;
    }
    match &value {
        Value::String(s) => match parse_datetime(s) {
            Some(t) => Value::DateTime(t),
            None => values::number(&value)
                .map_or(value, |n| Value::DateTime((n * TICKS_PER_SECOND as f64) as i64)),
        },
        Value::Long(_) | Value::Real(_) => values::number(&value)
            .map_or(value, |n| Value::DateTime((n * TICKS_PER_SECOND as f64) as i64)),
        _ => value,
    }
}

/// An error at `span` of the (expanded) query.
pub(crate) fn error(message: impl Into<String>, span: Span) -> EvalError {
    EvalError::at(span.start as usize..span.end as usize, message)
}

/// "`what` is not supported by the SPL evaluator", at `span`.
pub(crate) fn unsupported(what: &str, span: Span) -> EvalError {
    error(format!("{what} is not supported by the SPL evaluator"), span)
}

/// A boolean option (`t`, `true`, `1`, `f`, `false`, `0`).
pub(crate) fn option_flag(options: &[CommandOption], key: &str) -> Option<bool> {
    let option = options.iter().find(|o| o.key.text.eq_ignore_ascii_case(key))?;
    match option.value.text.to_ascii_lowercase().as_str() {
        "t" | "true" | "1" | "yes" => Some(true),
        "f" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}
