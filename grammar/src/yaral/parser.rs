//! The YARA-L parser: chumsky combinators over the lexer's tokens.
//!
//! A pre-pass drops comments, reports lexical errors, balances `{}`, `()` and `[]` (closing
//! what a section header, a `}` or the end leaves open) and cuts off nesting deeper than
//! [`MAX_DEPTH`]. It also marks the first token of each line and section headers
//! (`events:`), which the grammar uses to recover: a broken statement is skipped up to the
//! next line that starts a statement, a broken section up to the next header.

use chumsky::error::{Rich, RichReason};
use chumsky::input::MappedInput;
use chumsky::prelude::*;

use super::ast::*;
use super::lexer::{Token, TokenKind};
use crate::{Span, SyntaxError};

/// Deepest nesting of `(` and `[` accepted; deeper input becomes one error node.
pub const MAX_DEPTH: usize = 48;
/// Most operands in one chain of binary operators at one precedence level.
const MAX_CHAIN: usize = 1024;
/// Most prefix operators in a row.
const MAX_PREFIX: usize = 16;

use TokenKind as K;

/// A token as the grammar sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tok<'a> {
    kind: TokenKind,
    text: &'a str,
    /// First token on its line.
    line_start: bool,
    /// A name followed by `:` (a section header, possibly misspelt).
    header: bool,
}

