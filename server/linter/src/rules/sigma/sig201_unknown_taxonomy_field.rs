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
For rules whose log source has a field list in Sigma's taxonomy (SigmaHQ's
`tests/logsource.json`: the Windows, Linux and macOS categories such as `process_creation`,
`file_event`, `registry_set`, `network_connection`, `dns_query`; Windows services such as
`ntlm`, `taskscheduler`, `bits-client`; Linux `auditd`; the generic `proxy` and `webserver`
categories), reports a field that the source does not have, with the closest field when it
is a likely typo (`Commandline` for `CommandLine`). The category is looked up first, then the
service, as SigmaHQ's own tests do. The Windows fields every event has (`EventID`,
`Provider_Name`, `Channel`, `Computer`) are accepted everywhere, and so is a field of another
source of the same product (`CommandLine` in `network_connection`): that is usually
deliberate, for sources that add it. Sources the taxonomy names without fields (`service:
security`) are not checked.

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

/// Reports each field outside the log source's list.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(known) = super::taxonomy::fields_of(&rule.logsource) else { return };
    let Some(detection) = &rule.detection else { return };
    for search in &detection.searches {
        for field in &search.fields {
            if field.field.is_empty()
                || known.fields.contains(&field.field.as_str())
                || super::taxonomy::known_anywhere(&rule.logsource, &field.field)
            {
                continue;
            }
            let hint = match suggest(&field.field, known.fields.iter().copied()) {
                Some(close) => format!(": did you mean `{close}`?"),
                None => String::new(),
            };
            out.push(META.diagnostic(
                field.field_span,
                format!("`{}` is not a field of the {} taxonomy{hint}", field.field, known.label),
            ));
        }
    }
}
