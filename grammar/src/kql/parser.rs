//! The KQL parser: chumsky for the grammar, a small hand-written driver for recovery.
//!
//! The driver lexes the text, drops comments, checks the nesting depth (a cheap pre-pass, so
//! deep input never reaches the recursive parser), splits the tokens into statements at
//! top-level `;` and into pipeline stages at top-level `|`, and runs the chumsky parsers on
//! each piece. A piece that fails to parse becomes an error node and parsing resumes at the
//! next `|` or `;`. This is the only module that imports chumsky.

use chumsky::input::ValueInput;
use chumsky::inspector::SimpleState;
use chumsky::prelude::*;

use super::ast::*;
use super::lexer::{self, TokenKind};
use crate::{Span, SyntaxError};

/// Deepest nesting of `(`, `[` and `{` the parser accepts.
pub const MAX_DEPTH: usize = 64;

/// A token as the chumsky grammar sees it: kind plus text.
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

/// The error types the grammar is built with: [`EmptyErr`] for the fast first pass (most
/// queries are valid), [`Rich`] for the second pass that explains a failure.
trait GrammarError<'a, I: Input<'a>>:
    chumsky::error::Error<'a, I>
    + chumsky::label::LabelError<'a, I, &'static str>
    + chumsky::label::LabelError<'a, I, chumsky::DefaultExpected<'a, I::Token>>
    + 'a
{
}

impl<'a, I: Input<'a>, T> GrammarError<'a, I> for T where
    T: chumsky::error::Error<'a, I>
        + chumsky::label::LabelError<'a, I, &'static str>
        + chumsky::label::LabelError<'a, I, chumsky::DefaultExpected<'a, I::Token>>
        + 'a
{
}

/// The parser extras: errors of type `R`, and the text being parsed as state (so that a
/// grammar borrows no text and can be built once per thread, see [`crate::reuse`]).
type Ex<'a, R> = extra::Full<R, SimpleState<&'a str>, ()>;

fn sp(s: SimpleSpan) -> Span {
    Span::new(s.start as u32, s.end as u32)
}

/// Words that end an expression where a name could otherwise start one.
const RESERVED: &[&str] = &[
    "by", "on", "with", "and", "or", "asc", "desc", "step", "of", "in", "string", "int", "long",
    "real", "double", "boolean", "datetime", "date", "timespan", "time", "dynamic", "decimal",
    "int64", "int32", "uint", "float",
];

/// The head of a statement: everything before its first top-level `|`.
#[derive(Debug, Clone)]
enum Head {
    Let { name: Ident, body: LetHead, span: Span },
    Set(SetStatement),
    Declare(DeclareQueryParameters),
    Source(Source),
}

#[derive(Debug, Clone)]
enum LetHead {
    Function(FunctionDef),
    Source(Source),
}

/// The entry points built from one grammar.
struct Grammar<'a, I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>, R: GrammarError<'a, I>> {
    head: Boxed<'a, 'a, I, Head, Ex<'a, R>>,
    operator: Boxed<'a, 'a, I, TabularOperator, Ex<'a, R>>,
}

fn kw<'a, I, R>(word: &'static str) -> impl Parser<'a, I, Span, Ex<'a, R>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    select! { Tk { kind: TokenKind::Ident, text } = e if text == word => sp(e.span()) }
        .labelled(word)
}

fn tok<'a, I, R>(
    kind: TokenKind,
    label: &'static str,
) -> impl Parser<'a, I, Span, Ex<'a, R>> + Clone
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    select! { Tk { kind: k, .. } = e if k == kind => sp(e.span()) }.labelled(label)
}

fn ident_from(text: &str, span: Span) -> Ident {
    Ident { name: text.to_string(), bracketed: false, span }
}

/// A name read where the parser may still back out (`name =` in an argument, `name(` of a
/// call): the `Ident` is built only once the name is kept, so a failed guess allocates nothing.
#[derive(Debug, Clone)]
enum NameAt<'a> {
    Plain(&'a str, Span),
    Built(Ident),
}

impl NameAt<'_> {
    fn ident(self) -> Ident {
        match self {
            NameAt::Plain(text, span) => ident_from(text, span),
            NameAt::Built(ident) => ident,
        }
    }
}

/// The left side of `Name = expr` or `(A, B) = expr`.
enum NamesAt<'a> {
    One(NameAt<'a>),
    Many(Vec<Ident>),
}

/// A dotted name (`hint.strategy`) from its words, as [`grammar`]'s `dotted` builds it.
fn dotted_ident((first, rest): ((&str, Span), Vec<(&str, Span)>)) -> Ident {
    let mut out = ident_from(first.0, first.1);
    for (text, span) in rest {
        out.name.push('.');
        out.name.push_str(text);
        out.span = out.span.cover(span);
    }
    out
}

/// Adjacent string literals as one value (`"a" "b"` is `"ab"`), joined as they are read
/// rather than collected into a list first.
#[derive(Default)]
struct Joined {
    value: String,
    span: Option<Span>,
}

impl FromIterator<(String, Span)> for Joined {
    fn from_iter<T: IntoIterator<Item = (String, Span)>>(parts: T) -> Self {
        let mut out = Joined::default();
        for (part, span) in parts {
            match out.span {
                None => out.value = part,
                Some(_) => out.value.push_str(&part),
            }
            out.span = Some(out.span.map_or(span, |s| s.cover(span)));
        }
        out
    }
}

