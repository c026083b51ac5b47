//! `parse` and `parse-where`: the pattern becomes an anchored regex.
//!
//! Default (`kind=simple`) semantics: literals match exactly (case-sensitively), `*` skips
//! any text, a column takes the shortest text up to the next literal (the last part, when it
//! is a column, takes the rest). Typed columns (`:long`, `:int`, `:real`, `:datetime`, ...)
//! must convert, or the row does not match. A row that does not match keeps empty (null)
//! columns with `parse` and is dropped with `parse-where`. `kind=regex` reads the literals as
//! regular expressions.

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{Expr, OperatorParam, ParseFlavor, ParsePatternPart};
use qlint_knowledge::ScalarType;

use super::scope::{Evaluator, err_at};
use super::tabular::replace_column;
use crate::EvalError;
use crate::table::{Column, Table};
use crate::value::{Value, null_of};

impl Evaluator<'_> {
    /// Runs `parse` / `parse-where` over `table`.
    pub fn parse_op(
        &self,
        mut table: Table,
        flavor: ParseFlavor,
        params: &[OperatorParam],
        source: &Expr,
        pattern: &[ParsePatternPart],
        span: Span,
    ) -> Result<Table, EvalError> {
        let regex_kind = self.parse_kind(params)?;
        let (regex_text, columns) = self.parse_regex(pattern, regex_kind)?;
        let regex = self.regex(&regex_text, span)?;
        for (name, ty) in &columns {
            replace_column(&mut table, Column { name: name.clone(), ty: Some(*ty) });
        }
        let mut kept = Vec::new();
        for mut row in table.rows {
            let text = self.scalar(source, Some(&row))?.to_text();
            let values: Option<Vec<Value>> = regex.captures(&text).and_then(|caps| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, ty))| {
                        let raw = caps.get(i + 1).map_or("", |m| m.as_str());
                        Value::from_json_typed(&serde_json::Value::String(raw.to_string()), *ty)
                            .ok()
                    })
                    .collect()
            });
            let matched = values.is_some();
            let values =
                values.unwrap_or_else(|| columns.iter().map(|(_, ty)| null_of(*ty)).collect());
            for ((name, _), v) in columns.iter().zip(values) {
                row.set(name, v);
            }
            if matched || flavor == ParseFlavor::Parse {
                kept.push(row);
            }
        }
        table.rows = kept;
        Ok(table)
    }

    fn parse_kind(&self, params: &[OperatorParam]) -> Result<bool, EvalError> {
        for p in params {
            match (p.name.name.as_str(), p.value.as_name().map(|n| n.name.as_str())) {
                ("kind", Some("simple")) => {}
                ("kind", Some("regex")) => return Ok(true),
                _ => {
                    return err_at(
                        p.span,
                        format!("the `parse` option `{}` is not supported", p.name.name),
                    );
                }
            }
        }
        Ok(false)
    }

    /// The anchored regex of a pattern and its columns with their types.
    fn parse_regex(
        &self,
        pattern: &[ParsePatternPart],
        regex_kind: bool,
    ) -> Result<(String, Vec<(String, ScalarType)>), EvalError> {
        let mut text = String::from("(?s)^");
        let mut columns = Vec::new();
        for (i, part) in pattern.iter().enumerate() {
            let last = i + 1 == pattern.len();
            match part {
                ParsePatternPart::Star(_) => text.push_str(if last { ".*" } else { ".*?" }),
                ParsePatternPart::Literal(e) => {
                    let lit = self.scalar(e, None)?.to_text();
                    text.push_str(&if regex_kind { lit } else { regex::escape(&lit) });
                }
                ParsePatternPart::Column { name, ty, span } => {
                    let ty = match ty {
                        None => ScalarType::String,
                        Some(t) => ScalarType::parse(&t.name).ok_or_else(|| {
                            EvalError::at(*span, format!("unknown type `{}`", t.name))
                        })?,
                    };
                    text.push_str(if last { "(.*)" } else { "(.*?)" });
                    columns.push((name.name.clone(), ty));
                }
            }
        }
        Ok((text, columns))
    }
}
