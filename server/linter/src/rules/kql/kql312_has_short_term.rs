//! KQL312 `has-short-term`: `has` with a term of fewer than three characters, which the term
//! index does not hold.

use crate::analysis::logic::{LiteralKind, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL312",
    slug: "has-short-term",
    summary: "`has` with a term shorter than three characters cannot use the term index",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL312`.
pub const DOCS: &str = r#"## What it does
Reports `has`, `has_cs`, `has_any`, `has_all` (and their negations) whose literal is a single
term of one or two letters or digits, such as `has "ps"` or `has_any ("x", "sh")`.

## Why is this bad?
Kusto indexes the terms of three characters or more. A shorter term is not in the index, so
the test scans every value like `contains` would, and the query pays for a full scan while
looking like an indexed one. If a short token must be matched, make it longer with its
context (`has "-ep bypass"` rather than `has "ep"`), or pair it with an indexed filter.

This rule is off by default; select it with `KQL312` or `ALL`.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where ProcessCommandLine has "ep"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where ProcessCommandLine has "bypass"
```

## References
- https://learn.microsoft.com/kusto/query/datatypes-string-operators#what-is-a-term
"#;

/// Reports `has` tests with one- or two-character terms.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, _, _) in cx.analysis.logic().comparisons() {
        if c.op.span.is_empty()
            || !matches!(c.op.kind, OpKind::Has | OpKind::HasAny | OpKind::HasAll)
        {
            continue;
        }
        for literal in &c.values {
            let v = &literal.value;
            let short =
                !v.is_empty() && v.len() < 3 && v.bytes().all(|b| b.is_ascii_alphanumeric());
            if literal.kind == LiteralKind::String && short {
                out.push(META.diagnostic(
                    literal.span,
                    format!(
                        "\"{v}\" is shorter than three characters: `{}` scans every value",
                        c.op.text
                    ),
                ));
                break;
            }
        }
    }
}