/// Decodes a string token's text into its value.
fn decode_string(text: &str) -> String {
    let (body, verbatim, quote) = {
        let t = text.strip_prefix(['h', 'H']).unwrap_or(text);
        if let Some(rest) = t.strip_prefix('@') {
            (rest, true, rest.chars().next().unwrap_or('"'))
        } else if let Some(rest) = t.strip_prefix("```") {
            return rest.strip_suffix("```").unwrap_or(rest).to_string();
        } else {
            (t, false, t.chars().next().unwrap_or('"'))
        }
    };
    let mut inner_chars = body.chars();
    inner_chars.next();
    let rest = inner_chars.as_str();
    let inner = rest.strip_suffix(quote).unwrap_or(rest);
    if verbatim {
        let doubled = format!("{quote}{quote}");
        return inner.replace(&doubled, &quote.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else {
        text.parse().ok()
    }
}

const TYPED_LITERALS: &[&str] = &[
    "datetime", "date", "time", "timespan", "guid", "int", "long", "real", "double", "bool",
    "boolean", "decimal", "int64", "int32",
];

/// Builds the grammar. All recursion goes through `expr` and `pipeline`.
fn grammar<'a, I, R>() -> Grammar<'a, I, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let mut expr = Recursive::<chumsky::recursive::Indirect<'a, 'a, I, Expr, Ex<'a, R>>>::declare();
    let mut pipeline =
        Recursive::<chumsky::recursive::Indirect<'a, 'a, I, Pipeline, Ex<'a, R>>>::declare();
    let mut statements =
        Recursive::<chumsky::recursive::Indirect<'a, 'a, I, Vec<Statement>, Ex<'a, R>>>::declare();
    let mut operator =
        Recursive::<chumsky::recursive::Indirect<'a, 'a, I, TabularOperator, Ex<'a, R>>>::declare();

    let lparen = tok(TokenKind::LParen, "`(`");
    let rparen = tok(TokenKind::RParen, "`)`");
    let lbracket = tok(TokenKind::LBracket, "`[`");
    let rbracket = tok(TokenKind::RBracket, "`]`");
    let comma = tok(TokenKind::Comma, "`,`");
    let assign = tok(TokenKind::Assign, "`=`");
    let colon = tok(TokenKind::Colon, "`:`");

    // Names: plain identifiers (not reserved words) or bracketed `['a b']`.
    let plain_name = select! {
        Tk { kind: TokenKind::Ident, text } = e if !RESERVED.contains(&text) => ident_from(text, sp(e.span())),
    };
    let any_word = select! {
        Tk { kind: TokenKind::Ident, text } = e => ident_from(text, sp(e.span())),
    };
    // The same two as text and span, for the places that may back out (see `NameAt`).
    let plain_name_at = select! {
        Tk { kind: TokenKind::Ident, text } = e if !RESERVED.contains(&text) => NameAt::Plain(text, sp(e.span())),
    };
    let any_word_at = select! {
        Tk { kind: TokenKind::Ident, text } = e => (text, sp(e.span())),
    };
    let string_tok = select! {
        Tk { kind: TokenKind::String | TokenKind::MultilineString, text } => text,
    };
    let bracketed = lbracket.clone().then(string_tok).then(rbracket.clone()).map(
        |((open, text), close): ((Span, &str), Span)| Ident {
            name: decode_string(text),
            bracketed: true,
            span: open.cover(close),
        },
    );
    let name = choice((plain_name, bracketed.clone())).labelled("a name").boxed();
    let name_at =
        choice((plain_name_at, bracketed.clone().map(NameAt::Built))).labelled("a name").boxed();
    // Any word, reserved or not, or a bracketed name (after `.` and in declarations).
    let word = choice((any_word, bracketed)).labelled("a name").boxed();

    // A dotted name such as `hint.strategy` (for operator parameters and `set`).
    let dotted_at = any_word_at
        .then(tok(TokenKind::Dot, "`.`").ignore_then(any_word_at).repeated().collect::<Vec<_>>())
        .boxed();
    let dotted = dotted_at.clone().map(dotted_ident).boxed();

    // A wildcard column pattern: `Col*`, `*Suffix`, `Pre*Post`, or a bracketed name.
    let wildcard_name = choice((
        select! {
            Tk { kind: TokenKind::Ident | TokenKind::Star, text } = e => (text, sp(e.span())),
        }
        .repeated()
        .at_least(1)
        .collect::<Vec<_>>()
        .map(|parts: Vec<(&str, Span)>| {
            let span = parts[0].1.cover(parts[parts.len() - 1].1);
            Ident { name: parts.iter().map(|p| p.0).collect(), bracketed: false, span }
        }),
        name.clone(),
    ))
    .labelled("a column name")
    .boxed();

    let type_name = any_word.labelled("a type name").boxed();

    // ---- literals -------------------------------------------------------------------------
    let strings = string_tok
        .map_with(|t, e| (decode_string(t), sp(e.span())))
        .repeated()
        .at_least(1)
        .collect::<Joined>()
        .map(|joined: Joined| {
            let span = joined.span.unwrap_or_default();
            Expr::Literal(Literal { kind: LiteralKind::String { value: joined.value }, span })
        });
    let number = select! {
        Tk { kind: TokenKind::Int, text } = e => Expr::Literal(Literal {
            kind: match parse_int(text) { Some(v) => LiteralKind::Int(v), None => LiteralKind::Real(text.parse().unwrap_or(f64::INFINITY)) },
            span: sp(e.span()),
        }),
        Tk { kind: TokenKind::Real, text } = e => Expr::Literal(Literal {
            kind: LiteralKind::Real(text.parse().unwrap_or(f64::NAN)),
            span: sp(e.span()),
        }),
        Tk { kind: TokenKind::Timespan, text } = e => Expr::Literal(Literal {
            kind: LiteralKind::Timespan(text.to_string()),
            span: sp(e.span()),
        }),
    };
    let boolean = select! {
        Tk { kind: TokenKind::Ident, text } = e if matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") =>
            Expr::Literal(Literal { kind: LiteralKind::Bool(text.eq_ignore_ascii_case("true")), span: sp(e.span()) }),
    };
    // `datetime(2024-01-01 10:00)`, `guid(...)`, `int(null)`, `time(1.2:00:00)`: raw text.
    let raw_inner =
        select! { Tk { kind: k, .. } if !matches!(k, TokenKind::LParen | TokenKind::RParen) => () }
            .repeated()
            .to_span();
    let typed_literal = select! {
        Tk { kind: TokenKind::Ident, text } if TYPED_LITERALS.contains(&text) => text,
    }
    .then(lparen.clone())
    .then(raw_inner)
    .then(rparen.clone())
    .map_with(|(((ty, _), inner), _): (((&str, Span), SimpleSpan), Span), e| (ty, inner, e.span()))
    .boxed();

    // ---- expressions ----------------------------------------------------------------------
    // A "value": an expression or a sub-query (`(T | where ...)` inside calls and lists).
    let value = pipeline
        .clone()
        .map(|p: Pipeline| {
            if p.operators.is_empty()
                && let Source::Expr(e) = p.source
            {
                return e;
            }
            Expr::Pipeline(Box::new(p))
        })
        .boxed();

    let arg = name_at
        .clone()
        .then_ignore(assign.clone())
        .then(value.clone())
        .map_with(|(n, v), e| Arg { name: Some(n.ident()), value: v, span: sp(e.span()) })
        .or(value.clone().map_with(|v, e| Arg { name: None, value: v, span: sp(e.span()) }));
    let args = arg
        .separated_by(comma.clone())
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(lparen.clone(), rparen.clone().labelled("`)` to close the argument list"))
        .boxed();

    let call = any_word_at.then(args.clone()).map_with(|((text, at), args), e| Expr::Call {
        callee: ident_from(text, at),
        args,
        span: sp(e.span()),
    });

    // dynamic(...) values: scalars, arrays and objects.
    let json = recursive(|json| {
        let array = json
            .clone()
            .separated_by(comma.clone())
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(lbracket.clone(), rbracket.clone())
            .map_with(|items, e| Expr::Array { items, span: sp(e.span()) });
        let entry = choice((strings, any_word.map(Expr::Name)))
            .then_ignore(colon.clone())
            .then(json.clone());
        let object = entry
            .separated_by(comma.clone())
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(tok(TokenKind::LBrace, "`{`"), tok(TokenKind::RBrace, "`}`"))
            .map_with(|entries, e| Expr::Object { entries, span: sp(e.span()) });
        let null = kw("null").map(|s| Expr::Literal(Literal { kind: LiteralKind::Null, span: s }));
        choice((array, object, null, expr.clone())).boxed()
    });
    let dynamic = kw("dynamic")
        .ignore_then(json.or_not().delimited_by(lparen.clone(), rparen.clone()))
        .map_with(|v, e| {
            let span = sp(e.span());
            let value = v.unwrap_or(Expr::Literal(Literal { kind: LiteralKind::Null, span }));
            Expr::Dynamic { value: Box::new(value), span }
        })
        .boxed();

    let paren = value
        .clone()
        .delimited_by(lparen.clone(), rparen.clone().labelled("`)`"))
        .map_with(|inner, e| Expr::Paren { inner: Box::new(inner), span: sp(e.span()) });

    let atom = choice((
        strings,
        number,
        boolean,
        dynamic,
        typed_literal.clone().map_with(|(ty, inner, _), e| {
            let span = sp(e.span());
            let src: &str = e.state().0;
            let raw = src.get(inner.start..inner.end).unwrap_or("").trim().to_string();
            let kind = match ty {
                "datetime" | "date" => LiteralKind::Datetime(raw),
                "time" | "timespan" => LiteralKind::Timespan(raw),
                "guid" => LiteralKind::Guid(raw),
                _ => LiteralKind::Typed { ty: ty.to_string(), text: raw },
            };
            Expr::Literal(Literal { kind, span })
        }),
        kw("typeof").then(type_name.clone().delimited_by(lparen.clone(), rparen.clone())).map_with(
            |(kw_span, ty), e| Expr::Call {
                callee: ident_from("typeof", kw_span),
                args: vec![Arg { span: ty.span, name: None, value: Expr::Name(ty) }],
                span: sp(e.span()),
            },
        ),
        call.clone(),
        name.clone().map(Expr::Name),
        paren.clone(),
        tok(TokenKind::Star, "`*`").map(Expr::Star),
    ))
    .labelled("an expression")
    .boxed();
    let fast = std::mem::size_of::<R>() == 0;
    let postfix_op = choice((
        tok(TokenKind::Dot, "`.`").ignore_then(word.clone()).map(Post::Member),
        tok(TokenKind::Dot, "`.`")
            .ignore_then(value.clone().delimited_by(lbracket.clone(), rbracket.clone()))
            .map(Post::Index),
        value.clone().delimited_by(lbracket.clone(), rbracket.clone()).map(Post::Index),
    ));
    // The fast build (errors without detail, see `run`) reads atoms and their accessors with
    // `fast_postfix`; the build that explains errors with the chumsky choice and fold.
    let primaries = fast.then(|| {
        std::rc::Rc::new(Primaries {
            choice_atom: atom.clone(),
            call: call.boxed(),
            paren: paren.boxed(),
            strings: strings.boxed(),
            number: number.boxed(),
            postfix_op: postfix_op.clone().boxed(),
        })
    });
    let postfix = match &primaries {
        Some(primaries) => {
            let primaries = primaries.clone();
            custom(move |inp: &mut Inp<'a, '_, I, R>| fast_postfix(inp, &primaries)).boxed()
        }
        None => atom
            .foldl_with(postfix_op.repeated(), |target, post, e| {
                post_node(target, post, sp(e.span()))
            })
            .boxed(),
    };

    let unary = select! {
        Tk { kind: TokenKind::Minus, .. } = e => (UnaryOp::Neg, sp(e.span())),
        Tk { kind: TokenKind::Plus, .. } = e => (UnaryOp::Plus, sp(e.span())),
    }
    .repeated()
    .foldr_with(postfix.clone(), |(op, _), operand, e| Expr::Unary {
        op,
        operand: Box::new(operand),
        span: sp(e.span()),
    })
    .boxed();
    // Without a leading sign the fold above is the postfix parser itself.
    let fast_unary = primaries.map(|primaries| Unary { primaries, signed: unary.clone() });
    let unary = match &fast_unary {
        Some(u) => {
            let u = u.clone();
            custom(move |inp: &mut Inp<'a, '_, I, R>| fast_unary_at(inp, &u)).boxed()
        }
        None => unary,
    };

    // A missing operand becomes an error node with a message naming the operator.
    let operand = |p: Boxed<'a, 'a, I, Expr, Ex<'a, R>>| {
        p.labelled("an expression")
            .recover_with(via_parser(empty().map_with(|_, e| Expr::Error(sp(e.span())))))
    };

    let mul_op = select! {
        Tk { kind: TokenKind::Star, .. } = e => (BinaryOp::Mul, sp(e.span())),
        Tk { kind: TokenKind::Slash, .. } = e => (BinaryOp::Div, sp(e.span())),
        Tk { kind: TokenKind::Percent, .. } = e => (BinaryOp::Mod, sp(e.span())),
    };
    let product =
        unary.clone().foldl_with(mul_op.then(operand(unary.clone())).repeated(), binary).boxed();
    let add_op = select! {
        Tk { kind: TokenKind::Plus, .. } = e => (BinaryOp::Add, sp(e.span())),
        Tk { kind: TokenKind::Minus, .. } = e => (BinaryOp::Sub, sp(e.span())),
    };
    let sum = if let Some(u) = &fast_unary {
        let u = u.clone();
        custom(move |inp: &mut Inp<'a, '_, I, R>| fast_sum(inp, &u)).boxed()
    } else {
        product.clone().foldl_with(add_op.then(operand(product.clone())).repeated(), binary).boxed()
    };

    // Comparison and string operators.
    let cmp_op = select! {
        Tk { kind: TokenKind::EqEq, .. } = e => (BinaryOp::Eq, sp(e.span())),
        Tk { kind: TokenKind::NotEq, .. } = e => (BinaryOp::NotEq, sp(e.span())),
        Tk { kind: TokenKind::LtGt, .. } = e => (BinaryOp::NotEqAlt, sp(e.span())),
        Tk { kind: TokenKind::Lt, .. } = e => (BinaryOp::Lt, sp(e.span())),
        Tk { kind: TokenKind::Le, .. } = e => (BinaryOp::Le, sp(e.span())),
        Tk { kind: TokenKind::Gt, .. } = e => (BinaryOp::Gt, sp(e.span())),
        Tk { kind: TokenKind::Ge, .. } = e => (BinaryOp::Ge, sp(e.span())),
        Tk { kind: TokenKind::EqTilde, .. } = e => (BinaryOp::EqCi, sp(e.span())),
        Tk { kind: TokenKind::BangTilde, .. } = e => (BinaryOp::NotEqCi, sp(e.span())),
        Tk { kind: TokenKind::Colon, .. } = e => (BinaryOp::SearchHas, sp(e.span())),
        Tk { kind: TokenKind::Assign, .. } = e => (BinaryOp::EqSingle, sp(e.span())),
        Tk { kind: TokenKind::Ident | TokenKind::BangWord, text } = e
            if BinaryOp::from_word(text).is_some_and(|op| !op.takes_list()) =>
            (BinaryOp::from_word(text).unwrap_or(BinaryOp::Has), sp(e.span())),
    }
    .or(kw("matches").then(kw("regex")).map(|(a, b)| (BinaryOp::MatchesRegex, a.cover(b))))
    .labelled("an operator");
    let list_op = select! {
        Tk { kind: TokenKind::Ident | TokenKind::BangWord, text } = e
            if BinaryOp::from_word(text).is_some_and(|op| op.takes_list()) =>
            (BinaryOp::from_word(text).unwrap_or(BinaryOp::In), sp(e.span())),
    };
    let between_op = select! {
        Tk { kind: TokenKind::Ident, text: "between" } => false,
        Tk { kind: TokenKind::BangWord, text: "!between" } => true,
    };
    let list_items = value
        .clone()
        .separated_by(comma.clone())
        .allow_trailing()
        .at_least(1)
        .collect::<Vec<_>>()
        .delimited_by(lparen.clone(), rparen.clone().labelled("`)` to close the list"))
        .or(sum.clone().map(|e| vec![e]))
        .labelled("a parenthesised list")
        .boxed();
    let range = sum
        .clone()
        .then_ignore(tok(TokenKind::DotDot, "`..`"))
        .then(operand(sum.clone()))
        .delimited_by(lparen.clone(), rparen.clone())
        .boxed();
    enum Cmp {
        Bin((BinaryOp, Span), Expr),
        List((BinaryOp, Span), Vec<Expr>),
        Between(bool, (Expr, Expr)),
    }
    let comparison_tail = choice((
        cmp_op.then(operand(sum.clone())).map(|(op, rhs)| Cmp::Bin(op, rhs)),
        list_op.then(list_items.clone()).map(|(op, items)| Cmp::List(op, items)),
        between_op.then(range.clone()).map(|(neg, r)| Cmp::Between(neg, r)),
    ));
    let comparison = sum
        .clone()
        .foldl_with(comparison_tail.repeated(), |lhs, tail, e| match tail {
            Cmp::Bin(op, rhs) => binary(lhs, (op, rhs), e),
            Cmp::List((op, op_span), items) => {
                Expr::In { op, op_span, lhs: Box::new(lhs), items, span: sp(e.span()) }
            }
            Cmp::Between(negated, (low, high)) => Expr::Between {
                negated,
                lhs: Box::new(lhs),
                low: Box::new(low),
                high: Box::new(high),
                span: sp(e.span()),
            },
        })
        .boxed();
    let conj = comparison
        .clone()
        .foldl_with(
            kw("and").map(|s| (BinaryOp::And, s)).then(operand(comparison.clone())).repeated(),
            binary,
        )
        .boxed();
    let disj = conj
        .clone()
        .foldl_with(
            kw("or").map(|s| (BinaryOp::Or, s)).then(operand(conj.clone())).repeated(),
            binary,
        )
        .boxed();
    if let Some(unary) = fast_unary {
        let ops = Operands { unary, list_items, range };
        expr.define(custom(move |inp: &mut Inp<'a, '_, I, R>| fast_expr(inp, &ops)).boxed());
    } else {
        expr.define(disj);
    }

    // ---- shared operator pieces -----------------------------------------------------------
    let expr_b = expr.clone().boxed();
    // `Name = expr`, `(A, B) = expr`, or `expr`.
    let names_lhs = choice((
        name_at.clone().map(NamesAt::One),
        name.clone()
            .separated_by(comma.clone())
            .at_least(1)
            .collect::<Vec<_>>()
            .delimited_by(lparen.clone(), rparen.clone())
            .map(NamesAt::Many),
    ))
    .then_ignore(assign.clone())
    .map(|names| match names {
        NamesAt::One(n) => vec![n.ident()],
        NamesAt::Many(names) => names,
    });
    // A plain expression, not a `value`: a bare `X | op` here would swallow the operators that
    // follow the list when the operator sits inside a parenthesised sub-query (`by X | where`).
    // Sub-queries in a list must be parenthesised anyway: `(T | count)` is an atom.
    let named_expr = names_lhs
        .or_not()
        .then(expr_b.clone().labelled("an expression"))
        .map_with(|(names, expr), e| NamedExpr {
            names: names.unwrap_or_default(),
            expr,
            span: sp(e.span()),
        })
        .boxed();
    let named_list =
        named_expr.clone().separated_by(comma.clone()).at_least(1).collect::<Vec<_>>().boxed();
    let expr_list =
        expr_b.clone().separated_by(comma.clone()).at_least(1).collect::<Vec<_>>().boxed();

    // Operator parameters: `kind=inner`, `hint.strategy=shuffle`, `isfuzzy=true`.
    let param_value = choice((
        strings,
        number,
        tok(TokenKind::Minus, "`-`").ignore_then(number),
        boolean,
        dotted.clone().map(Expr::Name),
    ))
    .labelled("a value")
    .boxed();
    let params = |allowed: &'static [&'static str]| {
        dotted_at
            .clone()
            .filter(move |(first, rest): &((&str, Span), Vec<(&str, Span)>)| {
                if rest.is_empty() {
                    first.0.starts_with("hint.") || allowed.contains(&first.0)
                } else {
                    let n = dotted_ident((*first, rest.clone()));
                    n.name.starts_with("hint.") || allowed.contains(&n.name.as_str())
                }
            })
            .then_ignore(assign.clone())
            .then(param_value.clone())
            .map_with(|(name, value), e| OperatorParam {
                name: dotted_ident(name),
                value,
                span: sp(e.span()),
            })
            .repeated()
            .collect::<Vec<_>>()
            .boxed()
    };
    let column_decl = word
        .clone()
        .then_ignore(colon.clone())
        .then(type_name.clone())
        .map_with(|(name, ty), e| ColumnDecl { name, ty, span: sp(e.span()) })
        .boxed();
    let schema = column_decl
        .clone()
        .separated_by(comma.clone())
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(lparen.clone(), rparen.clone())
        .boxed();
    let sort_key = expr_b
        .clone()
        .then(choice((kw("asc").to(SortOrder::Asc), kw("desc").to(SortOrder::Desc))).or_not())
        .then(
            kw("nulls")
                .ignore_then(choice((
                    kw("first").to(NullsPlacement::First),
                    kw("last").to(NullsPlacement::Last),
                )))
                .or_not(),
        )
        .map_with(|((expr, order), nulls), e| SortKey { expr, order, nulls, span: sp(e.span()) })
        .boxed();
    let sort_keys =
        sort_key.clone().separated_by(comma.clone()).at_least(1).collect::<Vec<_>>().boxed();
    // A sub-query in parentheses: a full pipeline, or operators applied to the input.
    let input_pipeline = operator
        .clone()
        .separated_by(tok(TokenKind::Pipe, "`|`"))
        .at_least(1)
        .collect::<Vec<_>>()
        .map_with(|operators, e| Pipeline {
            source: Source::Input(Span::empty(e.span().start as u32)),
            operators,
            span: sp(e.span()),
        })
        .boxed();
    let close_sub = rparen.clone().labelled("`)` to close the sub-query");
    let subquery = lparen
        .clone()
        .ignore_then(choice((
            pipeline.clone().then_ignore(close_sub.clone()),
            input_pipeline.clone().then_ignore(close_sub),
        )))
        .boxed();
    // The right side of join/lookup and the items of union: `(query)` or a table expression.
    let table_ref = choice((
        subquery.clone(),
        postfix_table(expr_b.clone()).map_with(|e, x| Pipeline {
            source: Source::Expr(e),
            operators: Vec::new(),
            span: sp(x.span()),
        }),
    ))
    .boxed();
    let union_item = choice((
        subquery.clone(),
        choice((call_like(any_word, args.clone()), wildcard_name.clone().map(Expr::Name)))
            .map_with(|e, x| Pipeline {
                source: Source::Expr(e),
                operators: Vec::new(),
                span: sp(x.span()),
            }),
    ))
    .boxed();
    let with_params = kw("with")
        .ignore_then(
            dotted
                .clone()
                .then_ignore(assign.clone())
                .then(expr_b.clone())
                .map_with(|(name, value), e| OperatorParam { name, value, span: sp(e.span()) })
                .separated_by(comma.clone())
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(lparen.clone(), rparen.clone()),
        )
        .boxed();
    // Balanced token soup, for clauses qlint does not model in detail.
    let soup = recursive(|soup| {
        choice((
            select! { Tk { kind: k, .. } if !matches!(k, TokenKind::LParen | TokenKind::RParen | TokenKind::LBracket | TokenKind::RBracket | TokenKind::LBrace | TokenKind::RBrace | TokenKind::Pipe | TokenKind::Semi) => () },
            soup.clone().delimited_by(lparen.clone(), rparen.clone()),
            soup.clone().delimited_by(lbracket.clone(), rbracket.clone()),
            soup.clone().delimited_by(tok(TokenKind::LBrace, "`{`"), tok(TokenKind::RBrace, "`}`")),
            tok(TokenKind::Pipe, "`|`").ignored(),
            tok(TokenKind::Semi, "`;`").ignored(),
        ))
        .repeated()
        .boxed()
    });
    let top_level_soup = select! { Tk { kind: k, .. } if !matches!(k, TokenKind::LParen | TokenKind::RParen | TokenKind::LBracket | TokenKind::RBracket | TokenKind::LBrace | TokenKind::RBrace | TokenKind::Pipe | TokenKind::Semi) => () }
        .or(soup.clone().delimited_by(lparen.clone(), rparen.clone()))
        .or(soup.clone().delimited_by(lbracket.clone(), rbracket.clone()))
        .repeated()
        .boxed();

    // ---- operators ------------------------------------------------------------------------
    let where_op = choice((kw("where"), kw("filter")))
        .ignore_then(params(&[]))
        .then(expr_b.clone().labelled("a predicate"))
        .map_with(|(params, predicate), e| TabularOperator::Where {
            params,
            predicate,
            span: sp(e.span()),
        });
    let project = kw("project")
        .ignore_then(named_expr.clone().separated_by(comma.clone()).collect::<Vec<_>>())
        .map_with(|columns, e| TabularOperator::Project { columns, span: sp(e.span()) });
    let project_cols = select! {
        Tk { kind: TokenKind::Ident, text: "project-away" } => ProjectFlavor::Away,
        Tk { kind: TokenKind::Ident, text: "project-keep" } => ProjectFlavor::Keep,
        Tk { kind: TokenKind::Ident, text: "project-reorder" } => ProjectFlavor::Reorder,
    }
    .then(
        wildcard_name
            .clone()
            .map(Expr::Name)
            .then(
                select! {
                    Tk { kind: TokenKind::Ident, text } if matches!(text, "asc" | "desc" | "granny-asc" | "granny-desc") => text,
                }
                .or_not(),
            )
            .map_with(|(expr, order), e| SortKey {
                expr,
                order: match order {
                    Some("asc") => Some(SortOrder::Asc),
                    Some("desc") => Some(SortOrder::Desc),
                    _ => None,
                },
                nulls: None,
                span: sp(e.span()),
            })
            .separated_by(comma.clone())
            .at_least(1)
            .collect::<Vec<_>>(),
    )
    .map_with(|(flavor, columns), e| TabularOperator::ProjectColumns {
        flavor,
        columns,
        span: sp(e.span()),
    });
    let project_rename = kw("project-rename")
        .ignore_then(
            name.clone()
                .then_ignore(assign.clone())
                .then(expr_b.clone())
                .map_with(|(new, old), e| NamedExpr {
                    names: vec![new],
                    expr: old,
                    span: sp(e.span()),
                })
                .separated_by(comma.clone())
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .map_with(|renames, e| TabularOperator::ProjectRename { renames, span: sp(e.span()) });
    let extend = kw("extend")
        .ignore_then(named_list.clone())
        .map_with(|columns, e| TabularOperator::Extend { columns, span: sp(e.span()) });
    let by_list = kw("by").ignore_then(named_list.clone()).boxed();
    let summarize = kw("summarize")
        .ignore_then(params(&[]))
        .then(named_expr.clone().separated_by(comma.clone()).collect::<Vec<_>>())
        .then(by_list.clone().or_not())
        .map_with(|((params, aggregates), by), e| TabularOperator::Summarize {
            params,
            aggregates,
            by: by.unwrap_or_default(),
            span: sp(e.span()),
        });
    let on_keys = kw("on").ignore_then(expr_list.clone().labelled("join keys")).boxed();
    let join = kw("join")
        .ignore_then(params(&["kind", "withsource"]))
        .then(table_ref.clone())
        .then(choice((on_keys.clone(), kw("where").ignore_then(expr_b.clone()).map(|e| vec![e]))))
        .map_with(|((params, right), on), e| TabularOperator::Join {
            params,
            right: Box::new(right),
            on,
            span: sp(e.span()),
        });
    let lookup = kw("lookup")
        .ignore_then(params(&["kind"]))
        .then(table_ref.clone())
        .then(on_keys.clone())
        .map_with(|((params, right), on), e| TabularOperator::Lookup {
            params,
            right: Box::new(right),
            on,
            span: sp(e.span()),
        });
    let union = kw("union")
        .ignore_then(params(&["kind", "isfuzzy", "withsource"]))
        .then(union_item.separated_by(comma.clone()).at_least(1).collect::<Vec<_>>())
        .map_with(|(params, tables), e| TabularOperator::Union {
            params,
            tables,
            span: sp(e.span()),
        });
    let to_typeof = kw("to")
        .ignore_then(kw("typeof"))
        .ignore_then(type_name.clone().delimited_by(lparen.clone(), rparen.clone()))
        .boxed();
    let expand_items = named_expr
        .clone()
        .then_ignore(to_typeof.clone().or_not())
        .separated_by(comma.clone())
        .at_least(1)
        .collect::<Vec<_>>()
        .boxed();
    let mv_params: &'static [&'static str] = &["bagexpansion", "with_itemindex", "kind"];
    let mv_expand = choice((kw("mv-expand"), kw("mvexpand")))
        .ignore_then(params(mv_params))
        .then(expand_items.clone())
        .then(kw("limit").ignore_then(expr_b.clone()).or_not())
        .map_with(|((params, columns), limit), e| TabularOperator::MvExpand {
            params,
            columns,
            limit,
            span: sp(e.span()),
        });
    let mv_apply = choice((kw("mv-apply"), kw("mvapply")))
        .ignore_then(params(mv_params))
        .then(expand_items.clone())
        .then_ignore(kw("limit").ignore_then(expr_b.clone()).or_not())
        .then_ignore(kw("on"))
        .then(subquery.clone())
        .map_with(|((params, items), on), e| TabularOperator::MvApply {
            params,
            items,
            on: Box::new(on),
            span: sp(e.span()),
        });
    let pattern_part = choice((
        strings.map(ParsePatternPart::Literal),
        tok(TokenKind::Star, "`*`").map(ParsePatternPart::Star),
        word.clone()
            .then(colon.clone().ignore_then(type_name.clone()).or_not())
            .map_with(|(name, ty), e| ParsePatternPart::Column { name, ty, span: sp(e.span()) }),
    ))
    .boxed();
    let parse_op = select! {
        Tk { kind: TokenKind::Ident, text: "parse" } => ParseFlavor::Parse,
        Tk { kind: TokenKind::Ident, text: "parse-where" } => ParseFlavor::ParseWhere,
    }
    .then(params(&["kind", "flags"]))
    .then(expr_b.clone())
    .then_ignore(kw("with"))
    .then(pattern_part.repeated().at_least(1).collect::<Vec<_>>().labelled("a parse pattern"))
    .map_with(|(((flavor, params), source), pattern), e| TabularOperator::Parse {
        flavor,
        params,
        source,
        pattern,
        span: sp(e.span()),
    });
    let parse_kv = kw("parse-kv")
        .ignore_then(expr_b.clone())
        .then_ignore(kw("as"))
        .then(schema.clone())
        .then(with_params.clone().or_not())
        .map_with(|((source, columns), params), e| TabularOperator::ParseKv {
            source,
            columns,
            params: params.unwrap_or_default(),
            span: sp(e.span()),
        });
    let evaluate = kw("evaluate")
        .ignore_then(params(&[]))
        .then(call_like(any_word, args.clone()))
        .then_ignore(colon.clone().then(schema.clone()).or_not())
        .map_with(|(params, plugin), e| TabularOperator::Evaluate {
            params,
            plugin,
            span: sp(e.span()),
        });
    let series_item = named_expr
        .clone()
        .then_ignore(kw("default").then(assign.clone()).then(expr_b.clone()).or_not())
        .boxed();
    let make_series = kw("make-series")
        .ignore_then(params(&["kind"]))
        .then(series_item.separated_by(comma.clone()).at_least(1).collect::<Vec<_>>())
        .then_ignore(kw("on"))
        .then(sum.clone())
        .then(choice((
            kw("in").ignore_then(kw("range")).ignore_then(
                expr_b
                    .clone()
                    .separated_by(comma.clone())
                    .collect::<Vec<_>>()
                    .delimited_by(lparen.clone(), rparen.clone()),
            ),
            kw("from")
                .ignore_then(expr_b.clone())
                .or_not()
                .then(kw("to").ignore_then(expr_b.clone()).or_not())
                .then_ignore(kw("step"))
                .then(expr_b.clone())
                .map(|((from, to), step)| from.into_iter().chain(to).chain([step]).collect()),
        )))
        .then(by_list.clone().or_not())
        .map_with(|((((params, aggregates), on), range), by), e| TabularOperator::MakeSeries {
            params,
            aggregates,
            on,
            range,
            by: by.unwrap_or_default(),
            span: sp(e.span()),
        });
    let top = kw("top")
        .ignore_then(expr_b.clone())
        .then_ignore(kw("by"))
        .then(sort_key.clone())
        .map_with(|(count, by), e| TabularOperator::Top { count, by, span: sp(e.span()) });
    let loose_item = choice((
        expr_b.clone().map(Some),
        select! {
            Tk { kind: TokenKind::Ident, text } if matches!(text, "of" | "by" | "with" | "others" | "asc" | "desc" | "top-nested") => None,
            Tk { kind: TokenKind::Comma | TokenKind::Assign, .. } => None,
        },
    ));
    let top_nested = kw("top-nested")
        .ignore_then(loose_item.repeated().collect::<Vec<_>>())
        .map_with(|items, e| TabularOperator::TopNested {
            exprs: items.into_iter().flatten().collect(),
            span: sp(e.span()),
        });
    let sort = choice((kw("sort"), kw("order")))
        .ignore_then(params(&[]))
        .then_ignore(kw("by"))
        .then(sort_keys.clone())
        .map_with(|(params, keys), e| TabularOperator::Sort { params, keys, span: sp(e.span()) });
    let take = choice((kw("take"), kw("limit")))
        .ignore_then(params(&[]))
        .ignore_then(expr_b.clone().labelled("a row count"))
        .map_with(|count, e| TabularOperator::Take { count, span: sp(e.span()) });
    let distinct = kw("distinct")
        .ignore_then(params(&[]))
        .ignore_then(named_list.clone())
        .map_with(|columns, e| TabularOperator::Distinct { columns, span: sp(e.span()) });
    let count = kw("count").map_with(|_, e| TabularOperator::Count { span: sp(e.span()) });
    let render = kw("render")
        .ignore_then(any_word.labelled("a chart type"))
        .then_ignore(
            kw("with").then(soup.clone().delimited_by(lparen.clone(), rparen.clone())).or_not(),
        )
        .then_ignore(top_level_soup.clone())
        .map_with(|chart, e| TabularOperator::Render {
            chart,
            properties: Vec::new(),
            span: sp(e.span()),
        });
    let as_op = kw("as")
        .ignore_then(params(&[]))
        .then(name.clone())
        .map_with(|(params, name), e| TabularOperator::As { params, name, span: sp(e.span()) });
    let invoke = kw("invoke")
        .ignore_then(call_like(any_word, args.clone()))
        .map_with(|call, e| TabularOperator::Invoke { call, span: sp(e.span()) });
    let serialize = kw("serialize")
        .ignore_then(named_expr.clone().separated_by(comma.clone()).collect::<Vec<_>>())
        .map_with(|columns, e| TabularOperator::Serialize { columns, span: sp(e.span()) });
    let sample = kw("sample").ignore_then(expr_b.clone()).map_with(|count, e| {
        TabularOperator::Sample { distinct: false, count, of: None, span: sp(e.span()) }
    });
    let sample_distinct = kw("sample-distinct")
        .ignore_then(expr_b.clone())
        .then_ignore(kw("of"))
        .then(expr_b.clone())
        .map_with(|(count, of), e| TabularOperator::Sample {
            distinct: true,
            count,
            of: Some(of),
            span: sp(e.span()),
        });
    let getschema =
        kw("getschema").map_with(|_, e| TabularOperator::GetSchema { span: sp(e.span()) });
    let facet = kw("facet")
        .ignore_then(kw("by"))
        .ignore_then(expr_list.clone())
        .then(kw("with").ignore_then(subquery.clone()).or_not())
        .map_with(|(columns, with), e| TabularOperator::Facet {
            columns,
            with: with.map(Box::new),
            span: sp(e.span()),
        });
    let fork = kw("fork")
        .ignore_then(
            name.clone()
                .then_ignore(assign.clone())
                .or_not()
                .ignore_then(subquery.clone())
                .repeated()
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .map_with(|branches, e| TabularOperator::Fork { branches, span: sp(e.span()) });
    let partition = kw("partition")
        .ignore_then(params(&[]))
        .then_ignore(kw("by"))
        .then(expr_b.clone())
        .then(choice((
            subquery.clone(),
            choice((pipeline.clone(), input_pipeline.clone()))
                .delimited_by(tok(TokenKind::LBrace, "`{`"), tok(TokenKind::RBrace, "`}`")),
        )))
        .map_with(|((params, by), body), e| TabularOperator::Partition {
            params,
            by,
            body: Box::new(body),
            span: sp(e.span()),
        });
    let scan = kw("scan")
        .ignore_then(top_level_soup.clone())
        .map_with(|_, e| TabularOperator::Scan { exprs: Vec::new(), span: sp(e.span()) });
    let reduce = kw("reduce")
        .ignore_then(params(&[]))
        .ignore_then(kw("by"))
        .ignore_then(expr_b.clone())
        .then(
            kw("with")
                .ignore_then(
                    dotted
                        .clone()
                        .then_ignore(assign.clone())
                        .then(expr_b.clone())
                        .map_with(|(name, value), e| OperatorParam {
                            name,
                            value,
                            span: sp(e.span()),
                        })
                        .separated_by(comma.clone())
                        .collect::<Vec<_>>(),
                )
                .or_not(),
        )
        .map_with(|(by, params), e| TabularOperator::Reduce {
            by,
            params: params.unwrap_or_default(),
            span: sp(e.span()),
        });
    let consume = kw("consume")
        .ignore_then(params(&["decodeblocks"]))
        .map_with(|_, e| TabularOperator::Consume { span: sp(e.span()) });
    // Real operators qlint does not model: accepted, kept as `Unknown` without an error.
    let unmodelled = select! {
        Tk { kind: TokenKind::Ident, text } = e if matches!(text, "make-graph" | "graph-match" | "graph-merge" | "graph-to-table" | "graph-shortest-paths" | "graph-mark-components" | "top-hitters" | "project-smart" | "lookup-table" | "assert-schema" | "execute-and-cache" | "macro-expand") => ident_from(text, sp(e.span())),
    }
    .then_ignore(top_level_soup.clone())
    .map_with(|name, e| TabularOperator::Unknown { name: Some(name), span: sp(e.span()) });

    // ---- source operators -----------------------------------------------------------------
    let range_op = kw("range")
        .ignore_then(name.clone())
        .then_ignore(kw("from"))
        .then(expr_b.clone())
        .then_ignore(kw("to"))
        .then(expr_b.clone())
        .then_ignore(kw("step"))
        .then(expr_b.clone())
        .map_with(|(((column, from), to), step), e| TabularOperator::Range {
            column,
            from,
            to,
            step,
            span: sp(e.span()),
        });
    let print = kw("print")
        .ignore_then(named_expr.clone().separated_by(comma.clone()).collect::<Vec<_>>())
        .map_with(|columns, e| TabularOperator::Print { columns, span: sp(e.span()) });
    let datatable = kw("datatable")
        .ignore_then(schema.clone())
        .then(
            comma
                .clone()
                .or_not()
                .ignore_then(
                    expr_b.clone().separated_by(comma.clone()).allow_trailing().collect::<Vec<_>>(),
                )
                .delimited_by(lbracket.clone(), rbracket.clone()),
        )
        .map_with(|(columns, values), e| TabularOperator::Datatable {
            columns,
            values,
            span: sp(e.span()),
        });
    let externaldata = kw("externaldata")
        .ignore_then(schema.clone())
        .then(
            expr_b
                .clone()
                .separated_by(comma.clone())
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(lbracket.clone(), rbracket.clone()),
        )
        .then(with_params.clone().or_not())
        .map_with(|((columns, uris), properties), e| TabularOperator::ExternalData {
            columns,
            uris,
            properties: properties.unwrap_or_default(),
            span: sp(e.span()),
        });
    let in_tables = kw("in")
        .ignore_then(
            union_item_expr(wildcard_name.clone(), args.clone())
                .separated_by(comma.clone())
                .collect::<Vec<_>>()
                .delimited_by(lparen.clone(), rparen.clone()),
        )
        .or_not()
        .map(Option::unwrap_or_default)
        .boxed();
    let search = kw("search")
        .ignore_then(params(&["kind"]))
        .then(in_tables.clone())
        .then(expr_b.clone())
        .map_with(|((params, tables), predicate), e| TabularOperator::Search {
            params,
            tables,
            predicate,
            span: sp(e.span()),
        });
    let find = kw("find")
        .ignore_then(params(&["withsource", "datascope"]))
        .then(in_tables.clone())
        .then_ignore(kw("where"))
        .then(expr_b.clone())
        .then(
            choice((kw("project"), kw("project-smart")))
                .ignore_then(expr_b.clone().separated_by(comma.clone()).collect::<Vec<_>>())
                .or_not(),
        )
        .map_with(|(((params, tables), predicate), project), e| TabularOperator::Find {
            params,
            tables,
            predicate,
            project: project.unwrap_or_default(),
            span: sp(e.span()),
        });

    let source_op = choice((
        union.clone(),
        range_op.clone(),
        print.clone(),
        datatable.clone(),
        externaldata.clone(),
        search.clone(),
        find.clone(),
        evaluate.clone(),
    ))
    .boxed();
    // The fast build (errors without detail, see `run`) tries them only after one of their
    // words: a source that is an expression then skips eight failing keyword parsers. The
    // build that explains errors keeps the plain choice, so messages do not change.
    let source_op = if std::mem::size_of::<R>() == 0 {
        select! {
            Tk { kind: TokenKind::Ident, text } if matches!(text, "union" | "range" | "print" | "datatable" | "externaldata" | "search" | "find" | "evaluate") => (),
        }
        .rewind()
        .ignore_then(source_op)
        .boxed()
    } else {
        source_op
    };

    // The fast build goes by the operator's first word straight to the one parser that starts
    // with it (every operator parser starts with its own words, so the others would fail on
    // the first token); any other first token takes the whole choice, which fails.
    let by_word: ByWord<'a, I, R> = if fast {
        vec![
            (&["where", "filter"], where_op.clone().boxed()),
            (&["project"], project.clone().boxed()),
            (&["project-away", "project-keep", "project-reorder"], project_cols.clone().boxed()),
            (&["project-rename"], project_rename.clone().boxed()),
            (&["extend"], extend.clone().boxed()),
            (&["summarize"], summarize.clone().boxed()),
            (&["join"], join.clone().boxed()),
            (&["lookup"], lookup.clone().boxed()),
            (&["union"], union.clone().boxed()),
            (&["mv-expand", "mvexpand"], mv_expand.clone().boxed()),
            (&["mv-apply", "mvapply"], mv_apply.clone().boxed()),
            (&["parse", "parse-where"], parse_op.clone().boxed()),
            (&["parse-kv"], parse_kv.clone().boxed()),
            (&["evaluate"], evaluate.clone().boxed()),
            (&["make-series"], make_series.clone().boxed()),
            (&["top"], top.clone().boxed()),
            (&["top-nested"], top_nested.clone().boxed()),
            (&["sort", "order"], sort.clone().boxed()),
            (&["take", "limit"], take.clone().boxed()),
            (&["distinct"], distinct.clone().boxed()),
            (&["count"], count.clone().boxed()),
            (&["render"], render.clone().boxed()),
            (&["as"], as_op.clone().boxed()),
            (&["invoke"], invoke.clone().boxed()),
            (&["serialize"], serialize.clone().boxed()),
            (&["sample"], sample.clone().boxed()),
            (&["sample-distinct"], sample_distinct.clone().boxed()),
            (&["getschema"], getschema.clone().boxed()),
            (&["facet"], facet.clone().boxed()),
            (&["fork"], fork.clone().boxed()),
            (&["partition"], partition.clone().boxed()),
            (&["scan"], scan.clone().boxed()),
            (&["reduce"], reduce.clone().boxed()),
            (&["consume"], consume.clone().boxed()),
            (
                &[
                    "make-graph",
                    "graph-match",
                    "graph-merge",
                    "graph-to-table",
                    "graph-shortest-paths",
                    "graph-mark-components",
                    "top-hitters",
                    "project-smart",
                    "lookup-table",
                    "assert-schema",
                    "execute-and-cache",
                    "macro-expand",
                ],
                unmodelled.clone().boxed(),
            ),
            (&["range"], range_op.clone().boxed()),
            (&["print"], print.clone().boxed()),
            (&["search"], search.clone().boxed()),
            (&["find"], find.clone().boxed()),
        ]
    } else {
        Vec::new()
    };
    let any_operator = choice((
        choice((
            where_op,
            project,
            project_cols,
            project_rename,
            extend,
            summarize,
            join,
            lookup,
            union,
            mv_expand,
            mv_apply,
            parse_op,
            parse_kv,
            evaluate,
        )),
        choice((
            make_series,
            top,
            top_nested,
            sort,
            take,
            distinct,
            count,
            render,
            as_op,
            invoke,
            serialize,
            sample,
            sample_distinct,
            getschema,
            facet,
        )),
        choice((fork, partition, scan, reduce, consume, unmodelled, range_op, print, search, find)),
    ))
    .labelled("a tabular operator")
    .boxed();
    if fast {
        operator.define(
            custom(move |inp: &mut Inp<'a, '_, I, R>| {
                if let Some(Tk { kind: TokenKind::Ident, text }) = inp.peek()
                    && let Some((_, parser)) =
                        by_word.iter().find(|(words, _)| words.contains(&text))
                {
                    return inp.parse(parser);
                }
                inp.parse(&any_operator)
            })
            .boxed(),
        );
    } else {
        operator.define(any_operator);
    }

    let source = choice((
        source_op.clone().map(|op| Source::Operator(Box::new(op))),
        expr_b.clone().map(Source::Expr),
    ))
    .labelled("a query")
    .boxed();

    pipeline.define(
        source
            .clone()
            .then(
                tok(TokenKind::Pipe, "`|`")
                    .ignore_then(operator.clone())
                    .repeated()
                    .collect::<Vec<_>>(),
            )
            .map_with(|(source, operators), e| Pipeline { source, operators, span: sp(e.span()) })
            .boxed(),
    );

    // ---- statements -----------------------------------------------------------------------
    let param = word
        .clone()
        .then_ignore(colon.clone())
        .then(choice((
            tok(TokenKind::LParen, "`(`")
                .ignore_then(
                    choice((
                        tok(TokenKind::Star, "`*`").map(|_| None),
                        column_decl.clone().map(Some),
                    ))
                    .separated_by(comma.clone())
                    .collect::<Vec<_>>(),
                )
                .then_ignore(rparen.clone())
                .map_with(|cols, e| {
                    let any = cols.iter().any(Option::is_none);
                    ParamType::Tabular {
                        columns: cols.into_iter().flatten().collect(),
                        any,
                        span: sp(e.span()),
                    }
                }),
            type_name.clone().map(ParamType::Scalar),
        )))
        .then(assign.clone().ignore_then(expr_b.clone()).or_not())
        .map_with(|((name, ty), default), e| Param { name, ty, default, span: sp(e.span()) })
        .boxed();
    let param_list = param
        .separated_by(comma.clone())
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(lparen.clone(), rparen.clone())
        .boxed();
    let function = kw("view")
        .or_not()
        .then(param_list.clone())
        .then(statements.clone().delimited_by(
            tok(TokenKind::LBrace, "`{`"),
            tok(TokenKind::RBrace, "`}` to close the function body"),
        ))
        .map_with(|((view, params), body), e| FunctionDef {
            view: view.is_some(),
            params,
            body,
            span: sp(e.span()),
        })
        .boxed();
    let let_head = kw("let")
        .ignore_then(word.clone().labelled("a name"))
        .then_ignore(assign.clone())
        .then(
            choice((function.map(LetHead::Function), source.clone().map(LetHead::Source)))
                .labelled("a value, a query or a function"),
        )
        .map_with(|(name, body), e| Head::Let { name, body, span: sp(e.span()) });
    let set = kw("set")
        .ignore_then(dotted.clone())
        .then(assign.clone().ignore_then(expr_b.clone()).or_not())
        .map_with(|(name, value), e| Head::Set(SetStatement { name, value, span: sp(e.span()) }));
    let declare = kw("declare")
        .ignore_then(kw("query_parameters"))
        .ignore_then(param_list.clone())
        .map_with(|params, e| Head::Declare(DeclareQueryParameters { params, span: sp(e.span()) }));
    let head = choice((let_head, set, declare, source.clone().map(Head::Source))).boxed();

    let statement = head
        .clone()
        .then(
            tok(TokenKind::Pipe, "`|`")
                .ignore_then(operator.clone())
                .repeated()
                .collect::<Vec<_>>(),
        )
        .map_with(|(head, ops), e| assemble(head, ops, sp(e.span())).0)
        .boxed();
    statements.define(
        tok(TokenKind::Semi, "`;`")
            .repeated()
            .ignore_then(
                statement
                    .separated_by(tok(TokenKind::Semi, "`;`").repeated().at_least(1))
                    .allow_trailing()
                    .collect::<Vec<_>>(),
            )
            .boxed(),
    );

    Grammar { head, operator: operator.boxed() }
}