type In<'a> = MappedInput<'a, Tok<'a>, SimpleSpan, &'a [(Tok<'a>, SimpleSpan)]>;
type Ex<'a> = extra::Err<Rich<'a, Tok<'a>>>;
type P<'a, O> = Boxed<'a, 'a, In<'a>, O, Ex<'a>>;

/// Parses `text` (already lexed into `tokens`) into rules and errors.
pub(crate) fn parse_file(text: &str, tokens: &[Token]) -> (RuleFile, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    let toks = prepare(text, tokens, &mut errors);
    let eoi = SimpleSpan::from(text.len()..text.len());
    let input = toks.as_slice().split_token_span(eoi);
    let (output, errs) = grammar(text).parse(input).into_output_errors();
    for err in errs {
        if err.found().is_some_and(|t| t.kind == K::TooDeep) {
            continue;
        }
        errors.push(SyntaxError::new(to_span(*err.span()), describe(&err)));
    }
    let mut file = output.unwrap_or_default();
    file.span = Span::new(0, text.len() as u32);
    for e in &mut errors {
        e.span = e.span.widen_empty(text);
    }
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    // One error per position: a missing operand is reported once, not again by the
    // statement that follows it.
    errors.dedup_by(|a, b| a.span.start == b.span.start);
    (file, errors)
}

fn to_span(s: SimpleSpan) -> Span {
    Span::new(s.start as u32, s.end as u32)
}

// ---------------------------------------------------------------------------------------
// Pre-pass

/// Drops comments and turns lexical errors into errors plus usable tokens.
fn plain_tokens(tokens: &[Token], errors: &mut Vec<SyntaxError>) -> Vec<Token> {
    let mut plain = Vec::with_capacity(tokens.len());
    for t in tokens {
        let (kind, message) = match t.kind {
            K::Comment => continue,
            K::UnterminatedComment => {
                errors.push(SyntaxError::new(t.span, "unterminated comment: expected `*/`"));
                continue;
            }
            K::Unknown => {
                errors.push(SyntaxError::new(t.span, "unexpected character"));
                continue;
            }
            K::UnterminatedString => (K::String, "unterminated string: expected closing `\"`"),
            K::UnterminatedRawString => {
                (K::RawString, "unterminated string: expected closing backtick")
            }
            K::UnterminatedRegex => {
                (K::Regex, "unterminated regex: expected closing `/` on the same line")
            }
            kind => (kind, ""),
        };
        if !message.is_empty() {
            errors.push(SyntaxError::new(t.span, message));
        }
        plain.push(Token { kind, span: t.span });
    }
    plain
}

/// For each token: first on its line, and section header (`events` before `:`). A name
/// before `:` at the start of a line stands where a header does (a misspelt one, `evnts:`,
/// is then reported as a bad section); elsewhere only a real section keyword outside
/// brackets is a header (`period:1d` is a named argument).
fn marks(text: &str, plain: &[Token]) -> Vec<(bool, bool)> {
    let mut out = Vec::with_capacity(plain.len());
    let mut prev_end = 0usize;
    let mut depth = 0usize;
    for (i, t) in plain.iter().enumerate() {
        let start = t.span.start as usize;
        let line_start = i == 0 || text.get(prev_end..start).is_some_and(|gap| gap.contains('\n'));
        match t.kind {
            K::LParen | K::LBracket => depth += 1,
            K::RParen | K::RBracket => depth = depth.saturating_sub(1),
            K::LBrace | K::RBrace => depth = 0,
            _ => {}
        }
        let before_colon =
            t.kind == K::Ident && plain.get(i + 1).is_some_and(|n| n.kind == K::Colon);
        let keyword = SectionKind::from_keyword(t.span.text(text)).is_some();
        let header = before_colon && (line_start || (keyword && depth == 0));
        out.push((line_start, header));
        prev_end = t.span.end as usize;
    }
    out
}

/// Balances brackets, closing what is left open at a header, a `}`, a new `rule` or the
/// end, and replaces groups nested too deep by one [`TokenKind::TooDeep`] token.
struct Balancer<'t> {
    text: &'t str,
    out: Vec<(Token, bool, bool)>,
    stack: Vec<(TokenKind, Span)>,
}

impl Balancer<'_> {
    fn push(&mut self, t: Token, line_start: bool, header: bool) {
        self.out.push((t, line_start, header));
    }

    fn synth(&mut self, kind: TokenKind, at: u32) {
        self.out.push((Token { kind, span: Span::empty(at) }, false, false));
    }

    /// Closes open `(`/`[` down to the innermost `{` (or everything when `all`).
    fn close_groups(&mut self, at: u32, all: bool, errors: &mut Vec<SyntaxError>) {
        while let Some(&(kind, open)) = self.stack.last() {
            let (closer, msg) = match kind {
                K::LParen => (K::RParen, "unclosed `(`: expected `)`"),
                K::LBracket => (K::RBracket, "unclosed `[`: expected `]`"),
                _ if all => (K::RBrace, "unclosed `{`: expected `}` to close the rule"),
                _ => return,
            };
            self.stack.pop();
            errors.push(SyntaxError::new(open, msg));
            self.synth(closer, at);
        }
    }

    fn depth(&self) -> usize {
        self.stack.iter().filter(|(k, _)| *k != K::LBrace).count()
    }

    fn is_rule_start(&self, plain: &[Token], i: usize) -> bool {
        plain[i].kind == K::Ident
            && plain[i].span.text(self.text) == "rule"
            && plain.get(i + 1).is_some_and(|t| t.kind == K::Ident)
            && plain.get(i + 2).is_some_and(|t| t.kind == K::LBrace)
    }
}

