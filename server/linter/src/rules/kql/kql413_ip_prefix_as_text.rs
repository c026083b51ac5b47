//! KQL413 `ip-prefix-as-text`: a network tested with `startswith "10."` instead of
//! `ipv4_is_in_range` / `ipv4_is_private`.

use crate::analysis::logic::{LiteralKind, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::kql::kql412_ip_prefix_overmatch::{ipv4_prefix, is_address_column};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL413",
    slug: "ip-prefix-as-text",
    summary: "A network tested as a string prefix: `ipv4_is_in_range` says what is meant",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL413`.
pub const DOCS: &str = r#"## What it does
Reports `startswith "10."`, `startswith "172.16."` and other whole-octet IPv4 prefixes
tested on an address column.

## Why is this bad?
A string prefix only expresses networks that end on an octet boundary, so lists of them drift
from what was meant: `172.16.` is one sixteenth of the private `172.16.0.0/12` range, and
`"192.168."` says nothing about IPv6 or IPv4-mapped addresses. `ipv4_is_private(IP)` or
`ipv4_is_in_range(IP, "172.16.0.0/12")` say exactly which network, and `ipv4_is_in_any_range`
takes a list. Prefixes that stop inside an octet are a plain bug and reported by KQL412.

This rule is off by default; select it with `KQL413` or `ALL`.

## Example
```kql
DeviceNetworkEvents
| where Timestamp > ago(1d)
| where not(RemoteIP startswith "10." or RemoteIP startswith "172.16.")
```

## Use instead
```kql
DeviceNetworkEvents
| where Timestamp > ago(1d)
| where not(ipv4_is_private(RemoteIP))
```

## References
- https://learn.microsoft.com/kusto/query/ipv4-is-private-function
- https://learn.microsoft.com/kusto/query/ipv4-is-in-any-range-function
"#;

/// Reports the first whole-octet prefix test of each comparison.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, _, _) in cx.analysis.logic().comparisons() {
        let Some(field) = &c.field else { continue };
        if c.op.kind != OpKind::StartsWith || !is_address_column(field.base_name()) {
            continue;
        }
        let prefix = c.values.iter().find(|v| {
            v.kind == LiteralKind::String && ipv4_prefix(&v.value).is_some_and(|(_, dotted)| dotted)
        });
        if let Some(literal) = prefix {
            out.push(META.diagnostic(
                literal.span,
                format!(
                    "`{}` \"{}\" tests a network as text: use `ipv4_is_in_range()` or `ipv4_is_private()`",
                    c.op.text, literal.value
                ),
            ));
        }
    }
}
