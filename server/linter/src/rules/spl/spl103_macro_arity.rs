//! SPL103 `macro-arity`: a macro called with a number of arguments it is not defined for.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL103",
    slug: "macro-arity",
    summary: "A macro is called with a number of arguments no definition takes",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL103`.
pub const DOCS: &str = r#"## What it does
Reports a macro call whose argument count matches none of the definitions of that name:
Splunk looks up `` `name(a,b)` `` as the stanza `name(2)`, so a call with two arguments
needs a two-argument definition.

## Why is this bad?
Splunk fails the search: the macro it looks for does not exist.

## Example
```spl
| tstats count from datamodel=Endpoint.Processes by Processes.dest | `drop_dm_object_name(Processes, extra)`
```

## Use instead
```spl
| tstats count from datamodel=Endpoint.Processes by Processes.dest | `drop_dm_object_name(Processes)`
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Knowledge/Definesearchmacros
"#;

/// Reports macro calls with the wrong number of arguments.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    for problem in &spl.macro_arity_problems {
        out.push(META.diagnostic(
            problem.span,
            format!(
                "macro `{}` is defined with {} arguments but called with {}",
                problem.name, problem.expected, problem.given
            ),
        ));
    }
}
