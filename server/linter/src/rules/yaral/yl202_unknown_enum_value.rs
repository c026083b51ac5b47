//! YL202 `unknown-enum-value`: an enum field compared with a value it can never hold.

use qlint_grammar::yaral::ast::Expr;
use qlint_knowledge::yaral::{UdmType, yaral};

use super::did_you_mean;
use crate::analysis::yaral::{FieldCheck, field_and_string, resolve_field};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL202",
    slug: "unknown-enum-value",
    summary: "An enum field (e.g. `metadata.event_type`) compared with a value it does not have",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL202`.
pub const DOCS: &str = r#"## What it does
Checks comparisons (`=`, `!=`) of an enum field — `metadata.event_type`,
`security_result.action`, `network.direction`, ... — with a string, and reports strings that
are not values of that enum, with the closest value.

## Why is this bad?
Google SecOps rejects the rule, and if it did not, `= "PROCESS_LAUNCHED"` would simply never
match: the value is `PROCESS_LAUNCH`.

## Example
```yaral
rule process_start {
  events:
    $e.metadata.event_type = "PROCESS_LAUNCHED"
  condition:
    $e
}
```

## Use instead
```yaral
rule process_start {
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/reference/udm-field-list
"#;

/// Reports strings compared with an enum field that are not among its values.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, e) in yl.exprs() {
        let Expr::Binary { op, lhs, rhs, .. } = e else { continue };
        if !op.is_comparison() {
            continue;
        }
        let Some((path, value, span)) = field_and_string(lhs, rhs) else { continue };
        let FieldCheck::Known(UdmType::Enum(name)) = resolve_field(path) else { continue };
        let Some(values) = yaral().enum_values(name) else { continue };
        if value.is_empty() || values.iter().any(|v| v == value) {
            continue;
        }
        let suggestion = qlint_knowledge::suggest(value, values.iter().map(String::as_str));
        let dotted = path.dotted();
        // Name the enum only when it is not the field's own path (`extensions.auth.mechanism`
        // holds `authentication.mechanism` values).
        let of_enum = if *name == dotted { String::new() } else { format!(" (enum `{name}`)") };
        out.push(META.diagnostic(
            span,
            format!("`{value}` is not a value of `{dotted}`{of_enum}{}", did_you_mean(suggestion)),
        ));
    }
}
