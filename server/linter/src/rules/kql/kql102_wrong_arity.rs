//! KQL102 `wrong-arity`: a built-in function called with the wrong number of arguments.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL102",
    slug: "wrong-arity",
    summary: "A function is called with the wrong number of arguments",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL102`.
pub const DOCS: &str = r#"## What it does
Checks the number of arguments of every call to a built-in scalar or aggregation function,
and of calls to functions the query defines with `let f = (a: string) { ... }`.

## Why is this bad?
Kusto rejects the query. A common slip is `ago()` with no argument or `extract()` with the
capture group number forgotten.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago()
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
```

## References
- https://learn.microsoft.com/kusto/query/scalar-functions
"#;

/// Reports the calls with a wrong number of arguments.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for problem in &kql.arity_problems {
        let plural = if problem.given == 1 { "argument" } else { "arguments" };
        out.push(META.diagnostic(
            problem.span,
            format!(
                "`{}` takes {} arguments but is called with {} {plural}",
                problem.name, problem.expected, problem.given
            ),
        ));
    }
}