// ---------------------------------------------------------------------------------------------
// The fast build's expressions.
//
// The build that explains errors reads binary operators with one chumsky level per precedence
// (`or`, `and`, comparisons, `+ -`, `* / %`), each a boxed fold that tries its operator after
// every operand. The fast build reads them with the plain functions below, which peek at the
// next token once per level instead. They take the same paths as those levels: an operator
// followed by no operand gives an `Expr::Error` and keeps an error (as `operand` recovers in
// [`grammar`]), a list operator (`in`) or `between` whose list does not parse is given back,
// and every node spans from the start of its level's first operand, so the trees are the same.

/// The input as the fast build's expression functions see it.
type Inp<'a, 'p, I, R> = chumsky::input::InputRef<'a, 'p, I, Ex<'a, R>>;

type BoxedP<'a, I, O, R> = Boxed<'a, 'a, I, O, Ex<'a, R>>;

/// Tabular operator parsers by the words they start with.
type ByWord<'a, I, R> = Vec<(&'static [&'static str], BoxedP<'a, I, TabularOperator, R>)>;

/// The parsers the fast build's comparison level reads operands and lists with.
struct Operands<'a, I, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    unary: Unary<'a, I, R>,
    list_items: BoxedP<'a, I, Vec<Expr>, R>,
    range: BoxedP<'a, I, (Expr, Expr), R>,
}

