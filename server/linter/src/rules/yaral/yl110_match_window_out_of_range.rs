//! YL110 `match-window-out-of-range`: a `match` window shorter than a minute or longer than
//! 48 hours.

use qlint_grammar::yaral::ast::{Duration, SectionBody};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL110",
    slug: "match-window-out-of-range",
    summary: "A `match` window outside the 1 minute to 48 hours that rules accept",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL110`.
pub const DOCS: &str = r#"## What it does
Checks the window of every `match` section (`$user over 30m`, `$host by 1h`, a sliding
window's `over`) against the range Google SecOps accepts for rules: at least one minute and
at most 48 hours.

## Why is this bad?
The rule does not compile. A week-long window (`over 7d`) usually means the author wanted
a lookback for a rare event; YARA-L rules express that with a shorter window and a rule that
runs over the longer range, or with an entity-graph or prevalence check.

## Example
```yaral
rule slow_brute_force {
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $e.target.user.userid = $user
  match:
    $user over 7d
  condition:
    #e > 50
}
```

## Use instead
```yaral
rule slow_brute_force {
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $e.target.user.userid = $user
  match:
    $user over 48h
  condition:
    #e > 50
}
```

## References
- https://cloud.google.com/chronicle/docs/yara-l/match-syntax
"#;

/// The shortest window a rule accepts, in seconds.
const MIN_SECONDS: u64 = 60;
/// The longest window a rule accepts, in seconds (48 hours).
const MAX_SECONDS: u64 = 48 * 3600;

fn problem(window: &Duration) -> Option<&'static str> {
    let seconds = window.seconds();
    if seconds > MAX_SECONDS {
        Some("longer than the 48h")
    } else if seconds < MIN_SECONDS {
        Some("shorter than the 1m")
    } else {
        None
    }
}

/// Reports match windows outside the accepted range.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for rule in &yl.tree.rules {
        for section in &rule.sections {
            let SectionBody::Match(Some(clause)) = &section.body else { continue };
            let Some(what) = problem(&clause.window) else { continue };
            out.push(META.diagnostic(
                clause.window.span,
                format!(
                    "match window `{}` is {what} a rule accepts",
                    clause.window.span.text(cx.text)
                ),
            ));
        }
    }
}
