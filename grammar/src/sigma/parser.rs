//! The Sigma condition parser: chumsky for the expression grammar, a small driver around it.
//!
//! The driver lexes the condition, reports stray characters, checks the nesting depth (so deep
//! input never reaches the recursive parser), splits the tokens at the first top-level `|` into
//! the boolean expression and the deprecated aggregation, and parses each. Words that could
//! not be placed become errors that name what was expected. This is the only module of the
//! Sigma grammar that imports chumsky.
//!
//! What is accepted follows pySigma: `not` binds tighter than `and`, which binds tighter than
//! `or`; identifiers are ASCII letters, digits, `_` and `-`; `of` patterns are letters, digits,
//! `_` and `*`; the quantifiers are `1`, `any` and `all`; keywords are lower case.

use chumsky::input::ValueInput;
use chumsky::prelude::*;

use super::ast::*;
use super::lexer::{self, TokenKind};
use crate::{Span, SyntaxError};

/// Deepest nesting of `(` (and of `not` in a row) the parser accepts.
pub const MAX_DEPTH: usize = 64;

/// Nesting up to which the parser runs on the caller's stack; deeper input goes to
/// [`crate::stack::on_deep_stack`].
const INLINE_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tk<'a> {
    kind: TokenKind,
    text: &'a str,
}

impl std::fmt::Display for Tk<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.text)
    }
}

type Extra<'a> = extra::Err<Rich<'a, Tk<'a>, SimpleSpan>>;

fn sp(s: SimpleSpan) -> Span {
    Span::new(s.start as u32, s.end as u32)
}

/// The words that are operators wherever they stand, in any case.
fn is_operator_word(text: &str) -> bool {
    ["and", "or", "not", "of"].iter().any(|w| text.eq_ignore_ascii_case(w))
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_pattern_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '*'
}

/// A keyword in any case; a case other than lower case is reported (pySigma only knows the
/// lower-case keywords) and the keyword is kept for recovery.
fn kw<'a, I>(word: &'static str) -> impl Parser<'a, I, Span, Extra<'a>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    select! { Tk { kind: TokenKind::Word, text } = e if text.eq_ignore_ascii_case(word) => (text, e.span()) }
        .validate(move |(text, span), _, emitter| {
            if text != word {
                emitter.emit(Rich::custom(
                    span,
                    format!("Sigma keywords are lower case: write `{word}` instead of `{text}`"),
                ));
            }
            sp(span)
        })
        .labelled(word)
}

fn tok<'a, I>(kind: TokenKind, label: &'static str) -> impl Parser<'a, I, Span, Extra<'a>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    select! { Tk { kind: k, .. } = e if k == kind => sp(e.span()) }.labelled(label)
}

/// A search identifier; malformed ones are reported and kept.
fn identifier<'a, I>() -> impl Parser<'a, I, Expr, Extra<'a>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    select! { Tk { kind: TokenKind::Word, text } = e if !is_operator_word(text) => (text, e.span()) }
        .validate(|(text, span), _, emitter| {
            if text.contains('*') {
                emitter.emit(Rich::custom(
                    span,
                    format!(
                        "`{text}` is a pattern, which only `of` takes: write `1 of {text}` or `all of {text}`"
                    ),
                ));
            } else if !text.chars().all(is_identifier_char) {
                emitter.emit(Rich::custom(
                    span,
                    format!(
                        "`{}` is not a valid search identifier: use ASCII letters, digits, `_` and `-`",
                        crate::excerpt(text)
                    ),
                ));
            }
            Expr::Ident(Name { text: text.to_string(), span: sp(span) })
        })
        .labelled("a search identifier")
}

/// `1`, `any` or `all` (another number is reported and kept).
fn quantifier<'a, I>() -> impl Parser<'a, I, (Quantifier, Span), Extra<'a>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    let number = select! { Tk { kind: TokenKind::Word, text } = e if text.bytes().all(|b| b.is_ascii_digit()) => (text, e.span()) }
        .validate(|(text, span), _, emitter| {
            if text != "1" {
                emitter.emit(Rich::custom(
                    span,
                    format!("`{text} of` is not Sigma: the quantifiers are `1`, `any` and `all`"),
                ));
            }
            (Quantifier::Count(text.parse().unwrap_or(u32::MAX)), sp(span))
        });
    choice((
        number,
        kw("any").map(|span| (Quantifier::Any, span)),
        kw("all").map(|span| (Quantifier::All, span)),
    ))
}

