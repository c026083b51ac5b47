//! SIG114 `escaped-wildcard`: `\*` or `\?` in a value, a literal `*`/`?` where a path
//! separator followed by a wildcard was most likely meant.

use qlint_grammar::Span;

use super::values::{Piece, pieces};
use crate::analysis::sigma::{Node, NodeKind, Style};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG114",
    slug: "escaped-wildcard",
    summary: "`\\*` or `\\?` in a value: a literal `*`/`?`, not a backslash and a wildcard",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG114`.
pub const DOCS: &str = r#"## What it does
Reports `\*` and `\?` in the values of a detection (outside `|re`) where they stand in a
Windows path, right after a folder name (`temp\*.bin`, `Users\*\AppData`): Sigma reads a
backslash before `*`, `?` or another backslash as an escape, so `\*` is a literal star, while
the author almost always meant a folder separator followed by a wildcard, which is written
`\\*`. Escapes elsewhere are taken as meant (`select \*`, `objectclass=\*`, `/index.php\?h=`,
`\\\*\IPC$` for a share called `\\*\IPC$`). A backslash before any other character is kept as it is,
so `'C:\Windows\'` and a single trailing backslash are fine and not reported. pySigma's
`escaped_wildcard` validator reports every escaped wildcard, meant or not.

## Why is this bad?
`C:\Users\*\AppData` matches only the text `C:\Users*\AppData`: no event has it, and the
selection (or the exclusion) silently matches nothing.

## Example
```yaml
title: Run from a user profile
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|startswith: 'C:\Users\*\AppData\'
  condition: selection
```

## Use instead
```yaml
title: Run from a user profile
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|startswith: 'C:\Users\\*\AppData\'
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/rules.html
- https://github.com/SigmaHQ/sigma-specification/blob/main/specification/sigma-rules-specification.md
"#;

/// Reports each escaped wildcard in a plain (non-regex) value.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        let fields = search.fields.iter().filter(|f| !f.has("re"));
        let values = fields.flat_map(|f| &f.values).chain(&search.keywords);
        for node in values {
            report(cx.text, node, out);
        }
    }
}

fn report(document: &str, node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(value) = node.as_str() else { return };
    let read = pieces(value);
    // A path: some other backslash stands as a plain folder separator.
    let path = read.iter().any(|(_, p, escaped)| *p == Piece::Literal('\\') && !escaped);
    for (i, &(at, piece, escaped)) in read.iter().enumerate() {
        let (Piece::Literal(c @ ('*' | '?')), true) = (piece, escaped) else { continue };
        if !path || !after_folder_name(&read[..i]) {
            continue;
        }
        let span = exact_span(document, node, at, 2).unwrap_or(node.span);
        let name = if c == '*' { "star" } else { "question mark" };
        out.push(META.diagnostic(
            span,
            format!(
                "`\\{c}` is a literal {name}, not a backslash and a wildcard: write `\\\\{c}` if a folder separator was meant"
            ),
        ));
    }
}

/// True when the piece before is a character that ends a folder name (`temp` in `temp\*`),
/// not a space, `=`, a quote or an escaped backslash, where a literal star is usually meant
/// (`select \*`, `objectclass=\*`, `\\\*\IPC$`).
fn after_folder_name(before: &[(usize, Piece, bool)]) -> bool {
    matches!(before.last(), Some(&(_, Piece::Literal(c), false))
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$' | '~' | ')'))
}

/// The span of `len` bytes at `at` in the decoded value, when the scalar is written as-is
/// (plain, or quoted without escapes).
pub(crate) fn exact_span(document: &str, node: &Node, at: usize, len: usize) -> Option<Span> {
    let NodeKind::Scalar(value, style) = &node.kind else { return None };
    let raw = node.span.text(document);
    let start = match style {
        Style::Plain if raw == value => node.span.start,
        Style::SingleQuoted | Style::DoubleQuoted if raw.get(1..raw.len() - 1) == Some(value) => {
            node.span.start + 1
        }
        _ => return None,
    };
    let start = start + u32::try_from(at).ok()?;
    Some(Span::new(start, start + u32::try_from(len).ok()?))
}
