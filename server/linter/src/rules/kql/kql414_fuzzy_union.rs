//! KQL414 `fuzzy-union`: `union isfuzzy=true` in a detection hides a missing table.

use qlint_grammar::kql::ast::{Expr, LiteralKind, TabularOperator, walk_operators};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL414",
    slug: "fuzzy-union",
    summary: "`union isfuzzy=true` runs on whatever tables exist, silently",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL414`.
pub const DOCS: &str = r#"## What it does
Reports `union isfuzzy=true`.

## Why is this bad?
A fuzzy union skips the tables (and functions) that do not exist or fail, with no error. That
is what a normalising parser wants, but in a detection it means that a renamed table, a
connector that was removed or a typo in a table name makes the rule cover less, or nothing,
while it still runs green. Prefer a plain `union` in detections, so that a missing source
is an error someone sees.

This rule is off by default; select it with `KQL414` or `ALL`.

## Example
```kql
union isfuzzy=true SecurityEvent, WindowsEvent
| where TimeGenerated > ago(1d)
| where EventID == 4688
```

## Use instead
```kql
union SecurityEvent, WindowsEvent
| where TimeGenerated > ago(1d)
| where EventID == 4688
```

## References
- https://learn.microsoft.com/kusto/query/union-operator
"#;

/// Reports fuzzy unions.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    walk_operators(query, &mut |op| {
        let TabularOperator::Union { params, .. } = op else { return };
        for p in params {
            let fuzzy = p.name.name.eq_ignore_ascii_case("isfuzzy")
                && matches!(&p.value, Expr::Literal(l) if l.kind == LiteralKind::Bool(true));
            if fuzzy {
                out.push(META.diagnostic(
                    p.span,
                    "`isfuzzy=true` silently skips tables that are missing or fail",
                ));
            }
        }
    });
}
