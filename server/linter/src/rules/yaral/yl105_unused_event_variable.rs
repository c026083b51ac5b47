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
};

/// `qlint rule YL105`.
pub const DOCS: &str = r#"## What it does
Reports an event variable (`$e` in `$e.principal.hostname`) that appears in `events` but
neither as `$e` nor as `#e` in the `condition` section. Reported once, at its first use.

## Why is this bad?
YARA-L requires every event variable to appear in the condition; the rule does not
compile otherwise. When it is a leftover, the filters written on it do nothing.

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
            if vars.condition_uses(&event.text) {
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
