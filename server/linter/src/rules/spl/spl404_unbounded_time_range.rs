//! SPL404 `unbounded-time-range`: a subsearch that is bounded differently from its parent.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL404",
    slug: "unbounded-time-range",
    summary: "The search sets no time range and relies on where it runs",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule SPL404`.
pub const DOCS: &str = r#"## What it does
Reports an event search (`index=...`, `sourcetype=...`) with no `earliest=` / `latest=`
modifier and no `_time` test anywhere, when the search also sets a time range somewhere
else — for instance a subsearch with `earliest=-7d` under a main search with none — so that
the parts of the search cover different periods without saying so.

Not in the default rule set: select `SPL404` (or `SPL4`) to turn it on.

## Why is this bad?
Mixed bounds are a classic source of joins that pair events from different weeks and of
baselines computed on another window than the one compared to them.

A search with no time modifier at all is not reported: in Splunk the time range of a saved
search or correlation rule comes from its schedule (`dispatch.earliest_time`), and an
ad-hoc search has the time picker. Putting `earliest=` in every ESCU detection would be
wrong, not better. Nor is a `savedsearches.conf` stanza whose `dispatch.earliest_time` (its
own or inherited from `[default]`) is set: the unbounded parts run over that window, which
is written next to the search.

## Example
```spl
index=proxy [search index=threat_intel earliest=-30d | fields url] | stats count by src
```

## Use instead
```spl
index=proxy earliest=-24h [search index=threat_intel earliest=-30d | fields url] | stats count by src
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Specifytimemodifiersinyoursearch
"#;

/// Reports the unbounded event searches of a search that bounds time elsewhere.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.facts.time_window.is_some() {
        return;
    }
    let Some(spl) = cx.analysis.spl() else { return };
    if !spl.time_modifier_somewhere {
        return;
    }
    for (name, span) in &spl.unbounded_event_searches {
        out.push(META.diagnostic(
            *span,
            format!("`{name}` has no time range while another part of the search sets one"),
        ));
    }
}
