//! KQL415 `take-in-scheduled-rule`: `take`/`limit` in the output of a scheduled analytic rule
//! drops alerts.

use qlint_grammar::kql::ast::{Statement, TabularOperator};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::query::TimeWindow;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL415",
    slug: "take-in-scheduled-rule",
    summary: "`take`/`limit` at the end of a scheduled rule silently drops alerts",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL415`.
pub const DOCS: &str = r#"## What it does
In a Sentinel scheduled or near-real-time rule (a rule file with `queryPeriod` or
`kind: NRT`), reports `take` or `limit` among the operators of the query's result. Uses
inside `let` statements and sub-queries are not reported.

## Why is this bad?
Every row a rule returns is a potential alert. `take 10` keeps an arbitrary ten of them
and throws the others away without a trace: on the day an attack produces eleven matching
rows, one is never seen. Sample rows in a hunt, not in a detection; to bound alert volume,
group the rows (`summarize ... by`) or use the rule's alert grouping settings.

This rule needs the rule file (`qlint check` on the YAML); on a bare query it stays silent.

## Example
```kql
SigninLogs
| where ResultType == "50126"
| take 100
```

## Use instead
```kql
SigninLogs
| where ResultType == "50126"
| summarize Attempts = count() by UserPrincipalName, IPAddress
```

## References
- https://learn.microsoft.com/azure/sentinel/detect-threats-custom
"#;

/// Reports `take` in the output pipeline of a scheduled rule.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    let scheduled = match &cx.facts.time_window {
        Some(TimeWindow::NearRealTime) => true,
        Some(TimeWindow::Lookback { setting, .. }) => *setting == "queryPeriod",
        None => false,
    };
    if !scheduled {
        return;
    }
    let Some(Statement::Tabular(output)) =
        query.statements.iter().rfind(|s| matches!(s, Statement::Tabular(_)))
    else {
        return;
    };
    for op in &output.operators {
        if let TabularOperator::Take { span, .. } = op {
            let keyword = span.text(cx.text).split_whitespace().next().unwrap_or("take");
            out.push(META.diagnostic(
                qlint_grammar::Span::new(span.start, span.start + keyword.len() as u32),
                format!("`{keyword}` in a scheduled rule keeps some result rows and drops the other alerts"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::query::{Language, QueryFacts, TimeWindow};
    use crate::{lint_query, lint_query_with};
    use qlint_knowledge::Knowledge;

    fn scheduled() -> QueryFacts {
        QueryFacts {
            time_window: Some(TimeWindow::Lookback { setting: "queryPeriod", value: "1d".into() }),
            parameters: None,
            ..QueryFacts::default()
        }
    }

    fn codes(text: &str, facts: &QueryFacts) -> Vec<&'static str> {
        let knowledge = Knowledge::builtin();
        let found = lint_query_with(Language::Kql, text, &knowledge, facts);
        found.iter().map(|d| d.code).filter(|c| *c == "KQL415").collect()
    }

    #[test]
    fn take_in_the_output_of_a_scheduled_rule_fires() {
        let text = "SigninLogs\n| where ResultType == \"50126\"\n| take 100\n";
        assert_eq!(codes(text, &scheduled()), ["KQL415"]);
        let nrt =
            QueryFacts { time_window: Some(TimeWindow::NearRealTime), ..QueryFacts::default() };
        assert_eq!(codes(text, &nrt), ["KQL415"]);
        // A hunt (no container facts) may sample.
        let knowledge = Knowledge::builtin();
        assert!(lint_query(Language::Kql, text, &knowledge).iter().all(|d| d.code != "KQL415"));
    }

    #[test]
    fn take_inside_a_let_or_a_sub_query_is_fine() {
        let text = "let Recent = SigninLogs | take 1000;\nRecent\n| join kind=inner (AuditLogs | take 10) on CorrelationId\n";
        assert!(codes(text, &scheduled()).is_empty());
    }
}
