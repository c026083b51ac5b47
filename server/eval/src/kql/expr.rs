//! Scalar expressions: literals, names, operators, dynamic access; calls go to
//! [`super::functions`].

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{BinaryOp, Expr, Literal, LiteralKind, UnaryOp};
use serde_json::Value as Json;

use super::compare::{as_f64, equals, order, scalarize, truthy};
use super::scope::{Binding, Evaluator, err_at};
use super::strings::{self, Match};
use crate::EvalError;
use crate::table::Row;
use crate::value::{Value, parse_datetime, parse_timespan};

type R = Result<Value, EvalError>;

impl Evaluator<'_> {
    /// Evaluates a scalar expression, with `row` as the current row (none for `let` and
    /// `print`).
    pub fn scalar(&self, expr: &Expr, row: Option<&Row>) -> R {
        match expr {
            Expr::Literal(l) => literal(l),
            Expr::Name(i) => self.name(&i.name, i.span, row),
            Expr::Call { callee, args, span } => {
                if let Some(v) = self.aggregates.borrow().get(span) {
                    return Ok(v.clone());
                }
                self.call(callee, args, *span, row)
            }
            Expr::Unary { op, operand, span } => unary(*op, self.scalar(operand, row)?, *span),
            Expr::Binary { op, lhs, rhs, span, .. } => self.binary(*op, lhs, rhs, *span, row),
            Expr::In { op, lhs, items, span, .. } => self.in_list(*op, lhs, items, *span, row),
            Expr::Between { negated, lhs, low, high, .. } => {
                let v = self.scalar(lhs, row)?;
                let lo = self.scalar(low, row)?;
                let hi = self.scalar(high, row)?;
                Ok(between(&v, &lo, &hi).map_or(Value::Null, |b| Value::Bool(b != *negated)))
            }
            Expr::Member { target, name, .. } => {
                Ok(member(&self.scalar(target, row)?, &Value::str(&name.name)))
            }
            Expr::Index { target, index, .. } => {
                Ok(member(&self.scalar(target, row)?, &self.scalar(index, row)?))
            }
            Expr::Paren { inner, .. } => self.scalar(inner, row),
            Expr::Dynamic { value, .. } => Ok(Value::Dynamic(self.json_of(value, row)?)),
            Expr::Array { .. } | Expr::Object { .. } => {
                Ok(Value::Dynamic(self.json_of(expr, row)?))
            }
            Expr::Pipeline(p) => err_at(
                p.span,
                "a tabular expression cannot be used as a value here (wrap it in `toscalar`)",
            ),
            Expr::Star(s) => err_at(*s, "`*` cannot be used as a value here"),
            Expr::Error(s) => err_at(*s, "syntax error"),
        }
    }

    fn name(&self, name: &str, span: Span, row: Option<&Row>) -> R {
        if let Some(v) = row.and_then(|r| r.get(name)) {
            return Ok(v.clone());
        }
        match self.lookup(name) {
            Some(Binding::Scalar(v)) => Ok(v),
            Some(Binding::Tabular(_)) => {
                err_at(span, format!("`{name}` is a table; use `toscalar({name})` for a value"))
            }
            Some(Binding::Function(_)) => err_at(span, format!("`{name}` is a function; call it")),
            None => err_at(span, format!("unknown column or name `{name}`")),
        }
    }

    /// The JSON of a `dynamic(...)` literal (or of its arrays and property bags).
    fn json_of(&self, expr: &Expr, row: Option<&Row>) -> Result<Json, EvalError> {
        match expr {
            Expr::Array { items, .. } => items
                .iter()
                .map(|i| self.json_of(i, row))
                .collect::<Result<_, _>>()
                .map(Json::Array),
            Expr::Object { entries, .. } => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    map.insert(self.scalar(k, row)?.to_text(), self.json_of(v, row)?);
                }
                Ok(Json::Object(map))
            }
            Expr::Literal(Literal { kind: LiteralKind::Null, .. }) => Ok(Json::Null),
            other => Ok(self.scalar(other, row)?.to_json()),
        }
    }

    fn binary(&self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: Span, row: Option<&Row>) -> R {
        use BinaryOp::*;
        if matches!(op, And | Or) {
            return self.logical(op == And, lhs, rhs, row);
        }
        let a = self.scalar(lhs, row)?;
        let b = self.scalar(rhs, row)?;
        match op {
            Eq | EqSingle => Ok(bool_or_null(equals(&a, &b))),
            NotEq | NotEqAlt => Ok(bool_or_null(equals(&a, &b).map(|e| !e))),
            Lt | Le | Gt | Ge => Ok(compare(op, &a, &b)),
            Add | Sub | Mul | Div | Mod => arithmetic(op, a, b, span),
            MatchesRegex => self.matches_regex(&a, &b, rhs.span()),
            _ => match strings::string_op(op) {
                Some((kind, cs, negated)) => Ok(string_test(kind, cs, negated, &a, &b)),
                None => err_at(span, format!("the operator `{}` is not supported", op.as_str())),
            },
        }
    }

    fn logical(&self, and: bool, lhs: &Expr, rhs: &Expr, row: Option<&Row>) -> R {
        let a = self.scalar(lhs, row)?;
        if !a.is_null() && truthy(&a) != and {
            return Ok(Value::Bool(!and));
        }
        let b = self.scalar(rhs, row)?;
        if !b.is_null() && truthy(&b) != and {
            return Ok(Value::Bool(!and));
        }
        Ok(if a.is_null() || b.is_null() { Value::Null } else { Value::Bool(and) })
    }

    fn matches_regex(&self, text: &Value, pattern: &Value, span: Span) -> R {
        if text.is_null() {
            return Ok(Value::Null);
        }
        let regex = self.regex(&pattern.to_text(), span)?;
        Ok(Value::Bool(regex.is_match(&text.to_text())))
    }

    fn in_list(
        &self,
        op: BinaryOp,
        lhs: &Expr,
        items: &[Expr],
        span: Span,
        row: Option<&Row>,
    ) -> R {
        use BinaryOp::*;
        let value = scalarize(self.scalar(lhs, row)?);
        let list = self.list_items(items, row)?;
        let hit = |test: &dyn Fn(&Value) -> bool| list.iter().any(test);
        Ok(Value::Bool(match op {
            In => hit(&|v| equals(&value, v) == Some(true)),
            NotIn => !hit(&|v| equals(&value, v) == Some(true)),
            InCi => hit(&|v| text_eq_ci(&value, v)),
            NotInCi => !hit(&|v| text_eq_ci(&value, v)),
            HasAny => {
                hit(&|v| strings::matches(Match::Term, &value.to_text(), &v.to_text(), false))
            }
            HasAll => list
                .iter()
                .all(|v| strings::matches(Match::Term, &value.to_text(), &v.to_text(), false)),
            _ => return err_at(span, format!("the operator `{}` is not supported", op.as_str())),
        }))
    }

    /// The values of an `in (...)` list: items, dynamic arrays flattened, sub-queries and
    /// tabular names giving their first column.
    pub fn list_items(&self, items: &[Expr], row: Option<&Row>) -> Result<Vec<Value>, EvalError> {
        let mut out = Vec::new();
        for item in items {
            if self.is_tabular(item) {
                let table = self.tabular_expr(item)?;
                let first = table.columns.first().map(|c| c.name.clone());
                if let Some(first) = first {
                    out.extend(
                        table.rows.iter().map(|r| r.get(&first).cloned().unwrap_or(Value::Null)),
                    );
                }
                continue;
            }
            match self.scalar(item, row)? {
                Value::Dynamic(Json::Array(values)) => {
                    out.extend(values.iter().map(|j| scalarize(Value::Dynamic(j.clone()))))
                }
                other => out.push(scalarize(other)),
            }
        }
        Ok(out)
    }
}

