//! YL109 `nocase-without-effect`: `nocase` on a comparison where case cannot matter.

use qlint_grammar::yaral::ast::{Expr, UnaryOp};
use qlint_knowledge::yaral::UdmType;

use crate::analysis::yaral::{FieldCheck, resolve_field};
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL109",
    slug: "nocase-without-effect",
    summary: "`nocase` on a comparison where letter case cannot matter",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule YL109`.
pub const DOCS: &str = r#"## What it does
Reports `nocase` where it changes nothing: on a comparison with a number or a boolean, on
an integer, float or boolean UDM field, on a string or regex with no letters in it
(`"10.0.0.1"`, `/^\d+$/`), and on a regex that is already case-insensitive (`(?i)`).

## Why is this bad?
It is noise at best. More often it shows a misunderstanding worth a second look: `nocase`
on an IP address or a port reads as if it made the comparison looser, and a `(?i)` pattern
with `nocase` suggests the author was not sure which of the two applies.

The fix removes `nocase`; it is offered in the editor only.

## Example
```yaral
rule rare_port {
  events:
    $e.target.ip = "10.0.0.5" nocase
  condition:
    $e
}
```

## Use instead
```yaral
rule rare_port {
  events:
    $e.target.ip = "10.0.0.5"
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;

/// True when `text` has a letter that has an upper and a lower case.
fn has_cased_letter(text: &str) -> bool {
    text.chars().any(|c| c.is_alphabetic() && c.to_lowercase().ne(c.to_uppercase()))
}

/// The letters of a regex that match text: escapes such as `\d`, `\w`, `\b` and `\x41` name
/// classes or code points, not letters.
fn regex_has_cased_letter(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('x') => {
                    chars.next();
                    chars.next();
                }
                // `\pL`, `\p{Greek}`: a class.
                Some('p' | 'P') if chars.next() == Some('{') => {
                    for n in chars.by_ref() {
                        if n == '}' {
                            break;
                        }
                    }
                }
                _ => {}
            }
        } else if has_cased_letter(c.encode_utf8(&mut [0; 4])) {
            return true;
        }
    }
    false
}

/// Why `nocase` does nothing to `inner`, if it does nothing.
fn without_effect(inner: &Expr, text: &str) -> Option<String> {
    match inner {
        Expr::Paren { inner, .. } => without_effect(inner, text),
        Expr::Binary { op, lhs, rhs, .. } if op.is_comparison() => {
            operand_reason(lhs, text).or_else(|| operand_reason(rhs, text))
        }
        Expr::Call { name, args, .. } if name.text.starts_with("re.") => {
            let pattern = args.get(1)?;
            pattern_reason(pattern)
        }
        _ => None,
    }
}

/// Why case cannot matter for a comparison that has `operand` on one side.
fn operand_reason(operand: &Expr, text: &str) -> Option<String> {
    match operand {
        Expr::Number(_) => Some("the comparison is with a number".into()),
        Expr::Unary { op: UnaryOp::Neg, .. } => Some("the comparison is with a number".into()),
        Expr::Name(n) if n.text == "true" || n.text == "false" => {
            Some("the comparison is with a boolean".into())
        }
        Expr::String(l) if !l.value.is_empty() && !has_cased_letter(&l.value) => {
            Some(format!("{} has no letters", l.span.text(text)))
        }
        Expr::Regex(_) | Expr::RawString(_) => pattern_reason(operand),
        Expr::Field(path) => match resolve_field(path) {
            FieldCheck::Known(ty) => {
                let kind = match ty {
                    UdmType::Int => "an integer",
                    UdmType::Float => "a float",
                    UdmType::Bool => "a boolean",
                    _ => return None,
                };
                Some(format!("`{}` is {kind} field", path.dotted()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Why case cannot matter for a regex pattern: it has no letters, or it is already `(?i)`.
fn pattern_reason(pattern: &Expr) -> Option<String> {
    let (Expr::Regex(l) | Expr::RawString(l) | Expr::String(l)) = pattern else { return None };
    if l.value.starts_with("(?i)") {
        return Some("the pattern is already case-insensitive (`(?i)`)".into());
    }
    (!l.value.is_empty() && !regex_has_cased_letter(&l.value))
        .then(|| "the pattern has no letters".into())
}

/// Reports `nocase` that cannot change the result.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, e) in yl.exprs() {
        let Expr::Nocase { inner, nocase_span, .. } = e else { continue };
        let Some(reason) = without_effect(inner, cx.text) else { continue };
        // Remove `nocase` with the space before it.
        let start = cx.text[..nocase_span.start as usize].trim_end().len() as u32;
        out.push(
            META.diagnostic(*nocase_span, format!("`nocase` has no effect here: {reason}"))
                .with_fix(Fix {
                    title: "Remove `nocase`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: qlint_grammar::Span::new(start, nocase_span.end),
                        replacement: String::new(),
                    }],
                }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_letters_leave_escapes_out() {
        assert!(!regex_has_cased_letter(r"^\d+\.\d+$"));
        assert!(!regex_has_cased_letter(r"\x41\s\w\p{Greek}"));
        assert!(regex_has_cased_letter(r"\\cmd\.exe$"));
        assert!(!has_cased_letter("10.0.0.1"));
        assert!(has_cased_letter("Ünïcode"));
    }
}