/// An accessor after an atom: `.name`, `[index]` or `.[index]`.
enum Post {
    Member(Ident),
    Index(Expr),
}

fn post_node(target: Expr, post: Post, span: Span) -> Expr {
    match post {
        Post::Member(name) => Expr::Member { target: Box::new(target), name, span },
        Post::Index(index) => {
            Expr::Index { target: Box::new(target), index: Box::new(index), span }
        }
    }
}

/// The parsers the fast build reads atoms and their accessors with.
struct Primaries<'a, I, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    /// The whole choice of atoms, for every case the first token does not settle.
    choice_atom: BoxedP<'a, I, Expr, R>,
    call: BoxedP<'a, I, Expr, R>,
    paren: BoxedP<'a, I, Expr, R>,
    strings: BoxedP<'a, I, Expr, R>,
    number: BoxedP<'a, I, Expr, R>,
    postfix_op: BoxedP<'a, I, Post, R>,
}

/// What the fast build reads an operand of `*` with: a signed operand by the chumsky fold
/// (`signed`), any other by [`fast_postfix`].
struct Unary<'a, I, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    primaries: std::rc::Rc<Primaries<'a, I, R>>,
    signed: BoxedP<'a, I, Expr, R>,
}

impl<'a, I, R> Clone for Unary<'a, I, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    fn clone(&self) -> Self {
        Unary { primaries: self.primaries.clone(), signed: self.signed.clone() }
    }
}

