//! SPL110 `where-unquoted-value`: `where user=admin` compares with a field called `admin`,
//! not with the text.

use std::collections::HashMap;

use qlint_grammar::spl::ast::{BinaryOp, CommandKind, Expr};
use qlint_grammar::spl::visit::all_commands;

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL110",
    slug: "where-unquoted-value",
    summary: "`where x=value`: an unquoted right side is a field name, not a string",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule SPL110`.
pub const DOCS: &str = r#"## What it does
Reports `where` comparisons (`=`, `==`, `!=`) of a field with an unquoted word that looks
like a value (a plain word such as `admin`, `Saturday` or `SYSTEM`, not `process_name` or
`TargetDomainName`) and that the search never uses anywhere else: `where user=admin`,
`where action!=blocked`.

## Why is this bad?
`where` takes an eval expression, in which an unquoted word is a field name. `where
user=admin` compares `user` with the field `admin`, which does not exist, so the test is
never true (and `!=` never true either, since a comparison with a missing field is null). The
`search` command reads the same text as a value, which is where the habit comes from.

The fix quotes the word (offered in the editor only).

## Example
```spl
index=main sourcetype=linux_secure
| where user=root
```

## Use instead
```spl
index=main sourcetype=linux_secure
| where user="root"
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Where
"#;

/// How often each word appears as a whole token in the text.
fn word_counts(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
        if !word.is_empty() {
            *counts.entry(word).or_insert(0) += 1;
        }
    }
    counts
}

fn comparisons<'e>(expr: &'e Expr, out: &mut Vec<(&'e Expr, &'e Expr, BinaryOp)>) {
    match expr {
        Expr::Binary { op: op @ (BinaryOp::Eq | BinaryOp::Ne), lhs, rhs, .. } => {
            out.push((lhs, rhs, *op))
        }
        Expr::Binary { op: BinaryOp::And | BinaryOp::Or | BinaryOp::Xor, lhs, rhs, .. } => {
            comparisons(lhs, out);
            comparisons(rhs, out);
        }
        Expr::Unary { operand, .. } => comparisons(operand, out),
        Expr::Paren { inner, .. } => comparisons(inner, out),
        _ => {}
    }
}

/// Reports `where field=word` with a word that is no field of the search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    let counts = word_counts(cx.text);
    for command in all_commands(search) {
        let CommandKind::Where(w) = &command.kind else { continue };
        let mut found = Vec::new();
        comparisons(&w.expr, &mut found);
        for (lhs, rhs, op) in found {
            let (Expr::Field(_), Expr::Field(value)) = (lhs, rhs) else { continue };
            let word = value.text.as_str();
            let once = counts.get(word).copied().unwrap_or(0) <= 1;
            // Field names look like `TargetDomainName` or `process_name`; values like `root`,
            // `Saturday` or `SYSTEM`.
            let tail = &word[word.chars().next().map_or(0, char::len_utf8)..];
            let plain = word.chars().all(|c| c.is_alphanumeric() || c == '-')
                && (!tail.chars().any(char::is_uppercase) || !word.chars().any(char::is_lowercase));
            let keyword = ["true", "false", "null"].contains(&word.to_ascii_lowercase().as_str());
            if value.quoted || !once || !plain || word.starts_with('_') || keyword {
                continue;
            }
            let op = if op == BinaryOp::Eq { "=" } else { "!=" };
            out.push(
                META.diagnostic(
                    value.span,
                    format!(
                        "`{word}` is read as a field name, not as text: write `{op}\"{word}\"`"
                    ),
                )
                .with_fix(Fix {
                    title: format!("Quote `{word}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit { span: value.span, replacement: format!("\"{word}\"") }],
                }),
            );
        }
    }
}
