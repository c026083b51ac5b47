//! SIG113 `pointless-modifier`: a modifier that cannot change what the key matches.

use crate::analysis::sigma::FieldMatch;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG113",
    slug: "pointless-modifier",
    summary: "A modifier with no effect where it stands (`|all` on one value, `|windash` on a non-command-line field)",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG113`.
pub const DOCS: &str = r#"## What it does
Reports modifiers that have no effect, or not the intended one, where they stand: `|all` with
a single value; `|all` with `|windash` (each dash variant would have to match at once) or
without `|contains` on a field (the whole field would have to equal every value; a keyword
list `'|all':` is fine); a modifier written twice; `|windash` on a field that holds a path, a name or a hash (`Image`, `TargetFilename`, ...); `|base64offset`
without `|contains` after it; `|wide`/`|utf16*` without `|base64` or `|base64offset`;
`|contains` together with `|startswith` or `|endswith`.

## Why is this bad?
`|all` turns a list into "every value must match"; with one value the author most likely
meant a list that got lost. `|windash` expands `-` into the dash variants Windows command
lines accept, which means nothing in a path or a hash. The base64 offset forms are only
found as substrings, and an encoding modifier only matters before a base64 step.

## Example
```yaml
title: Whoami all
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|contains|all: 'whoami'
  condition: selection
```

## Use instead
```yaml
title: Whoami all
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|contains|all:
      - 'whoami'
      - '/priv'
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
"#;

/// Reports each pointless modifier at the modifier.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        for field in &search.fields {
            for (name, message) in problems(field) {
                let span = field
                    .modifiers
                    .iter()
                    .find(|m| m.name == name)
                    .map_or(field.key_span, |m| m.span);
                out.push(META.diagnostic(span, message));
            }
        }
    }
}

/// Fields that hold a path, a name or a hash, never a command line (`ImagePath` of a service
/// does hold one, so only these are reported).
const NOT_COMMAND_LINES: &[&str] = &[
    "Image",
    "ParentImage",
    "TargetFilename",
    "ImageLoaded",
    "OriginalFileName",
    "Hashes",
    "TargetObject",
    "SourceImage",
    "TargetImage",
    "PipeName",
    "QueryName",
    "User",
    "Product",
    "Company",
    "Description",
    "CurrentDirectory",
    "DestinationHostname",
];

fn after(field: &FieldMatch, first: &str, then: &[&str]) -> bool {
    let names: Vec<&str> = field.modifiers.iter().map(|m| m.name.as_str()).collect();
    names
        .iter()
        .position(|m| *m == first)
        .is_some_and(|i| names[i + 1..].iter().any(|m| then.contains(m)))
}

/// A modifier written more than once (`|base64` may repeat: it encodes again).
fn repeated(field: &FieldMatch) -> Option<&'static str> {
    let names: Vec<&str> = field.modifiers.iter().map(|m| m.name.as_str()).collect();
    super::MODIFIERS
        .iter()
        .copied()
        .find(|m| *m != "base64" && names.iter().filter(|n| *n == m).count() > 1)
}

fn problems(field: &FieldMatch) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if field.has("all") && field.values.len() == 1 {
        out.push((
            "all",
            "`|all` with a single value does nothing: list the values that must all match"
                .to_owned(),
        ));
    }
    if field.has("windash") && NOT_COMMAND_LINES.contains(&field.field.as_str()) {
        out.push((
            "windash",
            format!(
                "`|windash` varies command-line dashes, but `{}` is not a command line",
                field.field
            ),
        ));
    }
    if field.has("base64offset") && !after(field, "base64offset", &["contains"]) {
        out.push((
            "base64offset",
            "`|base64offset` forms only appear inside a longer string: follow it with `|contains`"
                .to_owned(),
        ));
    }
    for encoding in ["wide", "utf16le", "utf16be", "utf16"] {
        if field.has(encoding) && !after(field, encoding, &["base64", "base64offset"]) {
            out.push((
                encoding,
                format!("`|{encoding}` only matters before `|base64` or `|base64offset`"),
            ));
        }
    }
    if field.has("all") && field.has("windash") {
        out.push((
            "all",
            "`|windash` with `|all`: every dash variant of each value would have to match at once, so the key never matches"
                .to_owned(),
        ));
    } else if field.has("all")
        && !field.field.is_empty()
        && field.values.len() > 1
        && !field.has("contains")
        && !field.has("re")
    {
        out.push((
            "all",
            "`|all` without `|contains`: the whole field would have to match every value at once"
                .to_owned(),
        ));
    }
    if let Some(twice) = repeated(field) {
        out.push((twice, format!("`|{twice}` is written twice; once is enough")));
    }
    if field.has("contains") && (field.has("startswith") || field.has("endswith")) {
        out.push((
            "contains",
            "`|contains` with `|startswith`/`|endswith`: one position is enough".to_owned(),
        ));
    }
    out
}