/// An atom, found by its first token: a name skips the seven alternatives before it in the
/// choice. Every other case (a keyword such as `dynamic`, a bracketed name, an error) takes
/// the whole choice.
fn fast_atom<'a, I, R>(inp: &mut Inp<'a, '_, I, R>, p: &Primaries<'a, I, R>) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let Some(t) = inp.peek() else { return inp.parse(&p.choice_atom) };
    match t.kind {
        TokenKind::String | TokenKind::MultilineString => inp.parse(&p.strings),
        TokenKind::Int | TokenKind::Real | TokenKind::Timespan => inp.parse(&p.number),
        TokenKind::LParen => inp.parse(&p.paren),
        TokenKind::Ident
            if !matches!(
                t.text,
                "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "dynamic" | "typeof"
            ) && !TYPED_LITERALS.contains(&t.text) =>
        {
            if let Some(Tk { kind: TokenKind::LParen, .. }) = peek_second(inp) {
                let save = inp.save();
                match inp.parse(&p.call) {
                    Ok(e) => return Ok(e),
                    Err(_) => inp.rewind(save),
                }
            }
            if RESERVED.contains(&t.text) {
                return inp.parse(&p.choice_atom);
            }
            let at = take_token(inp);
            Ok(Expr::Name(ident_from(t.text, at)))
        }
        _ => inp.parse(&p.choice_atom),
    }
}

