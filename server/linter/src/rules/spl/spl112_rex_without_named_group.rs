//! SPL112 `rex-without-named-group`: a `rex` whose regex has no `(?<name>...)` group
//! extracts nothing.

use qlint_grammar::spl::ast::CommandKind;
use qlint_grammar::spl::visit::all_commands;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL112",
    slug: "rex-without-named-group",
    summary: "`rex` with no named capture group extracts no field",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL112`.
pub const DOCS: &str = r#"## What it does
Reports `rex` (not in `mode=sed`) whose regular expression has no named group
(`(?<name>...)` or `(?P<name>...)`).

## Why is this bad?
`rex` creates one field per named group and nothing else: an unnamed `(...)` group is
ignored. A `rex` without a named group neither extracts a field nor filters events, so the
fields that later commands expect are never there.

## Example
```spl
index=web sourcetype=access_combined
| rex field=uri "user=(\w+)"
| stats count by user
```

## Use instead
```spl
index=web sourcetype=access_combined
| rex field=uri "user=(?<user>\w+)"
| stats count by user
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Rex
"#;

/// Reports `rex` commands without a named group.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    for command in all_commands(search) {
        let CommandKind::Rex(rex) = &command.kind else { continue };
        let sed = rex.options.iter().any(|o| {
            o.key.text.eq_ignore_ascii_case("mode") && o.value.text.eq_ignore_ascii_case("sed")
        });
        let Some(regex) = &rex.regex else { continue };
        let dynamic = regex.text.contains('$') && regex.text.matches('$').count() >= 2
            || regex.text.contains('`');
        if sed || dynamic || regex.text.contains("(?<") || regex.text.contains("(?P<") {
            continue;
        }
        out.push(META.diagnostic(
            regex.span,
            "this regex has no named group `(?<name>...)`: `rex` extracts no field from it",
        ));
    }
}
