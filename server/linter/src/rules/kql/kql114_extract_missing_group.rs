//! KQL114 `extract-missing-group`: `extract()` asks for a capture group that its regex does
//! not have, so it always returns an empty string.

use qlint_grammar::kql::ast::{Expr, LiteralKind, walk_exprs};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL114",
    slug: "extract-missing-group",
    summary: "`extract()` asks for a capture group its regex does not have",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL114`.
pub const DOCS: &str = r#"## What it does
Reports `extract(regex, n, text)` where `n` is larger than the number of capture groups in
the literal regex (group 0 is the whole match and is always there).

## Why is this bad?
Kusto returns an empty string for a group that does not exist. The column the detection
extracts is empty on every row, so later filters on it never hold and summaries group
everything under `""`.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| extend Encoded = extract(@"-enc\s+\S+", 1, ProcessCommandLine)
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| extend Encoded = extract(@"-enc\s+(\S+)", 1, ProcessCommandLine)
```

## References
- https://learn.microsoft.com/kusto/query/extract-function
"#;

/// Reports `extract` calls whose group index is past the regex's groups.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    walk_exprs(query, &mut |expr| {
        let Expr::Call { callee, args, .. } = expr else { return };
        if !callee.name.eq_ignore_ascii_case("extract") || args.len() < 3 {
            return;
        }
        let Expr::Literal(re) = &args[0].value else { return };
        let LiteralKind::String { value: pattern } = &re.kind else { return };
        let Expr::Literal(group) = &args[1].value else { return };
        let LiteralKind::Int(n) = group.kind else { return };
        let groups = capture_groups(pattern);
        if n > groups as i64 {
            out.push(META.diagnostic(
                group.span,
                format!(
                    "the regex has {groups} capture group{}: group {n} is always empty",
                    if groups == 1 { "" } else { "s" }
                ),
            ));
        }
    });
}

/// Counts the capturing groups of a regex: `(` not escaped, not in a class, and not a
/// non-capturing or look-around group (named groups count).
pub(crate) fn capture_groups(pattern: &str) -> usize {
    let bytes = pattern.as_bytes();
    let (mut i, mut count, mut in_class) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                let rest = &pattern[i + 1..];
                let named =
                    rest.starts_with("?<") && !rest.starts_with("?<=") && !rest.starts_with("?<!")
                        || rest.starts_with("?P<")
                        || rest.starts_with("?'");
                if !rest.starts_with('?') || named {
                    count += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::capture_groups;

    #[test]
    fn counts_capturing_groups_only() {
        assert_eq!(capture_groups(r"a(b)(?:c)(?<n>d)(?=e)[(]\("), 2);
        assert_eq!(capture_groups(r"(?i)abc"), 0);
    }
}
