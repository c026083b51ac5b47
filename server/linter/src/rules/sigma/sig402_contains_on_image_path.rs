//! SIG402 `contains-on-image-path`: `Image|contains: 'name.exe'` in an exclusion, where
//! `|endswith: '\name.exe'` was meant.

use super::values::{Piece, is_windows_image_path, negated_searches, pieces};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG402",
    slug: "contains-on-image-path",
    summary: "An exclusion on a process image path with `|contains` on a file name, where `|endswith` was meant",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG402`.
pub const DOCS: &str = r#"## What it does
In a search that the condition negates (a filter), reports `|contains` on a Windows image path
field (`Image`, `ParentImage`, `SourceImage`, `TargetImage`, `ImageLoaded`, `NewProcessName`,
...) whose value ends with an executable file name (`\Teams.exe`, `update.exe`) and does not
start at a drive root (`:\Windows\System32\cmd.exe` can only be met inside that folder, which
users cannot write to, so it is left alone), when that test is the whole filter (another field
beside it, such as a command line, narrows what gets through). Such a value
names the end of the path: `|endswith` says so, `|contains` also accepts the name in the
middle of the path. A selection with the same value is only a little broader and is left
alone; the risk is in what a filter lets through.

## Why is this bad?
A filter with `|contains: '\Teams.exe'` drops every process whose path merely passes through
a folder with that name: `C:\Users\Public\Teams.exe\payload.exe` is excluded, so an attacker
who knows the rule can hide behind it. `|endswith` closes that gap at no cost.

## Example
```yaml
title: Suspicious child of Office
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    ParentImage|endswith: '\WINWORD.EXE'
  filter:
    Image|contains: '\Teams.exe'
  condition: selection and not filter
```

## Use instead
```yaml
title: Suspicious child of Office
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    ParentImage|endswith: '\WINWORD.EXE'
  filter:
    Image|endswith: '\Teams.exe'
  condition: selection and not filter
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
- https://github.com/SigmaHQ/sigma/blob/master/documentation/rule-creation-guide.md
"#;

/// Extensions of files that run as a process or load into one.
const EXECUTABLE_EXTENSIONS: &[&str] =
    &[".exe", ".dll", ".sys", ".scr", ".cpl", ".com", ".ocx", ".drv", ".efi"];

/// Reports each value of a negated search that names a file at the end of an image path.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    for search in negated_searches(rule) {
        for field in &search.fields {
            let contains_only =
                field.has("contains") && !field.has("all") && field.modifiers.len() == 1;
            // Another field in the same map narrows the filter: the image test alone is not
            // what lets a path through.
            let alone = search.fields.iter().filter(|f| f.group == field.group).count() == 1;
            if !contains_only || !alone || !is_windows_image_path(rule, field) {
                continue;
            }
            for node in &field.values {
                let Some(value) = node.as_str() else { continue };
                if ends_with_file_name(value) {
                    out.push(META.diagnostic(
                        node.span,
                        format!(
                            "`{}|contains` in a filter also excludes any path through a folder named `{}`: use `|endswith`",
                            field.field,
                            file_name(value)
                        ),
                    ));
                }
            }
        }
    }
}

/// True when the value, without wildcards, ends with `name.ext` for an executable extension
/// and is not anchored at a drive root (`:\Windows\...`, `C:\...`): a colon only follows a
/// drive letter, so such a value cannot be met through a folder elsewhere.
fn ends_with_file_name(value: &str) -> bool {
    let anchored = value.starts_with(':') || value.as_bytes().get(1) == Some(&b':');
    let literal = !anchored && pieces(value).iter().all(|(_, p, _)| matches!(p, Piece::Literal(_)));
    let lower = value.to_ascii_lowercase();
    literal
        && EXECUTABLE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext) && lower.len() > ext.len())
}

fn file_name(value: &str) -> &str {
    value.rsplit(['\\', '/']).next().unwrap_or(value)
}