fn prepare<'a>(
    text: &'a str,
    tokens: &[Token],
    errors: &mut Vec<SyntaxError>,
) -> Vec<(Tok<'a>, SimpleSpan)> {
    let plain = plain_tokens(tokens, errors);
    let marks = marks(text, &plain);
    let mut b = Balancer { text, out: Vec::with_capacity(plain.len()), stack: Vec::new() };
    let mut i = 0;
    while i < plain.len() {
        let t = plain[i];
        let (line_start, header) = marks[i];
        if header {
            b.close_groups(t.span.start, false, errors);
        } else if b.is_rule_start(&plain, i) {
            b.close_groups(t.span.start, true, errors);
        }
        match t.kind {
            K::LParen | K::LBracket if b.depth() >= MAX_DEPTH => {
                let end = skip_group(&plain, i);
                let span = Span::new(t.span.start, plain[end - 1].span.end);
                errors.push(SyntaxError::new(
                    span,
                    format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
                ));
                b.push(Token { kind: K::TooDeep, span }, line_start, false);
                i = end;
                continue;
            }
            K::LParen | K::LBracket | K::LBrace => b.stack.push((t.kind, t.span)),
            K::RParen | K::RBracket => {
                let opener = if t.kind == K::RParen { K::LParen } else { K::LBracket };
                if b.stack.last().is_some_and(|(k, _)| *k == opener) {
                    b.stack.pop();
                } else {
                    let msg = if t.kind == K::RParen {
                        "unmatched `)`: no `(` to close"
                    } else {
                        "unmatched `]`: no `[` to close"
                    };
                    errors.push(SyntaxError::new(t.span, msg));
                    i += 1;
                    continue;
                }
            }
            K::RBrace => {
                if b.stack.iter().any(|(k, _)| *k == K::LBrace) {
                    b.close_groups(t.span.start, false, errors);
                    b.stack.pop();
                } else {
                    errors.push(SyntaxError::new(t.span, "unmatched `}`: no `{` to close"));
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        b.push(t, line_start, header);
        i += 1;
    }
    b.close_groups(text.len() as u32, true, errors);
    b.out
        .into_iter()
        .map(|(t, line_start, header)| {
            let tok = Tok { kind: t.kind, text: t.span.text(text), line_start, header };
            (tok, SimpleSpan::from(t.span.start as usize..t.span.end as usize))
        })
        .collect()
}

/// The index just past the group opened at `start` (or the end of the tokens).
fn skip_group(plain: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    let mut j = start;
    while j < plain.len() {
        match plain[j].kind {
            K::LParen | K::LBracket => depth += 1,
            K::RParen | K::RBracket => depth = depth.saturating_sub(1),
            K::RBrace => return j.max(start + 1),
            _ => {}
        }
        j += 1;
        if depth == 0 {
            break;
        }
    }
    j
}

// ---------------------------------------------------------------------------------------
// Error messages

fn describe_tok(t: &Tok) -> String {
    if t.text.is_empty() {
        return match t.kind {
            K::RParen => "a missing `)`".into(),
            K::RBracket => "a missing `]`".into(),
            K::RBrace => "a missing `}`".into(),
            _ => "end of input".into(),
        };
    }
    format!("`{}`", crate::excerpt(t.text))
}

fn describe(err: &Rich<Tok>) -> String {
    if let RichReason::Custom(msg) = err.reason() {
        return msg.clone();
    }
    let expected = crate::expected_items(err, describe_tok);
    if let Some(t) = err.found().filter(|t| t.header && SectionKind::from_keyword(t.text).is_none())
    {
        return format!(
            "unknown section `{}:`: expected `meta:`, `events:`, `match:`, `outcome:`, \
             `condition:` or `options:`",
            crate::excerpt(t.text)
        );
    }
    let found = err.found().map_or_else(|| "end of input".to_string(), describe_tok);
    match expected.len() {
        0 => format!("unexpected {found}"),
        1 => format!("expected {}, found {found}", expected[0]),
        n if n <= 5 => {
            let (last, rest) = expected.split_last().unwrap_or((&expected[0], &[]));
            format!("expected {} or {last}, found {found}", rest.join(", "))
        }
        _ => format!("expected {}, {} or another item, found {found}", expected[0], expected[1]),
    }
}

// ---------------------------------------------------------------------------------------
// Primitive parsers

fn tok<'a>(kind: TokenKind, label: &'static str) -> P<'a, SimpleSpan> {
    any().filter(move |t: &Tok| t.kind == kind).map_with(|_, e| e.span()).labelled(label).boxed()
}

/// A name equal to `word` ignoring case.
fn kw<'a>(word: &'static str, label: &'static str) -> P<'a, SimpleSpan> {
    any()
        .filter(move |t: &Tok| t.kind == K::Ident && t.text.eq_ignore_ascii_case(word))
        .map_with(|_, e| e.span())
        .labelled(label)
        .boxed()
}

/// Names that are operators, never operands.
const OPERATOR_WORDS: &[&str] = &["and", "or", "not", "in", "nocase", "any", "all"];

fn is_operator_word(t: &Tok) -> bool {
    t.kind == K::Ident && OPERATOR_WORDS.iter().any(|w| w.eq_ignore_ascii_case(t.text))
}

fn ident_of(text: &str, s: SimpleSpan) -> Ident {
    let span = to_span(s);
    Ident { text: span.text(text).to_string(), span }
}

/// A `$x`, `#x` or `%x` token as an [`Ident`] without its sigil.
fn sigil_ident(text: &str, s: SimpleSpan) -> Ident {
    let span = to_span(s);
    Ident { text: span.text(text).get(1..).unwrap_or("").to_string(), span }
}

/// Decodes a `"..."` string (`\"` and `\\` resolved, other escapes kept).
fn unquote(raw: &str) -> String {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').filter(|_| raw.len() >= 2).unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The text between the delimiters of a raw string or regex (`` `x` ``, `/x/`).
fn strip_delims(raw: &str, delim: char) -> String {
    let inner = raw.strip_prefix(delim).unwrap_or(raw);
    let inner = if inner.len() + 1 == raw.len() {
        inner.strip_suffix(delim).unwrap_or(inner)
    } else {
        inner
    };
    inner.to_string()
}

fn literal(text: &str, s: SimpleSpan, kind: TokenKind) -> Expr {
    let span = to_span(s);
    let raw = span.text(text);
    match kind {
        K::String => Expr::String(Literal { value: unquote(raw), span }),
        K::RawString => Expr::RawString(Literal { value: strip_delims(raw, '`'), span }),
        _ => Expr::Regex(Literal { value: strip_delims(raw, '/'), span }),
    }
}

fn duration_of(text: &str, s: SimpleSpan) -> Duration {
    let span = to_span(s);
    let raw = span.text(text);
    let unit = raw.chars().last().unwrap_or('s');
    let value = raw[..raw.len().saturating_sub(1)].parse().unwrap_or(u64::MAX);
    Duration { value, unit, span }
}

// ---------------------------------------------------------------------------------------
// Expressions

fn fold_prefix(ops: Vec<(Tok, SimpleSpan)>, operand: Expr) -> Expr {
    ops.into_iter().rev().take(MAX_PREFIX).fold(operand, |acc, (t, s)| {
        let op_span = to_span(s);
        let span = op_span.cover(acc.span());
        let inner = Box::new(acc);
        match t.text.to_ascii_lowercase().as_str() {
            "any" => {
                Expr::Quantified { quantifier: Quantifier::Any, keyword_span: op_span, inner, span }
            }
            "all" => {
                Expr::Quantified { quantifier: Quantifier::All, keyword_span: op_span, inner, span }
            }
            "-" => Expr::Unary { op: UnaryOp::Neg, op_span, operand: inner, span },
            _ => Expr::Unary { op: UnaryOp::Not, op_span, operand: inner, span },
        }
    })
}

fn prefix<'a>(ops: P<'a, (Tok<'a>, SimpleSpan)>, operand: P<'a, Expr>) -> P<'a, Expr> {
    ops.repeated()
        .collect::<Vec<_>>()
        .then(operand)
        .validate(|(ops, operand), e, emitter| {
            if ops.len() > MAX_PREFIX {
                emitter.emit(Rich::custom(
                    e.span(),
                    format!("more than {MAX_PREFIX} prefix operators in a row"),
                ));
            }
            fold_prefix(ops, operand)
        })
        .boxed()
}

fn binary<'a>(
    ops: P<'a, (BinaryOp, SimpleSpan)>,
    operand: P<'a, Expr>,
    operand_or_error: P<'a, Expr>,
) -> P<'a, Expr> {
    operand
        .then(ops.then(operand_or_error).repeated().collect::<Vec<_>>())
        .validate(|(first, rest), e, emitter| {
            if rest.len() >= MAX_CHAIN {
                emitter.emit(Rich::custom(
                    e.span(),
                    format!("more than {MAX_CHAIN} operands in one expression"),
                ));
                return Expr::Error(to_span(e.span()));
            }
            rest.into_iter().fold(first, |lhs, ((op, ops), rhs)| {
                let span = lhs.span().cover(rhs.span());
                Expr::Binary {
                    op,
                    op_span: to_span(ops),
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                    span,
                }
            })
        })
        .boxed()
}

