//! KQL411 `empty-string-match`: `contains ""`, `startswith ""`, `endswith ""` hold for
//! every value.

use crate::analysis::logic::{LiteralKind, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL411",
    slug: "empty-string-match",
    summary: "`contains \"\"` matches everything (and, negated, nothing)",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL411`.
pub const DOCS: &str = r#"## What it does
Reports `contains`, `startswith` and `endswith` (case-sensitive and negated forms included)
with an empty string.

## Why is this bad?
Every string contains the empty string. `contains ""` holds for every row, so the filter does
nothing; `!contains ""` holds for none, so the detection never fires. It usually comes from a
template or a converted rule whose placeholder was never filled in.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName =~ "powershell.exe" and ProcessCommandLine contains ""
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName =~ "powershell.exe" and ProcessCommandLine contains "-enc"
```

## References
- https://learn.microsoft.com/kusto/query/datatypes-string-operators
"#;

/// Reports empty literals in substring tests.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, positive, _) in cx.analysis.logic().comparisons() {
        let substring =
            matches!(c.op.kind, OpKind::Contains | OpKind::StartsWith | OpKind::EndsWith);
        if !substring || c.op.span.is_empty() {
            continue;
        }
        let Some(empty) =
            c.values.iter().find(|v| v.kind == LiteralKind::String && v.value.is_empty())
        else {
            continue;
        };
        let holds = c.op.negated != positive;
        let effect = if holds { "holds for every value" } else { "never holds" };
        out.push(
            META.diagnostic(empty.span, format!("`{}` with an empty string {effect}", c.op.text)),
        );
    }
}
