//! SPL311 `table-mid-pipeline`: `table` before other processing moves the work to the
//! search head; `fields` keeps it on the indexers.

use qlint_grammar::spl::ast::CommandKind;

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL311",
    slug: "table-mid-pipeline",
    summary: "`table` followed by further processing: use `fields`",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: true,
    default_enabled: false,
};

/// `qlint rule SPL311`.
pub const DOCS: &str = r#"## What it does
Reports `table` when it is followed by a command that processes the results further
(`stats`, `eval`, `where`, `lookup`, `dedup`, ...). A `table` at the end, or followed only
by `sort`, `head`, `rename` or a macro, is left alone.

## Why is this bad?
`table` is a transforming command: everything after it runs on the search head, with the
full results shipped there first. `fields` keeps the same columns and lets the following
commands run on the indexers in parallel. On a busy search the difference is large.

The fix replaces `table` with `fields` (offered in the editor only: `fields` also keeps
internal fields such as `_time` and does not order the columns).

This rule is off by default; select it with `SPL311` or `ALL`.

## Example
```spl
index=proxy sourcetype=squid
| table _time, src, url
| stats count by src
```

## Use instead
```spl
index=proxy sourcetype=squid
| fields _time, src, url
| stats count by src
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Table
"#;

/// Reports `table` followed by processing commands.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    for (i, command) in search.commands.iter().enumerate() {
        let is_table = matches!(command.kind, CommandKind::Fields(_))
            && command.name.text.eq_ignore_ascii_case("table");
        if !is_table {
            continue;
        }
        let later = search.commands[i + 1..].iter().find(|c| {
            let name = c.name.text.to_ascii_lowercase();
            !matches!(c.kind, CommandKind::Macro(_))
                && ![
                    "sort",
                    "head",
                    "tail",
                    "rename",
                    "table",
                    "fields",
                    "outputlookup",
                    "collect",
                    "sendalert",
                ]
                .contains(&name.as_str())
        });
        if let Some(next) = later {
            out.push(
                META.diagnostic(
                    command.name.span,
                    format!(
                        "`table` before `{}` moves the processing to the search head: use `fields`",
                        next.name.text
                    ),
                )
                .with_fix(Fix {
                    title: "Replace `table` with `fields`".to_owned(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit { span: command.name.span, replacement: "fields".to_owned() }],
                }),
            );
        }
    }
}
