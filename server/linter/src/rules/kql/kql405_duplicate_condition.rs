//! KQL405 `duplicate-condition`: the same test or list value written twice.

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::detection::{duplicate_comparisons, duplicate_list_values};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL405",
    slug: "duplicate-condition",
    summary: "A condition or list value that repeats an earlier one",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule KQL405`.
pub const DOCS: &str = r#"## What it does
Reports a value that appears twice in the same `in`, `in~`, `has_any` or `has_all` list
(compared case-insensitively for the case-insensitive operators), and a comparison that
repeats a sibling of the same `and` / `or`.

## Why is this bad?
The repeat does nothing, which often means something else was meant: a copy-pasted line
whose value was never edited, so the variant the author wanted to catch (`rundll32.exe`
vs `regsvr32.exe`) is missing. The safe fix removes a repeated list value.

## Example
```kql
DeviceProcessEvents
| where FileName in~ ("cmd.exe", "powershell.exe", "CMD.exe")
```

## Use instead
```kql
DeviceProcessEvents
| where FileName in~ ("cmd.exe", "powershell.exe")
```

## References
- https://learn.microsoft.com/kusto/query/in-operator
"#;

/// Reports repeated list values and repeated comparisons.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(cx, out, &META);
}

/// Shared with the SPL rule.
pub(crate) fn report(cx: &Context<'_>, out: &mut Vec<Diagnostic>, meta: &RuleMeta) {
    let logic = cx.analysis.logic();
    for dup in duplicate_list_values(logic, cx.text) {
        let mut diagnostic =
            meta.diagnostic(dup.span, format!("`{}` is already in this list", dup.value));
        if let Some(removal) = dup.removal {
            diagnostic = diagnostic.with_fix(Fix {
                title: format!("Remove the repeated `{}`", dup.value),
                applicability: Applicability::Safe,
                edits: vec![Edit { span: removal, replacement: String::new() }],
            });
        }
        out.push(diagnostic);
    }
    for (repeat, _) in duplicate_comparisons(logic) {
        let shown = repeat.text(cx.text);
        let shown: String = shown.chars().take(60).collect();
        out.push(meta.diagnostic(repeat, format!("`{shown}` repeats an earlier condition")));
    }
}
