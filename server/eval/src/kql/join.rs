//! Operators over two or more tables: `join` (every kind), `lookup`, `union`, and the
//! `datatable` source.
//!
//! `join` without `kind=` is `innerunique`: the left side keeps the first row of each join
//! key before matching. Right columns whose names the left side has get a `1` suffix (`2`,
//! ... when that is taken too). Null keys match nothing.

use std::collections::HashMap;

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{BinaryOp, ColumnDecl, Expr, OperatorParam, Pipeline, Source};

use super::compare::group_key;
use super::scope::{Evaluator, err_at};
use super::tabular::wildcard_match;
use crate::EvalError;
use crate::table::{Column, Row, Table};
use crate::value::Value;

type T = Result<Table, EvalError>;

/// The join kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftAnti,
    RightAnti,
    LeftSemi,
    RightSemi,
}

fn kind_of(params: &[OperatorParam], default: Kind) -> Result<Kind, EvalError> {
    let Some(p) = params.iter().find(|p| p.name.name == "kind") else { return Ok(default) };
    let word = match &p.value {
        Expr::Name(n) => n.name.as_str(),
        _ => "",
    };
    Ok(match word {
        "innerunique" => Kind::InnerUnique,
        "inner" => Kind::Inner,
        "leftouter" => Kind::LeftOuter,
        "rightouter" => Kind::RightOuter,
        "fullouter" | "outer" => Kind::FullOuter,
        "leftanti" | "anti" | "leftantisemi" => Kind::LeftAnti,
        "rightanti" | "rightantisemi" => Kind::RightAnti,
        "leftsemi" | "semi" => Kind::LeftSemi,
        "rightsemi" => Kind::RightSemi,
        other => return err_at(p.span, format!("the join kind `{other}` is not supported")),
    })
}

/// `on` conditions as pairs of (left column, right column).
fn join_keys(on: &[Expr], span: Span) -> Result<Vec<(String, String)>, EvalError> {
    let side = |e: &Expr| -> Option<(bool, String)> {
        let Expr::Member { target, name, .. } = e else { return None };
        match target.as_name()?.name.as_str() {
            "$left" => Some((true, name.name.clone())),
            "$right" => Some((false, name.name.clone())),
            _ => None,
        }
    };
    let mut keys = Vec::new();
    for cond in on {
        match cond {
            Expr::Name(n) => keys.push((n.name.clone(), n.name.clone())),
            Expr::Binary { op: BinaryOp::Eq, lhs, rhs, .. } => match (side(lhs), side(rhs)) {
                (Some((true, l)), Some((false, r))) | (Some((false, r)), Some((true, l))) => {
                    keys.push((l, r))
                }
                _ => return err_at(cond.span(), "expected `$left.Column == $right.Column`"),
            },
            other => return err_at(other.span(), "this join condition is not supported"),
        }
    }
    if keys.is_empty() {
        return err_at(span, "the join has no `on` keys");
    }
    Ok(keys)
}

/// The key of a row, `None` when a key value is null.
fn row_key(row: &Row, columns: impl Iterator<Item = String>) -> Option<Vec<String>> {
    columns.map(|c| row.get(&c).filter(|v| !v.is_null()).map(group_key)).collect()
}

/// A name for `name` that `taken` does not hold: `name`, else `name1`, `name2`, ...
fn unique_name(name: &str, taken: &[Column]) -> String {
    if taken.iter().all(|c| c.name != name) {
        return name.to_string();
    }
    (1..)
        .map(|i| format!("{name}{i}"))
        .find(|n| taken.iter().all(|c| c.name != *n))
        .unwrap_or_default()
}

