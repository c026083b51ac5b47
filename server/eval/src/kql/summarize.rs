//! `summarize`: groups by the `by` expressions, aggregations per group.
//!
//! An aggregate column may be an expression over aggregations (`round(avg(x), 2)`): each
//! aggregation call is computed per group and the expression evaluated with those values.
//! `dcount` is exact here (Kusto's is an estimate); `make_set` keeps first-seen order.

use std::collections::HashMap;

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{Arg, Expr, NamedExpr, Visitor, walk_expr};
use serde_json::Value as Json;

use super::compare::{as_f64, group_key, order, scalarize, truthy};
use super::scope::{Evaluator, err_at};
use super::tabular::output_name;
use crate::EvalError;
use crate::table::{Column, Row, Table};
use crate::value::Value;

/// True for the aggregation functions `summarize` understands.
pub(crate) fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "countif"
            | "dcount"
            | "dcountif"
            | "count_distinct"
            | "sum"
            | "sumif"
            | "min"
            | "max"
            | "minif"
            | "maxif"
            | "avg"
            | "avgif"
            | "make_set"
            | "make_set_if"
            | "make_list"
            | "make_list_if"
            | "take_any"
            | "any"
            | "arg_max"
            | "arg_min"
    )
}

struct Group {
    keys: Row,
    rows: Vec<Row>,
}

