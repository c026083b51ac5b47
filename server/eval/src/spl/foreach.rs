//! `foreach fields [ template ]`: the template pipeline once per matching field, with
//! `<<FIELD>>` (the field's name) and `<<MATCHSTR>>` (what the field list's `*` matched)
//! substituted.

use qlint_grammar::spl::ast::{Command, ForeachCommand};

use super::wildcard::wildcard_match;
use super::{Pipeline, error, unsupported};
use crate::EvalError;
use crate::table::Row;

impl Pipeline<'_> {
    /// Runs `foreach` over `rows`.
    pub(super) fn foreach(
        &self,
        cmd: &Command,
        f: &ForeachCommand,
        rows: Vec<Row>,
    ) -> Result<Vec<Row>, EvalError> {
        if let Some(o) = f.options.first() {
            let multifield = o.key.text.eq_ignore_ascii_case("mode")
                && o.value.text.eq_ignore_ascii_case("multifield");
            if !multifield || f.options.len() > 1 {
                return Err(unsupported(&format!("the `foreach` option `{}`", o.key.text), o.span));
            }
        }
        let Some(template) = &f.template else {
            return Err(error("`foreach` needs a template in brackets", cmd.span));
        };
        let inner = self
            .source
            .get(template.span.start as usize + 1..(template.span.end as usize).saturating_sub(1))
            .unwrap_or("");
        let mut rows = rows;
        for (field, matched) in self.foreach_fields(f, &rows) {
            let text = inner.replace("<<FIELD>>", &field).replace("<<MATCHSTR>>", &matched);
            rows = self.run_template(&text, rows).map_err(|mut e| {
                e.span = Some(template.span.start as usize..template.span.end as usize);
                e
            })?;
        }
        Ok(rows)
    }

    /// Every field of the rows that the list names, with what its `*` matched.
    fn foreach_fields(&self, f: &ForeachCommand, rows: &[Row]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for pattern in &f.fields {
            for row in rows {
                for name in row.names() {
                    if wildcard_match(&pattern.text, name, false)
                        && !out.iter().any(|(n, _)| n == name)
                    {
                        out.push((name.to_owned(), star_match(&pattern.text, name)));
                    }
                }
            }
            if !pattern.has_wildcard() && !out.iter().any(|(n, _)| *n == pattern.text) {
                out.push((pattern.text.clone(), String::new()));
            }
        }
        out
    }

    fn run_template(&self, text: &str, rows: Vec<Row>) -> Result<Vec<Row>, EvalError> {
        let parse = qlint_grammar::spl::parse(text);
        if let Some(e) = parse.errors.first() {
            return Err(error(
                format!("the `foreach` template does not parse: {}", e.message),
                e.span,
            ));
        }
        let nested = Pipeline { source: text, ctx: self.ctx, env: self.env };
        nested.run_search(&parse.tree.commands, Some(rows))
    }
}

/// The text a single `*` of `pattern` stands for in `name` (empty without one).
fn star_match(pattern: &str, name: &str) -> String {
    match pattern.split_once('*') {
        Some((head, tail)) if !tail.contains('*') => {
            name.get(head.len()..name.len().saturating_sub(tail.len())).unwrap_or("").to_owned()
        }
        _ => String::new(),
    }
}
