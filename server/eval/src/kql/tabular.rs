//! Pipelines and the row-by-row operators: `where`, `extend`, `project*`, `sort`, `top`,
//! `take`, `distinct`, `count`, `mv-expand`, and the sources `datatable`, `print`, `union`.

use std::collections::HashSet;

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{
    Expr, NamedExpr, NullsPlacement, Pipeline, ProjectFlavor, SortKey, SortOrder, Source,
    Statement, TabularOperator,
};
use serde_json::Value as Json;

use super::compare::{group_key, sort_order, truthy};
use super::scope::{Binding, Evaluator, err_at};
use crate::EvalError;
use crate::table::{Column, Row, Table};
use crate::value::Value;

type T = Result<Table, EvalError>;

impl Evaluator<'_> {
    /// Runs a pipeline: its source, then each operator.
    pub fn pipeline(&self, p: &Pipeline) -> T {
        let mut table = match &p.source {
            Source::Expr(e) => self.tabular_expr(e)?,
            Source::Operator(op) => self.source_operator(op)?,
            Source::Input(s) => return err_at(*s, "a pipeline without a source is not supported"),
        };
        for op in &p.operators {
            table = self.operator(op, table)?;
        }
        Ok(table)
    }

    /// The table an expression names or builds (a table, a tabular `let`, a sub-query,
    /// `materialize(...)`, a tabular function call).
    pub fn tabular_expr(&self, expr: &Expr) -> T {
        match expr {
            Expr::Name(i) => self.table_named(&i.name, i.span),
            Expr::Paren { inner, .. } => self.tabular_expr(inner),
            Expr::Pipeline(p) => self.pipeline(p),
            Expr::Call { callee, args, span } => {
                match (callee.name.as_str(), self.lookup(&callee.name)) {
                    (_, Some(Binding::Function(f))) => {
                        self.with_arguments(&f, args, *span, None, || match f.body.last() {
                            Some(Statement::Tabular(p)) => self.pipeline(p),
                            _ => err_at(*span, "the function does not return a table"),
                        })
                    }
                    ("materialize" | "view", _) if args.len() == 1 => {
                        self.tabular_expr(&args[0].value)
                    }
                    ("table", _) if args.len() == 1 => {
                        let name = self.scalar(&args[0].value, None)?.to_text();
                        self.table_named(&name, *span)
                    }
                    _ => err_at(
                        callee.span,
                        format!(
                            "`{}` is not a table or tabular function that can be evaluated",
                            callee.name
                        ),
                    ),
                }
            }
            other => err_at(other.span(), "expected a table"),
        }
    }

    fn source_operator(&self, op: &TabularOperator) -> T {
        match op {
            TabularOperator::Union { params, tables, span } => {
                self.union(params, None, tables, *span)
            }
            TabularOperator::Datatable { columns, values, span } => {
                self.datatable(columns, values, *span)
            }
            TabularOperator::Print { columns, .. } => {
                let mut table = Table { columns: Vec::new(), rows: vec![Row::new()] };
                self.extend(&mut table, columns)?;
                Ok(table)
            }
            other => unsupported(other),
        }
    }

    /// Applies one pipeline stage.
    fn operator(&self, op: &TabularOperator, table: Table) -> T {
        use TabularOperator as Op;
        match op {
            Op::Where { predicate, .. } => self.filter(table, predicate),
            Op::Extend { columns, .. } => {
                let mut table = table;
                self.extend(&mut table, columns)?;
                Ok(table)
            }
            Op::Project { columns, .. } => self.project(&table, columns),
            Op::ProjectColumns { flavor, columns, span } => {
                project_columns(table, *flavor, columns, *span)
            }
            Op::ProjectRename { renames, .. } => project_rename(table, renames),
            Op::Summarize { aggregates, by, .. } => self.summarize(&table, aggregates, by),
            Op::Join { params, right, on, span } => self.join(table, params, right, on, *span),
            Op::Lookup { params, right, on, span } => {
                self.lookup_op(table, params, right, on, *span)
            }
            Op::Union { params, tables, span } => self.union(params, Some(table), tables, *span),
            Op::MvExpand { params, columns, limit, span } => {
                self.mv_expand(table, params, columns, limit.as_ref(), *span)
            }
            Op::Parse { flavor, params, source, pattern, span } => {
                self.parse_op(table, *flavor, params, source, pattern, *span)
            }
            Op::Top { count, by, .. } => {
                let n = self.count_arg(count)?;
                let mut table = self.sort(table, std::slice::from_ref(by), SortOrder::Desc)?;
                table.rows.truncate(n);
                Ok(table)
            }
            Op::Sort { keys, .. } => self.sort(table, keys, SortOrder::Desc),
            Op::Take { count, .. } => {
                let n = self.count_arg(count)?;
                let mut table = table;
                table.rows.truncate(n);
                Ok(table)
            }
            Op::Distinct { columns, span } => self.distinct(table, columns, *span),
            Op::Count { .. } => {
                let mut out = Table {
                    columns: vec![Column::typed("Count", qlint_knowledge::ScalarType::Long)],
                    rows: Vec::new(),
                };
                out.rows.push(
                    [("Count".to_string(), Value::Long(table.rows.len() as i64))]
                        .into_iter()
                        .collect(),
                );
                Ok(out)
            }
            Op::Serialize { columns, .. } => {
                let mut table = table;
                self.extend(&mut table, columns)?;
                Ok(table)
            }
            Op::Render { .. } => Ok(table),
            other => unsupported(other),
        }
    }

    fn count_arg(&self, expr: &Expr) -> Result<usize, EvalError> {
        match super::compare::scalarize(self.scalar(expr, None)?) {
            Value::Long(n) if n >= 0 => Ok(n as usize),
            _ => err_at(expr.span(), "expected a row count"),
        }
    }

    fn filter(&self, mut table: Table, predicate: &Expr) -> T {
        let mut kept = Vec::with_capacity(table.rows.len());
        for row in table.rows {
            if truthy(&self.scalar(predicate, Some(&row))?) {
                kept.push(row);
            }
        }
        table.rows = kept;
        Ok(table)
    }

    /// `extend`: each column is computed in order, so later ones see earlier ones.
    pub fn extend(&self, table: &mut Table, columns: &[NamedExpr]) -> Result<(), EvalError> {
        for (i, item) in columns.iter().enumerate() {
            let name = output_name(item, i, table);
            for row in &mut table.rows {
                let value = self.scalar(&item.expr, Some(row))?;
                row.set(&name, value);
            }
            replace_column(table, Column::untyped(&name));
        }
        Ok(())
    }

    fn project(&self, table: &Table, columns: &[NamedExpr]) -> T {
        let mut out = Table::default();
        let mut names = Vec::new();
        for (i, item) in columns.iter().enumerate() {
            let name = output_name(item, i, &out);
            let ty = match &item.expr {
                Expr::Name(n) if item.names.is_empty() => table.column(&n.name).and_then(|c| c.ty),
                _ => None,
            };
            out.add_column(Column { name: name.clone(), ty });
            names.push(name);
        }
        for row in &table.rows {
            let mut new = Row::new();
            for (item, name) in columns.iter().zip(&names) {
                new.set(name, self.scalar(&item.expr, Some(row))?);
            }
            out.rows.push(new);
        }
        Ok(out)
    }

    fn sort(&self, mut table: Table, keys: &[SortKey], default: SortOrder) -> T {
        let mut keyed = Vec::with_capacity(table.rows.len());
        for row in table.rows {
            let values = keys
                .iter()
                .map(|k| self.scalar(&k.expr, Some(&row)))
                .collect::<Result<Vec<_>, _>>()?;
            keyed.push((values, row));
        }
        keyed.sort_by(|(a, _), (b, _)| {
            keys.iter().zip(a.iter().zip(b)).fold(
                std::cmp::Ordering::Equal,
                |acc, (key, (x, y))| {
                    acc.then_with(|| {
                        let desc = key.order.unwrap_or(default) == SortOrder::Desc;
                        let nulls_first = match key.nulls {
                            Some(NullsPlacement::First) => !desc,
                            Some(NullsPlacement::Last) => desc,
                            None => true,
                        };
                        let o = sort_order(x, y, nulls_first);
                        if desc { o.reverse() } else { o }
                    })
                },
            )
        });
        table.rows = keyed.into_iter().map(|(_, row)| row).collect();
        Ok(table)
    }

    fn distinct(&self, table: Table, columns: &[NamedExpr], span: Span) -> T {
        if columns.len() == 1 && matches!(columns[0].expr, Expr::Star(_)) {
            let mut seen = HashSet::new();
            let mut out = Table { columns: table.columns.clone(), rows: Vec::new() };
            for row in table.rows {
                let key: Vec<String> = out
                    .columns
                    .iter()
                    .map(|c| group_key(row.get(&c.name).unwrap_or(&Value::Null)))
                    .collect();
                if seen.insert(key) {
                    out.rows.push(row);
                }
            }
            return Ok(out);
        }
        if columns.is_empty() {
            return err_at(span, "`distinct` needs columns");
        }
        let projected = self.project(&table, columns)?;
        self.distinct(projected, &[NamedExpr { names: vec![], expr: Expr::Star(span), span }], span)
    }

    fn mv_expand(
        &self,
        table: Table,
        params: &[qlint_grammar::kql::ast::OperatorParam],
        columns: &[NamedExpr],
        limit: Option<&Expr>,
        span: Span,
    ) -> T {
        if let Some(p) = params.iter().find(|p| p.name.name != "bagexpansion") {
            return err_at(
                p.span,
                format!("the `mv-expand` parameter `{}` is not supported", p.name.name),
            );
        }
        let limit = match limit {
            Some(l) => Some(self.count_arg(l)?),
            None => None,
        };
        let mut out = Table { columns: table.columns.clone(), rows: Vec::new() };
        let names: Vec<String> =
            columns.iter().enumerate().map(|(i, c)| output_name(c, i, &out)).collect();
        for name in &names {
            replace_column(&mut out, Column::untyped(name));
        }
        for row in &table.rows {
            let lists = columns
                .iter()
                .map(|c| self.scalar(&c.expr, Some(row)).map(expand_items))
                .collect::<Result<Vec<_>, _>>()?;
            let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
            let n = limit.map_or(longest, |l| longest.min(l));
            for i in 0..n {
                let mut new = row.clone();
                for (name, list) in names.iter().zip(&lists) {
                    new.set(name, list.get(i).cloned().map_or(Value::Null, Value::Dynamic));
                }
                out.rows.push(new);
            }
        }
        let _ = span;
        Ok(out)
    }
}

