//! YL201 `unknown-udm-field`: a UDM path with a field the Unified Data Model does not have.

use qlint_grammar::yaral::ast::Expr;

use super::did_you_mean;
use crate::analysis::yaral::{FieldCheck, resolve_field};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL201",
    slug: "unknown-udm-field",
    summary: "A UDM field that does not exist",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL201`.
pub const DOCS: &str = r#"## What it does
Resolves every path on an event variable (`$e.principal.process.file.full_path`) field by
field against the UDM catalog (nouns such as `principal` and `target`, sub-messages such as
`process`, `file`, `user`) and reports the first segment that does not exist, with the
closest field of the same message. Map fields (`additional.fields["x"]`, `labels`) and
entity-graph paths outside `graph.entity` are not checked.

## Why is this bad?
An unknown field does not compile in Google SecOps. A field that exists on another noun is
a common slip: `$e.principal.file_path` instead of `$e.principal.process.file.full_path`.

## Example
```yaral
rule suspicious_host {
  events:
    $e.principal.hostnme = "kiosk-01"
  condition:
    $e
}
```

## Use instead
```yaral
rule suspicious_host {
  events:
    $e.principal.hostname = "kiosk-01"
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/reference/udm-field-list
"#;

/// Reports unknown UDM fields.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, e) in yl.exprs() {
        let Expr::Field(path) = e else { continue };
        let FieldCheck::Unknown { name, parent, suggestion } = resolve_field(path) else {
            continue;
        };
        out.push(META.diagnostic(
            name.span,
            format!("unknown UDM field `{}` in `{parent}`{}", name.text, did_you_mean(suggestion)),
        ));
    }
}
