//! SPL115 `unknown-attack-technique`: an ESCU detection maps to an ATT&CK technique id that the
//! current ATT&CK Enterprise release does not have (unknown, revoked, deprecated, or a
//! sub-technique its parent lacks).

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::container::{first_line, unknown_techniques_message};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL115",
    slug: "unknown-attack-technique",
    summary: "`mitre_attack_id` names an ATT&CK technique that does not exist, or was revoked or deprecated",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL115`.
pub const DOCS: &str = r#"## What it does
Looks up each well-formed id of an ESCU detection's `tags.mitre_attack_id` in the ATT&CK
Enterprise technique list that qlint ships (`corpus/catalog/attack_techniques.tsv`, ATT&CK
Enterprise v18.1) and reports, once per search with each id named: an id ATT&CK does not
have, a sub-technique whose parent has no such sub-technique (the message names the parent),
a revoked technique (with the technique ATT&CK merged it into) and a deprecated one.

ICS ids (`T0800`–`T0899`) are not judged; malformed ids are SPL114's. The rule needs the
detection file (`qlint check` on the YAML); on a bare search it stays silent.

## Why is this bad?
Splunk ES and ATT&CK Navigator layers built from `mitre_attack_id` drop unknown ids and count
revoked ones as techniques nobody detects, so the coverage the detection gives is misreported.

## Example
```yaml
name: LSASS Access
type: TTP
search: '`sysmon` EventCode=10 TargetImage=*lsass.exe | `lsass_access_filter`'
tags:
  mitre_attack_id:
  - T1003.099
```

## Use instead
```yaml
name: LSASS Access
type: TTP
search: '`sysmon` EventCode=10 TargetImage=*lsass.exe | `lsass_access_filter`'
tags:
  mitre_attack_id:
  - T1003.001
```

## References
- https://attack.mitre.org/techniques/enterprise/
- https://github.com/splunk/security_content
"#;

/// Reports the unknown, revoked and deprecated technique ids of an ESCU detection, once per
/// search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.spl().is_none() {
        return;
    }
    if let Some(message) = unknown_techniques_message(cx.facts, "mitre_attack_id") {
        out.push(META.diagnostic(first_line(cx.text), message));
    }
}
