//! KQL410 `bypassable-exclusion`: an exclusion by substring on a command line or URL, which
//! the attacker controls.

use crate::analysis::logic::{LiteralKind, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL410",
    slug: "bypassable-exclusion",
    summary: "An exclusion by `!contains`/`!has` on a command line or URL can be bypassed",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL410`.
pub const DOCS: &str = r#"## What it does
Reports the first exclusion of a query that drops events because a command line or a URL
*contains* some text: `ProcessCommandLine !contains "\\sccm\\"`, `not(Url has "update")`,
`InitiatingProcessCommandLine !has_any (...)`. One finding per query names the field and how
many such exclusions there are.

## Why is this bad?
The process that is being detected writes its own command line, and an attacker chooses the
URL. Anyone who reads the rule (or guesses the vendor's usual exclusions) can add the
excluded text as an extra argument (`evil.exe -x \sccm\`) or a query string
(`?update`) and is no longer seen. Exclusions hold better on what the attacker does not
control: the parent's signed file path, the signer, a hash, the account, the device.

This rule is off by default; select it with `KQL410` or `ALL`.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName =~ "powershell.exe"
| where ProcessCommandLine !contains "MonitoringAgent"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName =~ "powershell.exe"
| where InitiatingProcessFolderPath !startswith @"C:\Program Files\Monitoring Agent\"
```

## References
- https://attack.mitre.org/techniques/T1562/
- https://learn.microsoft.com/defender-xdr/custom-detection-rules
"#;

/// Fields whose content the actor being detected writes.
fn attacker_controlled(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f.ends_with("commandline")
        || f.ends_with("command_line")
        || f.ends_with("url")
        || f == "requesturi"
        || f == "uri"
        || f == "csuristem"
        || f == "csuriquery"
        || f.ends_with("urloriginal")
}

/// Reports the first substring exclusion on an attacker-controlled field.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    for (c, positive, _) in cx.analysis.logic().comparisons() {
        let excludes = c.op.negated == positive;
        let substring = matches!(
            c.op.kind,
            OpKind::Contains
                | OpKind::Has
                | OpKind::HasAny
                | OpKind::HasAll
                | OpKind::HasPrefix
                | OpKind::HasSuffix
        );
        let Some(field) = &c.field else { continue };
        if !excludes || !substring || !attacker_controlled(field.base_name()) {
            continue;
        }
        if c.values.iter().any(|v| v.kind == LiteralKind::String) || !c.values_complete {
            found.push((c.span, field.name.clone(), c.op.text.clone()));
        }
    }
    let Some((span, field, op)) = found.first() else { return };
    let more = match found.len() {
        1 => String::new(),
        n => format!(" ({} such exclusions)", n),
    };
    let how = if op.starts_with('!') { format!("`{op}`") } else { format!("`not({op})`") };
    out.push(META.diagnostic(
        *span,
        format!("excluding by {how} on `{field}` can be bypassed by adding the text to it{more}"),
    ));
}
