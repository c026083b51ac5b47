//! SPL410 `not-equal-drops-missing`: `field!=value` also drops every event without the
//! field; `NOT field=value` keeps them.

use crate::analysis::logic::{FilterOrigin, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL410",
    slug: "not-equal-drops-missing",
    summary: "`field!=value` in a search also drops events that lack the field",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule SPL410`.
pub const DOCS: &str = r#"## What it does
Reports the first `field!=value` of the event search (the base search or `tstats ... where`),
with the number of such tests in the search. A later `| search` usually tests fields that
the pipeline computed and that every result has, and is not reported.

## Why is this bad?
In a search clause `user!=SYSTEM` keeps only events that *have* a `user` field with another
value; `NOT user=SYSTEM` also keeps the events that have no `user` at all. Used as an
exclusion in a detection, `!=` quietly removes every event whose field was not extracted —
a new log format, a parsing failure, or an attacker's event that simply lacks the field.
Write `NOT field=value` unless dropping events without the field is intended.

This rule is off by default; select it with `SPL410` or `ALL`.

## Example
```spl
index=wineventlog EventCode=4688 New_Process_Name="*\\powershell.exe" Creator_Process_Name!="*\\ccmexec.exe"
```

## Use instead
```spl
index=wineventlog EventCode=4688 New_Process_Name="*\\powershell.exe" NOT Creator_Process_Name="*\\ccmexec.exe"
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/NOTexpressions
"#;

/// Reports `!=` in search clauses, once per search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let found: Vec<_> = cx
        .analysis
        .logic()
        .comparisons()
        .into_iter()
        .filter(|(c, positive, origin)| {
            *positive
                && c.op.negated
                && c.op.kind == OpKind::Equal
                && c.field.is_some()
                && matches!(origin, FilterOrigin::SplBaseSearch | FilterOrigin::SplTstatsWhere)
        })
        .collect();
    let Some((first, _, _)) = found.first() else { return };
    let field = first.field.as_ref().map(|f| f.name.as_str()).unwrap_or("");
    let more = if found.len() > 1 {
        format!(" ({} `!=` tests in this search)", found.len())
    } else {
        String::new()
    };
    out.push(META.diagnostic(
        first.span,
        format!("`{field}!=` also drops events without `{field}`: `NOT {field}=` keeps them{more}"),
    ));
}
