//! KQL202 `unknown-column`: a column that is not in scope at that point of the pipeline.

use crate::analysis::Unresolved;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL202",
    slug: "unknown-column",
    summary: "A column that is not in scope at this point of the pipeline",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL202`.
pub const DOCS: &str = r#"## What it does
Tracks the columns of a known table through each pipe stage (`project`, `project-away`,
`project-rename`, `extend`, `summarize`, `join`, `union`, `mv-expand`, `parse`, ...) and
reports a column that is not in scope where it is used, with the closest column name.
When qlint cannot know the columns after a stage (`evaluate bag_unpack()`, a fuzzy union, an
unknown table), it stops reporting for the rest of that pipeline rather than guess.

A name that is unknown several times in the same place is reported once, at its first use,
with the number of uses: one fix (or one schema entry) settles them all.

Parameters that the file around the query declares (`FunctionParams` or `ParserParams` in a
Sentinel parser) are in scope with their types. Where nothing declares them — a parser body
in a `.kql` file or a Markdown fence — an all-lowercase name that matches no column, not even
by case, is taken for a parameter of the enclosing stored function (`starttime`, `disabled`)
and not reported. The query of a Sentinel analytic rule or hunting query takes no parameters,
so there every unknown name is reported.

## Why is this bad?
Kusto rejects the query. The usual causes are a typo, a column dropped by an earlier
`project` or `summarize`, or a column of another table (`Timestamp` in Sentinel tables is
`TimeGenerated`).

The built-in schemas come from Microsoft's published table references, which lag behind
tables that gain columns (and connector tables differ between workspaces). If your workspace
has the column, add it in a schema file named in `qlint.toml` (`schemas = [...]`): a schema for
a table qlint knows adds to its columns, so list only the missing ones.

## Example
```kql
DeviceProcessEvents
| summarize count() by DeviceName
| where FileName =~ "powershell.exe"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName =~ "powershell.exe"
| summarize count() by DeviceName
```

## References
- https://learn.microsoft.com/kusto/query/summarize-operator
"#;

/// Reports the columns that did not resolve: the first use of each name in each scope.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    let mut first_uses: Vec<(&Unresolved, usize)> = Vec::new();
    for name in &kql.unknown_columns {
        let same = first_uses
            .iter_mut()
            .find(|(first, _)| first.name == name.name && first.scope == name.scope);
        match same {
            Some((first, uses)) => {
                *uses += 1;
                if name.span.start < first.span.start {
                    *first = name;
                }
            }
            None => first_uses.push((name, 1)),
        }
    }
    for (name, uses) in first_uses {
        let mut message = format!("unknown column `{}`", name.name);
        if let Some(scope) = &name.scope {
            message.push_str(&format!(" in `{scope}`"));
        }
        if uses > 1 {
            message.push_str(&format!(" ({uses} uses, the first marked)"));
        }
        let mut fix = None;
        if let Some(s) = &name.suggestion {
            message.push_str(&format!("; did you mean `{s}`?"));
            // Every use of the name in the scope: fixing only the first would leave the rest.
            let spans: Vec<_> = kql
                .unknown_columns
                .iter()
                .filter(|u| u.name == name.name && u.scope == name.scope)
                .map(|u| u.span)
                .collect();
            fix = did_you_mean_fix(cx.text, &spans, &name.name, s);
        }
        let diagnostic = META.diagnostic(name.span, message);
        out.push(match fix {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        });
    }
}
