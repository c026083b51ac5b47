//! SIG112 `empty-or-duplicate-value`: a value listed twice, or an empty `|contains` that
//! matches everything.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG112",
    slug: "empty-or-duplicate-value",
    summary: "A value repeated in the same list, or an empty value under `contains`/`startswith`/`endswith`",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG112`.
pub const DOCS: &str = r#"## What it does
Reports a value that repeats an earlier value of the same list (compared case-insensitively,
as Sigma matches, unless the key has `|cased`, `|re` or an encoding such as `|base64offset`,
under which `IEX` and `iex` are different byte strings), and an empty string under
`contains`, `startswith` or `endswith`.

## Why is this bad?
A repeated value does nothing; usually it is a copy-paste whose edit was forgotten, so the
variant the author meant to catch is missing. An empty `contains` matches every event that has
the field, which turns the selection into "the field exists".

## Example
```yaml
title: LOLBins
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith:
      - '\rundll32.exe'
      - '\regsvr32.exe'
      - '\RUNDLL32.EXE'
  condition: selection
```

## Use instead
```yaml
title: LOLBins
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith:
      - '\rundll32.exe'
      - '\regsvr32.exe'
      - '\mshta.exe'
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
"#;

/// Reports repeats and empty substring values.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        for field in &search.fields {
            // Encodings turn case differences into different bytes.
            let exact =
                ["cased", "re", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16"]
                    .iter()
                    .any(|m| field.has(m));
            let positional = ["contains", "startswith", "endswith"].iter().find(|m| field.has(m));
            let mut seen: Vec<String> = Vec::new();
            for value in &field.values {
                let Some(text) = value.as_str() else { continue };
                if value.is_null() {
                    continue;
                }
                if let Some(modifier) = positional
                    && text.is_empty()
                {
                    out.push(META.diagnostic(
                        value.span,
                        format!(
                            "an empty value under `|{modifier}` matches every event that has `{}`",
                            field.field
                        ),
                    ));
                    continue;
                }
                let key = if exact { text.to_owned() } else { text.to_lowercase() };
                if seen.contains(&key) {
                    out.push(META.diagnostic(
                        value.span,
                        format!("`{}` is already in this list", super::taxonomy::excerpt(text)),
                    ));
                } else {
                    seen.push(key);
                }
            }
        }
    }
}
