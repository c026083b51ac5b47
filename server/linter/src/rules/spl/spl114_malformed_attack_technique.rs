//! SPL114 `malformed-attack-technique`: an ESCU detection lists an ATT&CK technique id that
//! is not of the form `T1234` / `T1234.001`.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::container::{first_line, malformed_techniques_message};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL114",
    slug: "malformed-attack-technique",
    summary: "`mitre_attack_id` lists an id that is not an ATT&CK technique id",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL114`.
pub const DOCS: &str = r#"## What it does
In a Splunk security-content (ESCU) detection, reports the entries of `tags.mitre_attack_id`
that are not ATT&CK technique ids: `T` and four digits, with an optional `.` and three digits
for a sub-technique (`T1059`, `T1059.001`). A lowercase `t`, a tactic id (`TA0002`), a
two-digit sub-technique (`T1059.01`) and an empty entry are reported, once per search with
every bad entry named. Only the form is checked here; whether the technique exists in the
current ATT&CK release is checked by SPL115.

This rule needs the detection's YAML file (`qlint check` on it); on a bare search it stays
silent.

## Why is this bad?
Enterprise Security builds the `annotations.mitre_attack` fields of risk events and its
ATT&CK coverage views from these ids; a malformed one annotates the risk event with no
technique, and `contentctl validate` rejects the detection.

## Example
```yaml
search: '`sysmon` EventCode=1 process_name=powershell.exe | `x_filter`'
tags:
  mitre_attack_id:
    - T1059.01
```

## Use instead
```yaml
search: '`sysmon` EventCode=1 process_name=powershell.exe | `x_filter`'
tags:
  mitre_attack_id:
    - T1059.001
```

## References
- https://attack.mitre.org/techniques/enterprise/
- https://github.com/splunk/contentctl
"#;

/// Reports the malformed technique ids of an ESCU detection, once per search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if cx.spl().is_none() {
        return;
    }
    if let Some(message) = malformed_techniques_message(cx.facts, "mitre_attack_id") {
        out.push(META.diagnostic(first_line(cx.text), message));
    }
}