impl Evaluator<'_> {
    /// `join kind=... (right) on keys`.
    pub fn join(
        &self,
        left: Table,
        params: &[OperatorParam],
        right: &Pipeline,
        on: &[Expr],
        span: Span,
    ) -> T {
        let kind = kind_of(params, Kind::InnerUnique)?;
        let right = self.pipeline(right)?;
        let keys = join_keys(on, span)?;
        let mut left = left;
        if kind == Kind::InnerUnique {
            let mut seen = std::collections::HashSet::new();
            left.rows.retain(|r| match row_key(r, keys.iter().map(|k| k.0.clone())) {
                Some(k) => seen.insert(k),
                None => true,
            });
        }
        let mut index: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for (i, row) in right.rows.iter().enumerate() {
            if let Some(k) = row_key(row, keys.iter().map(|k| k.1.clone())) {
                index.entry(k).or_default().push(i);
            }
        }
        let matches: Vec<Vec<usize>> = left
            .rows
            .iter()
            .map(|r| {
                row_key(r, keys.iter().map(|k| k.0.clone()))
                    .and_then(|k| index.get(&k).cloned())
                    .unwrap_or_default()
            })
            .collect();
        Ok(combine(kind, &left, &right, &matches))
    }

    /// `lookup kind=... (right) on keys`: like a `leftouter` join, without the right keys.
    pub fn lookup_op(
        &self,
        left: Table,
        params: &[OperatorParam],
        right: &Pipeline,
        on: &[Expr],
        span: Span,
    ) -> T {
        let kind = match kind_of(params, Kind::LeftOuter)? {
            Kind::Inner => Kind::Inner,
            Kind::LeftOuter => Kind::LeftOuter,
            _ => return err_at(span, "`lookup` takes kind=leftouter or kind=inner"),
        };
        let mut right = self.pipeline(right)?;
        let keys = join_keys(on, span)?;
        let mut index: HashMap<Vec<String>, usize> = HashMap::new();
        for (i, row) in right.rows.iter().enumerate() {
            if let Some(k) = row_key(row, keys.iter().map(|k| k.1.clone())) {
                index.entry(k).or_insert(i);
            }
        }
        let matches: Vec<Vec<usize>> = left
            .rows
            .iter()
            .map(|r| {
                row_key(r, keys.iter().map(|k| k.0.clone()))
                    .and_then(|k| index.get(&k))
                    .map(|i| vec![*i])
                    .unwrap_or_default()
            })
            .collect();
        let key_names: Vec<&String> = keys.iter().map(|k| &k.1).collect();
        right.columns.retain(|c| !key_names.contains(&&c.name));
        Ok(combine(kind, &left, &right, &matches))
    }

    /// `union [withsource=Col] [kind=inner|outer] tables...`, after `first` when it is a stage.
    pub fn union(
        &self,
        params: &[OperatorParam],
        first: Option<Table>,
        tables: &[Pipeline],
        _span: Span,
    ) -> T {
        let mut parts: Vec<(String, Table)> =
            first.into_iter().map(|t| (String::new(), t)).collect();
        for (i, p) in tables.iter().enumerate() {
            parts.extend(self.union_part(p, i)?);
        }
        let mut source_column = None;
        let mut inner = false;
        for p in params {
            match (p.name.name.as_str(), &p.value) {
                ("withsource", Expr::Name(n)) => source_column = Some(n.name.clone()),
                ("kind", Expr::Name(n)) => inner = n.name == "inner",
                ("isfuzzy", _) => {}
                _ => {
                    return err_at(
                        p.span,
                        format!("the `union` parameter `{}` is not supported", p.name.name),
                    );
                }
            }
        }
        let mut out = Table::default();
        let mut seen = std::collections::HashSet::new();
        let source = source_column.iter().map(Column::untyped);
        for c in source.chain(parts.iter().flat_map(|(_, t)| t.columns.iter().cloned())) {
            if seen.insert(c.name.clone()) {
                out.columns.push(c);
            }
        }
        if inner {
            out.columns.retain(|c| {
                Some(&c.name) == source_column.as_ref()
                    || parts.iter().all(|(_, t)| t.column(&c.name).is_some())
            });
        }
        for (name, t) in parts {
            for row in t.rows {
                let mut new = Row::new();
                for c in &out.columns {
                    let value = if Some(&c.name) == source_column.as_ref() {
                        Value::str(&name)
                    } else {
                        row.get(&c.name).cloned().unwrap_or(Value::Null)
                    };
                    new.set(&c.name, value);
                }
                out.rows.push(new);
            }
        }
        Ok(out)
    }

    /// One argument of `union`: a table, a wildcard (every test table it matches), or a
    /// sub-query.
    fn union_part(&self, p: &Pipeline, i: usize) -> Result<Vec<(String, Table)>, EvalError> {
        if p.operators.is_empty()
            && let Source::Expr(Expr::Name(n)) = &p.source
        {
            if n.name.contains('*') {
                let names: Vec<&String> =
                    self.ctx.data.tables.keys().filter(|t| wildcard_match(&n.name, t)).collect();
                return Ok(names
                    .into_iter()
                    .map(|t| (t.clone(), self.ctx.data.tables[t].clone()))
                    .collect());
            }
            return Ok(vec![(n.name.clone(), self.table_named(&n.name, n.span)?)]);
        }
        Ok(vec![(format!("union_arg{i}"), self.pipeline(p)?)])
    }

    /// `datatable(schema) [values]`.
    pub fn datatable(&self, columns: &[ColumnDecl], values: &[Expr], span: Span) -> T {
        if columns.is_empty() || !values.len().is_multiple_of(columns.len()) {
            return err_at(span, "the datatable's values do not fill whole rows");
        }
        let mut table = Table::default();
        let mut types = Vec::new();
        for c in columns {
            let ty = qlint_knowledge::ScalarType::parse(&c.ty.name);
            types.push(ty);
            table.add_column(Column { name: c.name.name.clone(), ty });
        }
        for chunk in values.chunks(columns.len()) {
            let mut row = Row::new();
            for ((c, ty), e) in columns.iter().zip(&types).zip(chunk) {
                let v = self.scalar(e, None)?;
                let v = match (ty, v) {
                    (Some(t), Value::String(s)) if *t != qlint_knowledge::ScalarType::String => {
                        Value::from_json_typed(&serde_json::Value::String(s), *t)
                            .unwrap_or(Value::Null)
                    }
                    (Some(qlint_knowledge::ScalarType::Dynamic), v) => Value::Dynamic(v.to_json()),
                    (Some(qlint_knowledge::ScalarType::Real), Value::Long(i)) => {
                        Value::Real(i as f64)
                    }
                    (_, v) => v,
                };
                row.set(&c.name.name, v);
            }
            table.rows.push(row);
        }
        Ok(table)
    }
}

