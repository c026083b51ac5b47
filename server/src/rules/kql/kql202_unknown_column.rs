//! KQL202 `unknown-column`: a column that is not in scope at that point of the pipeline.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL202",
    slug: "unknown-column",
    summary: "A column that is not in scope at this point of the pipeline",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
};

/// `qlint rule KQL202`.
pub const DOCS: &str = r#"## What it does
Tracks the columns of a known table through each pipe stage (`project`, `project-away`,
`project-rename`, `extend`, `summarize`, `join`, `union`, `mv-expand`, `parse`, ...) and
reports a column that is not in scope where it is used, with the closest column name.
When qlint cannot know the columns after a stage (`evaluate bag_unpack()`, a fuzzy union, an
unknown table), it stops reporting for the rest of that pipeline rather than guess.

## Why is this bad?
Kusto rejects the query. The usual causes are a typo, a column dropped by an earlier
`project` or `summarize`, or a column of another table (`Timestamp` in Sentinel tables is
`TimeGenerated`).

## Example
```kql
DeviceProcessEvents
| summarize count() by DeviceName
| where FileName =~ "powershell.exe"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName =~ "powershell.exe"
| summarize count() by DeviceName
```

## References
- https://learn.microsoft.com/kusto/query/summarize-operator
"#;

/// Reports the columns that did not resolve.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for name in &kql.unknown_columns {
        let mut message = format!("unknown column `{}`", name.name);
        if let Some(scope) = &name.scope {
            message.push_str(&format!(" in `{scope}`"));
        }
        if let Some(s) = &name.suggestion {
            message.push_str(&format!("; did you mean `{s}`?"));
        }
        out.push(META.diagnostic(name.span, message));
    }
}
