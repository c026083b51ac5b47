//! SIG106 `invalid-regex`: a `|re` value that is not a regular expression.

use regex_syntax::ast::ErrorKind;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG106",
    slug: "invalid-regex",
    summary: "A `|re` value that does not compile as a regular expression",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG106`.
pub const DOCS: &str = r#"## What it does
Parses every value of a `|re` key as a regular expression and reports those that do not
parse: unbalanced parentheses or brackets, a quantifier with nothing before it (`*.exe`, a
Sigma wildcard written where a regex is expected), an escape at the end of the pattern.

Sigma regular expressions are PCRE-like and converted for each backend. qlint checks them with
the syntax of Rust's `regex` crate, which shares PCRE's core; constructs PCRE has and Rust lacks
(lookaround, backreferences) are not judged, so what is reported is broken in PCRE too.

## Why is this bad?
Backends pass the pattern to the SIEM's regex engine: the converted query fails to run, or the
rule is rejected at deployment.

## Example
```yaml
title: Script from temp
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|re: '*\\Temp\\.*\.ps1'
  condition: selection
```

## Use instead
```yaml
title: Script from temp
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    CommandLine|re: '.*\\Temp\\.*\.ps1'
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
- https://docs.rs/regex/latest/regex/#syntax
"#;

/// Reports each `|re` value that does not parse.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        for field in search.fields.iter().filter(|f| f.has("re")) {
            for value in &field.values {
                let Some(pattern) = value.as_str() else { continue };
                if let Some(problem) = problem(pattern) {
                    out.push(META.diagnostic(value.span, problem));
                }
            }
        }
    }
}

/// What is wrong with `pattern`, or `None` when it parses (or uses PCRE-only syntax).
pub(crate) fn problem(pattern: &str) -> Option<String> {
    let error = regex_syntax::ast::parse::Parser::new().parse(pattern).err()?;
    if matches!(
        error.kind(),
        ErrorKind::UnsupportedLookAround
            | ErrorKind::UnsupportedBackreference
            | ErrorKind::EscapeUnrecognized
            | ErrorKind::FlagUnrecognized
            | ErrorKind::GroupNameInvalid
    ) {
        return None;
    }
    let shown = crate::rules::sigma::taxonomy::excerpt(pattern);
    if matches!(error.kind(), ErrorKind::RepetitionMissing) && pattern.starts_with('*') {
        return Some(format!(
            "`{shown}` starts with `*`, a Sigma wildcard: in a regular expression write `.*`"
        ));
    }
    Some(format!(
        "`{shown}` does not compile as a regular expression ({}; checked with Rust regex syntax, close to PCRE)",
        error.kind()
    ))
}
