//! SPL104 `unknown-command`: a command name that is a near miss of a known command.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL104",
    slug: "unknown-command",
    summary: "A misspelt command name",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL104`.
pub const DOCS: &str = r#"## What it does
Reports a command name that is not a Splunk command but is within a small edit distance of
one (`| stast`, `| evall`, `| tabel`), and names the command it most likely meant. Unknown
names that resemble no known command are left alone: apps add their own commands.

## Why is this bad?
Splunk fails the search with "Unknown search command".

## Example
```spl
index=main | stast count by host
```

## Use instead
```spl
index=main | stats count by host
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/ListOfSearchCommands
"#;

/// Reports the misspelt commands.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    for name in &spl.unknown_commands {
        if let Some(s) = &name.suggestion {
            let mut diagnostic = META.diagnostic(
                name.span,
                format!("unknown command `{}`; did you mean `{s}`?", name.name),
            );
            if let Some(fix) = did_you_mean_fix(cx.text, &[name.span], &name.name, s) {
                diagnostic = diagnostic.with_fix(fix);
            }
            out.push(diagnostic);
        }
    }
}
