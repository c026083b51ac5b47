//! SIG403 `match-never-succeeds`: a match on a Windows image path that no path can satisfy
//! (a bare file name compared exactly or as the start of the path, a path ending in `\`).

use super::values::{Piece, is_windows_image_path, negated_searches, pieces};
use crate::analysis::sigma::FieldMatch;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG403",
    slug: "match-never-succeeds",
    summary: "A value that a full image path can never match with its modifier (`Image: 'cmd.exe'`, `Image|startswith: 'cmd'`)",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG403`.
pub const DOCS: &str = r#"## What it does
On Windows image path fields (`Image`, `ParentImage`, `SourceImage`, `TargetImage`,
`ImageLoaded`, `NewProcessName`, ...), which always hold a full path such as
`C:\Windows\System32\cmd.exe`, reports values that no such path can match:
- an exact match (no modifier) or `|startswith` on a value without a folder separator
  (`cmd.exe`, `powershell`), which a path that starts with a drive letter, `\\` or `%` never
  equals or starts with;
- `|endswith` on a value that ends with `\`, since an image path ends with a file name.
Values with wildcards and `null` are left alone, and so are the names Windows and Sysmon give
processes without an image file (`System`, `Registry`, `MemCompression`, `<unknown process>`). The message says whether the search is a filter (the
exclusion never applies) or a selection (the rule never fires).

## Why is this bad?
A filter that cannot match excludes nothing, so the false positives it was written for keep
coming; a selection that cannot match makes the rule silent. Both look fine on review.

## Example
```yaml
title: Office spawns a shell
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    ParentImage|endswith: '\WINWORD.EXE'
  filter:
    Image: 'splwow64.exe'
  condition: selection and not filter
```

## Use instead
```yaml
title: Office spawns a shell
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    ParentImage|endswith: '\WINWORD.EXE'
  filter:
    Image|endswith: '\splwow64.exe'
  condition: selection and not filter
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
"#;

/// Reports each impossible value at the value.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(detection) = &rule.detection else { return };
    let negated = negated_searches(rule);
    for search in &detection.searches {
        let role = if negated.iter().any(|s| s.name == search.name) {
            "the filter never applies"
        } else {
            "the selection never matches"
        };
        for field in search.fields.iter().filter(|f| is_windows_image_path(rule, f)) {
            let Some(reason) = reason(field) else { continue };
            for node in field.values.iter().filter(|v| !v.is_null()) {
                let Some(value) = node.as_str() else { continue };
                if let Some(why) = reason(value) {
                    out.push(META.diagnostic(
                        node.span,
                        format!("`{}` holds a full path, so {why}: {role}", field.field),
                    ));
                }
            }
        }
    }
}

type Reason = fn(&str) -> Option<String>;

/// The test that applies to the field's modifiers, if any.
fn reason(field: &FieldMatch) -> Option<Reason> {
    let names: Vec<&str> = field.modifiers.iter().map(|m| m.name.as_str()).collect();
    match names.as_slice() {
        [] => Some(exact_name),
        ["startswith"] => Some(start_name),
        ["endswith"] => Some(trailing_separator),
        _ => None,
    }
}

/// True when the value has no wildcard.
fn literal(value: &str) -> bool {
    pieces(value).iter().all(|(_, p, _)| matches!(p, Piece::Literal(_)))
}

/// What Windows and Sysmon report as the image of processes without a file on disk.
const PSEUDO_IMAGES: &[&str] = &[
    "system",
    "registry",
    "memcompression",
    "secure system",
    "idle",
    "vmmem",
    "vmmemwsl",
    "-",
    "<unknown process>",
];

/// True when the value has no folder separator, is not an environment variable and is not the
/// name Windows gives a process without an image file (`System`).
fn bare_name(value: &str) -> bool {
    !value.is_empty()
        && !value.contains(['\\', '/'])
        && !value.starts_with('%')
        && !PSEUDO_IMAGES.contains(&value.to_ascii_lowercase().as_str())
        && literal(value)
}

fn exact_name(value: &str) -> Option<String> {
    bare_name(value)
        .then(|| format!("it never equals the bare name `{value}` (use `|endswith: '\\{value}'`)"))
}

fn start_name(value: &str) -> Option<String> {
    let drive = value.len() >= 2 && value.as_bytes()[1] == b':';
    (bare_name(value) && !drive)
        .then(|| format!("it never starts with `{value}` (a path starts with a drive or `\\\\`)"))
}

fn trailing_separator(value: &str) -> Option<String> {
    (value.ends_with('\\') && literal(value) && value.len() > 1)
        .then(|| format!("it never ends with `{value}` (it ends with a file name)"))
}
