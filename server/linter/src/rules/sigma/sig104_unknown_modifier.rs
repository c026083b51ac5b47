//! SIG104 `unknown-modifier`: `Field|contians`.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};
use qlint_knowledge::suggest;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG104",
    slug: "unknown-modifier",
    summary: "A value modifier that Sigma does not define",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG104`.
pub const DOCS: &str = r#"## What it does
Reports a modifier after `|` in a detection key that is not one of Sigma's modifiers
(`contains`, `startswith`, `endswith`, `all`, `re` and its flags `i`/`m`/`s`, `base64`,
`base64offset`, `wide`/`utf16le`/`utf16be`/`utf16`, `windash`, `cidr`, `lt`/`lte`/`gt`/`gte`,
`expand`, `fieldref`, `exists`, `cased`, `neq`, and the time parts `minute` ... `year`), with
the closest known one. Modifiers are case-sensitive.

## Why is this bad?
pySigma rejects the rule ("Unknown modifier"), so it converts to nothing.

## Example
```yaml
title: Encoded PowerShell
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|contians: ' -enc '
  condition: selection
```

## Use instead
```yaml
title: Encoded PowerShell
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|contains: ' -enc '
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
"#;

/// Reports every modifier that is not in the list.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        for field in &search.fields {
            for modifier in &field.modifiers {
                if super::MODIFIERS.contains(&modifier.name.as_str()) {
                    continue;
                }
                let message = if modifier.name.is_empty() {
                    "empty modifier: remove the extra `|`".to_owned()
                } else {
                    let hint = match suggest(&modifier.name, super::MODIFIERS.iter().copied()) {
                        Some(close) => format!(": did you mean `{close}`?"),
                        None => String::new(),
                    };
                    format!("`{}` is not a Sigma modifier{hint}", modifier.name)
                };
                out.push(META.diagnostic(modifier.span, message));
            }
        }
    }
}
