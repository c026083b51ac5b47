//! KQL113 `escape-in-path`: a `\t`, `\n` or `\r` escape in a regular string where a
//! backslash of a path was meant (`"C:\temp"` holds a tab).

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{Expr, LiteralKind, walk_exprs};

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL113",
    slug: "escape-in-path",
    summary: "`\\t`, `\\n` or `\\r` inside a path in a regular string: it is a control character",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule KQL113`.
pub const DOCS: &str = r#"## What it does
Reports a regular (non-verbatim) string in which a single backslash followed by `t`, `n` or
`r` starts a word, as in `"C:\temp\new"` or `"\Tasks\nightly"`.

## Why is this bad?
In a regular KQL string the backslash is an escape: `"C:\temp\new"` holds `C:`, a tab,
`emp`, a newline and `ew`. A comparison with a real path never matches, and nothing tells you
so. Double the backslash (`"C:\\temp"`) or use a verbatim string (`@"C:\temp"`), in which a
backslash is just a backslash.

The fix doubles the backslash (offered in the editor only).

## Example
```kql
DeviceFileEvents
| where Timestamp > ago(1d)
| where FolderPath startswith "C:\temp\new"
```

## Use instead
```kql
DeviceFileEvents
| where Timestamp > ago(1d)
| where FolderPath startswith @"C:\temp\new"
```

## References
- https://learn.microsoft.com/kusto/query/scalar-data-types/string
"#;

/// Reports word-starting `\t`, `\n`, `\r` escapes in regular strings.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(query) = cx.kql() else { return };
    walk_exprs(query, &mut |expr| {
        let Expr::Literal(literal) = expr else { return };
        if !matches!(literal.kind, LiteralKind::String { .. }) {
            return;
        }
        let raw = literal.span.text(cx.text);
        if let Some(at) = word_escape(raw) {
            let start = literal.span.start + at as u32;
            let escape = Span::new(start, start + 2);
            out.push(
                META.diagnostic(
                    escape,
                    format!(
                        "`{}` in this string is a control character, not a backslash and `{}`",
                        escape.text(cx.text),
                        &raw[at + 1..at + 2]
                    ),
                )
                .with_fix(Fix {
                    title: "Double the backslash".to_owned(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit { span: Span::empty(start), replacement: "\\".to_owned() }],
                }),
            );
        }
    });
}

/// The offset of the first `\t`, `\n` or `\r` escape followed by a letter in a regular
/// quoted string (one of several parts of a concatenated literal included).
fn word_escape(raw: &str) -> Option<usize> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut quote = None::<u8>;
    let mut verbatim = false;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            None => {
                if b == b'"' || b == b'\'' {
                    // `@"a""b"`: a doubled quote inside a verbatim string stays verbatim.
                    let doubled = i > 0 && bytes[i - 1] == b;
                    verbatim = if doubled { verbatim } else { i > 0 && bytes[i - 1] == b'@' };
                    quote = Some(b);
                }
                if b == b'`' {
                    return None;
                }
            }
            Some(q) if b == q => quote = None,
            Some(_) if b == b'\\' && !verbatim => {
                let next = bytes.get(i + 1).copied();
                let after = bytes.get(i + 2).copied();
                if matches!(next, Some(b't' | b'n' | b'r'))
                    && after.is_some_and(|a| a.is_ascii_alphabetic())
                {
                    return Some(i);
                }
                i += 1;
            }
            Some(_) => {}
        }
        i += 1;
    }
    None
}
