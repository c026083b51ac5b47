//! SPL405 `duplicate-condition`: the same value twice in an `IN` list or a repeated term.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL405",
    slug: "duplicate-condition",
    summary: "A condition or `IN` value that repeats an earlier one",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule SPL405`.
pub const DOCS: &str = r#"## What it does
Reports a value repeated in one `field IN (...)` list (search values compare
case-insensitively) and a `field=value` or term that repeats a sibling of the same `AND` /
`OR` group. The safe fix removes a repeated `IN` value.

## Why is this bad?
The repeat does nothing; it is usually a copy-paste whose value was never edited, so the
variant the author meant to cover is missing.

## Example
```spl
index=windows process_name IN ("cmd.exe", "powershell.exe", "CMD.EXE")
```

## Use instead
```spl
index=windows process_name IN ("cmd.exe", "powershell.exe")
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Search
"#;

/// Reports repeated list values and conditions.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    crate::rules::kql::kql405_duplicate_condition::report(cx, out, &META);
}