/// The items `mv-expand` makes of a value: an array's elements, a property bag's
/// `{key: value}` pairs, a scalar as itself; nothing for an empty array or null.
fn expand_items(value: Value) -> Vec<Json> {
    match value {
        Value::Dynamic(Json::Array(items)) => items,
        Value::Dynamic(Json::Object(map)) => {
            map.into_iter().map(|(k, v)| Json::Object([(k, v)].into_iter().collect())).collect()
        }
        Value::Null | Value::Dynamic(Json::Null) => Vec::new(),
        other => vec![other.to_json()],
    }
}

/// The name of an output column: as written, else the column it reads, else `Column<n>`.
pub(crate) fn output_name(item: &NamedExpr, index: usize, table: &Table) -> String {
    if let Some(name) = item.names.first() {
        return name.name.clone();
    }
    match &item.expr {
        Expr::Name(n) => n.name.clone(),
        Expr::Member { target, name, .. } => match target.as_ref() {
            Expr::Name(t) => format!("{}_{}", t.name, name.name),
            _ => name.name.clone(),
        },
        _ => {
            let mut n = index + 1;
            while table.column(&format!("Column{n}")).is_some() {
                n += 1;
            }
            format!("Column{n}")
        }
    }
}

/// Adds `column`, or keeps the existing column's place (its type becomes unknown).
pub(crate) fn replace_column(table: &mut Table, column: Column) {
    match table.columns.iter_mut().find(|c| c.name == column.name) {
        Some(existing) => existing.ty = column.ty,
        None => table.columns.push(column),
    }
}

