//! KQL416 `lookback-beyond-query-period`: `ago()` reaches further back than the scheduled
//! rule's `queryPeriod`, whose data is all the query sees.

use std::collections::HashMap;

use qlint_grammar::kql::ast::{Expr, LetBody, LiteralKind, Statement, walk_exprs};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::query::TimeWindow;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL416",
    slug: "lookback-beyond-query-period",
    summary: "`ago()` reaches further back than the rule's `queryPeriod`",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL416`.
pub const DOCS: &str = r#"## What it does
In a Sentinel scheduled rule (a rule file with `queryPeriod`), reports `ago(X)` where `X`
— a timespan literal, or a `let` bound to one — is longer than the `queryPeriod`.

## Why is this bad?
A scheduled rule's query only sees the data of its query period. With `queryPeriod: 1d`,
`where TimeGenerated > ago(14d)` still reads one day, so a baseline meant to cover two
weeks covers one day and the "new" activity the rule looks for is compared against almost
nothing. Either raise `queryPeriod` (up to 14 days) or shorten the lookback so that the rule
says what it does.

This rule needs the rule file (`qlint check` on the YAML); on a bare query it stays silent.

## Example
```kql
// queryPeriod: 1d
SigninLogs
| where TimeGenerated > ago(14d)
```

## Use instead
```kql
// queryPeriod: 14d
SigninLogs
| where TimeGenerated > ago(14d)
```

## References
- https://learn.microsoft.com/azure/sentinel/detect-threats-custom#schedule-and-scope-the-query
"#;

/// A timespan as written (`14d`, `90m`, `1.5h`, `30 seconds`) in seconds.
pub(crate) fn timespan_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let number: f64 = text[..split].parse().ok()?;
    let unit = text[split..].trim().to_ascii_lowercase();
    let factor = match unit.as_str() {
        "d" | "day" | "days" => 86_400.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0,
        "m" | "min" | "minute" | "minutes" => 60.0,
        "s" | "sec" | "second" | "seconds" => 1.0,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 0.001,
        _ => return None,
    };
    Some(number * factor)
}

/// Reports `ago()` lookbacks longer than the query period.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    let Some(TimeWindow::Lookback { setting: "queryPeriod", value }) = &cx.facts.time_window else {
        return;
    };
    let Some(period) = timespan_seconds(value) else { return };
    let mut lets: HashMap<&str, f64> = HashMap::new();
    for statement in &query.statements {
        if let Statement::Let(l) = statement
            && let LetBody::Scalar(Expr::Literal(lit)) = &l.body
            && let LiteralKind::Timespan(t) = &lit.kind
            && let Some(seconds) = timespan_seconds(t)
        {
            lets.insert(l.name.name.as_str(), seconds);
        }
    }
    walk_exprs(query, &mut |expr| {
        let Expr::Call { callee, args, span } = expr else { return };
        let [arg] = args.as_slice() else { return };
        if !callee.name.eq_ignore_ascii_case("ago") {
            return;
        }
        let seconds = match &arg.value {
            Expr::Literal(lit) => match &lit.kind {
                LiteralKind::Timespan(t) => timespan_seconds(t),
                _ => None,
            },
            Expr::Name(name) => lets.get(name.name.as_str()).copied(),
            _ => None,
        };
        if seconds.is_some_and(|s| s > period) {
            out.push(META.diagnostic(
                *span,
                format!(
                    "`{}` reaches back further than the rule's queryPeriod {value}: older rows are not in its data",
                    span.text(cx.text)
                ),
            ));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::timespan_seconds;
    use crate::lint_query_with;
    use crate::query::{Language, QueryFacts, TimeWindow};
    use qlint_knowledge::Knowledge;

    fn hits(text: &str, period: &str) -> usize {
        let facts = QueryFacts {
            time_window: Some(TimeWindow::Lookback {
                setting: "queryPeriod",
                value: period.into(),
            }),
            parameters: None,
            ..QueryFacts::default()
        };
        let found = lint_query_with(Language::Kql, text, &Knowledge::builtin(), &facts);
        found.iter().filter(|d| d.code == "KQL416").count()
    }

    #[test]
    fn parses_timespans() {
        assert_eq!(timespan_seconds("14d"), Some(14.0 * 86_400.0));
        assert_eq!(timespan_seconds("90m"), Some(5_400.0));
        assert_eq!(timespan_seconds("1.5h"), Some(5_400.0));
        assert_eq!(timespan_seconds("P1D"), None);
    }

    #[test]
    fn a_lookback_past_the_period_fires() {
        assert_eq!(hits("SigninLogs\n| where TimeGenerated > ago(14d)\n", "1d"), 1);
        assert_eq!(
            hits("let lookback = 7d;\nSigninLogs\n| where TimeGenerated > ago(lookback)\n", "2h"),
            1
        );
        assert_eq!(hits("SigninLogs\n| where TimeGenerated > ago(14d)\n", "14d"), 0);
        assert_eq!(hits("SigninLogs\n| where TimeGenerated > ago(1h)\n", "1d"), 0);
    }
}