fn op<'a>(f: fn(&Tok) -> Option<BinaryOp>, label: &'static str) -> P<'a, (BinaryOp, SimpleSpan)> {
    any()
        .filter(move |t: &Tok| f(t).is_some())
        .map_with(move |t: Tok, e| (f(&t).unwrap_or(BinaryOp::Or), e.span()))
        .labelled(label)
        .boxed()
}

/// `p`, or an error node (with `p`'s error reported) when `p` fails.
fn recovering<'a>(p: P<'a, Expr>) -> P<'a, Expr> {
    p.recover_with(via_parser(empty().map_with(|_, e| Expr::Error(to_span(e.span()))))).boxed()
}

fn word_op(t: &Tok, word: &str, op: BinaryOp) -> Option<BinaryOp> {
    (t.kind == K::Ident && t.text.eq_ignore_ascii_case(word)).then_some(op)
}

/// Atoms: variables, paths, literals, calls and parenthesised expressions.
fn atom<'a>(text: &'a str, expr: P<'a, Expr>) -> P<'a, Expr> {
    let name_tok =
        || any().filter(|t: &Tok| t.kind == K::Ident && !is_operator_word(t) && !t.header);
    let dotted = name_tok()
        .then(tok(K::Dot, "`.`").then(tok(K::Ident, "a name")).repeated())
        .map_with(move |_, e| ident_of(text, e.span()))
        .boxed();
    // `metrics.*` functions take named arguments: `period:1d, window:30d`.
    let named = tok(K::Ident, "an argument name").then(tok(K::Colon, "`:`")).or_not();
    let args = named
        .ignore_then(expr.clone())
        .separated_by(tok(K::Comma, "`,`"))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`"))
        .boxed();
    let call = dotted
        .then(args)
        .map_with(|(name, args), e| Expr::Call { name, args, span: to_span(e.span()) })
        .boxed();
    let index = expr
        .clone()
        .delimited_by(tok(K::LBracket, "`[`"), tok(K::RBracket, "`]`"))
        .map_with(|index, e| Segment::Index { index: Box::new(index), span: to_span(e.span()) });
    let field = tok(K::Dot, "`.`")
        .ignore_then(tok(K::Ident, "a field name"))
        .map(move |s| Segment::Field(ident_of(text, s)));
    let variable = tok(K::Variable, "a variable")
        .then(choice((field, index)).repeated().collect::<Vec<_>>())
        .map_with(move |(v, segments), e| {
            let var = sigil_ident(text, v);
            if segments.is_empty() {
                Expr::Variable(var)
            } else {
                Expr::Field(FieldPath { var, segments, span: to_span(e.span()) })
            }
        })
        .boxed();
    let lit = any()
        .filter(|t: &Tok| matches!(t.kind, K::String | K::RawString | K::Regex))
        .map_with(move |t: Tok, e| literal(text, e.span(), t.kind));
    let number = any()
        .filter(|t: &Tok| matches!(t.kind, K::Number | K::Duration))
        .map_with(move |_, e| Expr::Number(ident_of(text, e.span())));
    let sigil = any().filter(|t: &Tok| matches!(t.kind, K::Count | K::RefList)).map_with(
        move |t: Tok, e| {
            let i = sigil_ident(text, e.span());
            if t.kind == K::Count { Expr::Count(i) } else { Expr::RefList(i) }
        },
    );
    let name = name_tok().map_with(move |_, e| Expr::Name(ident_of(text, e.span())));
    let paren = expr
        .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`"))
        .map_with(|inner, e| Expr::Paren { inner: Box::new(inner), span: to_span(e.span()) });
    choice((
        call,
        variable,
        lit,
        number,
        sigil,
        name,
        paren,
        tok(K::TooDeep, "an expression").map(|s| Expr::Error(to_span(s))),
    ))
    .labelled("an expression")
    .boxed()
}

