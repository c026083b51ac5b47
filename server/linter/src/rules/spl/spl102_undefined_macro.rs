//! SPL102 `undefined-macro`: a macro that no configured macro source defines.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL102",
    slug: "undefined-macro",
    summary: "A macro that none of the macro sources defines",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL102`.
pub const DOCS: &str = r#"## What it does
Expands the search macros of the search (`` `name` `` and `` `name(a, b)` ``, looked up as
`name(2)` like Splunk does) against the `macros.conf` files and security-content
`macros/*.yml` files of your workspace or `qlint.toml`, and reports a macro that none of
them defines. The rule is silent when no macro source is configured or found, and it never
reports the `<detection>_filter` macros that ESCU generates for every detection.

## Why is this bad?
Splunk fails the search with "The search specifies a macro ... that cannot be found". This
happens when a detection is moved to an instance without the app that defines the macro,
or when the name is misspelt.

## Example
```spl
`sysmn` EventCode=1 | stats count by Image
```

## Use instead
```spl
`sysmon` EventCode=1 | stats count by Image
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Knowledge/Definesearchmacros
"#;

/// Reports the macros that did not resolve.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    for name in &spl.undefined_macros {
        let message = match &name.suggestion {
            Some(s) => format!("macro `{}` is not defined; did you mean `{s}`?", name.name),
            None => format!("macro `{}` is not defined in any macro source", name.name),
        };
        let mut diagnostic = META.diagnostic(name.span, message);
        if let Some(s) = &name.suggestion
            && let Some(fix) = did_you_mean_fix(cx.text, &[name.span], &name.name, s)
        {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}