/// An atom and its accessors, which are tried only before a `.` or `[`.
fn fast_postfix<'a, I, R>(inp: &mut Inp<'a, '_, I, R>, p: &Primaries<'a, I, R>) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let start = inp.cursor();
    let mut target = fast_atom(inp, p)?;
    while let Some(Tk { kind: TokenKind::Dot | TokenKind::LBracket, .. }) = inp.peek() {
        let save = inp.save();
        match inp.parse(&p.postfix_op) {
            Ok(post) => target = post_node(target, post, sp(inp.span_since(&start))),
            Err(_) => {
                inp.rewind(save);
                break;
            }
        }
    }
    Ok(target)
}

/// An operand with or without signs.
fn fast_unary_at<'a, I, R>(inp: &mut Inp<'a, '_, I, R>, u: &Unary<'a, I, R>) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    match inp.peek() {
        Some(Tk { kind: TokenKind::Minus | TokenKind::Plus, .. }) => inp.parse(&u.signed),
        _ => fast_postfix(inp, &u.primaries),
    }
}

/// Reads one token; gives its span.
fn take_token<'a, I, R>(inp: &mut Inp<'a, '_, I, R>) -> Span
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let before = inp.cursor();
    inp.skip();
    sp(inp.span_since(&before))
}

/// The token after the next one, without reading either.
fn peek_second<'a, I, R>(inp: &mut Inp<'a, '_, I, R>) -> Option<Tk<'a>>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let save = inp.save();
    inp.skip();
    let second = inp.peek();
    inp.rewind(save);
    second
}

/// The operand after a binary operator: when `read` fails, an `Expr::Error` at this point
/// and its error kept, as `operand` in [`grammar`] recovers.
fn operand_at<'a, I, R>(
    inp: &mut Inp<'a, '_, I, R>,
    read: impl FnOnce(&mut Inp<'a, '_, I, R>) -> Result<Expr, R>,
) -> Expr
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let before = inp.save();
    match read(inp) {
        Ok(e) => e,
        Err(err) => {
            inp.rewind(before);
            inp.emit(err);
            let at = inp.cursor();
            Expr::Error(sp(inp.span_since(&at)))
        }
    }
}

/// A binary node of the fast build; long `and`/`or` chains are reshaped as in [`binary`], so
/// both builds give the same tree.
fn binary_node(op: BinaryOp, op_span: Span, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    super::chain::push(Expr::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs), span })
}

/// `* / %` over unary operands.
fn fast_product<'a, I, R>(inp: &mut Inp<'a, '_, I, R>, unary: &Unary<'a, I, R>) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let op_of = |t: &Tk<'a>| match t.kind {
        TokenKind::Star => Some(BinaryOp::Mul),
        TokenKind::Slash => Some(BinaryOp::Div),
        TokenKind::Percent => Some(BinaryOp::Mod),
        _ => None,
    };
    left_fold(inp, op_of, |inp| fast_unary_at(inp, unary))
}

/// One left-associative level of the fast build: operands read by `operand`, joined by the
/// operators `op_of` names; each node spans from the level's first operand.
fn left_fold<'a, I, R>(
    inp: &mut Inp<'a, '_, I, R>,
    op_of: fn(&Tk<'a>) -> Option<BinaryOp>,
    operand: impl Fn(&mut Inp<'a, '_, I, R>) -> Result<Expr, R>,
) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let start = inp.cursor();
    let mut lhs = operand(inp)?;
    while let Some(op) = inp.peek().as_ref().and_then(op_of) {
        let op_span = take_token(inp);
        let rhs = operand_at(inp, &operand);
        lhs = binary_node(op, op_span, lhs, rhs, sp(inp.span_since(&start)));
    }
    Ok(lhs)
}

/// `+ -` over products.
fn fast_sum<'a, I, R>(inp: &mut Inp<'a, '_, I, R>, unary: &Unary<'a, I, R>) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let op_of = |t: &Tk<'a>| match t.kind {
        TokenKind::Plus => Some(BinaryOp::Add),
        TokenKind::Minus => Some(BinaryOp::Sub),
        _ => None,
    };
    left_fold(inp, op_of, |inp| fast_product(inp, unary))
}

/// The single-token comparison and string operators (`cmp_op` in [`grammar`]).
fn comparison_op(t: &Tk<'_>) -> Option<BinaryOp> {
    Some(match t.kind {
        TokenKind::EqEq => BinaryOp::Eq,
        TokenKind::NotEq => BinaryOp::NotEq,
        TokenKind::LtGt => BinaryOp::NotEqAlt,
        TokenKind::Lt => BinaryOp::Lt,
        TokenKind::Le => BinaryOp::Le,
        TokenKind::Gt => BinaryOp::Gt,
        TokenKind::Ge => BinaryOp::Ge,
        TokenKind::EqTilde => BinaryOp::EqCi,
        TokenKind::BangTilde => BinaryOp::NotEqCi,
        TokenKind::Colon => BinaryOp::SearchHas,
        TokenKind::Assign => BinaryOp::EqSingle,
        TokenKind::Ident | TokenKind::BangWord => {
            return BinaryOp::from_word(t.text).filter(|op| !op.takes_list());
        }
        _ => return None,
    })
}

/// Comparisons, string operators, `in (...)` and `between (a .. b)` over sums.
fn fast_comparison<'a, I, R>(
    inp: &mut Inp<'a, '_, I, R>,
    ops: &Operands<'a, I, R>,
) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let start = inp.cursor();
    let mut lhs = fast_sum(inp, &ops.unary)?;
    while let Some(t) = inp.peek() {
        if let Some(op) = comparison_op(&t) {
            let op_span = take_token(inp);
            let rhs = operand_at(inp, |inp| fast_sum(inp, &ops.unary));
            lhs = binary_node(op, op_span, lhs, rhs, sp(inp.span_since(&start)));
            continue;
        }
        let save = inp.save();
        match t {
            Tk { kind: TokenKind::Ident, text: "matches" } => {
                let first = take_token(inp);
                if !matches!(inp.peek(), Some(Tk { kind: TokenKind::Ident, text: "regex" })) {
                    inp.rewind(save);
                    break;
                }
                let op_span = first.cover(take_token(inp));
                let rhs = operand_at(inp, |inp| fast_sum(inp, &ops.unary));
                lhs = binary_node(
                    BinaryOp::MatchesRegex,
                    op_span,
                    lhs,
                    rhs,
                    sp(inp.span_since(&start)),
                );
            }
            Tk { kind: TokenKind::Ident | TokenKind::BangWord, text }
                if BinaryOp::from_word(text).is_some_and(BinaryOp::takes_list) =>
            {
                let op = BinaryOp::from_word(text).unwrap_or(BinaryOp::In);
                let op_span = take_token(inp);
                let Ok(items) = inp.parse(&ops.list_items) else {
                    inp.rewind(save);
                    break;
                };
                let span = sp(inp.span_since(&start));
                lhs = Expr::In { op, op_span, lhs: Box::new(lhs), items, span };
            }
            Tk { kind: TokenKind::Ident, text: "between" }
            | Tk { kind: TokenKind::BangWord, text: "!between" } => {
                let negated = t.kind == TokenKind::BangWord;
                inp.skip();
                let Ok((low, high)) = inp.parse(&ops.range) else {
                    inp.rewind(save);
                    break;
                };
                lhs = Expr::Between {
                    negated,
                    lhs: Box::new(lhs),
                    low: Box::new(low),
                    high: Box::new(high),
                    span: sp(inp.span_since(&start)),
                };
            }
            _ => break,
        }
    }
    Ok(lhs)
}