/// Expressions with YARA-L precedence: `or` < `and` < `not`/`any`/`all` < comparison
/// (with `in` and `nocase`) < `+ -` < `* /` < unary `-` < atoms.
fn expr<'a>(text: &'a str) -> P<'a, Expr> {
    recursive(move |expr| {
        let expr: P<'a, Expr> = expr.boxed();
        let atom = atom(text, expr.clone());
        let neg =
            any().filter(|t: &Tok| t.kind == K::Minus).map_with(|t: Tok, e| (t, e.span())).boxed();
        let unary = prefix(neg, atom);
        let mul_ops = op(
            |t| match t.kind {
                K::Star => Some(BinaryOp::Mul),
                K::Slash => Some(BinaryOp::Div),
                _ => None,
            },
            "an operator",
        );
        let product = binary(mul_ops, unary.clone(), recovering(unary));
        let add_ops = op(
            |t| match t.kind {
                K::Plus => Some(BinaryOp::Add),
                K::Minus => Some(BinaryOp::Sub),
                _ => None,
            },
            "an operator",
        );
        let sum = binary(add_ops, product.clone(), recovering(product));
        let cmp_ops = op(
            |t| match t.kind {
                K::Eq => Some(BinaryOp::Eq),
                K::Ne => Some(BinaryOp::Ne),
                K::Lt => Some(BinaryOp::Lt),
                K::Le => Some(BinaryOp::Le),
                K::Gt => Some(BinaryOp::Gt),
                K::Ge => Some(BinaryOp::Ge),
                _ => None,
            },
            "a comparison",
        );
        let in_kind = choice((
            kw("regex", "`regex`").to(InKind::Regex),
            kw("cidr", "`cidr`").to(InKind::Cidr),
        ))
        .or_not()
        .map(|k| k.unwrap_or(InKind::Plain));
        let in_tail = kw("in", "`in`").ignore_then(in_kind).then(recovering(sum.clone())).boxed();
        enum Tail {
            Cmp(BinaryOp, SimpleSpan, Expr),
            In(InKind, Expr),
        }
        let tail = choice((
            cmp_ops.then(recovering(sum.clone())).map(|((op, s), rhs)| Tail::Cmp(op, s, rhs)),
            in_tail.map(|(k, list)| Tail::In(k, list)),
        ));
        let comparison = sum
            .then(tail.or_not())
            .then(kw("nocase", "`nocase`").or_not())
            .map_with(|((lhs, tail), nocase), e| {
                let base = match tail {
                    None => lhs,
                    Some(Tail::Cmp(op, s, rhs)) => {
                        let span = lhs.span().cover(rhs.span());
                        Expr::Binary {
                            op,
                            op_span: to_span(s),
                            lhs: Box::new(lhs),
                            rhs: Box::new(rhs),
                            span,
                        }
                    }
                    Some(Tail::In(kind, list)) => {
                        let span = lhs.span().cover(list.span());
                        Expr::In { value: Box::new(lhs), kind, list: Box::new(list), span }
                    }
                };
                match nocase {
                    None => base,
                    Some(s) => Expr::Nocase {
                        inner: Box::new(base),
                        nocase_span: to_span(s),
                        span: to_span(e.span()),
                    },
                }
            })
            .boxed();
        let not_op = any()
            .filter(|t: &Tok| {
                t.kind == K::Bang
                    || (t.kind == K::Ident
                        && ["not", "any", "all"].iter().any(|w| w.eq_ignore_ascii_case(t.text)))
            })
            .map_with(|t: Tok, e| (t, e.span()))
            .labelled("an expression")
            .boxed();
        let not = prefix(not_op, comparison);
        let and_ops = op(|t| word_op(t, "and", BinaryOp::And), "`and`");
        let and = binary(and_ops, not.clone(), recovering(not));
        let or_ops = op(|t| word_op(t, "or", BinaryOp::Or), "`or`");
        binary(or_ops, and.clone(), recovering(and))
    })
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Sections and rules

