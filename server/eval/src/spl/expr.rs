//! Eval expressions (`eval`, `where`, `eval(...)` inside stats) over one row.
//!
//! Comparisons are case-sensitive and numeric when both sides read as numbers. A comparison
//! with a missing (null) field is null, and `where` keeps only rows whose condition is true;
//! `AND`/`OR`/`NOT` follow three-valued logic. A multivalue field compares true when any of
//! its values does.

use std::cmp::Ordering;

use qlint_grammar::spl::ast::{BinaryOp, Expr, UnaryOp};

use super::error;
use super::functions::call;
use super::values::{compare, elements, from_number, number, text, truth};
use super::wildcard::like_match;
use crate::EvalError;
use crate::table::Row;
use crate::value::Value;

/// What an expression may read besides the row.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    /// `now()` in epoch seconds.
    pub now: f64,
}

/// Evaluates `expr` against `row`.
pub fn eval(expr: &Expr, row: &Row, env: &Env) -> Result<Value, EvalError> {
    match expr {
        Expr::Field(name) => Ok(row.get(&name.text).cloned().unwrap_or(Value::Null)),
        Expr::String(v) => Ok(Value::str(v.text.clone())),
        Expr::Number(v) => number_literal(&v.text, v.span),
        Expr::Call { name, args, span } => call(name, args, *span, row, env),
        Expr::Unary { op, operand, .. } => unary(*op, eval(operand, row, env)?),
        Expr::Binary { op, lhs, rhs, .. } => binary(*op, lhs, rhs, row, env),
        Expr::In { lhs, list, .. } => {
            let value = eval(lhs, row, env)?;
            let mut candidates = Vec::new();
            for item in list {
                candidates.push(eval(item, row, env)?);
            }
            Ok(in_list(&value, &candidates))
        }
        Expr::Paren { inner, .. } => eval(inner, row, env),
        Expr::Macro(m) => {
            Err(error(format!("macro `{}` is not defined in the workspace", m.name), m.span))
        }
        Expr::Error(span) => Err(error("the expression does not parse", *span)),
    }
}

/// Evaluates a condition: true only when the expression is the boolean true.
pub fn holds(expr: &Expr, row: &Row, env: &Env) -> Result<bool, EvalError> {
    Ok(truth(&eval(expr, row, env)?) == Some(true))
}

fn number_literal(text: &str, span: qlint_grammar::Span) -> Result<Value, EvalError> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::Long(i));
    }
    text.parse::<f64>()
        .map(Value::Real)
        .map_err(|_| error(format!("`{text}` is not a number"), span))
}

fn unary(op: UnaryOp, value: Value) -> Result<Value, EvalError> {
    Ok(match op {
        UnaryOp::Not => truth(&value).map_or(Value::Null, |b| Value::Bool(!b)),
        UnaryOp::Neg => number(&value).map_or(Value::Null, |n| from_number(-n)),
        UnaryOp::Plus => number(&value).map_or(Value::Null, from_number),
    })
}

fn binary(op: BinaryOp, lhs: &Expr, rhs: &Expr, row: &Row, env: &Env) -> Result<Value, EvalError> {
    if matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor) {
        return logical(op, lhs, rhs, row, env);
    }
    let (a, b) = (eval(lhs, row, env)?, eval(rhs, row, env)?);
    Ok(match op {
        BinaryOp::Eq => comparison(&a, &b, |o| o == Ordering::Equal),
        BinaryOp::Ne => comparison(&a, &b, |o| o != Ordering::Equal),
        BinaryOp::Lt => comparison(&a, &b, |o| o == Ordering::Less),
        BinaryOp::Le => comparison(&a, &b, |o| o != Ordering::Greater),
        BinaryOp::Gt => comparison(&a, &b, |o| o == Ordering::Greater),
        BinaryOp::Ge => comparison(&a, &b, |o| o != Ordering::Less),
        BinaryOp::Like => like(&a, &b),
        BinaryOp::Add => add(&a, &b),
        BinaryOp::Concat => match (text(&a), text(&b)) {
            (Some(x), Some(y)) => Value::str(x + &y),
            _ => Value::Null,
        },
        BinaryOp::Sub => arithmetic(&a, &b, |x, y| Some(x - y)),
        BinaryOp::Mul => arithmetic(&a, &b, |x, y| Some(x * y)),
        BinaryOp::Div => arithmetic(&a, &b, |x, y| (y != 0.0).then(|| x / y)),
        BinaryOp::Mod => arithmetic(&a, &b, |x, y| (y != 0.0).then(|| x % y)),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => unreachable!("handled above"),
    })
}

