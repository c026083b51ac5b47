//! SIG105 `conflicting-modifiers`: modifiers that cannot be combined (`|re|contains`).

use crate::analysis::sigma::FieldMatch;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG105",
    slug: "conflicting-modifiers",
    summary: "Modifiers that pySigma cannot apply together",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG105`.
pub const DOCS: &str = r#"## What it does
Reports modifier combinations that pySigma refuses: `re` together with `contains`,
`startswith` or `endswith` (a regular expression is not a wildcard string), or with `cased`
(a regular expression is case-sensitive already); a regex flag (`i`,
`m`, `s`) without `re`; `exists` with any other modifier; a comparison (`lt`, `gte`, ...)
together with a string modifier.

## Why is this bad?
The modifiers are applied left to right and each expects a certain kind of value; when one
gets the wrong kind, pySigma raises an error and the rule converts to nothing.

## Example
```yaml
title: Suspicious script
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|contains|re: 'iex\s*\('
  condition: selection
```

## Use instead
```yaml
title: Suspicious script
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|re: 'iex\s*\('
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
"#;

const STRING_POSITION: &[&str] = &["contains", "startswith", "endswith"];
const REGEX_FLAGS: &[&str] = &["i", "m", "s", "ignorecase", "multiline", "dotall"];
const COMPARISONS: &[&str] = &["lt", "lte", "gt", "gte"];

/// Reports each impossible combination once per key.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        for field in &search.fields {
            if let Some(message) = conflict(field) {
                out.push(META.diagnostic(field.key_span, message));
            }
        }
    }
}

fn first<'a>(field: &'a FieldMatch, names: &[&str]) -> Option<&'a str> {
    field.modifiers.iter().map(|m| m.name.as_str()).find(|m| names.contains(m))
}

fn conflict(field: &FieldMatch) -> Option<String> {
    if field.has("re") {
        if let Some(other) = first(field, STRING_POSITION) {
            return Some(format!(
                "`|re` cannot be combined with `|{other}`: a regular expression is not anchored, so drop `|{other}` (or write `^`/`$` in the pattern)"
            ));
        }
        if field.has("cased") {
            return Some(
                "`|re` cannot be combined with `|cased`: a regular expression is case-sensitive already (add `|i` to ignore case)"
                    .to_owned(),
            );
        }
    } else if let Some(flag) = first(field, REGEX_FLAGS) {
        return Some(format!("the regex flag `|{flag}` needs `|re` before it"));
    }
    if field.has("exists") && field.modifiers.len() > 1 {
        return Some(
            "`|exists` takes no other modifier: it only tests whether the field is present"
                .to_owned(),
        );
    }
    if let Some(cmp) = first(field, COMPARISONS)
        && let Some(other) = first(
            field,
            &[
                "contains",
                "startswith",
                "endswith",
                "re",
                "base64",
                "base64offset",
                "windash",
                "wide",
                "cidr",
            ],
        )
    {
        return Some(format!("`|{cmp}` compares numbers and cannot be combined with `|{other}`"));
    }
    None
}
