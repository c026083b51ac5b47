//! SIG107 `missing-required-key`: a rule without `title`, `logsource`, `detection` or
//! `condition` (or a correlation without `type`, `rules`, `timespan`).

use qlint_grammar::Span;

use crate::analysis::sigma::{RuleKind, SigmaRule};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG107",
    slug: "missing-required-key",
    summary: "A key that every Sigma rule of its type must have is missing",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG107`.
pub const DOCS: &str = r#"## What it does
Reports a missing required key: `title`, `logsource` (with at least one of `category`,
`product`, `service`) and `detection` with a `condition` for a detection rule; `title` and
`correlation` with `type`, `rules` and `timespan` for a correlation rule; `title`,
`logsource` and `filter` with `rules` and `condition` for a filter rule. A required key whose
value has the wrong shape (a `detection` that is not a mapping) is reported too.

## Why is this bad?
pySigma refuses the rule, so it converts to nothing.

## Example
```yaml
title: Whoami
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
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
  condition: selection
```

## References
- https://github.com/SigmaHQ/sigma-specification/blob/main/specification/sigma-rules-specification.md
"#;

/// Reports each missing key at the mapping that should hold it.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let top = Span::new(rule.root.span.start, rule.root.span.start);
    let mut missing = |at: Span, what: &str| {
        out.push(META.diagnostic(at, format!("the rule has no `{what}`")));
    };
    if rule.root.get("title").is_none() {
        missing(top, "title");
    }
    match rule.kind {
        RuleKind::Detection | RuleKind::Filter => {
            logsource(rule, top, out);
            let section = if rule.kind == RuleKind::Filter { "filter" } else { "detection" };
            match rule.root.entry(section) {
                None => out.push(META.diagnostic(top, format!("the rule has no `{section}`"))),
                Some((key, value)) if !value.is_map() => out.push(META.diagnostic(
                    key.span,
                    format!(
                        "`{section}` must be a mapping of search identifiers and a `condition`"
                    ),
                )),
                Some((key, value)) => {
                    if value.get("condition").is_none() {
                        out.push(
                            META.diagnostic(key.span, format!("`{section}` has no `condition`")),
                        );
                    }
                    if rule.kind == RuleKind::Filter && value.get("rules").is_none() {
                        out.push(META.diagnostic(
                            key.span,
                            "`filter` has no `rules`: name the rules it applies to",
                        ));
                    }
                }
            }
        }
        RuleKind::Correlation => {
            let Some((key, value)) = rule.root.entry("correlation") else { return };
            for required in ["type", "rules", "timespan"] {
                if value.get(required).is_none() {
                    out.push(
                        META.diagnostic(key.span, format!("`correlation` has no `{required}`")),
                    );
                }
            }
        }
    }
}

fn logsource(rule: &SigmaRule, top: Span, out: &mut Vec<Diagnostic>) {
    match rule.root.entry("logsource") {
        None => out.push(META.diagnostic(top, "the rule has no `logsource`")),
        Some((key, value)) => {
            let any = ["category", "product", "service"].iter().any(|k| value.get(k).is_some());
            if !any {
                out.push(META.diagnostic(
                    key.span,
                    "`logsource` names no `category`, `product` or `service`",
                ));
            }
        }
    }
}
