//! SPL301 `tstats-without-summariesonly`: `tstats` on a data model that also searches raw
//! events for the unsummarised range.

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL301",
    slug: "tstats-without-summariesonly",
    summary: "`tstats` over a data model without `summariesonly`",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule SPL301`.
pub const DOCS: &str = r#"## What it does
Reports `| tstats ... from datamodel=...` with no `summariesonly=` option and no macro that
could set it (such as ESCU's `` `security_content_summariesonly` ``).

## Why is this bad?
Without `summariesonly=true`, `tstats` reads the accelerated summaries and then falls back
to searching raw events for every time range the summaries do not cover yet. On a busy
data model that fallback is where most of the run time goes, and a detection that should
take seconds takes minutes. Saying `summariesonly=false` on purpose (to be complete for the
most recent minutes) is fine and not reported: the rule only asks you to decide.

The fix adds `summariesonly=true` and is unsafe: events not yet summarised are no longer
searched.

## Example
```spl
| tstats count from datamodel=Endpoint.Processes by Processes.dest
```

## Use instead
```spl
| tstats summariesonly=true count from datamodel=Endpoint.Processes by Processes.dest
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Tstats
"#;

/// Reports `tstats` without `summariesonly`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    for tstats in &spl.tstats_without_summariesonly {
        out.push(
            META.diagnostic(
                tstats.name_span,
                "`tstats` on a data model without `summariesonly` also searches raw events",
            )
            .with_fix(Fix {
                title: "Add `summariesonly=true`".to_owned(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: qlint_grammar::Span::empty(tstats.name_span.end),
                    replacement: " summariesonly=true".to_owned(),
                }],
            }),
        );
    }
}
