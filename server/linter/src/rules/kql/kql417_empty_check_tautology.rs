//! KQL417 `empty-check-tautology`: `isempty(x) or isnotempty(x)` always holds, and with
//! `and` never does.

use std::collections::HashSet;

use qlint_grammar::kql::ast::{BinaryOp, Expr, walk_exprs};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL417",
    slug: "empty-check-tautology",
    summary: "`isempty(x) or isnotempty(x)` always holds; with `and` it never does",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL417`.
pub const DOCS: &str = r#"## What it does
Reports an `or` that tests the same expression with `isempty()` and `isnotempty()` (or
`isnull()` and `isnotnull()`), and an `and` that does.

## Why is this bad?
One of the two always holds, so the `or` lets every row through and the `and` none: the filter
either does nothing or turns the detection off. It is usually a typo for the same test on two
different columns (`isempty(AccountName) or isnotempty(AccountSid)`).

## Example
```kql
SecurityEvent
| where TimeGenerated > ago(1d)
| where isempty(TargetUserName) or isnotempty(TargetUserName)
```

## Use instead
```kql
SecurityEvent
| where TimeGenerated > ago(1d)
| where isempty(TargetUserName) or isnotempty(TargetUserSid)
```

## References
- https://learn.microsoft.com/kusto/query/isempty-function
"#;

/// `(negated, test family, argument text)` of an emptiness test.
fn emptiness_test<'t>(expr: &Expr, text: &'t str) -> Option<(bool, &'static str, &'t str)> {
    let Expr::Call { callee, args, .. } = expr else { return None };
    let [arg] = args.as_slice() else { return None };
    let (negated, family) = match callee.name.to_ascii_lowercase().as_str() {
        "isempty" => (false, "empty"),
        "isnotempty" => (true, "empty"),
        "isnull" => (false, "null"),
        "isnotnull" => (true, "null"),
        _ => return None,
    };
    Some((negated, family, arg.value.span().text(text).trim()))
}

fn operands<'e>(expr: &'e Expr, op: BinaryOp, out: &mut Vec<&'e Expr>) {
    match expr {
        Expr::Binary { op: o, lhs, rhs, .. } if *o == op => {
            operands(lhs, op, out);
            operands(rhs, op, out);
        }
        Expr::Paren { inner, .. } => {
            let before = out.len();
            operands(inner, op, out);
            if out.len() == before + 1 {
                out[before] = inner;
            }
        }
        _ => out.push(expr),
    }
}

/// Reports complementary emptiness tests joined by one `and`/`or`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    // The operands of a chain of the same `and`/`or` that are links of it themselves (`a or b`
    // in `a or b or c`, and the blocks a long chain is built from, see the grammar's
    // `chain.rs`): their items are a part of the chain's, so the chain (visited first) finds
    // all they would. Checking each link again made long chains quadratic.
    let mut links: HashSet<*const Expr> = HashSet::new();
    walk_exprs(query, &mut |expr| {
        let Expr::Binary { op, lhs, rhs, .. } = expr else { return };
        if !matches!(op, BinaryOp::And | BinaryOp::Or) {
            return;
        }
        for side in [lhs, rhs] {
            if matches!(&**side, Expr::Binary { op: inner, .. } if inner == op) {
                links.insert(&**side as *const Expr);
            }
        }
        if links.contains(&(expr as *const Expr)) {
            return;
        }
        let mut items = Vec::new();
        operands(expr, *op, &mut items);
        let tests: Vec<_> = items
            .iter()
            .filter_map(|e| emptiness_test(e, cx.text).map(|t| (t, e.span())))
            .collect();
        for (i, ((neg, family, arg), span)) in tests.iter().enumerate() {
            let complement =
                tests[..i].iter().find(|((n, f, a), _)| n != neg && f == family && a == arg);
            if let Some((_, first)) = complement {
                let verdict = if *op == BinaryOp::Or { "always holds" } else { "never holds" };
                out.push(META.diagnostic(
                    *span,
                    format!(
                        "`{}` {} `{}` {verdict}",
                        first.text(cx.text),
                        op.as_str(),
                        span.text(cx.text)
                    ),
                ));
            }
        }
    });
}
