//! Scalar functions: the dispatch ([`Evaluator::call`]) and the built-ins detections use.
//! A name not listed here is an error naming it.

use std::collections::HashMap;

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{Arg, Expr, FunctionDef, Ident, ParamType, Source, Statement};
use serde_json::Value as Json;

use super::compare::{as_f64, scalarize, truthy};
use super::scope::{Binding, Evaluator, err_at};
use super::summarize::is_aggregate;
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

mod convert;
mod datetime;
mod text;

type R = Result<Value, EvalError>;

/// The arguments of one call, evaluated on demand.
pub(crate) struct Call<'e, 'a> {
    pub eval: &'e Evaluator<'a>,
    pub args: &'e [Arg],
    pub row: Option<&'e Row>,
    pub span: Span,
    pub name: &'e str,
}

impl Call<'_, '_> {
    /// The `i`th argument's value.
    pub fn get(&self, i: usize) -> R {
        self.eval.scalar(&self.args[i].value, self.row)
    }

    /// The `i`th argument as text (`tostring` rules).
    pub fn text(&self, i: usize) -> Result<String, EvalError> {
        Ok(self.get(i)?.to_text())
    }

    /// The `i`th argument as a whole number, if it is one.
    pub fn long(&self, i: usize) -> Result<Option<i64>, EvalError> {
        Ok(match scalarize(self.get(i)?) {
            Value::Long(n) => Some(n),
            Value::Real(r) => Some(r as i64),
            _ => None,
        })
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// Checks the argument count.
    pub fn arity(&self, min: usize, max: usize) -> Result<(), EvalError> {
        let n = self.args.len();
        if n < min || n > max {
            let want = if min == max { format!("{min}") } else { format!("{min} to {max}") };
            return err_at(self.span, format!("`{}` takes {want} arguments, got {n}", self.name));
        }
        Ok(())
    }

    /// The argument expression `i`.
    pub fn expr(&self, i: usize) -> &Expr {
        &self.args[i].value
    }
}

impl Evaluator<'_> {
    /// Calls `callee(args)` on `row`: a user function, else a built-in.
    pub fn call(&self, callee: &Ident, args: &[Arg], span: Span, row: Option<&Row>) -> R {
        if let Some(Binding::Function(f)) = self.lookup(&callee.name) {
            return self.call_user_scalar(&f, args, span, row);
        }
        let call = Call { eval: self, args, row, span, name: &callee.name };
        if is_aggregate(&callee.name) {
            return err_at(
                span,
                format!("the aggregation `{}` is only valid in `summarize`", callee.name),
            );
        }
        builtin(&call).unwrap_or_else(|| {
            err_at(callee.span, format!("the function `{}` is not supported", callee.name))
        })
    }

    /// Binds a user function's parameters to the call's arguments (tabular parameters take
    /// tables) and runs `body` in that scope.
    pub fn with_arguments<T>(
        &self,
        f: &FunctionDef,
        args: &[Arg],
        span: Span,
        row: Option<&Row>,
        body: impl FnOnce() -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        if args.len() > f.params.len() {
            return err_at(
                span,
                format!("the function takes {} arguments, got {}", f.params.len(), args.len()),
            );
        }
        let mut bindings = HashMap::new();
        for (i, param) in f.params.iter().enumerate() {
            let binding = match (args.get(i), &param.ty, &param.default) {
                (Some(a), ParamType::Tabular { .. }, _) => {
                    Binding::Tabular(std::rc::Rc::new(self.tabular_expr(&a.value)?))
                }
                (Some(a), _, _) => Binding::Scalar(self.scalar(&a.value, row)?),
                (None, _, Some(d)) => Binding::Scalar(self.scalar(d, None)?),
                (None, _, None) => {
                    return err_at(span, format!("missing argument `{}`", param.name.name));
                }
            };
            bindings.insert(param.name.name.clone(), binding);
        }
        self.with_scope(bindings, || {
            for statement in &f.body[..f.body.len().saturating_sub(1)] {
                if let Statement::Let(l) = statement {
                    self.bind_let(&l.name.name, &l.body)?;
                }
            }
            body()
        })
    }

    fn call_user_scalar(&self, f: &FunctionDef, args: &[Arg], span: Span, row: Option<&Row>) -> R {
        self.with_arguments(f, args, span, row, || match f.body.last() {
            Some(Statement::Tabular(p)) if p.operators.is_empty() => match &p.source {
                Source::Expr(e) => self.scalar(e, None),
                _ => err_at(span, "the function returns a table, not a value"),
            },
            _ => err_at(span, "the function returns a table, not a value"),
        })
    }
}

