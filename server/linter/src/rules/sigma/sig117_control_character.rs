//! SIG117 `control-character`: a value holding a tab, a bell or another control character,
//! nearly always a Windows path in a double-quoted YAML string with single backslashes.

use qlint_grammar::Span;

use crate::analysis::sigma::{Node, NodeKind, Style};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG117",
    slug: "control-character",
    summary: "A value with a control character (`\"C:\\temp\"` reads as a tab), usually a path in double quotes",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG117`.
pub const DOCS: &str = r#"## What it does
Reports detection values that contain a control character: a tab, a bell, a backspace, a
form feed, a vertical tab, a NUL or an escape character. In a double-quoted YAML string `\t`,
`\a`, `\b`, `\f`, `\v`, `\0` and `\e` are escapes, so `"C:\temp\bad.exe"` holds a tab and a
backspace, not two backslashes (an escape YAML does not define, such as `\W`, makes the
file unreadable instead: that is QL002). The finding points at the escape that produced the
character. Line breaks in block scalars are left alone. pySigma's `control_character`
validator reports the same values.

## Why is this bad?
No event has a tab where the path has `\t`: the value never matches, and the rule or its
exclusion silently does nothing.

## Example
```yaml
title: Binary from Temp
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|contains: "C:\temp\\"
  condition: selection
```

## Use instead
```yaml
title: Binary from Temp
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|contains: 'C:\temp\'
  condition: selection
```

## References
- https://yaml.org/spec/1.2.2/#57-escaped-characters
"#;

/// Reports the first control character of each value.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        let values = search.fields.iter().flat_map(|f| &f.values).chain(&search.keywords);
        for node in values {
            let NodeKind::Scalar(value, style) = &node.kind else { continue };
            let Some(c) = value.chars().find(|&c| is_control(c, *style)) else { continue };
            let span = escape_span(cx.text, node, c).unwrap_or(node.span);
            out.push(META.diagnostic(
                span,
                format!(
                    "this value holds the control character U+{:04X}; in double quotes write `\\\\` for a backslash, or use single quotes",
                    c as u32
                ),
            ));
        }
    }
}

fn is_control(c: char, style: Style) -> bool {
    c.is_control() && !(matches!(c, '\n' | '\r') && style != Style::DoubleQuoted)
}

/// Where the YAML escape that produced `c` is written in a double-quoted scalar.
fn escape_span(document: &str, node: &Node, c: char) -> Option<Span> {
    let letter = match c {
        '\t' => 't',
        '\u{7}' => 'a',
        '\u{8}' => 'b',
        '\u{c}' => 'f',
        '\u{b}' => 'v',
        '\0' => '0',
        '\u{1b}' => 'e',
        '\n' => 'n',
        '\r' => 'r',
        _ => return None,
    };
    let raw = node.span.text(document);
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == letter as u8 {
                let start = node.span.start + i as u32;
                return Some(Span::new(start, start + 2));
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}
