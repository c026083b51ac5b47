//! SPL411 `stats-by-time-without-bin`: `stats ... by _time` without `bin _time` groups each
//! second apart.

use qlint_grammar::spl::ast::{Command, CommandKind};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::spl::flow::{aggregation_name, reads};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL411",
    slug: "stats-by-time-without-bin",
    summary: "`stats ... by _time` with no `bin _time` before it",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL411`.
pub const DOCS: &str = r#"## What it does
Reports `stats` over events grouped by `_time` when no earlier `bin`/`bucket` puts `_time`
into spans (and the `stats` has no `span=` of its own), and a later `where` or `search`
tests one of its results (`where count > 20`). A `stats count by _time, ...` that only lists
events is not reported.

## Why is this bad?
`_time` has second (or finer) precision. Grouping by it makes one group per timestamp, so
counts stay at 1 or 2 and a threshold such as `where count > 20` never holds: the detection
counts nothing. `bin _time span=5m` (or `timechart`) groups into windows.

## Example
```spl
index=wineventlog EventCode=4625
| stats count by _time, src
| where count > 20
```

## Use instead
```spl
index=wineventlog EventCode=4625
| bin _time span=5m
| stats count by _time, src
| where count > 20
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Bin
"#;

/// True when a later `where`/`search` tests one of the aggregation results (`count > 20`):
/// a `stats count by _time, ...` that only lists events is left alone.
fn thresholded(later: &[Command], results: &[String]) -> bool {
    // Up to the next `stats`, which aggregates the per-timestamp rows again.
    later
        .iter()
        .take_while(|c| !matches!(c.kind, CommandKind::Stats(_)))
        .filter(|c| matches!(c.kind, CommandKind::Where(_) | CommandKind::Search(_)))
        .filter_map(reads)
        .flatten()
        .any(|f| results.iter().any(|r| r == f.name))
}

/// Reports `stats by _time` without an earlier `bin _time`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    let mut binned = false;
    for (i, command) in search.commands.iter().enumerate() {
        match &command.kind {
            CommandKind::Bin(b) => {
                binned |= b.field.as_ref().is_none_or(|f| f.text == "_time")
                    && b.alias.as_ref().is_none_or(|a| a.text == "_time");
            }
            CommandKind::Stats(s) if command.name.text.eq_ignore_ascii_case("stats") => {
                let span_option = s.options.iter().any(|o| o.key.text.eq_ignore_ascii_case("span"));
                let by_time = s.by.iter().find(|n| n.text == "_time");
                let results: Vec<String> =
                    s.aggregations.iter().map(|a| aggregation_name(a, cx.text)).collect();
                if let Some(time) = by_time
                    && !binned
                    && !span_option
                    && s.macros.is_empty()
                    && thresholded(&search.commands[i + 1..], &results)
                {
                    out.push(META.diagnostic(
                        time.span,
                        "`by _time` without `bin _time` makes one group per timestamp",
                    ));
                }
                // After a `stats`, `_time` is a group key or an aggregate: grouping by it is fine.
                binned = true;
            }
            CommandKind::Tstats(t) => binned = t.by.iter().any(|n| n.text == "_time"),
            CommandKind::Macro(_) | CommandKind::Generic(_) => binned = true,
            _ => {}
        }
    }
}
