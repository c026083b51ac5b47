//! The condition model of a YARA-L rule: its `events` statements lowered into the
//! [`LogicModel`] that the detection-logic checks share with KQL and SPL.
//!
//! `$e.f = "x"` is an exact test, `$e.f = /re/` and `re.regex($e.f, ...)` regex tests,
//! `strings.contains`/`starts_with`/`ends_with` substring tests, `$e.f in %list` a list
//! test; `!=` and `not` negate, `nocase` makes a test case-insensitive. A condition that
//! requires an event to be absent (`!$e2`) is exclusion evidence outside the filters.

use qlint_grammar::Span;
use qlint_grammar::yaral::ast::{BinaryOp, Expr, Rule, SectionBody, UnaryOp};

use super::logic::{
    Comparison, Condition, Field, Filter, FilterOrigin, Literal, LiteralKind, LogicModel, OpKind,
    Operator,
};

/// The condition model of one rule.
pub fn rule_logic(rule: &Rule, text: &str) -> LogicModel {
    let mut model = LogicModel::default();
    for section in &rule.sections {
        match &section.body {
            SectionBody::Events(stmts) => {
                model.filters.extend(stmts.iter().map(|s| Filter {
                    origin: FilterOrigin::YaralEvents,
                    condition: lower(s, true, text),
                }));
            }
            SectionBody::Condition(Some(cond)) => {
                cond.walk(&mut |e| {
                    if let Expr::Unary { op: UnaryOp::Not, operand, .. } = e
                        && matches!(**operand, Expr::Variable(_))
                    {
                        model.exclusion_elsewhere = true;
                    }
                });
            }
            _ => {}
        }
    }
    model
}

/// Lowers an events expression; `case_sensitive` is false under `nocase`.
fn lower(e: &Expr, case_sensitive: bool, text: &str) -> Condition {
    match e {
        Expr::Binary { op: BinaryOp::And, lhs, rhs, span, .. } => Condition::And(
            vec![lower(lhs, case_sensitive, text), lower(rhs, case_sensitive, text)],
            *span,
        ),
        Expr::Binary { op: BinaryOp::Or, lhs, rhs, span, .. } => Condition::Or(
            vec![lower(lhs, case_sensitive, text), lower(rhs, case_sensitive, text)],
            *span,
        ),
        Expr::Unary { op: UnaryOp::Not, operand, span, .. } => {
            Condition::Not(Box::new(lower(operand, case_sensitive, text)), *span)
        }
        Expr::Paren { inner, .. } | Expr::Quantified { inner, .. } => {
            lower(inner, case_sensitive, text)
        }
        Expr::Nocase { inner, .. } => lower(inner, false, text),
        Expr::Binary { op, op_span, lhs, rhs, span } if op.is_comparison() => {
            comparison(*op, *op_span, lhs, rhs, *span, case_sensitive, text)
                .map_or(Condition::Opaque(*span), Condition::Compare)
        }
        Expr::Call { name, args, span } => call(&name.text, args, *span, case_sensitive)
            .map_or(Condition::Opaque(*span), Condition::Compare),
        Expr::In { value, span, .. } => Condition::Compare(Comparison {
            field: field_of(value),
            op: operator(OpKind::In, false, case_sensitive, "in", Span::empty(span.start)),
            values: Vec::new(),
            values_complete: false,
            span: *span,
        }),
        other => Condition::Opaque(other.span()),
    }
}

fn field_of(e: &Expr) -> Option<Field> {
    match e {
        Expr::Field(path) => Some(Field { name: path.dotted(), span: path.span }),
        _ => None,
    }
}

fn literal_of(e: &Expr) -> Option<(Literal, bool)> {
    let (l, kind, regex) = match e {
        Expr::String(l) => (l, LiteralKind::String, false),
        Expr::Regex(l) | Expr::RawString(l) => (l, LiteralKind::String, true),
        Expr::Number(n) | Expr::Name(n) => {
            let literal = Literal { value: n.text.clone(), kind: LiteralKind::Other, span: n.span };
            return Some((literal, false));
        }
        _ => return None,
    };
    Some((Literal { value: l.value.clone(), kind, span: l.span }, regex))
}

