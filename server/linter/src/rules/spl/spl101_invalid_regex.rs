//! SPL101 `invalid-regex`: a regular expression that PCRE rejects.

use crate::analysis::regex::{Dialect, check_regex};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL101",
    slug: "invalid-regex",
    summary: "A regular expression that Splunk's PCRE engine rejects",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL101`.
pub const DOCS: &str = r#"## What it does
Checks the regexes of `rex`, `regex`, and the `match()` and `replace()` eval functions,
and reports the ones PCRE rejects: unbalanced groups or character classes, a quantifier
that follows nothing, a reversed range or repetition count. PCRE features are fine here:
look-around, back-references, possessive quantifiers, atomic groups and `\Q...\E` are not
reported. `rex mode=sed` expressions are checked on their pattern part.

## Why is this bad?
Splunk stops the search with "Error in 'rex' command: Encountered the following error
while compiling the regex", and a scheduled detection never fires.

## Example
```spl
index=main | rex field=CommandLine "(?<exe>[^\\\\]+\.exe"
```

## Use instead
```spl
index=main | rex field=CommandLine "(?<exe>[^\\\\]+\.exe)"
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Rex
- https://www.pcre.org/current/doc/html/pcre2pattern.html
"#;

/// Reports the regexes that do not compile.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    for use_ in &spl.regexes {
        if let Some(problem) = check_regex(&use_.pattern, Dialect::Pcre) {
            out.push(META.diagnostic(
                use_.span,
                format!("invalid regex in `{}`: {}", use_.user, problem.message),
            ));
        }
    }
}
