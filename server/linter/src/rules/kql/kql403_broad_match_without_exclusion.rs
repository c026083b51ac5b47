//! KQL403 `broad-match-without-exclusion`: the only filters are short substring matches and
//! nothing is ever excluded.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::detection::broad_matches;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL403",
    slug: "broad-match-without-exclusion",
    summary: "A short `contains` is the only filter and nothing is excluded",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL403`.
pub const DOCS: &str = r#"## What it does
Reports a `contains` test on a very short literal (three letters or digits or fewer, such as
`contains "-e"` or `contains "$"`) when nothing else in the query narrows the events — no
other test with a literal on an event field (`ActionType`, `EventID` and similar only pick the
data) — and nothing is excluded: no negated operator, no `not()`, no `leftanti` join.
Anchored tests (`startswith`, `endswith`) and whole-term tests (`has`) are not reported: they
usually carry meaning (`endswith "$"` for machine accounts).

## Why is this bad?
A short substring matches far more than the author had in mind (`-e` is in `-encodedcommand`
and in `--verbose`, `-ExecutionPolicy`, `C:\Program Files\...\node-e.js`). Without any
exclusion, the first benign tool that matches floods the queue, and the usual reaction is to
disable the rule. Real detections pair a broad indicator with a narrowing condition or a
list of known-good exceptions.

## Example
```kql
DeviceProcessEvents
| where ProcessCommandLine contains "-e"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName in~ ("powershell.exe", "pwsh.exe")
| where ProcessCommandLine contains "-e"
| where InitiatingProcessFileName !in~ ("ccmexec.exe")
```

## References
- https://learn.microsoft.com/defender-xdr/advanced-hunting-best-practices
"#;

/// Reports broad matches in queries that never exclude anything.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (span, literal) in broad_matches(cx.analysis.logic()) {
        out.push(META.diagnostic(
            span,
            format!("broad match on \"{literal}\" with no exclusion anywhere in the query"),
        ));
    }
}
