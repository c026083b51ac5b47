//! KQL116 `unknown-attack-technique`: a Sentinel rule or Defender custom detection maps to an
//! ATT&CK technique id that the current ATT&CK Enterprise release does not have (unknown,
//! revoked, deprecated, or a sub-technique its parent lacks).

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::container::{first_line, unknown_techniques_message};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL116",
    slug: "unknown-attack-technique",
    summary: "The rule maps to an ATT&CK technique that does not exist, or was revoked or deprecated",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL116`.
pub const DOCS: &str = r#"## What it does
Looks up each well-formed technique id of a Sentinel rule's `relevantTechniques` (or a
Defender custom detection's `mitreTechniques`) in the ATT&CK Enterprise technique list that
qlint ships (`corpus/catalog/attack_techniques.tsv`, ATT&CK Enterprise v18.1) and reports,
once per query with each id named:
- an id ATT&CK does not have (`T1999`);
- a sub-technique whose parent exists but has no such sub-technique (`T1059.099`: the
  message names the parent);
- a revoked technique, with the technique ATT&CK merged it into (`T1002` → `T1560`);
- a deprecated technique, which has no replacement.

ICS ids (`T0800`–`T0899`) belong to the ICS matrix and are not judged. Malformed ids
(`t1059`, `T1059.01`) are KQL115's. The rule needs the rule file (`qlint check` on the YAML or
JSON); on a bare query it stays silent.

## Why is this bad?
Coverage views (Sentinel's MITRE ATT&CK page, ATT&CK Navigator layers built from the rule
files) drop ids they do not know, or count a revoked id as a technique nobody detects: the
rule's coverage is wrong either way. A sub-technique number that does not exist is usually a
typo for a neighbouring one.

## Example
```kql
// relevantTechniques: [T1059.099, T1002]
DeviceProcessEvents
| where FileName =~ "powershell.exe"
```

## Use instead
```kql
// relevantTechniques: [T1059.001, T1560]
DeviceProcessEvents
| where FileName =~ "powershell.exe"
```

## References
- https://attack.mitre.org/techniques/enterprise/
- https://attack.mitre.org/resources/versions/
"#;

/// Reports the unknown, revoked and deprecated technique ids of a rule file, once per query.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.kql().is_none() {
        return;
    }
    let key = cx.facts.techniques_key.unwrap_or("relevantTechniques");
    if let Some(message) = unknown_techniques_message(cx.facts, key) {
        out.push(META.diagnostic(first_line(cx.text), message));
    }
}
