//! KQL112 `unused-let`: a `let` name that the query never uses.

use std::collections::HashSet;

use qlint_grammar::kql::ast::{
    Expr, LetStatement, Query, Statement, Visitor, walk_expr, walk_query, walk_statement,
};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL112",
    slug: "unused-let",
    summary: "A `let` name that nothing uses (often an allow list that filters nothing)",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL112`.
pub const DOCS: &str = r#"## What it does
Reports a `let` statement whose name is not used anywhere in the query. A name that a
commented-out line uses (`//| where FileName in~ (Suspicious)`) was disabled on purpose and
is not reported.

## Why is this bad?
In a detection the unused name is often the list of exclusions or the threshold that the
author meant to apply: `let AllowedAccounts = dynamic([...]);` followed by a query that never
mentions `AllowedAccounts` alerts on the accounts it was meant to skip. Otherwise it is dead
code that readers have to check.

## Example
```kql
let AllowedTools = dynamic(["sccm.exe", "intune.exe"]);
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName =~ "psexec.exe"
```

## Use instead
```kql
let AllowedTools = dynamic(["sccm.exe", "intune.exe"]);
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName =~ "psexec.exe"
| where InitiatingProcessFileName !in~ (AllowedTools)
```

## References
- https://learn.microsoft.com/kusto/query/let-statement
"#;

#[derive(Default)]
struct Uses<'q> {
    lets: Vec<&'q LetStatement>,
    names: HashSet<String>,
}

impl<'q> Uses<'q> {
    fn collect(query: &'q Query) -> Self {
        let mut uses = Uses::default();
        // The visitor hands out borrows of the tree; keep the lets from a second walk.
        walk_query(&mut uses, query);
        uses.lets = lets_of(&query.statements);
        uses
    }
}

fn lets_of(statements: &[Statement]) -> Vec<&LetStatement> {
    let mut out = Vec::new();
    for statement in statements {
        if let Statement::Let(l) = statement {
            out.push(l);
            if let qlint_grammar::kql::ast::LetBody::Function(f) = &l.body {
                out.extend(lets_of(&f.body));
            }
        }
    }
    out
}

impl Visitor for Uses<'_> {
    fn visit_statement(&mut self, stmt: &Statement) {
        walk_statement(self, stmt);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Name(i) => {
                self.names.insert(i.name.to_ascii_lowercase());
            }
            Expr::Call { callee, .. } => {
                self.names.insert(callee.name.to_ascii_lowercase());
            }
            Expr::Literal(l) => {
                // `table("name")` and `materialize` by name.
                if let qlint_grammar::kql::ast::LiteralKind::String { value } = &l.kind {
                    self.names.insert(value.to_ascii_lowercase());
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// Reports `let` names that are never referenced.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    let uses = Uses::collect(query);
    let Some(last) = query.statements.iter().rfind(|s| !matches!(s, Statement::Error(_))) else {
        return;
    };
    // A text that is only `let` statements is a library of definitions (a function file).
    if matches!(last, Statement::Let(_)) {
        return;
    }
    // What follows `//` on each line, gathered once (per `let` it made long queries quadratic).
    let mut comments: Option<Vec<&str>> = None;
    for l in &uses.lets {
        if uses.names.contains(&l.name.name.to_ascii_lowercase()) {
            continue;
        }
        let comments = comments.get_or_insert_with(|| {
            cx.text.lines().filter_map(|line| line.split_once("//")).map(|(_, c)| c).collect()
        });
        let commented_out = comments.iter().any(|c| c.contains(l.name.name.as_str()));
        if !commented_out {
            out.push(
                META.diagnostic(
                    l.name.span,
                    format!("`{}` is defined but never used", l.name.name),
                ),
            );
        }
    }
}
