//! KQL201 `unknown-table`: a table that neither the built-in schemas nor the user's schema
//! files know.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL201",
    slug: "unknown-table",
    summary: "A table that no known schema defines",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL201`.
pub const DOCS: &str = r#"## What it does
Reports a table name that is not a Defender XDR or Sentinel / Log Analytics table, not a
`let` or `as` name of the query, not an Azure Resource Graph table and not in a schema file
you gave qlint, when a known table is spelled almost the same (the message suggests it) or
when it is a retired Defender ATP name (`MiscEvents`, now `DeviceEvents`). A name close to
no known table is left alone: it is more likely a workspace function, a custom `_CL` table or
a table newer than qlint's catalog than a typo.

## Why is this bad?
A misspelt table makes the query fail (or, in a `union isfuzzy=true`, silently return
nothing). Custom tables (`*_CL`) and functions defined in your workspace are not known to
qlint: describe them in a schema file (see `qlint.toml`) and this warning goes away.

## Example
```kql
DeviceProcesEvents
| where FileName =~ "powershell.exe"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName =~ "powershell.exe"
```

## References
- https://learn.microsoft.com/defender-xdr/advanced-hunting-schema-tables
- https://learn.microsoft.com/azure/azure-monitor/reference/tables-index
"#;

/// Reports the tables that did not resolve.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for name in &kql.unknown_tables {
        let message = match &name.suggestion {
            Some(s) => format!("unknown table `{}`; did you mean `{s}`?", name.name),
            None => format!("unknown table `{}`", name.name),
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
