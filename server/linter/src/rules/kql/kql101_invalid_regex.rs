//! KQL101 `invalid-regex`: a regular expression that RE2 rejects.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL101",
    slug: "invalid-regex",
    summary: "A regular expression that Kusto's RE2 engine rejects",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL101`.
pub const DOCS: &str = r#"## What it does
Compiles every regex literal of the query — `matches regex`, `extract()`, `extract_all()`,
`replace_regex()`, `parse kind=regex`, `countof(..., "regex")`, `trim()` — with the rules of
RE2, the engine Kusto uses, and reports the ones it rejects: unbalanced groups or classes, a
quantifier that follows nothing, and PCRE features that RE2 does not have (look-ahead,
look-behind, back-references).

## Why is this bad?
Kusto fails the whole query on an invalid regex. Patterns copied from Sigma, Splunk or a
PCRE tester often use look-around, which RE2 never supports.

## Example
```kql
DeviceProcessEvents
| where ProcessCommandLine matches regex @"-enc(?!oded)"
```

## Use instead
```kql
DeviceProcessEvents
| where ProcessCommandLine matches regex @"-enc\s"
```

## References
- https://learn.microsoft.com/kusto/query/re2
- https://github.com/google/re2/wiki/Syntax
"#;

/// Reports the regex literals that do not compile.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for use_ in &kql.regexes {
        if let Some(problem) =
            crate::analysis::regex::check_regex(&use_.pattern, crate::analysis::regex::Dialect::Re2)
        {
            out.push(META.diagnostic(
                use_.span,
                format!("invalid regex in `{}`: {}", use_.user, problem.message),
            ));
        }
    }
}
