//! SPL412 `mixed-and-or`: `AND` and `OR` mixed without parentheses, whose grouping differs
//! between `search` and `where`.

use qlint_grammar::spl::ast::{BinaryOp, Expr, SearchExpr};
use qlint_grammar::spl::visit::{all_exprs, all_search_clauses};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL412",
    slug: "mixed-and-or",
    summary: "`AND` and `OR` mixed without parentheses",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule SPL412`.
pub const DOCS: &str = r#"## What it does
Reports a written `AND` next to an `OR` with no parentheses to group them, in a search
clause (`a=1 AND b=2 OR b=3`) or in a `where`/`eval` expression (`a=1 OR b=2 AND c=3`).
Implicit AND (terms side by side) is not reported.

## Why is this bad?
The two languages group differently. In a search clause `OR` binds tighter than `AND`:
`a=1 AND b=2 OR b=3` means `a=1 AND (b=2 OR b=3)`. In `where` and `eval`, `AND` binds
tighter: `a=1 OR b=2 AND c=3` means `a=1 OR (b=2 AND c=3)`. Readers (and authors moving a
condition from one to the other) routinely expect the other grouping, and the detection then
matches far more or far less than intended. Parentheses make it unambiguous.

On public detections most such searches do what their authors meant (`a OR b AND c` read as
`(a OR b) AND c`, which is the search grouping), so this is a readability rule: it is off by
default; select it with `SPL412` or `ALL`.

## Example
```spl
index=wineventlog EventCode=4688 AND New_Process_Name="*\\cmd.exe" OR New_Process_Name="*\\powershell.exe"
```

## Use instead
```spl
index=wineventlog EventCode=4688 AND (New_Process_Name="*\\cmd.exe" OR New_Process_Name="*\\powershell.exe")
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Booleanexpressions
"#;

fn search_mixes(expr: &SearchExpr, text: &str, out: &mut Vec<qlint_grammar::Span>) {
    match expr {
        SearchExpr::And { operands, .. } => {
            // `AND` written between two operands of this conjunction (not inside a group).
            let explicit = operands.windows(2).any(|pair| {
                let gap = qlint_grammar::Span::new(pair[0].span().end, pair[1].span().start);
                gap.text(text).split_whitespace().any(|w| w == "AND")
            });
            for o in operands {
                if explicit && let SearchExpr::Or { span: or_span, .. } = o {
                    out.push(*or_span);
                }
                search_mixes(o, text, out);
            }
        }
        SearchExpr::Or { operands, .. } => operands.iter().for_each(|o| search_mixes(o, text, out)),
        SearchExpr::Not { operand, .. } => search_mixes(operand, text, out),
        SearchExpr::Group { inner, .. } => search_mixes(inner, text, out),
        _ => {}
    }
}

fn expr_mixes(expr: &Expr, out: &mut Vec<qlint_grammar::Span>) {
    match expr {
        Expr::Binary { op, lhs, rhs, .. } => {
            for side in [lhs, rhs] {
                if *op == BinaryOp::Or
                    && let Expr::Binary { op: BinaryOp::And, span, .. } = side.as_ref()
                {
                    out.push(*span);
                }
                expr_mixes(side, out);
            }
        }
        Expr::Unary { operand, .. } => expr_mixes(operand, out),
        Expr::Paren { inner, .. } => expr_mixes(inner, out),
        Expr::Call { args, .. } => args.iter().for_each(|a| expr_mixes(a, out)),
        _ => {}
    }
}

/// Reports ungrouped mixes of `AND` and `OR`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    let mut spans = Vec::new();
    for clause in all_search_clauses(search) {
        search_mixes(clause, cx.text, &mut spans);
    }
    for span in &spans {
        out.push(META.diagnostic(
            *span,
            "in a search `OR` binds tighter than the `AND` next to it: add parentheses to say which grouping you mean",
        ));
    }
    let mut spans = Vec::new();
    for expr in all_exprs(search) {
        expr_mixes(expr, &mut spans);
    }
    for span in spans {
        out.push(META.diagnostic(
            span,
            "in `where`/`eval` this `AND` binds tighter than the `OR` around it: add parentheses",
        ));
    }
}
