//! KQL313 `regex-without-pattern`: `matches regex` with a literal that has no regex syntax,
//! where a string operator would do.

use crate::analysis::logic::OpKind;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL313",
    slug: "regex-without-pattern",
    summary: "`matches regex` with a plain string: `contains_cs` is cheaper",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule KQL313`.
pub const DOCS: &str = r#"## What it does
Reports `matches regex` whose pattern holds no regex syntax at all (no `.`, `*`, `+`, `?`,
`|`, `(`, `[`, `{`, `^`, `$` or `\`), such as `matches regex "mimikatz"`.

## Why is this bad?
Such a pattern is a case-sensitive substring test. Kusto runs the regex engine on every value
for it, where `contains_cs` (or `has_cs` for a whole term, which uses the term index) gives
the same answer far faster. Writing the string operator also tells the reader that no pattern
was intended, and invites the question whether the test should ignore case.

This rule is off by default; select it with `KQL313` or `ALL`.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where ProcessCommandLine matches regex "sekurlsa"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where ProcessCommandLine contains_cs "sekurlsa"
```

## References
- https://learn.microsoft.com/kusto/query/matches-regex-operator
- https://learn.microsoft.com/kusto/query/best-practices
"#;

/// Reports regex tests with patterns free of regex syntax.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, _, _) in cx.analysis.logic().comparisons() {
        if c.op.kind != OpKind::Regex || c.op.span.is_empty() {
            continue;
        }
        let [literal] = c.values.as_slice() else { continue };
        let plain = !literal.value.is_empty()
            && !literal.value.chars().any(|ch| ".*+?|()[]{}^$\\".contains(ch));
        if plain {
            out.push(META.diagnostic(
                literal.span,
                format!(
                    "\"{}\" has no regex syntax: `contains_cs` gives the same result faster",
                    literal.value
                ),
            ));
        }
    }
}