/// The built-in scalar function of the call, if there is one.
fn builtin(c: &Call) -> Option<R> {
    Some(match c.name {
        "iff" | "iif" => iff(c),
        "case" => case(c),
        "not" => c.arity(1, 1).and_then(|_| Ok(Value::Bool(!truthy(&c.get(0)?)))),
        "isempty" => c.arity(1, 1).and_then(|_| Ok(Value::Bool(is_empty(&c.get(0)?)))),
        "isnotempty" | "notempty" => {
            c.arity(1, 1).and_then(|_| Ok(Value::Bool(!is_empty(&c.get(0)?))))
        }
        "isnull" => c.arity(1, 1).and_then(|_| Ok(Value::Bool(c.get(0)?.is_null()))),
        "isnotnull" | "notnull" => {
            c.arity(1, 1).and_then(|_| Ok(Value::Bool(!c.get(0)?.is_null())))
        }
        "coalesce" => coalesce(c),
        "toscalar" => toscalar(c),
        "column_ifexists" | "columnifexists" => column_ifexists(c),
        "abs" => c.arity(1, 1).and_then(|_| math(c.get(0)?, f64::abs, i64::wrapping_abs)),
        "round" => round(c),
        "min_of" => extreme_of(c, std::cmp::Ordering::Less),
        "max_of" => extreme_of(c, std::cmp::Ordering::Greater),
        "bin" | "floor" => datetime::bin(c),
        _ => {
            return text::builtin(c)
                .or_else(|| convert::builtin(c))
                .or_else(|| datetime::builtin(c));
        }
    })
}

/// Kusto's `isempty`: null or the empty string.
pub(crate) fn is_empty(v: &Value) -> bool {
    match scalarize(v.clone()) {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn iff(c: &Call) -> R {
    c.arity(3, 3)?;
    if truthy(&c.get(0)?) { c.get(1) } else { c.get(2) }
}

fn case(c: &Call) -> R {
    if c.len() < 3 || c.len().is_multiple_of(2) {
        return err_at(c.span, "`case` takes pairs of predicate and value, then an else value");
    }
    for pair in (0..c.len() - 1).step_by(2) {
        if truthy(&c.get(pair)?) {
            return c.get(pair + 1);
        }
    }
    c.get(c.len() - 1)
}

fn coalesce(c: &Call) -> R {
    for i in 0..c.len() {
        let v = c.get(i)?;
        if !is_empty(&v) {
            return Ok(v);
        }
    }
    Ok(if c.len() > 0 { c.get(0)? } else { Value::Null })
}

fn toscalar(c: &Call) -> R {
    c.arity(1, 1)?;
    let table = c.eval.tabular_expr(c.expr(0))?;
    let first = table.columns.first().map(|col| col.name.clone());
    Ok(match (table.rows.first(), first) {
        (Some(row), Some(col)) => row.get(&col).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    })
}

fn column_ifexists(c: &Call) -> R {
    c.arity(2, 2)?;
    let name = c.text(0)?;
    match c.row.and_then(|r| r.get(&name)) {
        Some(v) => Ok(v.clone()),
        None => c.get(1),
    }
}

fn math(v: Value, real: fn(f64) -> f64, long: fn(i64) -> i64) -> R {
    Ok(match scalarize(v) {
        Value::Long(i) => Value::Long(long(i)),
        Value::Real(r) => Value::Real(real(r)),
        _ => Value::Null,
    })
}

fn round(c: &Call) -> R {
    c.arity(1, 2)?;
    let digits = if c.len() == 2 { c.long(1)?.unwrap_or(0) } else { 0 };
    let Some(x) = as_f64(&scalarize(c.get(0)?)) else { return Ok(Value::Null) };
    let scale = 10f64.powi(digits as i32);
    Ok(Value::Real((x * scale).round() / scale))
}

fn extreme_of(c: &Call, want: std::cmp::Ordering) -> R {
    let mut best: Option<Value> = None;
    for i in 0..c.len() {
        let v = c.get(i)?;
        if v.is_null() {
            continue;
        }
        let better = match &best {
            None => true,
            Some(b) => super::compare::order(&v, b) == Some(want),
        };
        if better {
            best = Some(v);
        }
    }
    Ok(best.unwrap_or(Value::Null))
}

/// A dynamic array of strings.
pub(crate) fn string_array(items: impl IntoIterator<Item = String>) -> Value {
    Value::Dynamic(Json::Array(items.into_iter().map(Json::String).collect()))
}
