//! YL107 `multi-event-without-match`: a rule over several events with no `match` section.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL107",
    slug: "multi-event-without-match",
    summary: "A rule with several event variables but no `match` section",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL107`.
pub const DOCS: &str = r#"## What it does
Reports a rule whose `events` section uses two or more event variables (`$login` and
`$exec`) but that has no `match` section. Reported at the rule's name.

## Why is this bad?
Correlating events needs a time window and the values they share: that is what `match`
gives. Without it the rule does not compile.

## Example
```yaral
rule login_then_exec {
  events:
    $login.metadata.event_type = "USER_LOGIN"
    $login.target.user.userid = $user
    $exec.metadata.event_type = "PROCESS_LAUNCH"
    $exec.principal.user.userid = $user
  condition:
    $login and $exec
}
```

## Use instead
```yaral
rule login_then_exec {
  events:
    $login.metadata.event_type = "USER_LOGIN"
    $login.target.user.userid = $user
    $exec.metadata.event_type = "PROCESS_LAUNCH"
    $exec.principal.user.userid = $user
  match:
    $user over 10m
  condition:
    $login and $exec
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;

/// Reports multi-event rules without a match section.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (rule, vars) in yl.rules() {
        if vars.has_match || vars.events.len() < 2 || rule.name.text.is_empty() {
            continue;
        }
        let names: Vec<String> = vars.events.iter().map(|v| format!("`${}`", v.text)).collect();
        out.push(META.diagnostic(
            rule.name.span,
            format!(
                "rule `{}` correlates {} events ({}) but has no `match` section",
                rule.name.text,
                names.len(),
                names.join(", ")
            ),
        ));
    }
}