/// `and` over comparisons.
fn fast_conj<'a, I, R>(inp: &mut Inp<'a, '_, I, R>, ops: &Operands<'a, I, R>) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let op_of =
        |t: &Tk<'a>| (t.kind == TokenKind::Ident && t.text == "and").then_some(BinaryOp::And);
    left_fold(inp, op_of, |inp| fast_comparison(inp, ops))
}

/// A whole expression: `or` over conjunctions.
fn fast_expr<'a, I, R>(inp: &mut Inp<'a, '_, I, R>, ops: &Operands<'a, I, R>) -> Result<Expr, R>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let op_of = |t: &Tk<'a>| (t.kind == TokenKind::Ident && t.text == "or").then_some(BinaryOp::Or);
    left_fold(inp, op_of, |inp| fast_conj(inp, ops))
}

fn binary<'a, 'b, I, R>(
    lhs: Expr,
    ((op, op_span), rhs): ((BinaryOp, Span), Expr),
    e: &mut chumsky::input::MapExtra<'a, 'b, I, Ex<'a, R>>,
) -> Expr
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    // A long `and`/`or` chain comes back as a shallow tree (`chain.rs`).
    super::chain::push(Expr::Binary {
        op,
        op_span,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        span: sp(e.span()),
    })
}

/// A call, possibly followed by `.member` / `[index]` accessors (`workspace("x").Table`).
fn call_like<'a, I, R, W, A>(word: W, args: A) -> Boxed<'a, 'a, I, Expr, Ex<'a, R>>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
    W: Parser<'a, I, Ident, Ex<'a, R>> + Clone + 'a,
    A: Parser<'a, I, Vec<Arg>, Ex<'a, R>> + Clone + 'a,
{
    word.then(args)
        .map_with(|(callee, args), e| Expr::Call { callee, args, span: sp(e.span()) })
        .labelled("a function call")
        .boxed()
}

/// A table reference that is a single expression (name, call, `workspace("x").T`).
fn postfix_table<'a, I, R>(
    expr: Boxed<'a, 'a, I, Expr, Ex<'a, R>>,
) -> Boxed<'a, 'a, I, Expr, Ex<'a, R>>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    expr.labelled("a table").boxed()
}

fn union_item_expr<'a, I, R>(
    wildcard: Boxed<'a, 'a, I, Ident, Ex<'a, R>>,
    args: Boxed<'a, 'a, I, Vec<Arg>, Ex<'a, R>>,
) -> Boxed<'a, 'a, I, Expr, Ex<'a, R>>
where
    I: ValueInput<'a, Token = Tk<'a>, Span = SimpleSpan>,
    R: GrammarError<'a, I>,
{
    let any_word = select! {
        Tk { kind: TokenKind::Ident, text } = e => ident_from(text, sp(e.span())),
    };
    choice((call_like(any_word, args), wildcard.map(Expr::Name))).boxed()
}

/// Builds a statement from its head and the operators after it. The flag is false when the
/// operators cannot follow that head (e.g. after `set`).
fn assemble(head: Head, ops: Vec<TabularOperator>, span: Span) -> (Statement, bool) {
    match head {
        Head::Let { name, body, span: head_span } => {
            let span = if ops.is_empty() { head_span } else { span };
            match body {
                LetHead::Function(f) => (
                    Statement::Let(LetStatement { name, body: LetBody::Function(f), span }),
                    ops.is_empty(),
                ),
                LetHead::Source(source) => {
                    let source_span = source.span();
                    let body = if ops.is_empty() {
                        match source {
                            Source::Expr(e) if !is_tabular_expr(&e) => LetBody::Scalar(e),
                            source => LetBody::Tabular(Pipeline {
                                source,
                                operators: ops,
                                span: source_span,
                            }),
                        }
                    } else {
                        let end = ops.last().map_or(source_span, TabularOperator::span);
                        LetBody::Tabular(Pipeline {
                            source,
                            operators: ops,
                            span: source_span.cover(end),
                        })
                    };
                    (Statement::Let(LetStatement { name, body, span }), true)
                }
            }
        }
        Head::Set(s) => (Statement::Set(s), ops.is_empty()),
        Head::Declare(d) => (Statement::DeclareQueryParameters(d), ops.is_empty()),
        Head::Source(source) => {
            (Statement::Tabular(Pipeline { source, operators: ops, span }), true)
        }
    }
}

