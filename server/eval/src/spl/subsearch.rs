//! Subsearches: `[ ... ]` inside a search clause, `join`, `append` and `appendpipe`.
//!
//! A subsearch runs over the same test data as the outer search. In a search clause its
//! rows become a condition the way Splunk's implicit `format` writes it: one row is the
//! `AND` of its fields (`field="value"`, fields starting with `_` left out), the rows are
//! joined by `OR`, and no rows match nothing (`NOT ()`).

use qlint_grammar::Span;
use qlint_grammar::spl::ast::{
    Command, CompareOp, FieldComparison, JoinCommand, Name, SearchExpr, Subsearch, Value as Word,
};

use super::values::{elements, text};
use super::{Pipeline, error, option_flag, unsupported};
use crate::EvalError;
use crate::table::Row;

impl Pipeline<'_> {
    /// The clause with every subsearch replaced by the condition its rows give.
    pub(super) fn resolve_subsearches(&self, clause: &SearchExpr) -> Result<SearchExpr, EvalError> {
        let map = |items: &[SearchExpr]| -> Result<Vec<SearchExpr>, EvalError> {
            items.iter().map(|e| self.resolve_subsearches(e)).collect()
        };
        Ok(match clause {
            SearchExpr::Subsearch(sub) => condition(&self.subsearch_rows(sub)?, sub.span),
            SearchExpr::And { operands, span } => {
                SearchExpr::And { operands: map(operands)?, span: *span }
            }
            SearchExpr::Or { operands, span } => {
                SearchExpr::Or { operands: map(operands)?, span: *span }
            }
            SearchExpr::Not { operand, span } => SearchExpr::Not {
                operand: Box::new(self.resolve_subsearches(operand)?),
                span: *span,
            },
            SearchExpr::Group { inner, span } => {
                SearchExpr::Group { inner: Box::new(self.resolve_subsearches(inner)?), span: *span }
            }
            other => other.clone(),
        })
    }

    fn subsearch_rows(&self, sub: &Subsearch) -> Result<Vec<Row>, EvalError> {
        self.run_search(&sub.search.commands, None)
    }

    /// `join [type=inner|left|outer] [max=1] fields [subsearch]`, `append [subsearch]`,
    /// `appendpipe [pipeline over the current rows]`.
    pub(super) fn join(
        &self,
        cmd: &Command,
        j: &JoinCommand,
        rows: Vec<Row>,
    ) -> Result<Vec<Row>, EvalError> {
        let Some(sub) = &j.subsearch else {
            return Err(error(format!("`{}` needs a subsearch", cmd.name.text), cmd.span));
        };
        match cmd.name.text.to_ascii_lowercase().as_str() {
            "append" => {
                check_options(j, &[])?;
                let mut out = rows;
                out.extend(self.subsearch_rows(sub)?);
                Ok(out)
            }
            "appendpipe" => {
                check_options(j, &[])?;
                let extra = self.run_search(&sub.search.commands, Some(rows.clone()))?;
                let mut out = rows;
                out.extend(extra);
                Ok(out)
            }
            "join" => self.join_rows(j, rows, self.subsearch_rows(sub)?),
            _ => Err(unsupported(&format!("the command `{}`", cmd.name.text), cmd.name.span)),
        }
    }

    fn join_rows(
        &self,
        j: &JoinCommand,
        rows: Vec<Row>,
        right: Vec<Row>,
    ) -> Result<Vec<Row>, EvalError> {
        check_options(j, &["type", "max", "overwrite", "usetime", "earlier"])?;
        let Some(first) = j.fields.first() else {
            return Err(unsupported(
                "`join` without join fields",
                j.subsearch.as_ref().map_or_else(Span::default, |s| s.span),
            ));
        };
        let kind =
            option_text(j, "type").unwrap_or_else(|| "inner".to_owned()).to_ascii_lowercase();
        let keep_unmatched = match kind.as_str() {
            "inner" => false,
            "left" | "outer" => true,
            other => {
                return Err(error(
                    format!("`type={other}` is not a join type (inner, left, outer)"),
                    first.span,
                ));
            }
        };
        let max = match option_text(j, "max") {
            Some(m) => {
                m.parse::<usize>().map_err(|_| error("`max` must be a whole number", first.span))?
            }
            None => 1,
        };
        let overwrite = option_flag(&j.options, "overwrite").unwrap_or(true);
        let mut out = Vec::new();
        for row in rows {
            let matches: Vec<&Row> =
                right.iter().filter(|r| same_fields(&row, r, &j.fields)).collect();
            let limit = if max == 0 { matches.len() } else { max };
            if matches.is_empty() && keep_unmatched {
                out.push(row.clone());
            }
            for m in matches.into_iter().take(limit) {
                out.push(merge(&row, m, overwrite));
            }
        }
        Ok(out)
    }
}

fn check_options(j: &JoinCommand, allowed: &[&str]) -> Result<(), EvalError> {
    for o in &j.options {
        if !allowed.contains(&o.key.text.to_ascii_lowercase().as_str()) {
            return Err(unsupported(&format!("the option `{}`", o.key.text), o.span));
        }
    }
    Ok(())
}

fn option_text(j: &JoinCommand, key: &str) -> Option<String> {
    j.options.iter().find(|o| o.key.text.eq_ignore_ascii_case(key)).map(|o| o.value.text.clone())
}

/// Join fields equal as text (case-sensitive), present on both sides.
fn same_fields(left: &Row, right: &Row, fields: &[Name]) -> bool {
    fields.iter().all(|f| {
        let (a, b) = (left.get(&f.text).and_then(text), right.get(&f.text).and_then(text));
        a.is_some() && a == b
    })
}

fn merge(left: &Row, right: &Row, overwrite: bool) -> Row {
    let mut out = left.clone();
    for (name, value) in right.iter() {
        if overwrite || left.get(name).is_none() {
            out.set(name, value.clone());
        }
    }
    out
}

/// The search condition a subsearch's rows stand for.
fn condition(rows: &[Row], span: Span) -> SearchExpr {
    let alternatives: Vec<SearchExpr> =
        rows.iter().filter_map(|row| row_condition(row, span)).collect();
    match alternatives.len() {
        // `NOT ()`: matches nothing.
        0 => SearchExpr::Not { operand: Box::new(SearchExpr::Term(match_all(span))), span },
        1 => alternatives.into_iter().next().expect("one"),
        _ => SearchExpr::Or { operands: alternatives, span },
    }
}

fn match_all(span: Span) -> qlint_grammar::spl::ast::Term {
    qlint_grammar::spl::ast::Term { text: "*".to_owned(), span, quoted: false }
}

/// `a="1" b="x"` of one row (a multivalue field: any of its values).
fn row_condition(row: &Row, span: Span) -> Option<SearchExpr> {
    let mut parts = Vec::new();
    for (name, value) in row.iter().filter(|(n, _)| !n.starts_with('_')) {
        let options: Vec<SearchExpr> =
            elements(value).iter().filter_map(text).map(|v| compare(name, &v, span)).collect();
        match options.len() {
            0 => {}
            1 => parts.extend(options),
            _ => parts.push(SearchExpr::Or { operands: options, span }),
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(SearchExpr::And { operands: parts, span }),
    }
}

fn compare(field: &str, value: &str, span: Span) -> SearchExpr {
    SearchExpr::Compare(FieldComparison {
        field: Name { text: field.to_owned(), span, quoted: false },
        op: CompareOp::Eq,
        op_span: span,
        value: Word { text: value.to_owned(), span, quoted: true },
        span,
    })
}
