//! KQL418 `frequency-exceeds-period`: a Sentinel scheduled rule that runs less often than
//! the span it looks back over never looks at the events between its runs.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::query::TimeWindow;
use crate::rules::container::first_line;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL418",
    slug: "frequency-exceeds-period",
    summary: "A scheduled rule's `queryFrequency` is longer than its `queryPeriod`",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL418`.
pub const DOCS: &str = r#"## What it does
In a Sentinel scheduled rule, reports a `queryFrequency` (how often the rule runs) that is
longer than its `queryPeriod` (how far back each run looks). Both are read in the forms rule
files and ARM templates use: `5m`, `5h`, `1d`, `PT5H`, `P1D`. The finding sits on the first
line of the query and names both settings.

## Why is this bad?
With `queryFrequency: 1d` and `queryPeriod: 1h`, each run reads the last hour and the
following run starts 23 hours later: 23 hours of every day are never examined, and an attack
that happens in them raises no alert. A period at least as long as the frequency (often a
little longer, to cover ingestion delay) makes the runs cover the whole timeline.

This rule needs the rule file (`qlint check` on the YAML); on a bare query it stays silent.

## Example
```kql
// queryFrequency: 1d
// queryPeriod: 1h
SigninLogs
| where ResultType == "50126"
```

## Use instead
```kql
// queryFrequency: 1h
// queryPeriod: 1h
SigninLogs
| where ResultType == "50126"
```

## References
- https://learn.microsoft.com/azure/sentinel/detect-threats-custom#schedule-and-scope-the-query
"#;

/// A Sentinel schedule duration in seconds: `5m`, `5h`, `1d`, `90s` as rule files write
/// them, or ISO 8601 as ARM templates do (`PT5H`, `P1D`, `P1DT12H`, `P2W`). `None` for
/// anything else.
pub(crate) fn sentinel_duration_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Some(iso) = text.strip_prefix(['P', 'p']) {
        return iso_duration_seconds(iso);
    }
    let unit = text.chars().last()?;
    let number: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let factor = match unit.to_ascii_lowercase() {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// The part of an ISO 8601 duration after `P`: `1D`, `T5H`, `1DT2H30M`, `2W`.
fn iso_duration_seconds(iso: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in iso.chars() {
        match c.to_ascii_uppercase() {
            '0'..='9' => number.push(c),
            'T' if !in_time && number.is_empty() => in_time = true,
            unit => {
                let factor = match (unit, in_time) {
                    ('W', false) => 604_800,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                let value: u64 = number.parse().ok()?;
                total = total.checked_add(value.checked_mul(factor)?)?;
                number.clear();
                any = true;
            }
        }
    }
    (any && number.is_empty()).then_some(total)
}

/// Reports a run frequency longer than the look-back period.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(TimeWindow::Lookback { setting: "queryPeriod", value: period }) =
        &cx.facts.time_window
    else {
        return;
    };
    let Some(frequency) = &cx.facts.query_frequency else { return };
    let (Some(every), Some(back)) =
        (sentinel_duration_seconds(frequency), sentinel_duration_seconds(period))
    else {
        return;
    };
    if every <= back {
        return;
    }
    out.push(META.diagnostic(
        first_line(cx.text),
        format!(
            "the rule runs every {} (queryFrequency) but each run reads only the last {} \
             (queryPeriod): events in the gap between runs are never examined",
            frequency.trim(),
            period.trim()
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::sentinel_duration_seconds as secs;
    use crate::lint_query_with;
    use crate::query::{Language, QueryFacts, TimeWindow};
    use qlint_knowledge::Knowledge;

    fn hits(frequency: &str, period: &str) -> Vec<String> {
        let facts = QueryFacts {
            time_window: Some(TimeWindow::Lookback {
                setting: "queryPeriod",
                value: period.into(),
            }),
            query_frequency: Some(frequency.into()),
            ..QueryFacts::default()
        };
        let text = "// tuned\nSigninLogs\n| where ResultType == \"50126\"\n";
        let found = lint_query_with(Language::Kql, text, &Knowledge::builtin(), &facts);
        found
            .iter()
            .filter(|d| d.code == "KQL418")
            .map(|d| format!("{} {}", d.span.text(text), d.message))
            .collect()
    }

    #[test]
    fn parses_sentinel_durations() {
        assert_eq!(secs("5h"), Some(5 * 3_600));
        assert_eq!(secs(" 1d "), Some(86_400));
        assert_eq!(secs("90s"), Some(90));
        assert_eq!(secs("PT5H"), Some(5 * 3_600));
        assert_eq!(secs("P1D"), Some(86_400));
        assert_eq!(secs("P1DT12H"), Some(129_600));
        assert_eq!(secs("PT30M"), Some(1_800));
        assert_eq!(secs("p2w"), Some(1_209_600));
        for bad in ["", "d", "14", "1.5h", "P", "PT", "P5H", "PT1D", "1hh", "-1h", "é", "P1"] {
            assert_eq!(secs(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_frequency_longer_than_the_period_fires_on_the_first_line() {
        let found = hits("1d", "1h");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("SigninLogs the rule runs every 1d"), "{found:?}");
        assert_eq!(hits("P1D", "PT5H").len(), 1);
        assert_eq!(hits("6h", "5h").len(), 1);
    }

    #[test]
    fn covering_or_unreadable_schedules_are_quiet() {
        assert!(hits("1h", "1h").is_empty());
        assert!(hits("5m", "14d").is_empty());
        assert!(hits("PT1H", "1d").is_empty());
        assert!(hits("daily", "1h").is_empty());
        let no_period = QueryFacts { query_frequency: Some("1d".into()), ..QueryFacts::default() };
        let text = "SigninLogs\n";
        let found = lint_query_with(Language::Kql, text, &Knowledge::builtin(), &no_period);
        assert!(found.iter().all(|d| d.code != "KQL418"));
    }
}
