//! KQL110 `wildcard-in-literal`: a `*` or `.*` in the literal of a string operator that does
//! not take patterns, so the test looks for the asterisk itself.

use crate::analysis::logic::{LiteralKind, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL110",
    slug: "wildcard-in-literal",
    summary: "A `*` wildcard in a `has`/`contains`/`==` literal matches a literal asterisk",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL110`.
pub const DOCS: &str = r#"## What it does
Reports a literal that starts or ends with `*`, or holds `.*`, compared with `==`, `=~`,
`has`, `contains`, `startswith`, `endswith`, `in` or `has_any` (negated forms included).

## Why is this bad?
None of these operators takes a pattern: `contains "*\\temp\\*"` looks for the asterisks
themselves and never matches a real path. This is a common leftover of rules converted from
Sigma or SPL, where `*` is a wildcard. The detection runs without error and finds nothing
(or, in an exclusion, excludes nothing).

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FolderPath contains "*\\AppData\\Local\\Temp\\*"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FolderPath contains "\\AppData\\Local\\Temp\\"
```

## References
- https://learn.microsoft.com/kusto/query/datatypes-string-operators
"#;

/// Reports pattern syntax in literals of operators that compare text as is.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, _, _) in cx.analysis.logic().comparisons() {
        if c.op.span.is_empty() || !takes_text(c.op.kind) {
            continue;
        }
        for literal in &c.values {
            if literal.kind != LiteralKind::String {
                continue;
            }
            if let Some(what) = pattern_syntax(&literal.value) {
                out.push(META.diagnostic(
                    literal.span,
                    format!(
                        "`{}` takes no pattern: the {what} in \"{}\" is matched literally",
                        c.op.text,
                        excerpt(&literal.value)
                    ),
                ));
            }
        }
    }
}

fn takes_text(kind: OpKind) -> bool {
    matches!(
        kind,
        OpKind::Equal
            | OpKind::Has
            | OpKind::Contains
            | OpKind::StartsWith
            | OpKind::EndsWith
            | OpKind::In
            | OpKind::HasAny
            | OpKind::HasAll
    )
}

/// What looks like a wildcard or a regex in a literal: a `*` at either end (with something
/// else in the literal) or `.*`.
fn pattern_syntax(value: &str) -> Option<&'static str> {
    if value.contains(".*") && !value.contains("*.*") {
        return Some("`.*`");
    }
    // `*\temp`, `*.ps1`, `mimikatz*`: the neighbour of the asterisk belongs to a name or a
    // path. `GUID=*` (LDAP), `/*` (SQL comment) and `SELECT *` are text that holds `*`.
    let name_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "\\._-".contains(c));
    let core = value.trim_matches('*');
    let leading = value.starts_with('*') && name_char(core.chars().next());
    let trailing = value.ends_with('*') && name_char(core.chars().next_back());
    // Text with spaces (`del *.*`) is a command line that holds an asterisk.
    let text = value.contains(char::is_whitespace);
    ((leading || trailing) && !text && core.chars().any(char::is_alphanumeric)).then_some("`*`")
}

fn excerpt(value: &str) -> String {
    let short: String = value.chars().take(40).collect();
    if short.len() < value.len() { format!("{short}…") } else { short }
}