/// The target of `of`: `them` (lower case only: pySigma reads `Them` as a pattern) or a
/// pattern. `None` when it is missing (reported).
fn of_target<'a, I>() -> impl Parser<'a, I, Option<OfTarget>, Extra<'a>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    select! { Tk { kind: TokenKind::Word, text } = e if !is_operator_word(text) => (text, e.span()) }
        .validate(|(text, span), _, emitter| {
            if text == "them" {
                return Some(OfTarget::Them(sp(span)));
            }
            if !text.chars().all(is_pattern_char) {
                let what = if text.contains('-') {
                    "`-` cannot appear in an `of` pattern (pySigma reads patterns as ASCII letters, digits, `_` and `*`)".to_string()
                } else {
                    format!(
                        "`{}` is not a valid `of` pattern: use ASCII letters, digits, `_` and `*`",
                        crate::excerpt(text)
                    )
                };
                emitter.emit(Rich::custom(span, what));
            }
            Some(OfTarget::Pattern(Name { text: text.to_string(), span: sp(span) }))
        })
        .labelled("a pattern or `them`")
        .recover_with(via_parser(empty().to(None)))
}

/// The boolean expression grammar.
fn expression<'a, I>() -> impl Parser<'a, I, Expr, Extra<'a>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    recursive(|expr| {
        let of = quantifier().then(kw("of")).then(of_target()).map_with(
            |(((quantifier, quantifier_span), _), target), e| match target {
                Some(target) => {
                    Expr::Of(OfExpr { quantifier, quantifier_span, target, span: sp(e.span()) })
                }
                None => Expr::Error(sp(e.span())),
            },
        );
        let paren = tok(TokenKind::LParen, "`(`")
            .then(expr)
            .then(
                tok(TokenKind::RParen, "`)` to close `(`")
                    .map(Some)
                    .recover_with(via_parser(empty().to(None))),
            )
            .map_with(|((_, inner), close): ((Span, Expr), Option<Span>), e| {
                let span = match close {
                    Some(_) => sp(e.span()),
                    None => sp(e.span()).cover(inner.span()),
                };
                Expr::Paren { inner: Box::new(inner), span }
            });
        let atom = choice((of, paren, identifier()))
            .labelled("a search identifier")
            .recover_with(via_parser(empty().map_with(|_, e| Expr::Error(sp(e.span())))))
            .boxed();
        let not = kw("not").repeated().foldr_with(atom, |keyword, operand, e| Expr::Not {
            keyword,
            span: keyword.cover(operand.span()).cover(sp(e.span())),
            operand: Box::new(operand),
        });
        let and = not
            .separated_by(kw("and"))
            .at_least(1)
            .collect::<Vec<_>>()
            .map_with(|operands, e| chain(operands, sp(e.span()), false))
            .boxed();
        and.separated_by(kw("or"))
            .at_least(1)
            .collect::<Vec<_>>()
            .map_with(|operands, e| chain(operands, sp(e.span()), true))
            .boxed()
    })
}

/// One operand stays itself; two or more make an `and` / `or` node.
fn chain(mut operands: Vec<Expr>, span: Span, or: bool) -> Expr {
    if operands.len() == 1 {
        return operands.pop().unwrap_or(Expr::Error(span));
    }
    let span = match (operands.first(), operands.last()) {
        (Some(first), Some(last)) => first.span().cover(last.span()),
        _ => span,
    };
    if or { Expr::Or { operands, span } } else { Expr::And { operands, span } }
}

/// The expression followed by whatever could not be placed (the first such token).
fn expression_then_rest<'a, I>() -> impl Parser<'a, I, (Expr, Option<(Tk<'a>, Span)>), Extra<'a>>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    expression()
        .then(any().map_with(|t, e| (t, sp(e.span()))).or_not())
        .then_ignore(any().repeated())
}

/// The deprecated aggregation after `|`: `count(field) by group > 5` or `near expr`.
fn aggregation<'a, I>(pipe: Span) -> impl Parser<'a, I, Aggregation, Extra<'a>>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
{
    let word = select! { Tk { kind: TokenKind::Word, text } = e => Name { text: text.to_string(), span: sp(e.span()) } };
    let near = kw("near").then(expression()).map_with(move |(keyword, expr), e| Aggregation {
        pipe,
        function: Some(Name { text: "near".into(), span: keyword }),
        field: None,
        group_by: None,
        comparison: None,
        near: Some(Box::new(expr)),
        span: pipe.cover(sp(e.span())),
    });
    let compare = select! {
        Tk { kind: TokenKind::Lt, .. } => CompareOp::Lt,
        Tk { kind: TokenKind::Le, .. } => CompareOp::Le,
        Tk { kind: TokenKind::Gt, .. } => CompareOp::Gt,
        Tk { kind: TokenKind::Ge, .. } => CompareOp::Ge,
        Tk { kind: TokenKind::Eq, .. } => CompareOp::Eq,
        Tk { kind: TokenKind::NotEq, .. } => CompareOp::NotEq,
    }
    .labelled("a comparison such as `>`");
    let function = word
        .then(
            word.or_not()
                .delimited_by(tok(TokenKind::LParen, "`(`"), tok(TokenKind::RParen, "`)`")),
        )
        .then(kw("by").ignore_then(word.labelled("a field")).or_not())
        .then(compare.then(word.labelled("a number")).or_not())
        .map_with(move |(((function, field), group_by), comparison), e| Aggregation {
            pipe,
            function: Some(function),
            field,
            group_by,
            comparison,
            near: None,
            span: pipe.cover(sp(e.span())),
        });
    choice((near, function)).then_ignore(end())
}

type Toks<'a> = [(Tk<'a>, SimpleSpan)];