/// Builds the joined table from each left row's matching right rows.
fn combine(kind: Kind, left: &Table, right: &Table, matches: &[Vec<usize>]) -> Table {
    match kind {
        Kind::LeftSemi | Kind::LeftAnti => {
            let want = kind == Kind::LeftSemi;
            let rows = left
                .rows
                .iter()
                .zip(matches)
                .filter(|(_, m)| m.is_empty() != want)
                .map(|(r, _)| r.clone())
                .collect();
            return Table { columns: left.columns.clone(), rows };
        }
        Kind::RightSemi | Kind::RightAnti => {
            let hit: std::collections::HashSet<usize> = matches.iter().flatten().copied().collect();
            let want = kind == Kind::RightSemi;
            let rows = right
                .rows
                .iter()
                .enumerate()
                .filter(|(i, _)| hit.contains(i) == want)
                .map(|(_, r)| r.clone())
                .collect();
            return Table { columns: right.columns.clone(), rows };
        }
        _ => {}
    }
    let mut columns = left.columns.clone();
    let mut renamed = Vec::new();
    for c in &right.columns {
        let name = unique_name(&c.name, &columns);
        renamed.push((c.name.clone(), name.clone()));
        columns.push(Column { name, ty: c.ty });
    }
    let joined = |l: Option<&Row>, r: Option<&Row>| -> Row {
        let mut row = Row::new();
        for c in &left.columns {
            row.set(&c.name, l.and_then(|l| l.get(&c.name)).cloned().unwrap_or(Value::Null));
        }
        for (old, new) in &renamed {
            row.set(new, r.and_then(|r| r.get(old)).cloned().unwrap_or(Value::Null));
        }
        row
    };
    let mut rows = Vec::new();
    let mut right_used = vec![false; right.rows.len()];
    for (l, m) in left.rows.iter().zip(matches) {
        for &i in m {
            right_used[i] = true;
            rows.push(joined(Some(l), Some(&right.rows[i])));
        }
        if m.is_empty() && matches!(kind, Kind::LeftOuter | Kind::FullOuter) {
            rows.push(joined(Some(l), None));
        }
    }
    if matches!(kind, Kind::RightOuter | Kind::FullOuter) {
        for (i, r) in right.rows.iter().enumerate() {
            if !right_used[i] {
                rows.push(joined(None, Some(r)));
            }
        }
    }
    Table { columns, rows }
}