/// True when `name` matches `pattern`, where `*` stands for any text.
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head)
                && (0..=name.len() - head.len())
                    .filter(|i| name.is_char_boundary(head.len() + i))
                    .any(|i| wildcard_match(tail, &name[head.len() + i..]))
        }
    }
}

fn project_columns(mut table: Table, flavor: ProjectFlavor, keys: &[SortKey], span: Span) -> T {
    let patterns: Vec<&str> =
        keys.iter().filter_map(|k| k.expr.as_name().map(|n| n.name.as_str())).collect();
    if patterns.len() != keys.len() {
        return err_at(span, "only column names and wildcards are supported here");
    }
    let hit = |name: &str| patterns.iter().any(|p| wildcard_match(p, name));
    match flavor {
        ProjectFlavor::Away => table.columns.retain(|c| !hit(&c.name)),
        ProjectFlavor::Keep => table.columns.retain(|c| hit(&c.name)),
        ProjectFlavor::Reorder => {
            let mut front: Vec<Column> = Vec::new();
            for p in &patterns {
                let hits: Vec<Column> = table
                    .columns
                    .iter()
                    .filter(|c| wildcard_match(p, &c.name) && !front.contains(c))
                    .cloned()
                    .collect();
                front.extend(hits);
            }
            let rest: Vec<Column> =
                table.columns.iter().filter(|c| !front.contains(c)).cloned().collect();
            table.columns = front.into_iter().chain(rest).collect();
        }
    }
    let keep: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    for row in &mut table.rows {
        *row =
            keep.iter().map(|n| (n.clone(), row.get(n).cloned().unwrap_or(Value::Null))).collect();
    }
    Ok(table)
}

fn project_rename(mut table: Table, renames: &[NamedExpr]) -> T {
    for item in renames {
        let (Some(new), Some(old)) = (item.names.first(), item.expr.as_name()) else {
            return err_at(item.span, "expected `NewName = OldName`");
        };
        let Some(column) = table.columns.iter_mut().find(|c| c.name == old.name) else {
            return err_at(old.span, format!("unknown column `{}`", old.name));
        };
        column.name = new.name.clone();
        for row in &mut table.rows {
            let fields: Vec<(String, Value)> = row
                .iter()
                .map(|(n, v)| {
                    (if n == old.name { new.name.clone() } else { n.to_string() }, v.clone())
                })
                .collect();
            *row = fields.into_iter().collect();
        }
    }
    Ok(table)
}

/// The error for an operator outside the supported subset.
pub(crate) fn unsupported<X>(op: &TabularOperator) -> Result<X, EvalError> {
    err_at(op.span(), format!("the operator `{}` is not supported by qlint test", op.keyword()))
}
