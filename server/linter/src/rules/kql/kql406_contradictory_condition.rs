//! KQL406 `contradictory-condition`: an `and` that can never hold or an `or` that always
//! holds.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::detection::{Verdict, contradictions};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL406",
    slug: "contradictory-condition",
    summary: "Equality tests that make a condition always false or always true",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL406`.
pub const DOCS: &str = r#"## What it does
Looks at the equality tests joined by one `and` or one `or` and reports two on the same
column that decide the result by themselves: `x == "a" and x == "b"` never holds,
`x == "a" and x != "a"` never holds, `x != "a" or x != "b"` always holds.

## Why is this bad?
A filter that never holds turns the detection off without any error; one that always holds
lets everything through. Both usually come from mixing up `and` and `or`, or from
`!=` ... `or` ... `!=` written for "neither a nor b".

## Example
```kql
SecurityEvent
| where EventID == 4624 and EventID == 4625
```

## Use instead
```kql
SecurityEvent
| where EventID == 4624 or EventID == 4625
```

## References
- https://learn.microsoft.com/kusto/query/logical-operators
"#;

/// Reports contradictory and tautological pairs.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (second, first, verdict) in contradictions(cx.analysis.logic()) {
        let (a, b) = (first.text(cx.text), second.text(cx.text));
        let message = match verdict {
            Verdict::AlwaysFalse => format!("`{a}` and `{b}` cannot both hold: this never matches"),
            Verdict::AlwaysTrue => format!("`{a}` or `{b}` always holds: this filters nothing"),
        };
        out.push(META.diagnostic(second, message));
    }
}
