//! SIG116 `cased-misuse`: `|cased` where it hurts or cannot help: on a Windows path or
//! registry key, on a value without letters. (`|cased` with `|re` is SIG105.)

use super::values::IMAGE_PATH_FIELDS;
use crate::analysis::sigma::{FieldMatch, SigmaRule};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG116",
    slug: "cased-misuse",
    summary: "`|cased` on a case-insensitive Windows path or registry key, or on values without letters",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG116`.
pub const DOCS: &str = r#"## What it does
Sigma matches strings case-insensitively unless the key has `|cased`. This rule reports
`|cased` where it is wrong or useless (`|cased` together with `|re`, which pySigma refuses, is
SIG105):
- on a Windows field that holds a file path or a registry key (`Image`, `TargetFilename`,
  `TargetObject`, ...), which Windows treats case-insensitively;
- on values that have no letters, where case cannot matter.

## Why is this bad?
On a Windows path, `|cased` makes
`C:\Windows\System32\` miss `C:\WINDOWS\system32\`, which is how many events spell it: a
selection misses real activity, and an exclusion can be sidestepped by changing the case.

## Example
```yaml
title: Rundll32 from Temp
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith|cased: '\rundll32.exe'
    CommandLine|contains: '\Temp\'
  condition: selection
```

## Use instead
```yaml
title: Rundll32 from Temp
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\rundll32.exe'
    CommandLine|contains: '\Temp\'
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
"#;

/// Windows fields, besides the image paths, whose values Windows compares without case.
const CASELESS_WINDOWS_FIELDS: &[&str] =
    &["TargetFilename", "TargetObject", "CurrentDirectory", "PipeName", "ObjectName"];

/// Modifiers after which the bytes, not the letters, are compared.
const ENCODINGS: &[&str] = &["base64", "base64offset", "wide", "utf16le", "utf16be", "utf16"];

/// Reports each misused `|cased` at the modifier.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(detection) = &rule.detection else { return };
    for field in detection.searches.iter().flat_map(|s| &s.fields) {
        let Some(cased) = field.modifiers.iter().find(|m| m.name == "cased") else { continue };
        if let Some(message) = problem(rule, field) {
            out.push(META.diagnostic(cased.span, message));
        }
    }
}

fn problem(rule: &SigmaRule, field: &FieldMatch) -> Option<String> {
    if field.has("re") {
        return None;
    }
    let name = field.field.as_str();
    let windows = rule.logsource.product.as_deref() == Some("windows");
    if windows && (IMAGE_PATH_FIELDS.contains(&name) || CASELESS_WINDOWS_FIELDS.contains(&name)) {
        return Some(format!(
            "`{name}` holds a Windows path or key, which Windows treats case-insensitively: `|cased` misses other spellings"
        ));
    }
    let strings: Vec<&str> = field.values.iter().filter_map(|v| v.as_str()).collect();
    if !strings.is_empty()
        && strings.len() == field.values.len()
        && strings.iter().all(|v| !v.chars().any(char::is_alphabetic))
        && !field.modifiers.iter().any(|m| ENCODINGS.contains(&m.name.as_str()))
    {
        return Some("`|cased` on values without letters changes nothing".to_owned());
    }
    None
}
