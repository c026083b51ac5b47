//! SIG108 `invalid-metadata-value`: `id`, `status`, `level`, `date`, `modified` or `related`
//! with a value Sigma does not allow.

use crate::analysis::sigma::Node;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};
use qlint_knowledge::suggest;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG108",
    slug: "invalid-metadata-value",
    summary: "An `id`, `status`, `level`, date or `related` entry with a value Sigma does not allow",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG108`.
pub const DOCS: &str = r#"## What it does
Checks the values of the metadata keys: `id` (and each `related` `id`) must be a UUID;
`status` one of `stable`, `test`, `experimental`, `deprecated`, `unsupported`; `level` one of
`informational`, `low`, `medium`, `high`, `critical`; `date` and `modified` a real calendar
date written `YYYY-MM-DD`; each `related` `type` one of `derived`, `obsolete`, `merged`,
`renamed`, `similar`.

## Why is this bad?
pySigma rejects a rule with an invalid `id`, `status`, `level` or date, so it converts to
nothing; tools that track rules by `id` (deduplication, `related` links, correlation rules)
cannot refer to it.

## Example
```yaml
title: Whoami
id: 4f2a-whoami
status: testing
level: med
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
  condition: selection
```

## Use instead
```yaml
title: Whoami
id: 502b42de-4306-40b4-9596-6f590c81f073
status: test
level: medium
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
  condition: selection
```

## References
- https://github.com/SigmaHQ/sigma-specification/blob/main/specification/sigma-rules-specification.md
"#;

const STATUS: &[&str] = &["stable", "test", "experimental", "deprecated", "unsupported"];
const LEVEL: &[&str] = &["informational", "low", "medium", "high", "critical"];
const RELATION: &[&str] = &["derived", "obsolete", "merged", "renamed", "similar"];

/// Checks each metadata value that is present.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let root = &rule.root;
    if let Some(id) = root.get("id") {
        uuid(id, "id", out);
    }
    one_of(root.get("status"), "status", STATUS, out);
    one_of(root.get("level"), "level", LEVEL, out);
    for key in ["date", "modified"] {
        if let Some(value) = root.get(key)
            && !value.as_str().is_some_and(is_date)
        {
            out.push(
                META.diagnostic(value.span, format!("`{key}` must be a date written YYYY-MM-DD")),
            );
        }
    }
    if let Some(related) = root.get("related") {
        for entry in related.items() {
            if let Some(id) = entry.get("id") {
                uuid(id, "related id", out);
            }
            one_of(entry.get("type"), "related type", RELATION, out);
        }
    }
}

fn uuid(node: &Node, what: &str, out: &mut Vec<Diagnostic>) {
    if !node.as_str().is_some_and(is_uuid) {
        out.push(META.diagnostic(
            node.span,
            format!("the {what} must be a UUID such as `502b42de-4306-40b4-9596-6f590c81f073`"),
        ));
    }
}

fn one_of(node: Option<&Node>, key: &str, allowed: &[&str], out: &mut Vec<Diagnostic>) {
    let Some(node) = node else { return };
    let value = node.as_str().unwrap_or("");
    if allowed.contains(&value) {
        return;
    }
    let hint = match suggest(value, allowed.iter().copied()) {
        Some(close) => format!("did you mean `{close}`? "),
        None => String::new(),
    };
    out.push(META.diagnostic(
        node.span,
        format!(
            "`{value}` is not a valid {key}: {hint}allowed are {}",
            allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        ),
    ));
}

/// `8-4-4-4-12` hexadecimal digits.
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `YYYY-MM-DD`, a real day of the Gregorian calendar.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_and_dates() {
        assert!(super::is_uuid("502b42de-4306-40b4-9596-6f590c81f073"));
        assert!(!super::is_uuid("502b42de-4306-40b4-9596-6f590c81f07"));
        assert!(!super::is_uuid("502b42de43064-0b4-9596-6f590c81f073"));
        assert!(super::is_date("2024-02-29"));
        assert!(!super::is_date("2023-02-29"));
        assert!(!super::is_date("2023/02/01"));
        assert!(!super::is_date("2023-13-01"));
    }
}
