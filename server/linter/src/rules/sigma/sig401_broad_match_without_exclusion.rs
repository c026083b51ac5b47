//! SIG401 `broad-match-without-exclusion`: the only tests are short `|contains` values and
//! the condition excludes nothing.

use crate::analysis::sigma::FieldMatch;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG401",
    slug: "broad-match-without-exclusion",
    summary: "A short `|contains` is the only test and the condition excludes nothing",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG401`.
pub const DOCS: &str = r#"## What it does
Reports a `|contains` whose values have one to three ASCII letters or digits (`' -e '`,
`' a '`; punctuation-only and non-ASCII values are specific enough) when every
other test of the rule is as broad or only picks the data (`EventID`, `Provider_Name`,
`Channel`), and no condition has a `not`. Anchored tests (`|startswith`, `|endswith`) and
exact values are not reported. The same check exists for KQL (KQL403) and SPL (SPL403).

## Why is this bad?
A short substring matches far more than the author had in mind (`-e` is in `-encodedcommand`
and in every path with `-e` in it). Without a filter of known-good cases, the first benign
tool that matches floods the queue, and the rule gets disabled.

## Example
```yaml
title: Encoded command
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|contains: ' -e '
  condition: selection
```

## Use instead
```yaml
title: Encoded command
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\powershell.exe'
    CommandLine|contains: ' -e '
  filter_ccm:
    ParentImage|endswith: '\ccmexec.exe'
  condition: selection and not filter_ccm
```

## References
- https://sigmahq.io/docs/basics/rules.html
"#;

const DATA_PICKERS: &[&str] = &["EventID", "Provider_Name", "Channel", "EventType", "Type"];

/// One to three ASCII letters or digits, perhaps with punctuation (`-e`, ` a `). Values of
/// punctuation only (`://`, `==.`) and non-ASCII characters (emoji, homoglyphs) are specific.
fn is_short(text: &str) -> bool {
    let significant = text.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    text.is_ascii() && (1..=3).contains(&significant)
}

/// Reports every short `contains` value when nothing narrows or excludes.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(detection) = &rule.detection else { return };
    if detection.conditions.is_empty() || !super::conditions_ok(rule) || super::has_negation(rule) {
        return;
    }
    let fields: Vec<&FieldMatch> = detection.searches.iter().flat_map(|s| &s.fields).collect();
    let broad = |f: &FieldMatch| {
        f.has("contains")
            && !f.has("all")
            && f.values.iter().all(|v| v.as_str().is_some_and(is_short))
    };
    let narrowing = fields.iter().any(|f| !broad(f) && !DATA_PICKERS.contains(&f.field.as_str()));
    let keywords = detection.searches.iter().any(|s| !s.keywords.is_empty());
    if narrowing || keywords {
        return;
    }
    for field in fields.into_iter().filter(|f| broad(f)) {
        let Some(value) = field.values.first() else { continue };
        let text = value.as_str().unwrap_or("");
        out.push(META.diagnostic(
            value.span,
            format!("broad match on `{text}` with no exclusion in the condition"),
        ));
    }
}