/// A token that ends a section body: a header or the rule's `}`.
fn section_end<'a>() -> P<'a, ()> {
    any().filter(|t: &Tok| t.header || t.kind == K::RBrace).ignored().boxed()
}

/// Skips a broken statement: its first token, then every token up to the next line start,
/// header or `}` (whole bracket groups at a time).
fn skip_statement<'a>() -> P<'a, ()> {
    let group = recursive(|group| {
        // An opening bracket inside a group is only ever read as a nested group: were it also
        // allowed as a plain token, each unclosed `[` or `(` would double the ways to read the
        // rest, and a line of twenty of them would take minutes (found by the fuzzer).
        let inner = choice((
            group,
            any()
                .filter(|t: &Tok| {
                    !matches!(t.kind, K::LParen | K::LBracket | K::RParen | K::RBracket | K::RBrace)
                })
                .ignored(),
        ));
        choice((
            tok(K::LParen, "`(`")
                .ignore_then(inner.clone().repeated())
                .then_ignore(tok(K::RParen, "`)`")),
            tok(K::LBracket, "`[`")
                .ignore_then(inner.repeated())
                .then_ignore(tok(K::RBracket, "`]`")),
        ))
        .ignored()
        .boxed()
    });
    let single = any()
        .filter(|t: &Tok| !t.header && !matches!(t.kind, K::RBrace | K::RParen | K::RBracket))
        .ignored();
    let piece = choice((group.clone(), single));
    let rest =
        choice((group, single)).and_is(any().filter(|t: &Tok| !t.line_start).rewind()).repeated();
    piece.then(rest).ignored().boxed()
}

