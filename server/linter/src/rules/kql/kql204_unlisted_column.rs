//! KQL204 `unlisted-column`: a column that qlint's table schemas do not list and that is
//! no evident misspelling of one they do (those are KQL202).

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::kql::kql202_unknown_column::report;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL204",
    slug: "unlisted-column",
    summary: "A column the built-in table schemas do not list (often one newer than them)",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL204`.
pub const DOCS: &str = r#"## What it does
Reports a column that is not in scope where it is used and that KQL202 does not report
because nothing shows it to be a misspelling: no column in scope differs from it only by
case or by a typo. It follows the columns through the pipeline as KQL202 does.

Off unless selected (`select = ["KQL204"]` or `["ALL"]`): tables gain columns faster than
qlint's schema snapshot (the Log Analytics table reference of November 2024 and the Defender
XDR reference), so on real rules most of these names exist in the workspace. Select it when
your schemas are complete, for instance after loading `getschema` output as schema files.

## Why is this bad?
If the workspace does not have the column either, Kusto rejects the query, or (after a
`column_ifexists`) the filter silently matches nothing. A column dropped by an earlier
`project` or `summarize` shows up here too.

## Example
```kql
SecurityEvent
| where ProcessNameOnDisk has "psexec"
```

## Use instead
```kql
SecurityEvent
| where Process has "psexec"
```

## References
- https://learn.microsoft.com/azure/azure-monitor/logs/get-started-queries
"#;

/// Reports unresolved columns that KQL202 leaves alone.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(cx, &META, false, out);
}