/// Parses a condition into a tree and its errors. Never panics.
pub fn parse(text: &str) -> crate::Parse<Condition> {
    let mut errors = Vec::new();
    let mut toks: Vec<(Tk<'_>, SimpleSpan)> = Vec::new();
    for t in lexer::lex(text) {
        if t.kind == TokenKind::Error {
            errors.push(SyntaxError::new(
                t.span,
                format!("unexpected character `{}` in a condition", t.span.text(text)),
            ));
            continue;
        }
        toks.push((
            Tk { kind: t.kind, text: t.span.text(text) },
            SimpleSpan::from(std::ops::Range::from(t.span)),
        ));
    }
    let whole = Span::new(0, text.len() as u32);
    let condition = if toks.is_empty() {
        errors.push(SyntaxError::new(whole, "the condition is empty: name a search identifier"));
        Condition { expr: Expr::Error(whole), aggregation: None, span: whole }
    } else if let (_, Some(at)) = nesting(&toks) {
        errors.push(SyntaxError::new(
            at,
            format!("the condition nests deeper than {MAX_DEPTH} levels"),
        ));
        Condition { expr: Expr::Error(whole), aggregation: None, span: whole }
    } else if nesting(&toks).0 <= INLINE_DEPTH {
        parse_tokens(&toks, whole, &mut errors)
    } else {
        parse_on_big_stack(&toks, whole, &mut errors)
    };
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    for e in &mut errors {
        e.span = e.span.widen_empty(text);
    }
    crate::Parse { tree: condition, errors }
}

fn parse_on_big_stack(toks: &Toks<'_>, whole: Span, errors: &mut Vec<SyntaxError>) -> Condition {
    let (condition, errs) = crate::stack::on_deep_stack(|| {
        let mut errs = Vec::new();
        let condition = parse_tokens(toks, whole, &mut errs);
        (condition, errs)
    });
    errors.extend(errs);
    condition
}

fn parse_tokens(toks: &Toks<'_>, whole: Span, errors: &mut Vec<SyntaxError>) -> Condition {
    let pipe_at = toks.iter().position(|t| t.0.kind == TokenKind::Pipe);
    let (expr_toks, agg_toks) = match pipe_at {
        Some(i) => (&toks[..i], Some((sp(toks[i].1), &toks[i + 1..]))),
        None => (toks, None),
    };
    let expr = if expr_toks.is_empty() {
        let at = agg_toks.map_or(whole, |(pipe, _)| pipe);
        errors.push(SyntaxError::new(at, "expected a search identifier before `|`"));
        Expr::Error(Span::empty(at.start))
    } else {
        parse_expression(expr_toks, errors)
    };
    let aggregation = agg_toks.map(|(pipe, rest)| parse_aggregation(pipe, rest, whole, errors));
    Condition { expr, aggregation, span: whole }
}

fn eoi(toks: &Toks<'_>) -> SimpleSpan {
    let end = toks.last().map_or(0, |t| t.1.end);
    SimpleSpan::from(end..end)
}

fn parse_expression(toks: &Toks<'_>, errors: &mut Vec<SyntaxError>) -> Expr {
    let result = expression_then_rest().parse(toks.split_token_span(eoi(toks)));
    let (output, errs) = result.into_output_errors();
    for err in errs.iter().take(3) {
        errors.push(describe(err, toks));
    }
    let Some((expr, rest)) = output else {
        return Expr::Error(stretch(toks));
    };
    if let Some((tk, span)) = rest {
        errors.push(leftover(tk, span, &expr));
    }
    expr
}

/// The message for the first token the expression grammar could not place.
fn leftover(tk: Tk<'_>, span: Span, before: &Expr) -> SyntaxError {
    let message = match tk.kind {
        TokenKind::RParen => "unexpected `)`: no `(` is open here".to_string(),
        TokenKind::Word if matches!(before, Expr::Error(_)) => {
            format!("unexpected `{}`", crate::excerpt(tk.text))
        }
        TokenKind::Word => format!(
            "expected `and` or `or` before `{}`: two operands need an operator between them",
            crate::excerpt(tk.text)
        ),
        TokenKind::Comma => {
            "unexpected `,`: separate search identifiers with `and` or `or`".to_string()
        }
        _ => format!(
            "unexpected `{}`: comparisons belong in the detection, not in the condition",
            tk.text
        ),
    };
    SyntaxError::new(span, message)
}

fn parse_aggregation(
    pipe: Span,
    toks: &Toks<'_>,
    whole: Span,
    errors: &mut Vec<SyntaxError>,
) -> Aggregation {
    let empty = Aggregation {
        pipe,
        function: None,
        field: None,
        group_by: None,
        comparison: None,
        near: None,
        span: Span::new(pipe.start, whole.end),
    };
    if toks.is_empty() {
        errors.push(SyntaxError::new(
            pipe,
            "expected an aggregation such as `count() > 5` after `|`",
        ));
        return empty;
    }
    let result = aggregation(pipe).parse(toks.split_token_span(eoi(toks)));
    let (output, errs) = result.into_output_errors();
    if let Some(err) = errs.first() {
        errors.push(describe(err, toks));
    }
    output.unwrap_or(empty)
}

/// Span of a run of tokens.
fn stretch(toks: &Toks<'_>) -> Span {
    match (toks.first(), toks.last()) {
        (Some(first), Some(last)) => Span::new(first.1.start as u32, last.1.end as u32),
        _ => Span::default(),
    }
}

/// Depth of `(` nesting plus the longest run of `not`, and the first token where it exceeds
/// [`MAX_DEPTH`].
fn nesting(toks: &Toks<'_>) -> (usize, Option<Span>) {
    let (mut deepest, mut parens, mut nots, mut first_over) = (0usize, 0usize, 0usize, None);
    for (t, span) in toks {
        match t.kind {
            TokenKind::LParen => parens += 1,
            TokenKind::RParen => parens = parens.saturating_sub(1),
            _ => {}
        }
        if t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case("not") {
            nots += 1;
        } else if t.kind != TokenKind::LParen {
            nots = 0;
        }
        deepest = deepest.max(parens + nots);
        if deepest > MAX_DEPTH && first_over.is_none() {
            first_over = Some(sp(*span));
        }
    }
    (deepest, first_over)
}

/// Turns a chumsky error into one sentence naming what was expected and where.
fn describe(err: &Rich<'_, Tk<'_>, SimpleSpan>, toks: &Toks<'_>) -> SyntaxError {
    if let chumsky::error::RichReason::Custom(msg) = err.reason() {
        return SyntaxError::new(sp(*err.span()), msg.clone());
    }
    let at = err.span().start;
    let prev = toks.iter().rev().find(|t| t.1.end <= at);
    let mut expected: Vec<String> = Vec::new();
    for pattern in err.expected() {
        let s = match pattern {
            chumsky::error::RichPattern::Label(l) => {
                if l.contains(' ') || l.starts_with('`') {
                    l.to_string()
                } else {
                    format!("`{l}`")
                }
            }
            chumsky::error::RichPattern::Token(t) => format!("`{}`", t.text),
            _ => continue,
        };
        if !expected.contains(&s) {
            expected.push(s);
        }
    }
    if expected.iter().any(|e| e.contains("to close")) {
        expected.retain(|e| e.contains("to close"));
    } else if expected.iter().any(|e| e == "a search identifier") {
        expected.retain(|e| e == "a search identifier");
    }
    let what = match expected.len() {
        0 => String::new(),
        1 => expected[0].clone(),
        n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
    };
    let found = err.found().map(|t| crate::excerpt(t.text));
    let span = match (&found, prev) {
        (None, Some(p)) => sp(p.1),
        _ => sp(*err.span()),
    };
    let after = prev.map(|p| format!(" after `{}`", crate::excerpt(p.0.text))).unwrap_or_default();
    let message = match (what.is_empty(), found) {
        (true, Some(f)) => format!("unexpected `{f}`"),
        (true, None) => format!("unexpected end of the condition{after}"),
        (false, None) => format!("expected {what}{after}"),
        (false, Some(f)) => format!("expected {what}{after}, found `{f}`"),
    };
    SyntaxError::new(span, message)
}
