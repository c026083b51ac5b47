//! Condition parser tests: tree shapes with spans, and each broken case with its exact
//! message and span.

use super::ast::*;
use super::*;
use crate::Span;

fn ok(q: &str) -> Condition {
    let p = parse(q);
    assert!(p.errors.is_empty(), "unexpected errors for {q:?}: {:?}", p.errors);
    p.tree
}

/// The errors of `q` as (message, the text the span covers).
fn errors(q: &str) -> Vec<(String, String)> {
    parse(q).errors.into_iter().map(|e| (e.message, e.span.text(q).to_string())).collect()
}

fn one_error(q: &str) -> (String, String) {
    let errs = errors(q);
    assert_eq!(errs.len(), 1, "expected one error for {q:?}, got {errs:?}");
    errs.into_iter().next().unwrap_or_default()
}

/// A compact rendering of the tree: `(and a (not b))`, `(1 of sel*)`, `!` for error nodes.
fn show(e: &Expr) -> String {
    match e {
        Expr::Ident(n) => n.text.clone(),
        Expr::Of(of) => {
            let q = match of.quantifier {
                Quantifier::Count(n) => n.to_string(),
                Quantifier::Any => "any".into(),
                Quantifier::All => "all".into(),
            };
            let t = match &of.target {
                OfTarget::Them(_) => "them".to_string(),
                OfTarget::Pattern(p) => p.text.clone(),
            };
            format!("({q} of {t})")
        }
        Expr::Not { operand, .. } => format!("(not {})", show(operand)),
        Expr::And { operands, .. } => {
            format!("(and {})", operands.iter().map(show).collect::<Vec<_>>().join(" "))
        }
        Expr::Or { operands, .. } => {
            format!("(or {})", operands.iter().map(show).collect::<Vec<_>>().join(" "))
        }
        Expr::Paren { inner, .. } => format!("[{}]", show(inner)),
        Expr::Error(_) => "!".into(),
    }
}

fn shape(q: &str) -> String {
    show(&ok(q).expr)
}

#[test]
fn a_single_identifier() {
    let q = "selection";
    let c = ok(q);
    assert_eq!(c.expr, Expr::Ident(Name { text: "selection".into(), span: Span::new(0, 9) }));
    assert_eq!(c.span, Span::new(0, 9));
    assert!(c.aggregation.is_none());
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    assert_eq!(shape("a or b and not c"), "(or a (and b (not c)))");
    assert_eq!(shape("not a and b or c and d"), "(or (and (not a) b) (and c d))");
    assert_eq!(shape("(a or b) and not (c or d)"), "(and [(or a b)] (not [(or c d)]))");
    assert_eq!(shape("not not a"), "(not (not a))");
}

#[test]
fn chains_are_n_ary() {
    assert_eq!(shape("a and b and c and d"), "(and a b c d)");
    assert_eq!(shape("a or b or c"), "(or a b c)");
}

#[test]
fn quantified_patterns_and_them() {
    assert_eq!(shape("1 of selection_*"), "(1 of selection_*)");
    assert_eq!(shape("all of them"), "(all of them)");
    assert_eq!(shape("any of filter_* and all of sel*"), "(and (any of filter_*) (all of sel*))");
    assert_eq!(
        shape("all of selection_* and not 1 of filter_optional_*"),
        "(and (all of selection_*) (not (1 of filter_optional_*)))"
    );
    assert_eq!(shape("1 of Them"), "(1 of Them)", "pySigma reads `Them` as a pattern");
}

#[test]
fn spans_cover_what_they_name() {
    let q = "sel and not 1 of filter_*";
    let c = ok(q);
    let Expr::And { operands, span } = &c.expr else { panic!("{:?}", c.expr) };
    assert_eq!(span.text(q), q);
    let Expr::Not { keyword, operand, span } = &operands[1] else { panic!() };
    assert_eq!(keyword.text(q), "not");
    assert_eq!(span.text(q), "not 1 of filter_*");
    let Expr::Of(of) = operand.as_ref() else { panic!() };
    assert_eq!(of.span.text(q), "1 of filter_*");
    assert_eq!(of.quantifier_span.text(q), "1");
    let OfTarget::Pattern(p) = &of.target else { panic!() };
    assert_eq!(p.span.text(q), "filter_*");
    let q = " ( a or b ) ";
    let Expr::Paren { span, inner } = ok(q).expr else { panic!() };
    assert_eq!(span.text(q), "( a or b )");
    assert_eq!(inner.span().text(q), "a or b");
}