fn operator(kind: OpKind, negated: bool, case_sensitive: bool, text: &str, span: Span) -> Operator {
    Operator { kind, negated, case_sensitive, wildcards: false, text: text.to_owned(), span }
}

/// `$e.f = "x"`, `"x" != $e.f`, `$e.f = /re/`, `strings.to_lower($e.f) = "x"`.
fn comparison(
    op: BinaryOp,
    op_span: Span,
    lhs: &Expr,
    rhs: &Expr,
    span: Span,
    case_sensitive: bool,
    text: &str,
) -> Option<Comparison> {
    let (subject, (literal, regex)) = match (literal_of(lhs), literal_of(rhs)) {
        (None, Some(l)) => (lhs, l),
        (Some(l), None) => (rhs, l),
        _ => return None,
    };
    let kind = match op {
        BinaryOp::Eq | BinaryOp::Ne if regex => OpKind::Regex,
        BinaryOp::Eq | BinaryOp::Ne => OpKind::Equal,
        _ => OpKind::Order,
    };
    let op_text = op_span.text(text);
    Some(Comparison {
        field: field_of(subject),
        op: operator(kind, op == BinaryOp::Ne, case_sensitive, op_text, op_span),
        values: vec![literal],
        values_complete: true,
        span,
    })
}

/// `re.regex($e.f, "re")`, `strings.contains($e.f, "x")`, `strings.starts_with(...)`,
/// `strings.ends_with(...)`: a test of the first argument against the second.
fn call(name: &str, args: &[Expr], span: Span, case_sensitive: bool) -> Option<Comparison> {
    let kind = match name {
        "re.regex" => OpKind::Regex,
        "strings.contains" => OpKind::Contains,
        "strings.starts_with" => OpKind::StartsWith,
        "strings.ends_with" => OpKind::EndsWith,
        _ => return None,
    };
    let [subject, pattern] = args else { return None };
    let (literal, _) = literal_of(pattern)?;
    let name_span = Span::new(span.start, span.start + name.len() as u32);
    Some(Comparison {
        field: field_of(subject),
        op: operator(kind, false, case_sensitive, name, name_span),
        values: vec![literal],
        values_complete: true,
        span,
    })
}

#[cfg(test)]
mod tests {
    use qlint_grammar::yaral::parse;

    use super::*;

    fn model(events: &str) -> LogicModel {
        let text = format!("rule r {{\n events:\n  {events}\n condition:\n  $e\n}}\n");
        let tree = parse(&text).tree;
        rule_logic(&tree.rules[0], &text)
    }

    #[test]
    fn statements_become_comparisons() {
        let m = model(
            "$e.target.process.file.full_path = /certutil/ nocase\n  not $e.principal.hostname in %hosts\n  strings.contains($e.target.url, \"x\")",
        );
        let comparisons = m.comparisons();
        let kinds: Vec<(OpKind, bool, bool)> = comparisons
            .iter()
            .map(|(c, positive, _)| (c.op.kind, *positive, c.op.case_sensitive))
            .collect();
        assert_eq!(
            kinds,
            [
                (OpKind::Regex, true, false),
                (OpKind::In, false, true),
                (OpKind::Contains, true, true)
            ]
        );
        assert_eq!(comparisons[0].0.field.as_ref().unwrap().base_name(), "full_path");
        assert!(m.has_exclusion());
    }

    #[test]
    fn an_absent_event_is_exclusion_evidence() {
        let text = "rule r {\n events:\n  $a.target.url = /x/\n  $b.target.url = \"y\"\n match:\n  $h over 5m\n condition:\n  $a and !$b\n}\n";
        let tree = parse(text).tree;
        assert!(rule_logic(&tree.rules[0], text).exclusion_elsewhere);
    }
}
