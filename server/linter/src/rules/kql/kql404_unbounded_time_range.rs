//! KQL404 `unbounded-time-range`: a query over event tables with no time filter.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::query::QueryRole;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL404",
    slug: "unbounded-time-range",
    summary: "The query reads event tables without any time filter",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL404`.
pub const DOCS: &str = r#"## What it does
Reports a query that reads an event table (one with `TimeGenerated` or `Timestamp`) and never
narrows time: no `ago()`, `now()`, `between`, `startofday()`-style bound, `datetime()`
comparison, or test on `TimeGenerated` / `Timestamp`.

Not reported when the file around the query sets the window: a Sentinel scheduled rule
(`kind: Scheduled`, with or without `queryPeriod`) or a near-real-time rule (`kind: NRT`)
runs the query over the window of its schedule whatever the text says. Nor in a parser or
function body (`ParserQuery`, `FunctionQuery`): its caller sets the range. Nor in a stored function that takes a `datetime` or `timespan`
parameter (`let f = (starttime: datetime) { ... }`, or `FunctionParams` / `ParserParams` in
a Sentinel parser): the caller passes the range.

## Why is this bad?
Shared as a hunt, the query's cost and results depend on whatever time range the portal
picker happens to show (Defender XDR: up to 30 days; Log Analytics: 24 hours by default),
so two analysts running it see different things, and a join can pair events weeks apart.

This is only information: a hunt run from the portal has the picker, and some teams rely on
it. Not in the default rule set: select `KQL404` (or `KQL4`) in `qlint.toml` for hunt
libraries that must state their range.

## Example
```kql
DeviceProcessEvents
| where FileName =~ "certutil.exe"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName =~ "certutil.exe"
```

## References
- https://learn.microsoft.com/azure/sentinel/detect-threats-custom#query-scheduling-and-alert-threshold
"#;

/// Reports a query with event sources and no time bound, unless its container sets one.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.facts.time_window.is_some() || cx.facts.role != QueryRole::Hunt {
        return;
    }
    let logic = cx.analysis.logic();
    if logic.time_bounded != Some(false) {
        return;
    }
    if let Some((name, span)) = logic.event_sources.first() {
        out.push(META.diagnostic(
            *span,
            format!(
                "`{name}` is read without a time filter; the range depends on where the query runs"
            ),
        ));
    }
}
