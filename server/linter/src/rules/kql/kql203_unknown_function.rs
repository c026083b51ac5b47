//! KQL203 `unknown-function`: a call to a function that is neither built in nor defined.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL203",
    slug: "unknown-function",
    summary: "A call to a function that is not built in and not defined by the query",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL203`.
pub const DOCS: &str = r#"## What it does
Reports a call `name(...)` where `name` is not a Kusto scalar, aggregation or plugin
function and not a function defined with `let` in the query, suggesting the closest built-in
name. Calls that look like workspace functions (ASIM parsers such as `imProcessCreate`,
`_GetWatchlist`, names with `_CL`) are not reported: qlint cannot see them.

## Why is this bad?
Kusto rejects the query. Typical slips are `tolwer()` for `tolower()` or `strcat_arrays()` for `strcat_array()`.

## Example
```kql
DeviceProcessEvents
| extend Name = tolwer(FileName)
```

## Use instead
```kql
DeviceProcessEvents
| extend Name = tolower(FileName)
```

## References
- https://learn.microsoft.com/kusto/query/scalar-functions
"#;

/// Reports the functions that did not resolve.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for name in &kql.unknown_functions {
        let message = match &name.suggestion {
            Some(s) => format!("unknown function `{}`; did you mean `{s}`?", name.name),
            None => format!("unknown function `{}`", name.name),
        };
        let mut diagnostic = META.diagnostic(name.span, message);
        if let Some(s) = &name.suggestion
            && let Some(fix) = did_you_mean_fix(cx.text, &[name.span], &name.name, s)
        {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}
