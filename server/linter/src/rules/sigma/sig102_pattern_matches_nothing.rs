//! SIG102 `pattern-matches-nothing`: `1 of filter_*` where no search starts with `filter_`.

use qlint_grammar::sigma::ast::Reference;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG102",
    slug: "pattern-matches-nothing",
    summary: "An `of` pattern in a condition that matches no search identifier",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG102`.
pub const DOCS: &str = r#"## What it does
Reports `1 of pattern`, `any of pattern` or `all of pattern` (and `… of them`) when no search
identifier matches. Patterns match as pySigma matches them: `*` is any run of characters, the
pattern is anchored at the start, and identifiers starting with `_` are never matched.

## Why is this bad?
The quantifier ranges over nothing. A filter meant to exclude noise (`not 1 of filter_*`)
then excludes nothing, or the rule fails to convert, depending on the backend; usually the
selections were renamed (`filter_main_*` vs `filter_*`) or the `*` was forgotten.

## Example
```yaml
title: Rundll32 without arguments
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\rundll32.exe'
  optional_filter_edge:
    ParentImage|endswith: '\msedge.exe'
  condition: selection and not 1 of filter_*
```

## Use instead
```yaml
title: Rundll32 without arguments
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\rundll32.exe'
  filter_optional_edge:
    ParentImage|endswith: '\msedge.exe'
  condition: selection and not 1 of filter_*
```

## References
- https://sigmahq.io/docs/basics/conditions.html
"#;

/// Reports every pattern that selects no search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(detection) = &rule.detection else { return };
    for condition in &detection.conditions {
        for reference in condition.parse.tree.references() {
            let (span, message) = match reference {
                Reference::Pattern(p) => {
                    (p.span, format!("no search identifier matches the pattern `{}`", p.text))
                }
                Reference::Them(span) => {
                    (span, "`them` matches nothing: `detection` defines no search".to_owned())
                }
                Reference::Ident(_) => continue,
            };
            if super::selected(rule, &reference).is_empty() {
                out.push(META.diagnostic(condition.to_document(span), message));
            }
        }
    }
}
