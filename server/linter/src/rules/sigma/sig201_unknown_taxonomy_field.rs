//! SIG201 `unknown-taxonomy-field`: a field the logsource's taxonomy does not have.

use qlint_knowledge::suggest;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG201",
    slug: "unknown-taxonomy-field",
    summary: "A field name that the rule's logsource category does not define",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG201`.
pub const DOCS: &str = r#"## What it does
For rules on `product: windows` or `product: linux` with a `category` whose fields Sigma's
taxonomy lists (`process_creation`, `file_event`, `registry_set`, `network_connection`,
`dns_query`, `image_load`, `ps_script`, ...), reports a field that the category does not
have, with the closest field when it is a likely typo (`Commandline` for `CommandLine`). The
Windows fields every event has (`EventID`, `Provider_Name`, `Channel`, `Computer`) are
accepted everywhere, and so is a field of another category of the same product
(`CommandLine` in `network_connection`): that is usually deliberate, for sources that add it.

## Why is this bad?
Backends map taxonomy fields to the SIEM's fields (`CommandLine` to `process.command_line`,
`ProcessCommandLine`, ...). A field outside the taxonomy is passed through unmapped, so the
converted query tests a field that no event has and the rule never fires. Field names are
case-sensitive in most backends.

## Example
```yaml
title: Whoami
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Commandline|contains: 'whoami'
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
    CommandLine|contains: 'whoami'
  condition: selection
```

## References
- https://github.com/SigmaHQ/sigma-specification/blob/main/appendix/sigma-taxonomy-appendix.md
- https://github.com/SigmaHQ/sigma/blob/master/tests/logsource.json
"#;

/// Reports each field outside the category's list.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let (Some(product), Some(category)) = (&rule.logsource.product, &rule.logsource.category)
    else {
        return;
    };
    let Some(known) = super::taxonomy::fields_of(product, category) else { return };
    let Some(detection) = &rule.detection else { return };
    for search in &detection.searches {
        for field in &search.fields {
            if field.field.is_empty()
                || known.contains(&field.field.as_str())
                || super::taxonomy::known_anywhere(product, &field.field)
            {
                continue;
            }
            let hint = match suggest(&field.field, known.iter().copied()) {
                Some(close) => format!(": did you mean `{close}`?"),
                None => String::new(),
            };
            out.push(META.diagnostic(
                field.field_span,
                format!(
                    "`{}` is not a field of the `{product}` `{category}` taxonomy{hint}",
                    field.field
                ),
            ));
        }
    }
}
