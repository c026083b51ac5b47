//! KQL115 `malformed-attack-technique`: a Sentinel rule lists an ATT&CK technique id that
//! is not of the form `T1234` / `T1234.001`.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::container::{first_line, malformed_techniques_message};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL115",
    slug: "malformed-attack-technique",
    summary: "`relevantTechniques` lists an id that is not an ATT&CK technique id",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL115`.
pub const DOCS: &str = r#"## What it does
In a Sentinel analytic rule or hunting query (or a Defender custom detection's
`mitreTechniques`), reports the entries of `relevantTechniques`
that are not ATT&CK technique ids: `T` and four digits, with an optional `.` and three digits
for a sub-technique (`T1059`, `T1059.001`). A lowercase `t`, a tactic id (`TA0002`), a
two-digit sub-technique (`T1059.01`) and an empty entry are reported, once per query with
every bad entry named. Only the form is checked here; whether the technique exists in the
current ATT&CK release is checked by KQL116.

This rule needs the rule file (`qlint check` on the YAML); on a bare query it stays silent.

## Why is this bad?
Sentinel's MITRE ATT&CK view, coverage workbooks and the content validation of the
Azure-Sentinel repository read these ids as written: a malformed one maps the rule to no
technique, so the coverage report shows a gap that the rule actually covers (or the import
is refused).

## Example
```kql
// relevantTechniques: [T1059.01, TA0002]
DeviceProcessEvents
| where FileName =~ "powershell.exe"
```

## Use instead
```kql
// relevantTechniques: [T1059.001]
DeviceProcessEvents
| where FileName =~ "powershell.exe"
```

## References
- https://attack.mitre.org/techniques/enterprise/
- https://learn.microsoft.com/azure/sentinel/mitre-coverage
"#;

/// Reports the malformed technique ids of a Sentinel rule, once per query.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.kql().is_none() {
        return;
    }
    let key = cx.facts.techniques_key.unwrap_or("relevantTechniques");
    if let Some(message) = malformed_techniques_message(cx.facts, key) {
        out.push(META.diagnostic(first_line(cx.text), message));
    }
}