/// True when a `let` body expression is certainly tabular.
fn is_tabular_expr(e: &Expr) -> bool {
    match e {
        Expr::Pipeline(_) => true,
        Expr::Paren { inner, .. } => is_tabular_expr(inner),
        Expr::Call { callee, .. } => matches!(callee.name.as_str(), "materialize" | "view"),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The driver.

/// Parses `text` into a tree and its errors. Never panics.
pub fn parse(text: &str) -> crate::Parse<Query> {
    let (statements, errors) = parse_with(text, Mode::Tree);
    crate::Parse { tree: Query { statements, span: Span::new(0, text.len() as u32) }, errors }
}

/// The syntax errors of `text`, the same as [`parse`] gives, without building its tree.
pub fn syntax_errors(text: &str) -> Vec<SyntaxError> {
    parse_with(text, Mode::Errors).1
}

/// What a parse is for: the tree and the errors, or the errors only. For the errors only,
/// the fast pass checks each piece without building its output (chumsky's check mode), and
/// the statements it gives are placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Tree,
    Errors,
}

fn parse_with(text: &str, mode: Mode) -> (Vec<Statement>, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    let mut toks: Vec<(Tk<'_>, SimpleSpan)> = Vec::with_capacity(text.len() / 4);
    for t in lexer::tokens(text) {
        let range = std::ops::Range::<usize>::from(t.span);
        match t.kind {
            TokenKind::Comment => continue,
            TokenKind::UnterminatedString => errors.push(SyntaxError::new(
                t.span,
                if t.span.text(text).starts_with("```") {
                    "unterminated multi-line string: expected a closing ```".to_string()
                } else {
                    "unterminated string: expected a closing quote before the end of the line"
                        .to_string()
                },
            )),
            TokenKind::String => check_escapes(t.span, text, &mut errors),
            TokenKind::Error => errors.push(SyntaxError::new(
                t.span,
                format!("unexpected character `{}`", t.span.text(text)),
            )),
            _ => {}
        }
        if matches!(t.kind, TokenKind::Error) {
            continue;
        }
        let kind = if t.kind == TokenKind::UnterminatedString { TokenKind::String } else { t.kind };
        toks.push((Tk { kind, text: &text[range.clone()] }, SimpleSpan::from(range)));
    }
    // The recursive parser needs stack in proportion to the nesting depth (a lot of it in
    // debug builds). Shallow texts parse on the caller's stack; deeper ones on a deep-stack
    // thread, so callers on small stacks (test threads, async workers) are safe.
    let statements = if max_depth(&toks) <= INLINE_DEPTH {
        parse_statements(&toks, text, &mut errors, mode)
    } else {
        let (statements, errs) = crate::stack::on_deep_stack(|| {
            let mut errs = Vec::new();
            let statements = parse_statements(&toks, text, &mut errs, mode);
            (statements, errs)
        });
        errors.extend(errs);
        statements
    };
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    for e in &mut errors {
        e.span = e.span.widen_empty(text);
    }
    (statements, errors)
}

/// Reports escapes Kusto does not know (`"C:\Temp"`: `\T`) in a quoted string.
fn check_escapes(span: Span, text: &str, errors: &mut Vec<SyntaxError>) {
    let s = span.text(text);
    let body = s.strip_prefix(['h', 'H']).unwrap_or(s);
    if body.starts_with('@') {
        return;
    }
    let bytes = body.as_bytes();
    let offset = span.end as usize - body.len();
    let mut i = 1;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            let next = bytes[i + 1];
            if !matches!(
                next,
                b'\\' | b'"' | b'\'' | b'n' | b'r' | b't' | b'v' | b'b' | b'f' | b'a' | b'0'
                    ..=b'7' | b'x' | b'u' | b'U'
            ) {
                let at = (offset + i) as u32;
                let len = body[i + 1..].chars().next().map_or(1, char::len_utf8) as u32 + 1;
                let esc = &body[i..i + len as usize];
                errors.push(SyntaxError::new(
                    Span::new(at, at + len),
                    format!("unknown escape sequence `{esc}` in a string: write `\\\\` for a backslash or use a verbatim string (@\"...\")"),
                ));
                return;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// Nesting depth up to which parsing runs on the caller's stack; deeper texts go to
/// [`crate::stack::on_deep_stack`].
const INLINE_DEPTH: usize = 6;

fn max_depth(toks: &[(Tk<'_>, SimpleSpan)]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for (t, _) in toks {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => {
                depth += 1;
                max = max.max(depth);
            }
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
    }
    max
}

fn parse_statements<'a>(
    toks: &'a [(Tk<'a>, SimpleSpan)],
    text: &'a str,
    errors: &mut Vec<SyntaxError>,
    mode: Mode,
) -> Vec<Statement> {
    let mut statements = Vec::new();
    for range in split(toks, TokenKind::Semi) {
        let stmt_toks = &toks[range];
        if stmt_toks.is_empty() {
            continue;
        }
        if let Some((at, limit)) = too_deep(stmt_toks) {
            let span = sp(stmt_toks[at].1);
            let message = match limit {
                Limit::Operators => format!(
                    "expression has more than {MAX_OPERATORS} operators outside `and`/`or`: split it up"
                ),
                Limit::Depth => {
                    format!("nesting is deeper than {MAX_DEPTH} levels: simplify the expression")
                }
            };
            errors.push(SyntaxError::new(span, message));
            statements.push(Statement::Error(stmt_span(stmt_toks)));
            continue;
        }
        statements.push(parse_statement(stmt_toks, text, errors, mode));
    }
    statements
}

fn stmt_span(toks: &[(Tk<'_>, SimpleSpan)]) -> Span {
    match (toks.first(), toks.last()) {
        (Some(a), Some(b)) => Span::new(a.1.start as u32, b.1.end as u32),
        _ => Span::default(),
    }
}

/// Ranges of `toks` separated by top-level `sep` tokens (outside brackets).
fn split(toks: &[(Tk<'_>, SimpleSpan)], sep: TokenKind) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, (t, _)) in toks.iter().enumerate() {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                depth = depth.saturating_sub(1)
            }
            k if k == sep && depth == 0 => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(start..toks.len());
    out
}

/// Most operators one expression may chain, not counting `and`/`or`.
///
/// Each of these operators can add a level to the tree (`a + b + c` nests to the left), and
/// every later pass over the tree recurses once per level (so does its drop). The limit keeps
/// that depth within the deep-query stacks (`stack.rs`). `and`/`or` do not count: a long
/// chain of them is built shallow (`chain.rs`), so a query with a million `or` terms parses.
pub const MAX_OPERATORS: usize = 20_000;

/// Which limit a statement goes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    /// A bracket deeper than [`MAX_DEPTH`].
    Depth,
    /// An operator chain longer than [`MAX_OPERATORS`].
    Operators,
}

/// The operators of one operand of an `and`/`or` chain at one bracket level.
#[derive(Default)]
struct Run {
    /// Operators so far.
    operators: usize,
    /// How deep the deepest bracketed group so far nests (its own runs plus one).
    inner: usize,
    /// The deepest `operators + inner` of the earlier operands at this level.
    deepest: usize,
}

impl Run {
    fn depth(&self) -> usize {
        self.operators + self.inner
    }

    /// A new operand starts (after `and`, `or`, `,` or `|`).
    fn restart(&mut self) {
        self.deepest = self.deepest.max(self.depth());
        self.operators = 0;
        self.inner = 0;
    }
}

/// The first token of a statement that goes over a limit, and which: the bracket that opens
/// deeper than [`MAX_DEPTH`], or the operator (or closing bracket) that makes one chain of
/// operators deeper than [`MAX_OPERATORS`]. The count starts again for each operand of an
/// `and`/`or` and after a `,` or `|` (a separate expression); a bracketed group adds its own
/// deepest chain to the chain around it.
fn too_deep(toks: &[(Tk<'_>, SimpleSpan)]) -> Option<(usize, Limit)> {
    let mut levels = vec![Run::default()];
    for (i, (t, _)) in toks.iter().enumerate() {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => {
                if levels.len() > MAX_DEPTH {
                    return Some((i, Limit::Depth));
                }
                levels.push(Run::default());
            }
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                if levels.len() > 1
                    && let Some(group) = levels.pop()
                    && let Some(outer) = levels.last_mut()
                {
                    outer.inner = outer.inner.max(group.deepest.max(group.depth()) + 1);
                    if outer.depth() > MAX_OPERATORS {
                        return Some((i, Limit::Operators));
                    }
                }
            }
            TokenKind::Comma | TokenKind::Pipe => {
                if let Some(run) = levels.last_mut() {
                    run.restart();
                }
            }
            TokenKind::Ident if matches!(t.text, "and" | "or") => {
                if let Some(run) = levels.last_mut() {
                    run.restart();
                }
            }
            _ if is_chain_operator(t) => {
                if let Some(run) = levels.last_mut() {
                    run.operators += 1;
                    if run.depth() > MAX_OPERATORS {
                        return Some((i, Limit::Operators));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn is_chain_operator(t: &Tk<'_>) -> bool {
    use TokenKind::*;
    match t.kind {
        Plus | Minus | Star | Slash | Percent | EqEq | NotEq | LtGt | Lt | Le | Gt | Ge
        | EqTilde | BangTilde | Dot | BangWord | Colon | Assign => true,
        Ident => BinaryOp::from_word(t.text).is_some(),
        _ => false,
    }
}

type SliceInput<'a> =
    chumsky::input::MappedInput<'a, Tk<'a>, SimpleSpan, &'a [(Tk<'a>, SimpleSpan)]>;

type G<'a, R> = Grammar<'a, SliceInput<'a>, R>;

type RichErr<'a> = Rich<'a, Tk<'a>, SimpleSpan>;

/// [`G`] as a family over the input lifetime, for [`crate::reuse::relend`].
struct GrammarOf<R>(std::marker::PhantomData<R>);

impl crate::reuse::Family for GrammarOf<EmptyErr> {
    type Of<'src> = G<'src, EmptyErr>;
}

impl crate::reuse::Family for GrammarOf<RichErr<'static>> {
    type Of<'src> = G<'src, RichErr<'src>>;
}

thread_local! {
    /// This thread's build of the grammar without error details (most texts are valid).
    static FAST: G<'static, EmptyErr> = grammar();
    /// This thread's build of the grammar that explains errors, made on the first error.
    static RICH: std::cell::OnceCell<G<'static, RichErr<'static>>> =
        const { std::cell::OnceCell::new() };
}

fn parse_statement<'a>(
    toks: &'a [(Tk<'a>, SimpleSpan)],
    text: &'a str,
    errors: &mut Vec<SyntaxError>,
    mode: Mode,
) -> Statement {
    let span = stmt_span(toks);
    let segments = split(toks, TokenKind::Pipe);
    let head_toks = &toks[segments[0].clone()];
    let head = if head_toks.is_empty() {
        let at = sp(toks[0].1);
        errors.push(SyntaxError::new(at, "expected a query (a table name or `let`) before `|`"));
        None
    } else {
        // Whether operators may follow depends on what the head is (see `assemble`): for
        // errors only, a head that may not be a query is still read in full.
        let head_mode = match head_toks[0].0 {
            Tk { kind: TokenKind::Ident, text: "let" | "set" | "declare" }
                if segments.len() > 1 =>
            {
                Mode::Tree
            }
            _ => mode,
        };
        run(|g| &g.head, |g| &g.head, head_toks, text, errors, "", head_mode)
    };
    let mut ops = Vec::new();
    for (i, seg) in segments.iter().enumerate().skip(1) {
        let pipe = toks[seg.start - 1];
        let seg_toks = &toks[seg.clone()];
        if seg_toks.is_empty() {
            errors.push(SyntaxError::new(
                sp(pipe.1),
                if i + 1 == segments.len() {
                    "expected a tabular operator after `|`, found the end of the query"
                } else {
                    "expected a tabular operator between `|` and `|`"
                },
            ));
            continue;
        }
        let op = run(|g| &g.operator, |g| &g.operator, seg_toks, text, errors, "|", mode);
        if mode == Mode::Errors {
            // Only whether there are operators counts (see `assemble`).
            ops.push(TabularOperator::Count { span });
            continue;
        }
        let op = op.unwrap_or_else(|| {
            let name = match seg_toks[0].0 {
                Tk { kind: TokenKind::Ident, text: t } => Some(ident_from(t, sp(seg_toks[0].1))),
                _ => None,
            };
            TabularOperator::Unknown { name, span: stmt_span(seg_toks) }
        });
        ops.push(op);
    }
    match head {
        Some(head) => {
            let (stmt, ok) = assemble(head, ops, span);
            if !ok {
                let at = toks[segments[1].start - 1].1;
                errors.push(SyntaxError::new(
                    sp(at),
                    "unexpected `|`: only a query can be piped into an operator",
                ));
            }
            stmt
        }
        None => Statement::Error(span),
    }
}

type Pick<'a, R, O> = for<'g> fn(&'g G<'a, R>) -> &'g Boxed<'a, 'a, SliceInput<'a>, O, Ex<'a, R>>;

/// Runs a parser over a piece of the token stream: first the fast build; when that fails,
/// the rich build, whose errors (and recovered partial output) are kept. For errors only
/// ([`Mode::Errors`]) the fast build checks without output, and a piece that passes gives
/// `None`.
#[allow(clippy::too_many_arguments)]
fn run<'a, O>(
    fast: Pick<'a, EmptyErr, O>,
    rich: Pick<'a, RichErr<'a>, O>,
    toks: &'a [(Tk<'a>, SimpleSpan)],
    text: &'a str,
    errors: &mut Vec<SyntaxError>,
    before: &str,
    mode: Mode,
) -> Option<O> {
    let end = toks.last().map_or(0, |t| t.1.end);
    let eoi = SimpleSpan::from(end..end);
    let passed = FAST.with(|g| {
        // SAFETY: `grammar` is generic over the input lifetime and borrows nothing.
        let g = unsafe { crate::reuse::relend::<GrammarOf<EmptyErr>>(g) };
        let input = toks.split_token_span(eoi);
        match mode {
            Mode::Tree => {
                fast(g).parse_with_state(input, &mut SimpleState(text)).into_result().ok().map(Some)
            }
            Mode::Errors => fast(g)
                .check_with_state(input, &mut SimpleState(text))
                .into_result()
                .ok()
                .map(|()| None),
        }
    });
    if let Some(output) = passed {
        return output;
    }
    let (output, errs) = RICH.with(|cell| {
        let g = cell.get_or_init(grammar);
        // SAFETY: as above.
        let g = unsafe { crate::reuse::relend::<GrammarOf<RichErr<'static>>>(g) };
        rich(g)
            .parse_with_state(toks.split_token_span(eoi), &mut SimpleState(text))
            .into_output_errors()
    });
    // A recovered error (a missing operand) leaves an output with `Expr::Error` inside.
    for err in errs.iter().take(3) {
        errors.push(describe(err, toks, text, before));
    }
    output
}

/// Turns a chumsky error into a message that names what was expected and where.
fn describe(
    err: &Rich<'_, Tk<'_>, SimpleSpan>,
    toks: &[(Tk<'_>, SimpleSpan)],
    text: &str,
    before: &str,
) -> SyntaxError {
    let at = err.span().start;
    let prev = toks.iter().rev().find(|t| t.1.end <= at);
    let prev_text = crate::excerpt(match prev {
        Some(t) => t.0.text,
        None => before,
    });
    if let chumsky::error::RichReason::Custom(msg) = err.reason() {
        return SyntaxError::new(sp(*err.span()), msg.clone());
    }
    let mut expected: Vec<String> = Vec::new();
    for pat in err.expected() {
        let s = match pat {
            chumsky::error::RichPattern::Label(l) => l.to_string(),
            chumsky::error::RichPattern::Token(t) => format!("`{}`", t.text),
            chumsky::error::RichPattern::Identifier(i) => format!("`{i}`"),
            chumsky::error::RichPattern::EndOfInput => continue,
            _ => continue,
        };
        let s = if s.starts_with(|c: char| c.is_ascii_lowercase())
            && !s.starts_with("a ")
            && !s.starts_with("an ")
            && !s.contains(' ')
        {
            format!("`{s}`")
        } else {
            s
        };
        if !expected.contains(&s) {
            expected.push(s);
        }
    }
    if expected.iter().any(|e| e.contains("to close")) {
        expected.retain(|e| e.contains("to close") || e == "`,`");
        expected.sort_by_key(|e| e.contains("to close"));
    }
    if expected.iter().any(|e| e == "an operator") {
        expected.retain(|e| !matches!(e.as_str(), "`.`" | "`[`" | "`(`" | "`and`" | "`or`"));
        for e in &mut expected {
            if e == "an operator" {
                *e = "an operator (such as `and`, `or`, `==`)".to_string();
            }
        }
    }
    if let Some(p) = prev
        && RESERVED[10..].contains(&p.0.text)
        && expected.iter().any(|e| e == "`(`")
    {
        let word = p.0.text;
        return SyntaxError::new(
            sp(p.1),
            format!("`{word}` is a type keyword: write `['{word}']` to use it as a name"),
        );
    }
    let what = match expected.len() {
        0 => String::new(),
        1 => expected[0].clone(),
        n => {
            let shown = &expected[..n.min(5)];
            format!("{} or {}", shown[..shown.len() - 1].join(", "), shown[shown.len() - 1])
        }
    };
    let found = err.found().map(|t| crate::excerpt(t.text));
    let _ = text;
    let span = match (&found, prev) {
        (Some(_), _) => sp(*err.span()),
        (None, Some(p)) => sp(p.1),
        (None, None) => sp(*err.span()),
    };
    let message = match (what.is_empty(), found, prev_text.is_empty()) {
        (true, Some(f), _) => format!("unexpected `{f}`"),
        (true, None, _) => "unexpected end of the query".to_string(),
        (false, None, false) => format!("expected {what} after `{prev_text}`"),
        (false, None, true) => format!("expected {what}"),
        (false, Some(f), false) => format!("expected {what} after `{prev_text}`, found `{f}`"),
        (false, Some(f), true) => format!("expected {what}, found `{f}`"),
    };
    SyntaxError::new(span, message)
}
