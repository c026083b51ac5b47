//! SIG109 `unknown-key`: a top-level key that Sigma does not define (`falsepositive`).

use crate::analysis::sigma::RuleKind;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};
use qlint_knowledge::suggest;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG109",
    slug: "unknown-key",
    summary: "A top-level key that the Sigma specification does not define",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG109`.
pub const DOCS: &str = r#"## What it does
Reports a top-level key of a rule that the Sigma specification does not define, with the
closest defined key when it looks like a typo (`falsepositive` for `falsepositives`,
`reference` for `references`). Keys the SigmaHQ repository adds (`simulation`,
`regression_tests_path`) are accepted.

## Why is this bad?
pySigma keeps unknown keys as custom attributes without complaint, so a misspelt key is
silently ignored: the false positives or references written under it are lost to every tool
that reads the rule.

## Example
```yaml
title: Whoami
falsepositive:
  - Administrators
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
falsepositives:
  - Administrators
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

const COMMON: &[&str] = &[
    "title",
    "id",
    "name",
    "related",
    "taxonomy",
    "status",
    "description",
    "license",
    "author",
    "references",
    "date",
    "modified",
    "fields",
    "falsepositives",
    "level",
    "tags",
    "scope",
    "action",
    "simulation",
    "regression_tests_path",
];

/// Reports unknown top-level keys.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let own: &[&str] = match rule.kind {
        RuleKind::Detection => &["logsource", "detection"],
        RuleKind::Correlation => &["correlation", "generate"],
        RuleKind::Filter => &["logsource", "filter"],
    };
    let known = || COMMON.iter().chain(own).copied();
    for (key, _) in rule.root.entries() {
        let Some(name) = key.as_str() else { continue };
        if known().any(|k| k == name) {
            continue;
        }
        let hint = match suggest(name, known()) {
            Some(close) => format!(": did you mean `{close}`?"),
            None => String::new(),
        };
        out.push(META.diagnostic(key.span, format!("`{name}` is not a Sigma rule key{hint}")));
    }
}
