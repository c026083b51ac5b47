//! YL101 `invalid-regex`: a regular expression that RE2 rejects.

use qlint_grammar::yaral::ast::Expr;

use crate::analysis::regex::{Dialect, check_regex};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL101",
    slug: "invalid-regex",
    summary: "A regular expression that Google SecOps' RE2 engine rejects",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL101`.
pub const DOCS: &str = r#"## What it does
Checks the patterns of `re.regex`, `re.capture`, `re.capture_all` and `re.replace` and the
`/.../` regex literals, and reports the ones RE2 does not compile: unbalanced groups or
classes, a quantifier after nothing, and PCRE-only syntax such as look-around (`(?=`,
`(?!`, `(?<=`) and back-references (`\1`).

## Why is this bad?
YARA-L runs regexes with RE2. A pattern it rejects stops the rule from being saved, and a
look-ahead copied from a Sigma or Splunk rule is a common way to get there.

## Example
```yaral
rule encoded_powershell {
  events:
    re.regex($e.target.process.command_line, `-enc(?!oding)`)
  condition:
    $e
}
```

## Use instead
```yaral
rule encoded_powershell {
  events:
    re.regex($e.target.process.command_line, `-enc( |$)`)
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-functions
- https://github.com/google/re2/wiki/Syntax
"#;

/// Functions whose second argument is a pattern.
const PATTERN_FUNCTIONS: &[&str] = &["re.regex", "re.capture", "re.capture_all", "re.replace"];

/// Reports the patterns that do not compile.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, e) in yl.exprs() {
        let (pattern, span, user) = match e {
            Expr::Regex(l) => (l, l.span, "regex literal".to_string()),
            Expr::Call { name, args, .. } if PATTERN_FUNCTIONS.contains(&name.text.as_str()) => {
                match args.get(1) {
                    Some(Expr::String(l) | Expr::RawString(l)) => {
                        (l, l.span, format!("`{}`", name.text))
                    }
                    _ => continue,
                }
            }
            _ => continue,
        };
        if let Some(problem) = check_regex(&pattern.value, Dialect::Re2) {
            out.push(
                META.diagnostic(span, format!("invalid regex in {user}: {}", problem.message)),
            );
        }
    }
}
