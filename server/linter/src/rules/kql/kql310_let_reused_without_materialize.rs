//! KQL310 `let-reused-without-materialize`: a tabular `let` used more than once is computed
//! once per use.

use std::collections::HashMap;

use qlint_grammar::kql::ast::{Expr, LetBody, Source, Statement, walk_exprs};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL310",
    slug: "let-reused-without-materialize",
    summary: "A tabular `let` used several times without `materialize()`",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL310`.
pub const DOCS: &str = r#"## What it does
Reports a `let` bound to a query with operators (`let Logons = SigninLogs | where ...`) that
the rest of the query names two or more times, when the body is not wrapped in
`materialize()`.

## Why is this bad?
A `let` is a name for a sub-query, not a stored result: each use runs the sub-query again.
Two or three uses of a heavy scan over a large table multiply the cost of the detection and
can push it past the service's time or memory limits. `materialize()` computes it once per
run and caches the result.

This rule is off by default; select it with `KQL310` or `ALL`.

## Example
```kql
let Failures = SigninLogs
    | where TimeGenerated > ago(1d) and ResultType != "0";
Failures
| summarize count() by UserPrincipalName
| join kind=inner (Failures | summarize dcount(IPAddress) by UserPrincipalName) on UserPrincipalName
```

## Use instead
```kql
let Failures = materialize(SigninLogs
    | where TimeGenerated > ago(1d) and ResultType != "0");
Failures
| summarize count() by UserPrincipalName
| join kind=inner (Failures | summarize dcount(IPAddress) by UserPrincipalName) on UserPrincipalName
```

## References
- https://learn.microsoft.com/kusto/query/materialize-function
"#;

/// Reports tabular lets named twice or more outside `materialize`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    let mut uses: HashMap<String, usize> = HashMap::new();
    walk_exprs(query, &mut |expr| {
        if let Expr::Name(i) = expr {
            *uses.entry(i.name.clone()).or_default() += 1;
        }
    });
    for statement in &query.statements {
        let Statement::Let(l) = statement else { continue };
        let LetBody::Tabular(pipeline) = &l.body else { continue };
        if pipeline.operators.is_empty() || is_materialized(&pipeline.source) {
            continue;
        }
        let count = uses.get(&l.name.name).copied().unwrap_or(0);
        if count >= 2 {
            out.push(META.diagnostic(
                l.name.span,
                format!("`{}` is used {count} times and computed again for each use: wrap it in `materialize()`", l.name.name),
            ));
        }
    }
}

fn is_materialized(source: &Source) -> bool {
    matches!(source, Source::Expr(Expr::Call { callee, .. }) if callee.name.eq_ignore_ascii_case("materialize"))
}
