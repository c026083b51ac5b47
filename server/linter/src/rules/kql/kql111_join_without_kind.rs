//! KQL111 `join-without-kind`: a `join` without `kind=` is an `innerunique` join, which
//! keeps one left row per key.

use qlint_grammar::kql::ast::{TabularOperator, walk_operators};

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL111",
    slug: "join-without-kind",
    summary: "`join` without `kind=` deduplicates the left side (`innerunique`)",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: false,
};

/// `qlint rule KQL111`.
pub const DOCS: &str = r#"## What it does
Reports a `join` that does not say which kind of join it is.

## Why is this bad?
Kusto's default join is `innerunique`, not `inner`: before joining it keeps one arbitrary row
for each key of the left side. A detection that joins process events to network events on
`DeviceId` therefore looks at one process per device and silently drops the rest, and which
one it keeps can change from run to run. Writing the kind says what you meant:
`kind=inner` to keep every pair, `kind=innerunique` when one left row per key is really
wanted.

The fix writes `kind=innerunique`, which keeps today's behaviour and makes it visible
(offered in the editor only: it may well not be what you meant).

This rule is off by default; select it with `KQL111` or `ALL`.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| join (DeviceNetworkEvents | where Timestamp > ago(1d)) on DeviceId
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| join kind=inner (DeviceNetworkEvents | where Timestamp > ago(1d)) on DeviceId
```

## References
- https://learn.microsoft.com/kusto/query/join-operator#returns
"#;

/// Reports joins without `kind=`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    walk_operators(query, &mut |op| {
        let TabularOperator::Join { params, span, .. } = op else { return };
        if params.iter().any(|p| p.name.name.eq_ignore_ascii_case("kind")) {
            return;
        }
        let keyword = qlint_grammar::Span::new(span.start, span.start + 4);
        if keyword.text(cx.text) != "join" {
            return;
        }
        out.push(
            META.diagnostic(
                keyword,
                "`join` without `kind=` is `innerunique`: it keeps one left row per key",
            )
            .with_fix(Fix {
                title: "Write `kind=innerunique`".to_owned(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: qlint_grammar::Span::empty(keyword.end),
                    replacement: " kind=innerunique".to_owned(),
                }],
            }),
        );
    });
}
