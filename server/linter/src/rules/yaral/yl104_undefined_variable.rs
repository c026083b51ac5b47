//! YL104 `undefined-variable`: a variable in the condition that the rule never defines.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL104",
    slug: "undefined-variable",
    summary: "A condition that uses an event or outcome variable the rule never defines",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL104`.
pub const DOCS: &str = r#"## What it does
Reports `$name` and `#name` in the `condition` section when `name` is not an event
variable or placeholder of `events`, a match variable or an outcome variable of the same
rule.

## Why is this bad?
The rule does not compile. It usually means an event variable was renamed in `events`
(`$e` became `$proc`) but not in the condition, or an outcome variable was misspelt.

## Example
```yaral
rule many_failures {
  events:
    $fail.metadata.event_type = "USER_LOGIN"
  condition:
    #failure > 10
}
```

## Use instead
```yaral
rule many_failures {
  events:
    $fail.metadata.event_type = "USER_LOGIN"
  condition:
    #fail > 10
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;

/// Reports condition variables that are defined nowhere in their rule.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, vars) in yl.rules() {
        for used in &vars.condition_refs {
            if vars.defines(&used.text) {
                continue;
            }
            out.push(META.diagnostic(
                used.span,
                format!(
                    "`{}` is used in the condition but is not defined in `events`, `match` or \
                     `outcome`",
                    used.span.text(cx.text)
                ),
            ));
        }
    }
}
