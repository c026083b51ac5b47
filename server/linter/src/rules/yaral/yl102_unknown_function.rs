//! YL102 `unknown-function`: a call to a function YARA-L does not have.

use qlint_grammar::yaral::ast::Expr;
use qlint_knowledge::yaral::yaral;

use super::did_you_mean;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL102",
    slug: "unknown-function",
    summary: "A call to a function that YARA-L 2.0 does not have",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL102`.
pub const DOCS: &str = r#"## What it does
Reports calls to functions that are not in YARA-L's function list (`strings.*`, `re.*`,
`math.*`, `net.*`, `timestamp.*`, `arrays.*`, `cast.*`, `hash.*`, `window.*`, the outcome
aggregations and `if`), with the closest known name. `metrics.*` functions are accepted
without a check.

## Why is this bad?
The rule does not compile. Names are case-sensitive and namespaced: `strings.tolower` or
`lower` from another language is an error.

## Example
```yaral
rule admin_logon {
  events:
    strings.tolower($e.target.user.userid) = "administrator"
  condition:
    $e
}
```

## Use instead
```yaral
rule admin_logon {
  events:
    strings.to_lower($e.target.user.userid) = "administrator"
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-functions
"#;

/// Reports calls to unknown functions.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    let catalog = yaral();
    for (_, e) in yl.exprs() {
        let Expr::Call { name, .. } = e else { continue };
        if name.text.starts_with("metrics.") || catalog.function(&name.text).is_some() {
            continue;
        }
        let hint = did_you_mean(catalog.suggest_function(&name.text));
        out.push(META.diagnostic(name.span, format!("unknown function `{}`{hint}", name.text)));
    }
}