impl Evaluator<'_> {
    /// Runs `summarize aggregates by groups` over `table`.
    pub fn summarize(
        &self,
        table: &Table,
        aggregates: &[NamedExpr],
        by: &[NamedExpr],
    ) -> Result<Table, EvalError> {
        let by_names: Vec<String> =
            by.iter().enumerate().map(|(i, b)| by_name(b, i, table)).collect();
        let groups = self.groups(table, by, &by_names)?;
        let mut out = Table::default();
        for name in &by_names {
            out.add_column(Column::untyped(name));
        }
        let mut rows = Vec::new();
        for group in groups {
            let mut row = group.keys.clone();
            for (i, item) in aggregates.iter().enumerate() {
                for (name, value) in self.aggregate_column(item, i, &group, table, &by_names)? {
                    out.add_column(Column::untyped(&name));
                    row.set(name, value);
                }
            }
            rows.push(row);
        }
        if rows.is_empty() && by.is_empty() {
            let empty = Group { keys: Row::new(), rows: Vec::new() };
            let mut row = Row::new();
            for (i, item) in aggregates.iter().enumerate() {
                for (name, value) in self.aggregate_column(item, i, &empty, table, &by_names)? {
                    out.add_column(Column::untyped(&name));
                    row.set(name, value);
                }
            }
            rows.push(row);
        }
        out.rows = rows;
        Ok(out)
    }

    fn groups(
        &self,
        table: &Table,
        by: &[NamedExpr],
        names: &[String],
    ) -> Result<Vec<Group>, EvalError> {
        let mut index: HashMap<Vec<String>, usize> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for row in &table.rows {
            let values = by
                .iter()
                .map(|b| self.scalar(&b.expr, Some(row)))
                .collect::<Result<Vec<_>, _>>()?;
            let key: Vec<String> = values.iter().map(group_key).collect();
            let at = *index.entry(key).or_insert_with(|| {
                let keys = names.iter().cloned().zip(values.iter().cloned()).collect();
                groups.push(Group { keys, rows: Vec::new() });
                groups.len() - 1
            });
            groups[at].rows.push(row.clone());
        }
        Ok(groups)
    }

    /// The output columns of one aggregate item for one group.
    fn aggregate_column(
        &self,
        item: &NamedExpr,
        index: usize,
        group: &Group,
        table: &Table,
        by: &[String],
    ) -> Result<Vec<(String, Value)>, EvalError> {
        if let Expr::Call { callee, args, span } = &item.expr
            && matches!(callee.name.as_str(), "arg_max" | "arg_min")
            && self.lookup(&callee.name).is_none()
        {
            return self.arg_extreme(callee.name == "arg_max", args, *span, group, table, by, item);
        }
        let name = item
            .names
            .first()
            .map(|n| n.name.clone())
            .unwrap_or_else(|| aggregate_name(&item.expr, index));
        let calls = aggregate_calls(&item.expr, |n| self.lookup(n).is_none());
        let mut values = HashMap::new();
        for (callee, args, span) in calls {
            values.insert(span, self.aggregate(&callee, &args, span, &group.rows)?);
        }
        *self.aggregates.borrow_mut() = values;
        let value = self.scalar(&item.expr, Some(&group.keys));
        self.aggregates.borrow_mut().clear();
        Ok(vec![(name, value?)])
    }

    /// One aggregation over `rows`.
    fn aggregate(
        &self,
        name: &str,
        args: &[Arg],
        span: Span,
        rows: &[Row],
    ) -> Result<Value, EvalError> {
        let arg = |i: usize| -> Result<Vec<Value>, EvalError> {
            let Some(a) = args.get(i) else {
                return err_at(span, format!("`{name}` is missing an argument"));
            };
            rows.iter().map(|r| self.scalar(&a.value, Some(r))).collect()
        };
        let with_if = |values: Vec<Value>, pred: usize| -> Result<Vec<Value>, EvalError> {
            let keep = arg(pred)?;
            Ok(values.into_iter().zip(keep).filter(|(_, k)| truthy(k)).map(|(v, _)| v).collect())
        };
        let limit = |i: usize| -> Result<usize, EvalError> {
            match args.get(i) {
                Some(a) => match scalarize(self.scalar(&a.value, None)?) {
                    Value::Long(n) if n > 0 => Ok(n as usize),
                    _ => err_at(a.span, "expected a positive size limit"),
                },
                None => Ok(1_048_576),
            }
        };
        Ok(match name {
            "count" => Value::Long(rows.len() as i64),
            "countif" => Value::Long(arg(0)?.iter().filter(|v| truthy(v)).count() as i64),
            "dcount" | "count_distinct" => distinct_count(arg(0)?),
            "dcountif" => distinct_count(with_if(arg(0)?, 1)?),
            "sum" => sum(arg(0)?),
            "sumif" => sum(with_if(arg(0)?, 1)?),
            "avg" => avg(arg(0)?),
            "avgif" => avg(with_if(arg(0)?, 1)?),
            "min" => extreme(arg(0)?, std::cmp::Ordering::Less),
            "max" => extreme(arg(0)?, std::cmp::Ordering::Greater),
            "minif" => extreme(with_if(arg(0)?, 1)?, std::cmp::Ordering::Less),
            "maxif" => extreme(with_if(arg(0)?, 1)?, std::cmp::Ordering::Greater),
            "make_set" | "makeset" => make_set(arg(0)?, limit(1)?),
            "make_bag" => make_bag(arg(0)?),
            "make_set_if" => make_set(with_if(arg(0)?, 1)?, limit(2)?),
            "make_list" | "makelist" => make_list(arg(0)?, limit(1)?),
            "make_list_if" => make_list(with_if(arg(0)?, 1)?, limit(2)?),
            "take_any" | "any" => arg(0)?.into_iter().find(|v| !v.is_null()).unwrap_or(Value::Null),
            _ => return err_at(span, format!("the aggregation `{name}` is not supported")),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn arg_extreme(
        &self,
        max: bool,
        args: &[Arg],
        span: Span,
        group: &Group,
        table: &Table,
        by: &[String],
        item: &NamedExpr,
    ) -> Result<Vec<(String, Value)>, EvalError> {
        let Some(key) = args.first() else {
            return err_at(span, "`arg_max`/`arg_min` need an expression");
        };
        let want = if max { std::cmp::Ordering::Greater } else { std::cmp::Ordering::Less };
        let mut best: Option<(Value, &Row)> = None;
        for row in &group.rows {
            let v = self.scalar(&key.value, Some(row))?;
            if v.is_null() {
                continue;
            }
            if best.as_ref().is_none_or(|(b, _)| order(&v, b) == Some(want)) {
                best = Some((v, row));
            }
        }
        let key_name =
            item.names.first().map(|n| n.name.clone()).unwrap_or_else(|| match &key.value {
                Expr::Name(n) => n.name.clone(),
                _ => format!("{}_", if max { "max" } else { "min" }),
            });
        let mut out =
            vec![(key_name.clone(), best.as_ref().map_or(Value::Null, |(v, _)| v.clone()))];
        let best_row = best.map(|(_, r)| r);
        let cell = |name: &str| best_row.and_then(|r| r.get(name)).cloned().unwrap_or(Value::Null);
        for a in &args[1..] {
            match &a.value {
                Expr::Star(_) => {
                    for c in &table.columns {
                        if c.name != key_name && !by.contains(&c.name) {
                            out.push((c.name.clone(), cell(&c.name)));
                        }
                    }
                }
                Expr::Name(n) => out.push((n.name.clone(), cell(&n.name))),
                other => {
                    let name = a
                        .name
                        .as_ref()
                        .map_or_else(|| format!("Column{}", out.len()), |n| n.name.clone());
                    let value = match best_row {
                        Some(r) => self.scalar(other, Some(r))?,
                        None => Value::Null,
                    };
                    out.push((name, value));
                }
            }
        }
        Ok(out)
    }
}

/// The name of a `by` column: as written, the column read (also inside `bin`/`floor`), else
/// `Column<n>`.
fn by_name(item: &NamedExpr, index: usize, table: &Table) -> String {
    if item.names.is_empty()
        && let Expr::Call { callee, args, .. } = &item.expr
        && matches!(callee.name.as_str(), "bin" | "floor")
        && let Some(Expr::Name(n)) = args.first().map(|a| &a.value)
    {
        return n.name.clone();
    }
    output_name(item, index, table)
}

/// Kusto's default names: `count_`, `dcount_X`, `set_X`, `list_X`, `any_X`, `sum_X`, ...
fn aggregate_name(expr: &Expr, index: usize) -> String {
    let Expr::Call { callee, args, .. } = expr else { return format!("Column{}", index + 1) };
    let prefix = match callee.name.as_str() {
        "make_set" | "make_set_if" | "makeset" => "set",
        "make_list" | "make_list_if" | "makelist" => "list",
        "make_bag" => "bag",
        "take_any" => "any",
        other => other,
    };
    match args.first().map(|a| &a.value) {
        Some(Expr::Name(n)) if !matches!(callee.name.as_str(), "countif") => {
            format!("{prefix}_{}", n.name)
        }
        _ => format!("{prefix}_"),
    }
}

/// Every aggregation call in `expr` (outermost ones; not nested inside another).
fn aggregate_calls(
    expr: &Expr,
    is_builtin: impl Fn(&str) -> bool,
) -> Vec<(String, Vec<Arg>, Span)> {
    struct Finder<'f> {
        found: Vec<(String, Vec<Arg>, Span)>,
        is_builtin: &'f dyn Fn(&str) -> bool,
    }
    impl Visitor for Finder<'_> {
        fn visit_expr(&mut self, expr: &Expr) {
            match expr {
                Expr::Call { callee, args, span }
                    if is_aggregate(&callee.name) && (self.is_builtin)(&callee.name) =>
                {
                    self.found.push((callee.name.clone(), args.clone(), *span));
                }
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder { found: Vec::new(), is_builtin: &is_builtin };
    finder.visit_expr(expr);
    finder.found
}

fn non_null(values: Vec<Value>) -> impl Iterator<Item = Value> {
    values.into_iter().map(scalarize).filter(|v| !v.is_null())
}

fn distinct_count(values: Vec<Value>) -> Value {
    let keys: std::collections::HashSet<String> = non_null(values).map(|v| group_key(&v)).collect();
    Value::Long(keys.len() as i64)
}

fn sum(values: Vec<Value>) -> Value {
    let values: Vec<Value> = non_null(values).collect();
    if values.iter().all(|v| matches!(v, Value::Long(_))) {
        return Value::Long(
            values.iter().map(|v| if let Value::Long(i) = v { *i } else { 0 }).sum(),
        );
    }
    if values.iter().all(|v| matches!(v, Value::Timespan(_))) {
        return Value::Timespan(
            values.iter().map(|v| if let Value::Timespan(t) = v { *t } else { 0 }).sum(),
        );
    }
    Value::Real(values.iter().filter_map(as_f64).sum())
}

fn avg(values: Vec<Value>) -> Value {
    let numbers: Vec<f64> = non_null(values).filter_map(|v| as_f64(&v)).collect();
    if numbers.is_empty() {
        return Value::Null;
    }
    Value::Real(numbers.iter().sum::<f64>() / numbers.len() as f64)
}

fn extreme(values: Vec<Value>, want: std::cmp::Ordering) -> Value {
    non_null(values).fold(Value::Null, |best, v| {
        if best.is_null() || order(&v, &best) == Some(want) { v } else { best }
    })
}

fn make_set(values: Vec<Value>, limit: usize) -> Value {
    let mut seen = std::collections::HashSet::new();
    let mut items = Vec::new();
    for v in non_null_items(values) {
        if items.len() < limit && seen.insert(v.to_string()) {
            items.push(v);
        }
    }
    Value::Dynamic(Json::Array(items))
}

/// `make_bag`: the property bags merged (the first value of a key wins).
fn make_bag(values: Vec<Value>) -> Value {
    let mut bag = serde_json::Map::new();
    for v in values {
        if let Value::Dynamic(Json::Object(map)) = v {
            for (k, item) in map {
                bag.entry(k).or_insert(item);
            }
        }
    }
    Value::Dynamic(Json::Object(bag))
}

fn make_list(values: Vec<Value>, limit: usize) -> Value {
    Value::Dynamic(Json::Array(non_null_items(values).take(limit).collect()))
}

/// Values for `make_set`/`make_list`: nulls dropped, arrays flattened.
fn non_null_items(values: Vec<Value>) -> impl Iterator<Item = Json> {
    values.into_iter().filter(|v| !v.is_null()).flat_map(|v| match v {
        Value::Dynamic(Json::Array(items)) => items,
        other => vec![other.to_json()],
    })
}
