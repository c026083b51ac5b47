//! YL103 `wrong-arity`: a function called with the wrong number of arguments.

use qlint_grammar::yaral::ast::Expr;
use qlint_knowledge::yaral::yaral;

use crate::analysis::describe_arity;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL103",
    slug: "wrong-arity",
    summary: "A YARA-L function called with too many or too few arguments",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL103`.
pub const DOCS: &str = r#"## What it does
Counts the arguments of every call to a known YARA-L function and reports calls outside
the accepted range (`re.regex` takes 2, `re.replace` 3, `strings.trim` 1 or 2, ...).

## Why is this bad?
The rule does not compile. A missing argument is often a pattern or a field that was
meant to be there, so the rule would not have matched what its author intended either.

## Example
```yaral
rule rundll_ordinal {
  events:
    re.regex($e.target.process.command_line)
  condition:
    $e
}
```

## Use instead
```yaral
rule rundll_ordinal {
  events:
    re.regex($e.target.process.command_line, `,#\d+`)
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-functions
"#;

/// Reports calls with the wrong number of arguments.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, e) in yl.exprs() {
        let Expr::Call { name, args, span } = e else { continue };
        let Some(f) = yaral().function(&name.text) else { continue };
        let given = args.len();
        if given >= f.min_args && f.max_args.is_none_or(|max| given <= max) {
            continue;
        }
        let expected = describe_arity(f.min_args, f.max_args);
        out.push(META.diagnostic(
            *span,
            format!("`{}` takes {expected} argument(s), {given} given", name.text),
        ));
    }
}
