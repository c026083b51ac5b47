//! SIG001 `condition-syntax-error`: a `condition` that does not parse.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG001",
    slug: "condition-syntax-error",
    summary: "A Sigma condition that does not parse",
    docs: DOCS,
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG001`.
pub const DOCS: &str = r#"## What it does
Parses every `condition` of a Sigma rule as pySigma reads it and reports what does not parse:
a missing operand (`selection and`), two identifiers without `and`/`or` between them, an
unclosed parenthesis, upper-case keywords (`AND`, `NOT`), a quantifier other than `1`, `any` or
`all`, a pattern used without `of`, and characters a search identifier cannot hold.

## Why is this bad?
pySigma, and every converter built on it, rejects the whole rule: no query is produced for
any backend, and in a rule repository the rule silently drops out of the build.

## Example
```yaml
title: Whoami
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
  filter:
    User|contains: 'SYSTEM'
  condition: selection AND NOT filter
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
  filter:
    User|contains: 'SYSTEM'
  condition: selection and not filter
```

## References
- https://sigmahq.io/docs/basics/conditions.html
- https://github.com/SigmaHQ/sigma-specification
"#;

/// Reports the syntax errors of every condition.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for condition in &detection.conditions {
        for error in &condition.parse.errors {
            out.push(META.diagnostic(condition.to_document(error.span), error.message.clone()));
        }
    }
}
