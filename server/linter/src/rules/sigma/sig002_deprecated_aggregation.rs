//! SIG002 `deprecated-aggregation`: the Sigma 1 `| count() ...` aggregation in a condition.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG002",
    slug: "deprecated-aggregation",
    summary: "The `| count()` / `| near` aggregation in a condition, which pySigma rejects",
    docs: DOCS,
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG002`.
pub const DOCS: &str = r#"## What it does
Reports a condition with a pipe: `selection | count(User) by Computer > 10`, or
`selection | near other`. This aggregation syntax of Sigma 1 was removed from the
specification and replaced by correlation rules.

## Why is this bad?
pySigma refuses any condition that contains `|`, so the rule converts to nothing. Counting
belongs in a correlation rule (`type: event_count`, `group-by`, `timespan`, `condition`) that
refers to this rule by its `name` or `id`.

## Example
```yaml
title: Many failed logons
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4625
  timeframe: 5m
  condition: selection | count() by TargetUserName > 10
```

## Use instead
```yaml
title: Failed logon
name: failed_logon
logsource:
  product: windows
  service: security
detection:
  selection:
    EventID: 4625
  condition: selection
```

## References
- https://github.com/SigmaHQ/sigma-specification/blob/main/specification/sigma-correlation-rules-specification.md
"#;

/// Reports each aggregation at its pipe and function.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for condition in &detection.conditions {
        let Some(aggregation) = &condition.parse.tree.aggregation else { continue };
        let span = match &aggregation.function {
            Some(function) => aggregation.pipe.cover(function.span),
            None => aggregation.pipe,
        };
        let what = aggregation
            .function
            .as_ref()
            .map_or_else(|| "`|`".to_owned(), |f| format!("`| {}`", f.text));
        out.push(META.diagnostic(
            condition.to_document(span),
            format!("{what} is the deprecated Sigma 1 aggregation, which pySigma rejects: write a correlation rule instead"),
        ));
    }
}
