//! KQL104 `argument-type-mismatch`: a built-in function called with an argument of a type
//! that none of its overloads takes.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL104",
    slug: "argument-type-mismatch",
    summary: "A function argument has a type the function does not accept",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
};

/// `qlint rule KQL104`.
pub const DOCS: &str = r#"## What it does
Checks the type of each argument of a built-in function call against the function's
documented overloads: `ago("1d")` (a string where a `timespan` goes), `startofday(FileName)`,
`extract("x", 1, ProcessId)` on a number. Arguments of unknown or `dynamic` type are not
judged, numbers of any kind are accepted for each other, and functions that convert their
argument (`tostring`, `tolower`, `strcat`, `hash_sha256`, ...) accept any scalar, as in Kusto.

## Why is this bad?
Kusto rejects the query ("a value of type timespan expected"). The usual slips are a quoted
time span, a string date passed where a `datetime` goes, and a string function applied to a
numeric column.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago("1d")
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
```

## References
- https://learn.microsoft.com/kusto/query/scalar-functions
"#;

fn type_list(given: &[Option<crate::knowledge::ScalarType>]) -> String {
    let names: Vec<&str> = given.iter().map(|t| t.map_or("?", |t| t.name())).collect();
    names.join(", ")
}

/// Reports the arguments that no overload accepts.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for m in &kql.argument_mismatches {
        let message = match m.index.and_then(|i| m.given.get(i).copied().flatten()) {
            Some(given) => {
                format!("`{}` takes {} here but the argument is `{given}`", m.function, m.expected)
            }
            None => {
                format!("`{}` has no overload for arguments ({})", m.function, type_list(&m.given))
            }
        };
        out.push(META.diagnostic(m.span, message));
    }
}