/// `AND`, `OR`, `XOR` with null as "unknown"; `AND`/`OR` short-circuit.
fn logical(op: BinaryOp, lhs: &Expr, rhs: &Expr, row: &Row, env: &Env) -> Result<Value, EvalError> {
    let a = truth(&eval(lhs, row, env)?);
    match (op, a) {
        (BinaryOp::And, Some(false)) => return Ok(Value::Bool(false)),
        (BinaryOp::Or, Some(true)) => return Ok(Value::Bool(true)),
        _ => {}
    }
    let b = truth(&eval(rhs, row, env)?);
    Ok(match (op, a, b) {
        (BinaryOp::And, _, Some(false)) => Value::Bool(false),
        (BinaryOp::And, Some(true), Some(true)) => Value::Bool(true),
        (BinaryOp::Or, _, Some(true)) => Value::Bool(true),
        (BinaryOp::Or, Some(false), Some(false)) => Value::Bool(false),
        (BinaryOp::Xor, Some(x), Some(y)) => Value::Bool(x != y),
        _ => Value::Null,
    })
}

/// Compares two values (any element of a multivalue may satisfy it); null when either side
/// is null.
pub fn comparison(a: &Value, b: &Value, test: impl Fn(Ordering) -> bool) -> Value {
    let (xs, ys) = (elements(a), elements(b));
    if xs.is_empty() || ys.is_empty() {
        return Value::Null;
    }
    Value::Bool(xs.iter().any(|x| ys.iter().any(|y| test(compare(x, y)))))
}

fn like(a: &Value, b: &Value) -> Value {
    let Some(pattern) = text(b) else { return Value::Null };
    let values = elements(a);
    if values.is_empty() {
        return Value::Null;
    }
    Value::Bool(values.iter().filter_map(text).any(|v| like_match(&v, &pattern)))
}

/// `+` adds numbers and concatenates text.
fn add(a: &Value, b: &Value) -> Value {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => from_number(x + y),
        _ => match (text(a), text(b)) {
            (Some(x), Some(y)) => Value::str(x + &y),
            _ => Value::Null,
        },
    }
}

fn arithmetic(a: &Value, b: &Value, f: impl Fn(f64, f64) -> Option<f64>) -> Value {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => f(x, y).map_or(Value::Null, from_number),
        _ => Value::Null,
    }
}

/// `x IN (a, b)` / `in(x, a, b)`: an exact (case-sensitive) match with any candidate.
pub fn in_list(value: &Value, candidates: &[Value]) -> Value {
    let values = elements(value);
    if values.is_empty() {
        return Value::Null;
    }
    let hit = values
        .iter()
        .any(|v| candidates.iter().any(|c| compare(v, c) == Ordering::Equal && !c.is_null()));
    Value::Bool(hit)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use qlint_grammar::spl::ast::CommandKind;

    pub(crate) fn eval_text(expr: &str, row: &Row) -> Value {
        let parse = qlint_grammar::spl::parse(&format!("| eval x={expr}"));
        assert!(parse.errors.is_empty(), "{expr}: {:?}", parse.errors);
        let CommandKind::Eval(e) = &parse.tree.commands[0].kind else { panic!("not eval") };
        eval(&e.assignments[0].expr, row, &Env { now: 1_721_043_296.0 }).expect("evaluates")
    }

    pub(crate) fn row(fields: &[(&str, Value)]) -> Row {
        fields.iter().map(|(n, v)| (n.to_string(), v.clone())).collect()
    }

    #[test]
    fn comparisons_are_case_sensitive_and_numeric_when_possible() {
        let r = row(&[("user", Value::str("Admin")), ("n", Value::str("10"))]);
        assert_eq!(eval_text(r#"user="admin""#, &r), Value::Bool(false));
        assert_eq!(eval_text(r#"user=="Admin""#, &r), Value::Bool(true));
        assert_eq!(eval_text("n > 9", &r), Value::Bool(true));
        assert_eq!(eval_text(r#"n > "9""#, &r), Value::Bool(true));
        assert_eq!(eval_text("missing > 9", &r), Value::Null);
    }

    #[test]
    fn logic_is_three_valued() {
        let r = row(&[("a", Value::Long(1))]);
        assert_eq!(eval_text("missing=1 OR a=1", &r), Value::Bool(true));
        assert_eq!(eval_text("missing=1 AND a=2", &r), Value::Bool(false));
        assert_eq!(eval_text("NOT missing=1", &r), Value::Null);
        assert_eq!(eval_text("a=1 XOR a=2", &r), Value::Bool(true));
    }

    #[test]
    fn arithmetic_and_concatenation() {
        let r = row(&[("a", Value::Long(7)), ("s", Value::str("x"))]);
        assert_eq!(eval_text("a * 2 + 1", &r), Value::Long(15));
        assert_eq!(eval_text("a / 2", &r), Value::Real(3.5));
        assert_eq!(eval_text("a % 4", &r), Value::Long(3));
        assert_eq!(eval_text("a / 0", &r), Value::Null);
        assert_eq!(eval_text(r#"s . "-" . a"#, &r), Value::str("x-7"));
        assert_eq!(eval_text(r#"s + "y""#, &r), Value::str("xy"));
        assert_eq!(eval_text("-a", &r), Value::Long(-7));
    }

    #[test]
    fn like_and_in() {
        let r = row(&[("ip", Value::str("198.51.100.7"))]);
        assert_eq!(eval_text(r#"ip LIKE "198.%""#, &r), Value::Bool(true));
        assert_eq!(eval_text(r#"ip IN ("10.0.0.1", "198.51.100.7")"#, &r), Value::Bool(true));
    }
}
