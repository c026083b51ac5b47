//! SIG103 `unused-search-identifier`: a search under `detection` that no condition uses.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG103",
    slug: "unused-search-identifier",
    summary: "A search identifier that no condition refers to",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG103`.
pub const DOCS: &str = r#"## What it does
Reports a search identifier under `detection` that no `condition` uses, by name, by an `of`
pattern or by `them`.

## Why is this bad?
The search has no effect on what the rule matches. Most often it is a filter the author
meant to exclude (`filter_optional_*` written, `condition: selection` left unchanged), so the
rule is noisier than its text suggests.

## Example
```yaml
title: Whoami
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
  filter_system:
    User|contains: 'SYSTEM'
  condition: selection
```

## Use instead
```yaml
title: Whoami
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
  filter_system:
    User|contains: 'SYSTEM'
  condition: selection and not filter_system
```

## References
- https://sigmahq.io/docs/basics/conditions.html
"#;

/// Reports each search that no condition reference selects (only when every condition
/// parsed: a broken condition hides its references).
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(detection) = &rule.detection else { return };
    if detection.conditions.is_empty() || !super::conditions_ok(rule) {
        return;
    }
    let mut used = vec![false; detection.searches.len()];
    for condition in &detection.conditions {
        for reference in condition.parse.tree.references() {
            for search in super::selected(rule, &reference) {
                if let Some(i) = detection.searches.iter().position(|s| std::ptr::eq(s, search)) {
                    used[i] = true;
                }
            }
        }
    }
    for (search, used) in detection.searches.iter().zip(used) {
        if !used {
            out.push(META.diagnostic(
                search.span,
                format!("`{}` is never used in the condition", search.name),
            ));
        }
    }
}
