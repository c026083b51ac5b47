//! SIG202 `unknown-logsource`: a `product`, `category` or `service` that Sigma's taxonomy does
//! not have, or not for that product.

use qlint_grammar::Span;
use qlint_knowledge::{SourceKind, sigma_products, sigma_sources, suggest};

use crate::analysis::sigma::Node;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG202",
    slug: "unknown-logsource",
    summary: "A logsource product, category or service that Sigma's taxonomy does not define for that product",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG202`.
pub const DOCS: &str = r#"## What it does
Checks the `logsource:` of a rule against Sigma's taxonomy (SigmaHQ's `tests/logsource.json`):
a `category` or `service` that the rule's `product` does not have (`product: linux` with
`category: registry_set`, `product: windows` with `service: sysmon_operational`), with the
closest name when there is one. A product the taxonomy does not know is reported only when it
looks like a misspelt known one (`windwos`), since teams add their own products; its
categories and services are then not checked. As in SigmaHQ's own tests, a rule with both a
`category` and a `service` is fine when one of them fits. Without a `product`, a category or service is
reported only when no product has it and a known one is close.

## Why is this bad?
Conversion pipelines choose the index, table or event channel from the log source. A
log source they do not know is left unmapped: the converted query searches the wrong data,
or the backend refuses the rule, and nothing tells the author.

## Example
```yaml
title: Registry run key
logsource:
  product: windows
  category: registry_setvalue
detection:
  selection:
    TargetObject|contains: '\CurrentVersion\Run\'
  condition: selection
```

## Use instead
```yaml
title: Registry run key
logsource:
  product: windows
  category: registry_set
detection:
  selection:
    TargetObject|contains: '\CurrentVersion\Run\'
  condition: selection
```

## References
- https://github.com/SigmaHQ/sigma-specification/blob/main/appendix/sigma-taxonomy-appendix.md
- https://github.com/SigmaHQ/sigma/blob/master/tests/logsource.json
"#;

/// Reports each logsource value the taxonomy does not have.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(logsource) = rule.root.get("logsource") else { return };
    let product = value(logsource, "product");
    if let Some((name, span)) = &product
        && !sigma_products().contains(&name.as_str())
    {
        if let Some(close) = suggest(name, sigma_products().iter().copied()) {
            let message = format!(
                "`product: {name}` is not a product of Sigma's taxonomy: did you mean `{close}`?"
            );
            out.push(META.diagnostic(*span, message));
        }
        return;
    }
    let product = product.as_ref().map(|(p, _)| p.as_str());
    let given: Vec<_> = [("category", SourceKind::Category), ("service", SourceKind::Service)]
        .into_iter()
        .filter_map(|(key, kind)| Some((key, kind, value(logsource, key)?)))
        .map(|(key, kind, (name, span))| (span, problem(product, key, kind, &name)))
        .collect();
    // As in SigmaHQ's own tests, a category or a service that fits is enough.
    if given.iter().any(|(_, problem)| problem.is_none()) {
        return;
    }
    for (span, message) in given {
        out.extend(message.map(|m| META.diagnostic(span, m)));
    }
}

/// A logsource value, lower-cased as Sigma compares it, with its span.
fn value(logsource: &Node, key: &str) -> Option<(String, Span)> {
    let (_, node) = logsource.entry(key)?;
    Some((node.as_str()?.to_ascii_lowercase(), node.span))
}

/// Why `key: name` does not fit `product`, if it does not.
fn problem(product: Option<&str>, key: &str, kind: SourceKind, name: &str) -> Option<String> {
    let names = |p: Option<&str>| sigma_sources(p, kind).into_iter().map(|s| s.name);
    let generic: Vec<&str> = names(None).collect();
    if generic.contains(&name) {
        return None;
    }
    let Some(product) = product else {
        // No product: only a name no product has, close to a known one.
        let mut everywhere: Vec<&str> =
            sigma_products().iter().flat_map(|p| names(Some(p))).collect();
        everywhere.extend(&generic);
        if everywhere.contains(&name) {
            return None;
        }
        let close = suggest(name, everywhere)?;
        return Some(format!(
            "`{key}: {name}` is not in Sigma's taxonomy: did you mean `{close}`?"
        ));
    };
    let own: Vec<&str> = names(Some(product)).collect();
    if own.contains(&name) {
        return None;
    }
    let hint = match suggest(name, own.iter().chain(&generic).copied()) {
        Some(close) => format!(": did you mean `{close}`?"),
        None if own.is_empty() => format!(" (it has no {key} in the taxonomy)"),
        None => String::new(),
    };
    Some(format!(
        "`{key}: {name}` is not a {key} of `product: {product}` in Sigma's taxonomy{hint}"
    ))
}
