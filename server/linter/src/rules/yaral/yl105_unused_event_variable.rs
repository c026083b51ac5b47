//! YL105 `unused-event-variable`: an event variable the condition does not mention.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL105",
    slug: "unused-event-variable",
    summary: "An event variable defined in `events` but not used in the condition",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL105`.
pub const DOCS: &str = r#"## What it does
Reports an event variable (`$e` in `$e.principal.hostname`) that the `condition` section
does not reach: neither `$e` nor `#e` appears there, nor a placeholder that takes its value
from `$e` (`#user` after `$e.target.user.userid = $user`). Reported at its first use.

## Why is this bad?
The condition decides which events make a detection; an event variable it never reaches
is either a leftover (its filters do nothing, and Google SecOps rejects the rule) or a
correlation the author forgot to require.

## Example
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
    $login
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

/// Reports event variables that the condition never mentions.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, vars) in yl.rules() {
        if !vars.has_condition {
            continue;
        }
        for event in &vars.events {
            if vars.condition_reaches(&event.text) {
                continue;
            }
            out.push(META.diagnostic(
                event.span,
                format!(
                    "event variable `${}` is defined in `events` but not used in the condition",
                    event.text
                ),
            ));
        }
    }
}
