//! SPL113 `sort-without-limit`: `sort` without a count keeps only the first 10,000 results.

use qlint_grammar::spl::ast::CommandKind;
use qlint_grammar::spl::visit::all_commands;

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL113",
    slug: "sort-without-limit",
    summary: "`sort` without a count silently truncates to 10,000 results",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Info,
    fixable: true,
    default_enabled: false,
};

/// `qlint rule SPL113`.
pub const DOCS: &str = r#"## What it does
Reports `sort` written without a count (`sort - count` rather than `sort 0 - count` or
`sort 100 - count`).

## Why is this bad?
Without a count, `sort` returns at most 10,000 results and drops the rest without a
warning. In a detection or a report over many hosts or users, the results past that line
disappear. `sort 0` keeps every result; a number says how many you want.

The fix writes `sort 0` (offered in the editor only).

This rule is off by default; select it with `SPL113` or `ALL`.

## Example
```spl
index=main sourcetype=WinEventLog
| stats count by user
| sort - count
```

## Use instead
```spl
index=main sourcetype=WinEventLog
| stats count by user
| sort 0 - count
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Sort
"#;

/// Reports `sort` without a limit.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    for command in all_commands(search) {
        let CommandKind::Sort(sort) = &command.kind else { continue };
        if sort.limit.is_some() || command.name.span.is_empty() || sort.keys.is_empty() {
            continue;
        }
        let limit_option =
            cx.text[command.span.start as usize..command.span.end as usize].contains("limit=");
        if limit_option {
            continue;
        }
        out.push(
            META.diagnostic(
                command.name.span,
                "`sort` without a count keeps at most 10,000 results",
            )
            .with_fix(Fix {
                title: "Write `sort 0`".to_owned(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: qlint_grammar::Span::empty(command.name.span.end),
                    replacement: " 0".to_owned(),
                }],
            }),
        );
    }
}
