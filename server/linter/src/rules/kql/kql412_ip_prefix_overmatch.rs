//! KQL412 `ip-prefix-overmatch`: an address prefix tested with `startswith` that stops
//! inside an octet, or with `contains`/`endswith`, matches other networks.

use crate::analysis::logic::{Comparison, LiteralKind, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL412",
    slug: "ip-prefix-overmatch",
    summary: "An IP prefix tested as text matches other networks (`startswith \"10\"` matches 100.x)",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL412`.
pub const DOCS: &str = r#"## What it does
Reports a test of an address column (a name with `IP` or `Address` in it) against the start
of an IPv4 address written as text, when the text test matches more than that network:
`startswith "10"` or `startswith "192.168.1"` (no final dot: also `100.x`, `192.168.10.x`),
and `contains`/`has` of a prefix such as `"10."` (also `110.x` and `1.2.10.x`).

## Why is this bad?
Addresses are strings in most tables, and a string prefix does not stop at an octet: the
test silently takes in public addresses that should be in the detection (when used as an
exclusion) or floods it (when used as a filter). `ipv4_is_in_range(IP, "10.0.0.0/8")` and
`ipv4_is_private(IP)` test the network itself.

## Example
```kql
DeviceNetworkEvents
| where Timestamp > ago(1d)
| where not(RemoteIP startswith "192.168.1")
```

## Use instead
```kql
DeviceNetworkEvents
| where Timestamp > ago(1d)
| where not(ipv4_is_in_range(RemoteIP, "192.168.1.0/24"))
```

## References
- https://learn.microsoft.com/kusto/query/ipv4-is-in-range-function
- https://learn.microsoft.com/kusto/query/ipv4-is-private-function
"#;

/// A column that holds addresses, by its name.
pub(crate) fn is_address_column(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.contains("IP")
        || lower.contains("ipaddr")
        || lower.ends_with("ip")
        || lower.contains("address") && !lower.contains("mail") && !lower.contains("mac")
}

/// One to three dot-separated numbers of at most three digits, optionally with a final dot.
pub(crate) fn ipv4_prefix(value: &str) -> Option<(usize, bool)> {
    let dotted = value.ends_with('.');
    let parts: Vec<&str> = value.trim_end_matches('.').split('.').collect();
    let numeric = parts.iter().all(|p| {
        !p.is_empty()
            && p.len() <= 3
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u16>().is_ok_and(|n| n < 256)
    });
    (numeric && parts.len() <= 3).then_some((parts.len(), dotted))
}

fn overmatch(c: &Comparison, value: &str) -> Option<String> {
    let (octets, dotted) = ipv4_prefix(value)?;
    match c.op.kind {
        OpKind::StartsWith if !dotted => {
            Some(format!("\"{value}\" stops inside an octet: it also matches `{value}0…`"))
        }
        OpKind::Contains | OpKind::EndsWith if octets >= 1 && dotted || octets >= 2 => Some(
            format!("`{}` \"{value}\" also matches it in the middle of other addresses", c.op.text),
        ),
        _ => None,
    }
}

/// Reports text tests of IPv4 prefixes on address columns.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, _, _) in cx.analysis.logic().comparisons() {
        let Some(field) = &c.field else { continue };
        if !is_address_column(field.base_name()) || c.op.span.is_empty() {
            continue;
        }
        for literal in c.values.iter().filter(|v| v.kind == LiteralKind::String) {
            if let Some(message) = overmatch(c, &literal.value) {
                out.push(
                    META.diagnostic(literal.span, format!("{message}; use `ipv4_is_in_range()`")),
                );
            }
        }
    }
}
