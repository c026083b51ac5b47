//! The KQL evaluator: a query's statements run in order over the test's tables.
//!
//! `let` binds scalars, tables and functions in a scope ([`scope`]); the last tabular
//! statement is the result. Scalar expressions are in [`expr`] (operators in [`compare`] and
//! [`strings`], functions in [`functions`]); tabular operators in [`tabular`], [`summarize`]
//! and [`join`]. Rows are evaluated eagerly; the data of a test is small.

mod compare;
mod expr;
mod functions;
mod join;
mod parse_op;
mod scope;
mod strings;
mod summarize;
mod tabular;

use qlint_grammar::kql::ast::Statement;

use crate::{EvalContext, EvalError, Table};

pub(crate) use scope::Evaluator;

/// Runs a KQL query over the context's tables.
pub fn run(query: &str, ctx: &EvalContext) -> Result<Table, EvalError> {
    let parse = qlint_grammar::kql::parse(query);
    if let Some(error) = parse.errors.first() {
        return Err(EvalError::at(error.span, format!("syntax error: {}", error.message)));
    }
    let eval = Evaluator::new(ctx);
    let mut result = None;
    for statement in &parse.tree.statements {
        result = run_statement(&eval, statement)?.or(result);
    }
    result.ok_or_else(|| EvalError::new("the query has no tabular statement to run"))
}

fn run_statement(eval: &Evaluator, statement: &Statement) -> Result<Option<Table>, EvalError> {
    match statement {
        Statement::Let(l) => {
            eval.bind_let(&l.name.name, &l.body)?;
            Ok(None)
        }
        Statement::Tabular(p) => eval.pipeline(p).map(Some),
        Statement::Set(_) => Ok(None),
        Statement::DeclareQueryParameters(d) => {
            Err(EvalError::at(d.span, "`declare query_parameters` is not supported"))
        }
        Statement::Error(span) => Err(EvalError::at(*span, "syntax error")),
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