#[test]
fn identifiers_may_hold_dashes_digits_and_keyword_like_words() {
    assert_eq!(shape("selection-1 and filter_main_2"), "(and selection-1 filter_main_2)");
    assert_eq!(shape("all and them"), "(and all them)");
    assert_eq!(shape("keywords"), "keywords");
}

#[test]
fn multi_line_conditions() {
    assert_eq!(shape("selection\n  and not filter\n"), "(and selection (not filter))");
}

#[test]
fn references_in_source_order() {
    let c = ok("sel and not 1 of filter_* or all of them");
    let refs: Vec<String> = c
        .references()
        .into_iter()
        .map(|r| match r {
            Reference::Ident(n) => format!("id:{}", n.text),
            Reference::Pattern(n) => format!("pat:{}", n.text),
            Reference::Them(_) => "them".into(),
        })
        .collect();
    assert_eq!(refs, ["id:sel", "pat:filter_*", "them"]);
}

#[test]
fn the_deprecated_aggregation_is_kept_as_a_node() {
    let q = "selection | count(TargetUserName) by Computer > 10";
    let c = ok(q);
    assert_eq!(show(&c.expr), "selection");
    let agg = c.aggregation.expect("an aggregation");
    assert_eq!(agg.pipe.text(q), "|");
    assert_eq!(agg.span.text(q), "| count(TargetUserName) by Computer > 10");
    assert_eq!(agg.function.as_ref().map(|n| n.text.as_str()), Some("count"));
    assert_eq!(agg.field.as_ref().map(|n| n.text.as_str()), Some("TargetUserName"));
    assert_eq!(agg.group_by.as_ref().map(|n| n.span.text(q)), Some("Computer"));
    let (op, n) = agg.comparison.expect("a comparison");
    assert_eq!((op, n.text.as_str()), (CompareOp::Gt, "10"));

    let c = ok("1 of sel* | count() > 5");
    assert!(c.aggregation.as_ref().is_some_and(|a| a.field.is_none()));
    let q = "a | near b and not c";
    let c = ok(q);
    let agg = c.aggregation.as_ref().expect("near");
    assert_eq!(agg.near.as_deref().map(show).as_deref(), Some("(and b (not c))"));
    let refs = c.references().len();
    assert_eq!(refs, 3);
}

// ------------------------------------------------------------------ broken conditions

#[test]
fn missing_operand_after_and() {
    let p = parse("selection and");
    assert_eq!(show(&p.tree.expr), "(and selection !)");
    assert_eq!(
        one_error("selection and"),
        ("expected a search identifier after `and`".into(), "and".into())
    );
}

#[test]
fn missing_operand_after_not_and_before_or() {
    assert_eq!(one_error("not"), ("expected a search identifier after `not`".into(), "not".into()));
    assert_eq!(
        one_error("or sel"),
        ("expected a search identifier, found `or`".into(), "or".into())
    );
}

#[test]
fn two_operands_without_an_operator() {
    let q = "selection filter";
    assert_eq!(
        one_error(q),
        (
            "expected `and` or `or` before `filter`: two operands need an operator between them"
                .into(),
            "filter".into()
        )
    );
    assert_eq!(show(&parse(q).tree.expr), "selection");
}

#[test]
fn unclosed_and_stray_parentheses() {
    let q = "(sel or other and not filter";
    assert_eq!(one_error(q), ("expected `)` to close `(` after `filter`".into(), "filter".into()));
    assert_eq!(show(&parse(q).tree.expr), "[(or sel (and other (not filter)))]");
    assert_eq!(
        one_error("sel and filter)"),
        ("unexpected `)`: no `(` is open here".into(), ")".into())
    );
    assert_eq!(
        one_error("sel and ()"),
        ("expected a search identifier after `(`, found `)`".into(), ")".into())
    );
}