/// A statement: not at a section end, recovered up to the next line when broken.
fn statement<'a, O: Clone + 'a>(p: P<'a, O>, error: O) -> P<'a, O> {
    section_end()
        .not()
        .ignore_then(p.recover_with(via_parser(skip_statement().map(move |_| error.clone()))))
        .boxed()
}

/// Tokens left in a section after its body: one error naming `expected`.
fn leftover<'a>(expected: &'static str) -> P<'a, ()> {
    any()
        .filter(|t: &Tok| !t.header && t.kind != K::RBrace)
        .map_with(|t: Tok, e| (t, e.span()))
        .then(any().filter(|t: &Tok| !t.header && t.kind != K::RBrace).repeated())
        .validate(move |((t, s), ()), _, emitter| {
            emitter
                .emit(Rich::custom(s, format!("expected {expected}, found {}", describe_tok(&t))));
        })
        .or_not()
        .ignored()
        .boxed()
}

fn assignment<'a>(text: &'a str, target: P<'a, Ident>) -> P<'a, Assignment> {
    let error = Assignment {
        target: Ident::default(),
        value: Expr::Error(Span::default()),
        span: Span::default(),
    };
    statement(
        target
            .then_ignore(tok(K::Eq, "`=`"))
            .then(recovering(expr(text)))
            .map_with(|(target, value), e| Assignment { target, value, span: to_span(e.span()) })
            .boxed(),
        error,
    )
}

fn match_clause<'a>(text: &'a str) -> P<'a, Option<MatchClause>> {
    let var = tok(K::Variable, "a match variable").map(move |s| sigil_ident(text, s));
    let duration = tok(K::Duration, "a duration such as `5m`").map(move |s| duration_of(text, s));
    let window_kw =
        choice((kw("over", "`over`"), kw("by", "`by`"))).map(move |s| ident_of(text, s));
    let sliding = choice((kw("after", "`after`"), kw("before", "`before`")))
        .map(move |s| ident_of(text, s))
        .then(tok(K::Variable, "an event variable").map(move |s| sigil_ident(text, s)));
    let clause = var
        .separated_by(tok(K::Comma, "`,`"))
        .at_least(1)
        .collect::<Vec<_>>()
        .then(window_kw)
        .then(duration.clone())
        .then(kw("every", "`every`").ignore_then(duration).or_not())
        .then(sliding.or_not())
        .map_with(|((((vars, window_keyword), window), every), sliding), e| {
            Some(MatchClause {
                vars,
                window_keyword,
                window,
                every,
                sliding,
                span: to_span(e.span()),
            })
        })
        .boxed();
    statement(clause, None).or_not().map(Option::flatten).boxed()
}

