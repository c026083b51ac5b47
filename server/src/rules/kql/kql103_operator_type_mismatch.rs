//! KQL103 `operator-type-mismatch`: an operator applied to operand types Kusto rejects.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL103",
    slug: "operator-type-mismatch",
    summary: "An operator is applied to operand types it does not accept",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
};

/// `qlint rule KQL103`.
pub const DOCS: &str = r#"## What it does
Infers the scalar type of both sides of an operator (from table schemas, literals, `let`
values and function results) and reports an operator that Kusto does not define for those
types: ordering a `datetime` against a string or a number, `has` or `contains` on a number,
`=~` on a non-string, arithmetic on strings, `and` on a non-boolean, a `between` bound of the
wrong type, a `where` condition that is not a `bool`. Only sides whose type is known for sure are judged; `dynamic` values and
equality (`==`, `!=`, `in`), which Kusto accepts between any types, are never reported.

## Why is this bad?
Kusto rejects the query with "the operator is not defined for the operand types". A rule
that compares `Timestamp > "2024-01-01"` or filters `ProcessId has "4624"` never runs.

## Example
```kql
DeviceProcessEvents
| where Timestamp > "2024-01-01"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > datetime(2024-01-01)
```

## References
- https://learn.microsoft.com/kusto/query/scalar-data-types/
- https://learn.microsoft.com/kusto/query/datetime-timespan-arithmetic
"#;

/// Reports the operators whose operand types Kusto rejects.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for m in &kql.operator_mismatches {
        let message = match (m.op.as_str(), m.right) {
            ("between", Some(bound)) => {
                format!("a `{}` value cannot be `between` bounds of type `{bound}`", m.left)
            }
            (op, Some(right)) => {
                format!("`{op}` is not defined for operand types `{}` and `{right}`", m.left)
            }
            ("where", None) => {
                format!("the `where` condition must be `bool` but it is `{}`", m.left)
            }
            (op, None) => format!("`{op}` is not defined for operand type `{}`", m.left),
        };
        out.push(META.diagnostic(m.span, message));
    }
}
