//! YL106 `unassigned-match-variable`: a match variable that `events` never assigns.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL106",
    slug: "unassigned-match-variable",
    summary: "A `match` variable that is never assigned in `events`",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL106`.
pub const DOCS: &str = r#"## What it does
Reports a variable of the `match` section that no statement of `events` assigns
(`$user = $e.principal.user.userid` or `$e.principal.user.userid = $user`).

## Why is this bad?
Events are grouped by the values of the match variables; a variable without a value
cannot group anything, and the rule does not compile. It is usually a typo in one of the
two places.

## Example
```yaral
rule many_logins {
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $e.target.user.userid = $user
  match:
    $userid over 1h
  condition:
    #e > 20
}
```

## Use instead
```yaral
rule many_logins {
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $e.target.user.userid = $user
  match:
    $user over 1h
  condition:
    #e > 20
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;

/// Reports match variables that `events` never assigns.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, vars) in yl.rules() {
        for var in &vars.matches {
            if vars.placeholders.iter().chain(&vars.events).any(|v| v.text == var.text) {
                continue;
            }
            out.push(META.diagnostic(
                var.span,
                format!("match variable `${}` is never assigned in `events`", var.text),
            ));
        }
    }
}