fn section_body<'a>(text: &'a str, kind: SectionKind) -> P<'a, SectionBody> {
    let key = any()
        .filter(|t: &Tok| t.kind == K::Ident && !t.header)
        .map_with(move |_, e| ident_of(text, e.span()))
        .labelled("a key")
        .boxed();
    let outcome_var = tok(K::Variable, "an outcome variable such as `$risk_score`")
        .map(move |s| sigil_ident(text, s))
        .boxed();
    match kind {
        SectionKind::Meta => assignment(text, key)
            .repeated()
            .collect()
            .map(SectionBody::Meta)
            .then_ignore(leftover("`key = value`"))
            .boxed(),
        SectionKind::Options => assignment(text, key)
            .repeated()
            .collect()
            .map(SectionBody::Options)
            .then_ignore(leftover("`option = value`"))
            .boxed(),
        SectionKind::Outcome => assignment(text, outcome_var)
            .repeated()
            .collect()
            .map(SectionBody::Outcome)
            .then_ignore(leftover("`$variable = expression`"))
            .boxed(),
        SectionKind::Events => statement(expr(text), Expr::Error(Span::default()))
            .repeated()
            .collect()
            .map(SectionBody::Events)
            .boxed(),
        SectionKind::Match => match_clause(text)
            .map(SectionBody::Match)
            .then_ignore(leftover("the end of the match section"))
            .boxed(),
        SectionKind::Condition => statement(expr(text), Expr::Error(Span::default()))
            .or_not()
            .map(SectionBody::Condition)
            .then_ignore(leftover("`and`, `or` or the end of the condition"))
            .boxed(),
        SectionKind::Error => empty().to(SectionBody::Error).boxed(),
    }
}

fn section<'a>(text: &'a str) -> P<'a, Section> {
    let kinds = [
        SectionKind::Meta,
        SectionKind::Events,
        SectionKind::Match,
        SectionKind::Outcome,
        SectionKind::Condition,
        SectionKind::Options,
    ];
    let parsers: Vec<P<'a, Section>> = kinds
        .into_iter()
        .map(|kind| {
            any()
                .filter(move |t: &Tok| t.header && t.text == kind.keyword())
                .then(tok(K::Colon, "`:`"))
                .map_with(|_, e| to_span(e.span()))
                .then(section_body(text, kind))
                .map_with(move |(header, body), e| Section {
                    kind,
                    header,
                    body,
                    span: to_span(e.span()),
                })
                .boxed()
        })
        .collect();
    let bad = any()
        .filter(|t: &Tok| t.kind != K::RBrace)
        .map_with(|_, e| to_span(e.span()))
        .then_ignore(any().filter(|t: &Tok| !t.header && t.kind != K::RBrace).repeated())
        .map_with(|header, e| Section {
            kind: SectionKind::Error,
            header,
            body: SectionBody::Error,
            span: to_span(e.span()),
        })
        .boxed();
    choice(parsers)
        .labelled(
            "a section (`meta:`, `events:`, `match:`, `outcome:`, `condition:` or `options:`)",
        )
        .recover_with(via_parser(bad))
        .boxed()
}

fn rule<'a>(text: &'a str) -> P<'a, Rule> {
    let name = tok(K::Ident, "a rule name").map(move |s| ident_of(text, s)).recover_with(
        via_parser(empty().map_with(|_, e| Ident { text: String::new(), span: to_span(e.span()) })),
    );
    kw("rule", "`rule`")
        .ignore_then(name)
        .then_ignore(tok(K::LBrace, "`{`"))
        .then(section(text).repeated().collect::<Vec<_>>())
        .then_ignore(tok(K::RBrace, "`}`"))
        .map_with(|(name, sections), e| Rule { name, sections, span: to_span(e.span()) })
        .boxed()
}

/// Skips input that is not a rule, up to the next `rule` at the start of a line.
fn skip_rule<'a>() -> P<'a, Rule> {
    let not_rule_start =
        any().filter(|t: &Tok| !(t.line_start && t.kind == K::Ident && t.text == "rule"));
    any()
        .then(not_rule_start.repeated())
        .map_with(|_, e| Rule {
            name: Ident::default(),
            sections: Vec::new(),
            span: to_span(e.span()),
        })
        .boxed()
}

fn grammar<'a>(text: &'a str) -> P<'a, RuleFile> {
    rule(text)
        .recover_with(via_parser(skip_rule()))
        .repeated()
        .collect::<Vec<_>>()
        .then_ignore(end())
        .map_with(|rules, e| RuleFile { rules, span: to_span(e.span()) })
        .boxed()
}
