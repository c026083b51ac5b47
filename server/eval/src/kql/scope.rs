//! The evaluator's state: `let` bindings in nested scopes, compiled regexes, and the
//! per-group aggregate values that `summarize` substitutes into its expressions.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{Expr, FunctionDef, LetBody};
use regex::Regex;

use crate::table::{Column, Table};
use crate::value::Value;
use crate::{EvalContext, EvalError};

/// What a `let` name stands for.
#[derive(Debug, Clone)]
pub(crate) enum Binding {
    /// A scalar value.
    Scalar(Value),
    /// A table (a tabular `let`, or a tabular function parameter).
    Tabular(Rc<Table>),
    /// A user function.
    Function(Rc<FunctionDef>),
}

/// The state of one query run.
pub(crate) struct Evaluator<'a> {
    /// Data, `now` and knowledge.
    pub ctx: &'a EvalContext<'a>,
    scopes: RefCell<Vec<HashMap<String, Binding>>>,
    regexes: RefCell<HashMap<String, Rc<Regex>>>,
    /// Values of aggregate calls (by span) while `summarize` evaluates one group.
    pub aggregates: RefCell<HashMap<Span, Value>>,
}

impl<'a> Evaluator<'a> {
    /// A fresh evaluator with one empty scope.
    pub fn new(ctx: &'a EvalContext<'a>) -> Self {
        Self {
            ctx,
            scopes: RefCell::new(vec![HashMap::new()]),
            regexes: RefCell::new(HashMap::new()),
            aggregates: RefCell::new(HashMap::new()),
        }
    }

    /// The binding of `name`, innermost scope first.
    pub fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes.borrow().iter().rev().find_map(|s| s.get(name).cloned())
    }

    /// Binds `name` in the innermost scope.
    pub fn bind(&self, name: &str, binding: Binding) {
        if let Some(scope) = self.scopes.borrow_mut().last_mut() {
            scope.insert(name.to_string(), binding);
        }
    }

    /// Runs `f` in a new scope holding `bindings`.
    pub fn with_scope<T>(
        &self,
        bindings: HashMap<String, Binding>,
        f: impl FnOnce() -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        self.scopes.borrow_mut().push(bindings);
        let result = f();
        self.scopes.borrow_mut().pop();
        result
    }

    /// Evaluates a `let` body and binds it.
    pub fn bind_let(&self, name: &str, body: &LetBody) -> Result<(), EvalError> {
        let binding = match body {
            LetBody::Function(f) => Binding::Function(Rc::new(f.clone())),
            LetBody::Tabular(p) => Binding::Tabular(Rc::new(self.pipeline(p)?)),
            LetBody::Scalar(e) if self.is_tabular(e) => {
                Binding::Tabular(Rc::new(self.tabular_expr(e)?))
            }
            LetBody::Scalar(e) => Binding::Scalar(self.scalar(e, None)?),
        };
        self.bind(name, binding);
        Ok(())
    }

    /// True when `expr` names or builds a table rather than a scalar.
    pub fn is_tabular(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(i) => match self.lookup(&i.name) {
                Some(Binding::Tabular(_)) => true,
                Some(_) => false,
                None => self.is_table_name(&i.name),
            },
            Expr::Paren { inner, .. } => self.is_tabular(inner),
            Expr::Pipeline(_) => true,
            Expr::Call { callee, .. } => match self.lookup(&callee.name) {
                Some(Binding::Function(f)) => self.function_is_tabular(&f),
                _ => matches!(callee.name.as_str(), "materialize" | "view" | "table"),
            },
            _ => false,
        }
    }

    /// True when a function's body ends in a pipeline with operators or a table.
    fn function_is_tabular(&self, f: &FunctionDef) -> bool {
        use qlint_grammar::kql::ast::{Source, Statement};
        match f.body.last() {
            Some(Statement::Tabular(p)) => match &p.source {
                _ if f.view || !p.operators.is_empty() => true,
                Source::Expr(e) => self.is_tabular(e),
                _ => true,
            },
            _ => false,
        }
    }

    fn is_table_name(&self, name: &str) -> bool {
        self.ctx.data.tables.contains_key(name) || self.ctx.knowledge.kql_table(name).is_some()
    }

    /// The table called `name`: a tabular `let`, the test's rows, or an empty table with the
    /// catalog's columns when the test gives no rows for a known table.
    pub fn table_named(&self, name: &str, span: Span) -> Result<Table, EvalError> {
        if let Some(Binding::Tabular(t)) = self.lookup(name) {
            return Ok((*t).clone());
        }
        if let Some(t) = self.ctx.data.tables.get(name) {
            return Ok(t.clone());
        }
        if let Some(t) = self.ctx.knowledge.kql_table(name) {
            let columns = t.columns.iter().map(|c| Column::typed(&c.name, c.ty)).collect();
            return Ok(Table { columns, rows: Vec::new() });
        }
        Err(EvalError::at(span, format!("unknown table `{name}`: the test gives no rows for it")))
    }

    /// The compiled regex of `pattern` (RE2 syntax, as Kusto's).
    pub fn regex(&self, pattern: &str, span: Span) -> Result<Rc<Regex>, EvalError> {
        if let Some(r) = self.regexes.borrow().get(pattern) {
            return Ok(r.clone());
        }
        let compiled = Regex::new(pattern)
            .map_err(|e| EvalError::at(span, format!("invalid regex `{pattern}`: {e}")))?;
        let compiled = Rc::new(compiled);
        self.regexes.borrow_mut().insert(pattern.to_string(), compiled.clone());
        Ok(compiled)
    }
}

/// An error at `span`.
pub(crate) fn err_at<T>(span: Span, message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError::at(span, message))
}
