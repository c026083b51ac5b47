//! The SPL evaluator.

use crate::{EvalContext, EvalError, Table};

/// Runs an SPL query over the context's events.
pub fn run(_query: &str, _ctx: &EvalContext) -> Result<Table, EvalError> {
    Err(EvalError::new("SPL evaluation is not built yet"))
}
