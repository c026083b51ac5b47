//! SIG115 `wildcard-in-regex`: a `*` in a `|re` value used as a glob wildcard.

use super::sig114_escaped_wildcard::exact_span;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG115",
    slug: "wildcard-in-regex",
    summary: "A `*` in a `|re` value written as a glob wildcard (`\\\\*`, `.exe*`) rather than `.*`",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG115`.
pub const DOCS: &str = r#"## What it does
Reports a `*` in a `|re` value that repeats a plain character or an escaped backslash
(`\\*`, `s*`, `/*`) instead of a class or a group (`.*`, `[^\\]*`, `\s*`, `(ab)*`).
Sigma's wildcards do not apply inside a regular expression: there `*` repeats the character
before it. A star after a literal character is a glob habit far more often than intended
repetition. (Sigma's `|re` values are PCRE-like; the reading here is the same in PCRE, RE2
and Rust's `regex`.)

## Why is this bad?
`C:\\Windows\\*\.exe` means "`C:\Windows` followed by any number of backslashes, then
`.exe`": it never matches `C:\Windows\System32\cmd.exe`, and the selection stays silent.

## Example
```yaml
title: Executable in Windows folder
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|re: '^C:\\Windows\\*\.exe$'
  condition: selection
```

## Use instead
```yaml
title: Executable in Windows folder
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|re: '^C:\\Windows\\.*\.exe$'
  condition: selection
```

## References
- https://sigmahq.io/docs/basics/modifiers.html
"#;

/// Reports each glob-like star in a regex value.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(detection) = super::rule(cx).and_then(|r| r.detection.as_ref()) else { return };
    for search in &detection.searches {
        for field in search.fields.iter().filter(|f| f.has("re")) {
            for node in &field.values {
                let Some(value) = node.as_str() else { continue };
                for at in glob_stars(value) {
                    let span = exact_span(cx.text, node, at, 1).unwrap_or(node.span);
                    out.push(META.diagnostic(
                        span,
                        format!(
                            "`*` in a regular expression repeats `{}`; for any text write `.*`",
                            repeated(value, at)
                        ),
                    ));
                }
            }
        }
    }
}

/// Offsets of the stars that repeat a literal character (or an escaped backslash) outside a
/// character class.
fn glob_stars(regex: &str) -> Vec<usize> {
    let bytes = regex.as_bytes();
    let mut out = Vec::new();
    let mut in_class = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                // An escape: `\\` (a literal backslash) is a glob candidate, `\s` a class.
                if bytes.get(i + 1) == Some(&b'\\') && bytes.get(i + 2) == Some(&b'*') && !in_class
                {
                    out.push(i + 2);
                }
                i += 2;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'*' if !in_class && i > 0 && repeats_literal(bytes, i) => out.push(i),
            _ => {}
        }
        i += 1;
    }
    out
}

/// True when the byte before the star at `i` is a plain literal (a letter, a digit or a path
/// punctuation mark) that is not itself escaped.
fn repeats_literal(bytes: &[u8], i: usize) -> bool {
    let prev = bytes[i - 1];
    let literal = prev.is_ascii_alphanumeric() || matches!(prev, b'/' | b':' | b'_' | b'-' | b'%');
    let escaped = i >= 2 && bytes[i - 2] == b'\\';
    literal && !escaped && !in_quantifier_position(bytes, i)
}

/// `{2}*` or `a**` style positions are left to the regex compiler.
fn in_quantifier_position(bytes: &[u8], i: usize) -> bool {
    matches!(bytes.get(i + 1), Some(b'*' | b'+'))
}

fn repeated(value: &str, at: usize) -> &str {
    if value[..at].ends_with("\\\\") { "\\\\" } else { value.get(at - 1..at).unwrap_or("?") }
}