fn bool_or_null(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

fn text_eq_ci(a: &Value, b: &Value) -> bool {
    !a.is_null() && !b.is_null() && a.to_text().to_lowercase() == b.to_text().to_lowercase()
}

fn string_test(kind: Match, cs: bool, negated: bool, a: &Value, b: &Value) -> Value {
    Value::Bool(strings::matches(kind, &a.to_text(), &b.to_text(), cs) != negated)
}

fn compare(op: BinaryOp, a: &Value, b: &Value) -> Value {
    use std::cmp::Ordering::*;
    bool_or_null(order(a, b).map(|o| match op {
        BinaryOp::Lt => o == Less,
        BinaryOp::Le => o != Greater,
        BinaryOp::Gt => o == Greater,
        _ => o != Less,
    }))
}

/// `v between (lo .. hi)`, bounds included; a timespan upper bound after a datetime lower
/// bound counts from it (`between (start .. 1h)`).
fn between(v: &Value, lo: &Value, hi: &Value) -> Option<bool> {
    let hi = &match (scalarize(lo.clone()), scalarize(hi.clone())) {
        (Value::DateTime(start), Value::Timespan(span)) => {
            Value::DateTime(start.saturating_add(span))
        }
        (_, hi) => hi,
    };
    let above = order(v, lo)? != std::cmp::Ordering::Less;
    let below = order(v, hi)? != std::cmp::Ordering::Greater;
    Some(above && below)
}

/// `target.name` / `target[index]` on a dynamic value; null when absent.
pub(crate) fn member(target: &Value, key: &Value) -> Value {
    let Value::Dynamic(json) = target else { return Value::Null };
    let found = match (json, scalarize(key.clone())) {
        (Json::Object(map), key) => map.get(&key.to_text()).cloned(),
        (Json::Array(items), Value::Long(i)) => {
            let at = if i < 0 { items.len() as i64 + i } else { i };
            usize::try_from(at).ok().and_then(|at| items.get(at)).cloned()
        }
        _ => None,
    };
    found.map_or(Value::Null, Value::Dynamic)
}

fn literal(l: &Literal) -> R {
    let bad = |what: &str, text: &str| err_at(l.span, format!("`{text}` is not a valid {what}"));
    Ok(match &l.kind {
        LiteralKind::String { value } => Value::String(value.clone()),
        LiteralKind::Int(i) => Value::Long(*i),
        LiteralKind::Real(r) => Value::Real(*r),
        LiteralKind::Bool(b) => Value::Bool(*b),
        LiteralKind::Null => Value::Null,
        LiteralKind::Guid(g) => Value::String(g.trim().to_string()),
        LiteralKind::Timespan(t) if t.trim() == "null" => Value::Null,
        LiteralKind::Timespan(t) => match parse_timespan(t) {
            Some(ticks) => Value::Timespan(ticks),
            None => return bad("timespan", t),
        },
        LiteralKind::Datetime(t) if t.trim() == "null" => Value::Null,
        LiteralKind::Datetime(t) => match parse_datetime(t) {
            Some(ticks) => Value::DateTime(ticks),
            None => return bad("datetime", t),
        },
        LiteralKind::Typed { ty, text } => return typed_literal(ty, text.trim(), l.span),
    })
}

fn typed_literal(ty: &str, text: &str, span: Span) -> R {
    if text == "null" {
        return Ok(if ty == "string" { Value::str("") } else { Value::Null });
    }
    let number = || text.parse::<f64>().ok();
    Ok(match ty {
        "int" | "long" => match text.parse() {
            Ok(i) => Value::Long(i),
            Err(_) => return err_at(span, format!("`{text}` is not a valid {ty}")),
        },
        "real" | "double" | "decimal" => match text {
            "nan" => Value::Real(f64::NAN),
            "+inf" | "inf" => Value::Real(f64::INFINITY),
            "-inf" => Value::Real(f64::NEG_INFINITY),
            _ => Value::Real(number().unwrap_or(f64::NAN)),
        },
        "bool" | "boolean" => Value::Bool(text == "true" || text == "1"),
        "string" => Value::str(text),
        _ => return err_at(span, format!("the literal type `{ty}` is not supported")),
    })
}

fn unary(op: UnaryOp, v: Value, span: Span) -> R {
    Ok(match (op, scalarize(v)) {
        (UnaryOp::Plus, v) => v,
        (UnaryOp::Neg, Value::Long(i)) => Value::Long(i.wrapping_neg()),
        (UnaryOp::Neg, Value::Real(r)) => Value::Real(-r),
        (UnaryOp::Neg, Value::Timespan(t)) => Value::Timespan(t.wrapping_neg()),
        (UnaryOp::Neg, Value::Null) => Value::Null,
        (UnaryOp::Neg, other) => {
            return err_at(span, format!("cannot negate a `{}`", other.type_name()));
        }
    })
}

/// `+ - * / %` over numbers, datetimes and timespans (Kusto's rules: `long / long` is a
/// whole division, `datetime - datetime` a timespan).
pub(crate) fn arithmetic(op: BinaryOp, a: Value, b: Value, span: Span) -> R {
    use BinaryOp::*;
    use Value::*;
    let (a, b) = (scalarize(a), scalarize(b));
    if a.is_null() || b.is_null() {
        return Ok(Null);
    }
    Ok(match (op, &a, &b) {
        (Add, Long(x), Long(y)) => Long(x.wrapping_add(*y)),
        (Sub, Long(x), Long(y)) => Long(x.wrapping_sub(*y)),
        (Mul, Long(x), Long(y)) => Long(x.wrapping_mul(*y)),
        (Div | Mod, Long(_), Long(0)) => Null,
        (Div, Long(x), Long(y)) => Long(x.wrapping_div(*y)),
        (Mod, Long(x), Long(y)) => Long(x.wrapping_rem(*y)),
        (_, Long(_) | Real(_), Long(_) | Real(_)) => {
            real_op(op, as_f64(&a).unwrap_or(0.0), as_f64(&b).unwrap_or(0.0))
        }
        (Add, DateTime(t), Timespan(d)) | (Add, Timespan(d), DateTime(t)) => {
            DateTime(t.saturating_add(*d))
        }
        (Sub, DateTime(t), Timespan(d)) => DateTime(t.saturating_sub(*d)),
        (Sub, DateTime(x), DateTime(y)) => Timespan(x.saturating_sub(*y)),
        (Add, Timespan(x), Timespan(y)) => Timespan(x.saturating_add(*y)),
        (Sub, Timespan(x), Timespan(y)) => Timespan(x.saturating_sub(*y)),
        (Div, Timespan(x), Timespan(y)) if *y != 0 => Real(*x as f64 / *y as f64),
        (Mul, Timespan(x), Long(_) | Real(_)) => {
            Timespan((*x as f64 * as_f64(&b).unwrap_or(0.0)) as i64)
        }
        (Mul, Long(_) | Real(_), Timespan(x)) => {
            Timespan((*x as f64 * as_f64(&a).unwrap_or(0.0)) as i64)
        }
        (Div, Timespan(x), Long(_) | Real(_)) => {
            Timespan((*x as f64 / as_f64(&b).unwrap_or(f64::NAN)) as i64)
        }
        _ => {
            return err_at(
                span,
                format!(
                    "`{}` does not apply to `{}` and `{}`",
                    op.as_str(),
                    a.type_name(),
                    b.type_name()
                ),
            );
        }
    })
}

fn real_op(op: BinaryOp, x: f64, y: f64) -> Value {
    Value::Real(match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        _ => x % y,
    })
}
