//! The KQL evaluator.

use crate::{EvalContext, EvalError, Table};

/// Runs a KQL query over the context's tables.
pub fn run(_query: &str, _ctx: &EvalContext) -> Result<Table, EvalError> {
    Err(EvalError::new("KQL evaluation is not built yet"))
}
