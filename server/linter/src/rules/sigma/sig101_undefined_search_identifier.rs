//! SIG101 `undefined-search-identifier`: a condition names a search that does not exist.

use qlint_grammar::sigma::ast::Reference;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};
use qlint_knowledge::suggest;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG101",
    slug: "undefined-search-identifier",
    summary: "A condition names a search identifier that `detection` does not define",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG101`.
pub const DOCS: &str = r#"## What it does
Reports a name in `condition` that is not a key under `detection` (with the closest defined
name when one is close enough to be a typo).

## Why is this bad?
pySigma stops with "Detection '...' not defined in detections": the rule converts to nothing.
The usual cause is a selection renamed without its condition (`selection_img` vs
`selection_image`).

## Example
```yaml
title: Certutil download
logsource:
  category: process_creation
  product: windows
detection:
  selection_img:
    Image|endswith: '\certutil.exe'
  selection_cli:
    CommandLine|contains: 'urlcache'
  condition: selection_image and selection_cli
```

## Use instead
```yaml
title: Certutil download
logsource:
  category: process_creation
  product: windows
detection:
  selection_img:
    Image|endswith: '\certutil.exe'
  selection_cli:
    CommandLine|contains: 'urlcache'
  condition: selection_img and selection_cli
```

## References
- https://sigmahq.io/docs/basics/conditions.html
"#;

/// Reports every identifier of a condition that names no search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(detection) = &rule.detection else { return };
    let names: Vec<&str> = detection.searches.iter().map(|s| s.name.as_str()).collect();
    for condition in &detection.conditions {
        for reference in condition.parse.tree.references() {
            let Reference::Ident(name) = reference else { continue };
            // A pattern written without `of` is SIG001's finding.
            if names.contains(&name.text.as_str()) || name.text.contains('*') {
                continue;
            }
            let hint = match suggest(&name.text, names.iter().copied()) {
                Some(close) => format!(": did you mean `{close}`?"),
                None => String::new(),
            };
            out.push(META.diagnostic(
                condition.to_document(name.span),
                format!("`{}` is not defined under `detection`{hint}", name.text),
            ));
        }
    }
}
