//! YL108 `type-mismatch`: a UDM field compared with a literal of another type.

use qlint_grammar::Span;
use qlint_grammar::yaral::ast::{Expr, FieldPath, UnaryOp};
use qlint_knowledge::yaral::UdmType;

use crate::analysis::yaral::{FieldCheck, resolve_field};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL108",
    slug: "type-mismatch",
    summary: "A UDM field compared with a literal of another type (an integer with a string)",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL108`.
pub const DOCS: &str = r#"## What it does
Looks up the type of every UDM field compared with a literal (`=`, `!=`, `<`, `<=`, `>`,
`>=`) and reports a literal of another type: a string or regex against an integer or float
field (`target.port`, `network.sent_bytes`), a number or string against a boolean field, a
number, string or regex where a boolean is expected, `true`/`false` against a string,
number or enum field, a number against a string field.

## Why is this bad?
Google SecOps rejects the rule. Quoting a number (`$e.target.port = "3389"`) is the usual
slip: the field holds an integer, and the comparison has to be written without quotes.

## Example
```yaral
rule rdp_inbound {
  events:
    $e.metadata.event_type = "NETWORK_CONNECTION"
    $e.target.port = "3389"
  condition:
    $e
}
```

## Use instead
```yaral
rule rdp_inbound {
  events:
    $e.metadata.event_type = "NETWORK_CONNECTION"
    $e.target.port = 3389
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/reference/udm-field-list
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;

/// The type of a literal operand, with its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LiteralType {
    String,
    Regex,
    Number,
    Bool,
}

impl LiteralType {
    fn describe(self) -> &'static str {
        match self {
            LiteralType::String => "a string",
            LiteralType::Regex => "a regex",
            LiteralType::Number => "a number",
            LiteralType::Bool => "a boolean",
        }
    }
}

fn literal_type(e: &Expr) -> Option<(LiteralType, Span)> {
    match e {
        Expr::String(l) => Some((LiteralType::String, l.span)),
        Expr::Regex(l) => Some((LiteralType::Regex, l.span)),
        Expr::Number(n) => Some((LiteralType::Number, n.span)),
        Expr::Unary { op: UnaryOp::Neg, operand, span, .. }
            if matches!(**operand, Expr::Number(_)) =>
        {
            Some((LiteralType::Number, *span))
        }
        Expr::Name(n) if n.text == "true" || n.text == "false" => Some((LiteralType::Bool, n.span)),
        _ => None,
    }
}

/// Whether a field of type `field` can be compared with a literal of type `literal`.
/// Messages and maps are not judged; enums are strings of fixed values (YL202 checks them).
fn compatible(field: &UdmType, literal: LiteralType) -> bool {
    use LiteralType as L;
    match field {
        UdmType::Int | UdmType::Float => literal == L::Number,
        UdmType::Bool => literal == L::Bool,
        UdmType::String => literal != L::Number && literal != L::Bool,
        UdmType::Enum(_) => literal != L::Bool && literal != L::Number,
        UdmType::Bytes | UdmType::Message(_) | UdmType::Any => true,
    }
}

/// A field compared with a literal: the path, the literal's type and span.
fn field_and_literal<'a>(
    lhs: &'a Expr,
    rhs: &'a Expr,
) -> Option<(&'a FieldPath, LiteralType, Span)> {
    match (lhs, rhs) {
        (Expr::Field(p), other) | (other, Expr::Field(p)) => {
            let (ty, span) = literal_type(other)?;
            Some((p, ty, span))
        }
        _ => None,
    }
}

/// Reports literals whose type the compared field cannot hold.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for (_, e) in yl.exprs() {
        let Expr::Binary { op, lhs, rhs, .. } = e else { continue };
        if !op.is_comparison() {
            continue;
        }
        let Some((path, literal, span)) = field_and_literal(lhs, rhs) else { continue };
        let FieldCheck::Known(field) = resolve_field(path) else { continue };
        if compatible(field, literal) {
            continue;
        }
        let written = span.text(cx.text);
        let hint = match (field, literal) {
            (UdmType::Int | UdmType::Float, LiteralType::String) => number_hint(written),
            _ => String::new(),
        };
        out.push(META.diagnostic(
            span,
            format!(
                "`{}` is {} field, but `{written}` is {}{hint}",
                path.dotted(),
                article(field),
                literal.describe()
            ),
        ));
    }
}

/// How to write a quoted number as a number: `"53"` -> `53`, `"0x100"` -> `256`.
fn number_hint(quoted: &str) -> String {
    let inner = quoted.trim_matches('"');
    let value = match inner.strip_prefix("0x").or_else(|| inner.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok().map(|v| v.to_string()),
        None => inner.parse::<f64>().is_ok().then(|| inner.to_owned()),
    };
    value.map_or_else(String::new, |v| format!("; write `{v}` without quotes"))
}

fn article(ty: &UdmType) -> String {
    match ty {
        UdmType::Int => "an integer".into(),
        UdmType::Enum(e) => format!("an enum (`{e}`)"),
        other => format!("a {}", other.describe()),
    }
}
