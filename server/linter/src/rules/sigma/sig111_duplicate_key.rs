//! SIG111 `duplicate-key`: the same key twice in one mapping of the rule.

use crate::analysis::sigma::{Node, NodeKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG111",
    slug: "duplicate-key",
    summary: "A key written twice in the same mapping; YAML loaders keep only one",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG111`.
pub const DOCS: &str = r#"## What it does
Reports a key that appears a second time in the same mapping: a search identifier defined
twice under `detection`, a field written twice in one selection, `tags` twice at the top.

## Why is this bad?
YAML forbids duplicate keys, but most loaders (PyYAML under pySigma among them) silently
keep the last one. The first selection, or the first list of values, is then dropped from
the rule without any error.

## Example
```yaml
title: Office spawning shells
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    ParentImage|endswith: '\winword.exe'
    ParentImage|endswith: '\excel.exe'
  condition: selection
```

## Use instead
```yaml
title: Office spawning shells
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    ParentImage|endswith:
      - '\winword.exe'
      - '\excel.exe'
  condition: selection
```

## References
- https://yaml.org/spec/1.2.2/#mapping
"#;

/// Reports each repeated key, at the repeat.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    visit(&rule.root, out);
}

fn visit(node: &Node, out: &mut Vec<Diagnostic>) {
    match &node.kind {
        NodeKind::Map(entries) => {
            for (i, (key, value)) in entries.iter().enumerate() {
                if let Some(name) = key.as_str()
                    && entries[..i].iter().any(|(k, _)| k.as_str() == Some(name))
                {
                    out.push(META.diagnostic(
                        key.span,
                        format!("`{name}` is already a key of this mapping: YAML loaders keep only one of them"),
                    ));
                }
                visit(value, out);
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|item| visit(item, out)),
        _ => {}
    }
}
