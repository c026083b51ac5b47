//! KQL311 `search-all-tables`: `search` without `in (...)`, or `union *`, reads every table
//! of the workspace.

use qlint_grammar::kql::ast::{Expr, Source, TabularOperator, walk_operators};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL311",
    slug: "search-all-tables",
    summary: "`search` without `in (tables)` or `union *` scans every table",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL311`.
pub const DOCS: &str = r#"## What it does
Reports a `search` or `find` that does not name its tables (`in (...)`) and starts a query,
and a `union` whose only table is `*`.

## Why is this bad?
Without a table list these operators read every table of the workspace, on every column.
That is fine for a one-off hunt, but in a saved query or a detection it is slow, costly, and
its results change whenever a new table is connected.

This rule is off by default; select it with `KQL311` or `ALL`.

## Example
```kql
search "evil.example.com"
| where TimeGenerated > ago(1d)
```

## Use instead
```kql
search in (DnsEvents, DeviceNetworkEvents) "evil.example.com"
| where TimeGenerated > ago(1d)
```

## References
- https://learn.microsoft.com/kusto/query/search-operator
- https://learn.microsoft.com/kusto/query/union-operator
"#;

/// Reports table-less `search`/`find` sources and `union *`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    let mut sources = Vec::new();
    qlint_grammar::kql::ast::walk_pipelines(query, &mut |p| {
        if let Source::Operator(op) = &p.source {
            sources.push(op.span());
        }
    });
    walk_operators(query, &mut |op| {
        let (span, what) = match op {
            TabularOperator::Search { tables, span, .. }
            | TabularOperator::Find { tables, span, .. }
                if tables.is_empty() && sources.contains(span) =>
            {
                (*span, op.keyword())
            }
            TabularOperator::Union { tables, span, .. }
                if tables.len() == 1
                    && is_star(&tables[0].source)
                    && tables[0].operators.is_empty() =>
            {
                (*span, "union *")
            }
            _ => return,
        };
        let keyword = qlint_grammar::Span::new(span.start, span.start + op.keyword().len() as u32);
        out.push(
            META.diagnostic(keyword, format!("`{what}` without a table list reads every table")),
        );
    });
}

fn is_star(source: &Source) -> bool {
    match source {
        Source::Expr(Expr::Star(_)) => true,
        Source::Expr(Expr::Name(i)) => i.name == "*",
        _ => false,
    }
}