#[test]
fn upper_case_keywords_are_reported_and_parsed() {
    let q = "sel AND NOT filter";
    assert_eq!(
        errors(q),
        [
            ("Sigma keywords are lower case: write `and` instead of `AND`".into(), "AND".into()),
            ("Sigma keywords are lower case: write `not` instead of `NOT`".into(), "NOT".into()),
        ]
    );
    assert_eq!(show(&parse(q).tree.expr), "(and sel (not filter))");
    assert_eq!(
        one_error("All of them"),
        ("Sigma keywords are lower case: write `all` instead of `All`".into(), "All".into())
    );
}

#[test]
fn bad_quantifiers_patterns_and_identifiers() {
    assert_eq!(
        one_error("2 of sel*"),
        ("`2 of` is not Sigma: the quantifiers are `1`, `any` and `all`".into(), "2".into())
    );
    assert_eq!(
        one_error("sel* and not filter"),
        (
            "`sel*` is a pattern, which only `of` takes: write `1 of sel*` or `all of sel*`".into(),
            "sel*".into()
        )
    );
    assert_eq!(
        one_error("1 of sel-*"),
        (
            "`-` cannot appear in an `of` pattern (pySigma reads patterns as ASCII letters, digits, `_` and `*`)".into(),
            "sel-*".into()
        )
    );
    assert_eq!(
        one_error("sel.main"),
        (
            "`sel.main` is not a valid search identifier: use ASCII letters, digits, `_` and `-`"
                .into(),
            "sel.main".into()
        )
    );
}

#[test]
fn missing_of_target() {
    let p = parse("1 of");
    assert_eq!(show(&p.tree.expr), "!");
    assert_eq!(one_error("1 of"), ("expected a pattern or `them` after `of`".into(), "of".into()));
}

#[test]
fn empty_and_stray_characters() {
    assert_eq!(
        one_error("  "),
        ("the condition is empty: name a search identifier".into(), "  ".into())
    );
    assert_eq!(
        one_error("sel and !x"),
        ("unexpected character `!` in a condition".into(), "!".into())
    );
    assert_eq!(
        one_error("sel, filter"),
        ("unexpected `,`: separate search identifiers with `and` or `or`".into(), ",".into())
    );
    assert_eq!(
        one_error("sel == 1"),
        (
            "unexpected `==`: comparisons belong in the detection, not in the condition".into(),
            "==".into()
        )
    );
}

#[test]
fn broken_aggregations() {
    assert_eq!(
        one_error("sel |"),
        ("expected an aggregation such as `count() > 5` after `|`".into(), "|".into())
    );
    assert_eq!(
        one_error("| count() > 1"),
        ("expected a search identifier before `|`".into(), "|".into())
    );
    let (msg, at) = one_error("sel | count( > 1");
    assert!(msg.starts_with("expected"), "{msg}");
    assert_eq!(at, ">");
}

#[test]
fn deep_nesting_is_cut_off_without_a_panic() {
    let deep = format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    let (msg, at) = one_error(&deep);
    assert_eq!(msg, format!("the condition nests deeper than {MAX_DEPTH} levels"));
    assert_eq!(at, "(");
    let ok_deep = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(parse(&ok_deep).is_ok());
    let nots = format!("{}a", "not ".repeat(MAX_DEPTH + 1));
    assert_eq!(one_error(&nots).0, format!("the condition nests deeper than {MAX_DEPTH} levels"));
    let wide = vec!["a"; 20_000].join(" and ");
    assert!(parse(&wide).is_ok());
}

#[test]
fn never_panics_on_garbage() {
    for q in [
        "(",
        ")",
        "((",
        "))",
        "|",
        "||",
        "not (",
        "1",
        "1 of",
        "of",
        "of them",
        "all",
        "a | b",
        "a | count(",
        "a | near",
        "a | near (",
        "( | )",
        "not not not",
        "and or not",
        "1 of them and",
        "a ) ( b",
        "é",
        "\u{FEFF}",
        "a\u{200B}and b",
        "1 of * | count() by",
    ] {
        let p = parse(q);
        for e in &p.errors {
            assert!(e.span.end as usize <= q.len(), "{q:?}: {e:?}");
            assert!(!e.message.is_empty());
        }
        let _ = p.tree.references();
    }
}
