//! The SPL parser: chumsky combinators over the lexer's tokens.
//!
//! Before chumsky runs, a pre-pass drops comments, reports lexical errors, balances brackets
//! and parentheses (reporting unclosed and unmatched ones, inserting the missing closers) and
//! cuts off nesting deeper than [`MAX_DEPTH`]. The grammar then recovers per pipe segment.

use chumsky::error::{Rich, RichReason};
use std::marker::PhantomData;

use chumsky::DefaultExpected;
use chumsky::input::{MapExtra, MappedInput};
use chumsky::inspector::SimpleState;
use chumsky::label::LabelError;
use chumsky::prelude::*;

use super::ast::*;
use super::lexer::{Token, TokenKind};
use crate::{Span, SyntaxError};

mod commands;

/// Deepest nesting of `[`/`(` accepted; deeper input becomes one error node. A `[` counts
/// [`SUBSEARCH_WEIGHT`] levels (a subsearch costs more stack than a parenthesis).
pub const MAX_DEPTH: usize = 32;
/// How many nesting levels one `[` counts for.
pub(crate) const SUBSEARCH_WEIGHT: usize = 3;
/// Most operands in one chain of binary operators at one precedence level.
const MAX_CHAIN: usize = 512;
/// Most prefix operators in a row.
const MAX_PREFIX: usize = 16;

/// A token as the grammar sees it: kind, text and whether it touches the previous token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tok<'a> {
    kind: TokenKind,
    text: &'a str,
    glued: bool,
}

type In<'a> = MappedInput<'a, Tok<'a>, SimpleSpan, &'a [(Tok<'a>, SimpleSpan)]>;
type RichErr<'a> = Rich<'a, Tok<'a>>;

/// The error types the grammar is built with: [`EmptyErr`] for the fast first pass (most
/// searches are valid), [`Rich`] for the pass that explains a failure.
trait GrammarError<'a>:
    chumsky::error::Error<'a, In<'a>>
    + LabelError<'a, In<'a>, &'static str>
    + LabelError<'a, In<'a>, DefaultExpected<'a, Tok<'a>>>
    + 'a
{
    /// An error with a message of its own (a limit was hit).
    fn custom(span: SimpleSpan, message: String) -> Self;
}

impl<'a> GrammarError<'a> for EmptyErr {
    fn custom(_: SimpleSpan, _: String) -> Self {
        EmptyErr::default()
    }
}

impl<'a> GrammarError<'a> for RichErr<'a> {
    fn custom(span: SimpleSpan, message: String) -> Self {
        Rich::custom(span, message)
    }
}

/// Errors of type `R`, and the text being parsed as state.
type Ex<'a, R> = extra::Full<R, SimpleState<&'a str>, ()>;
type P<'a, R, O> = Boxed<'a, 'a, In<'a>, O, Ex<'a, R>>;

/// The text being parsed, from inside a parser's mapping closure.
fn src<'a, R: GrammarError<'a>>(e: &mut MapExtra<'a, '_, In<'a>, Ex<'a, R>>) -> &'a str {
    e.state().0
}

/// The search parser as a family over the input lifetime, for [`crate::reuse::relend`].
struct SearchParser<R>(PhantomData<R>);

impl crate::reuse::Family for SearchParser<EmptyErr> {
    type Of<'src> = P<'src, EmptyErr, Search>;
}

impl crate::reuse::Family for SearchParser<RichErr<'static>> {
    type Of<'src> = P<'src, RichErr<'src>, Search>;
}

thread_local! {
    /// This thread's build of the grammar without error details.
    static FAST: P<'static, EmptyErr, Search> = grammar();
    /// This thread's build of the grammar that explains errors, made on the first error.
    static RICH: std::cell::OnceCell<P<'static, RichErr<'static>, Search>> =
        const { std::cell::OnceCell::new() };
}

/// Parses `text` (already lexed into `tokens`) into a search and its errors.
pub(crate) fn parse_search(text: &str, tokens: &[Token]) -> (Search, Vec<SyntaxError>) {
    let mut errors = Vec::new();
    let toks = prepare(text, tokens, &mut errors);
    let eoi = SimpleSpan::from(text.len()..text.len());
    let input = toks.as_slice().split_token_span(eoi);
    let fast = FAST.with(|g| {
        // SAFETY: `grammar` is generic over the input lifetime and borrows nothing.
        let g = unsafe { crate::reuse::relend::<SearchParser<EmptyErr>>(g) };
        g.parse_with_state(input, &mut SimpleState(text)).into_result()
    });
    let (output, errs) = match fast {
        Ok(search) => (Some(search), Vec::new()),
        Err(_) => RICH.with(|cell| {
            let g = cell.get_or_init(grammar);
            // SAFETY: as above.
            let g = unsafe { crate::reuse::relend::<SearchParser<RichErr<'static>>>(g) };
            let input = toks.as_slice().split_token_span(eoi);
            g.parse_with_state(input, &mut SimpleState(text)).into_output_errors()
        }),
    };
    for err in errs {
        if err.found().is_some_and(|t| t.kind == TokenKind::TooDeep) {
            continue;
        }
        errors.push(SyntaxError::new(to_span(*err.span()), describe(&err)));
    }
    let full = Span::new(0, text.len() as u32);
    let mut search = output.unwrap_or_default();
    search.span = full;
    for e in &mut errors {
        e.span = e.span.widen_empty(text);
    }
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup_by(|a, b| a.span.start == b.span.start && a.message == b.message);
    (search, errors)
}

fn to_span(s: SimpleSpan) -> Span {
    Span::new(s.start as u32, s.end as u32)
}

// ---------------------------------------------------------------------------------------
// Pre-pass

fn prepare<'a>(
    text: &'a str,
    tokens: &[Token],
    errors: &mut Vec<SyntaxError>,
) -> Vec<(Tok<'a>, SimpleSpan)> {
    // Kinds after dropping comments and turning lexical errors into usable tokens.
    let mut plain: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens {
        match t.kind {
            TokenKind::Comment => {}
            TokenKind::UnterminatedComment => {
                errors.push(SyntaxError::new(t.span, "unterminated comment: expected closing ```"));
            }
            TokenKind::UnterminatedString => {
                errors.push(SyntaxError::new(t.span, "unterminated string: expected closing `\"`"));
                plain.push(Token { kind: TokenKind::String, span: t.span });
            }
            TokenKind::UnterminatedMacro => {
                errors.push(SyntaxError::new(
                    t.span,
                    "unterminated macro: expected closing backtick",
                ));
                plain.push(Token { kind: TokenKind::Macro, span: t.span });
            }
            _ => plain.push(*t),
        }
    }

    // Balance brackets and parentheses; cut off deep nesting.
    let mut out: Vec<Token> = Vec::with_capacity(plain.len());
    let mut synthetic: Vec<bool> = Vec::with_capacity(plain.len());
    let mut stack: Vec<(TokenKind, Span)> = Vec::new();
    let close_parens = |stack: &mut Vec<(TokenKind, Span)>,
                        out: &mut Vec<Token>,
                        synthetic: &mut Vec<bool>,
                        errors: &mut Vec<SyntaxError>,
                        at: u32| {
        while let Some(&(TokenKind::LParen, open)) = stack.last() {
            stack.pop();
            errors.push(SyntaxError::new(open, "unclosed `(`: expected `)`"));
            out.push(Token { kind: TokenKind::RParen, span: Span::empty(at) });
            synthetic.push(true);
        }
    };
    let mut i = 0;
    while i < plain.len() {
        let t = plain[i];
        match t.kind {
            TokenKind::LBracket | TokenKind::LParen => {
                let weight =
                    |k: TokenKind| if k == TokenKind::LBracket { SUBSEARCH_WEIGHT } else { 1 };
                let level: usize = stack.iter().map(|(k, _)| weight(*k)).sum();
                if level + weight(t.kind) > MAX_DEPTH {
                    // Skip to the matching closer (or the end) and stand one error token there.
                    let mut depth = 0usize;
                    let mut j = i;
                    let mut end = t.span.end;
                    while j < plain.len() {
                        match plain[j].kind {
                            TokenKind::LBracket | TokenKind::LParen => depth += 1,
                            TokenKind::RBracket | TokenKind::RParen => depth -= 1,
                            _ => {}
                        }
                        end = plain[j].span.end;
                        j += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    let span = Span::new(t.span.start, end);
                    errors.push(SyntaxError::new(
                        span,
                        format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
                    ));
                    out.push(Token { kind: TokenKind::TooDeep, span });
                    synthetic.push(false);
                    i = j;
                    continue;
                }
                stack.push((t.kind, t.span));
            }
            TokenKind::RParen => match stack.last() {
                Some((TokenKind::LParen, _)) => {
                    stack.pop();
                }
                _ => {
                    errors.push(SyntaxError::new(t.span, "unmatched `)`: no `(` to close"));
                    i += 1;
                    continue;
                }
            },
            TokenKind::RBracket => {
                if stack.iter().any(|(k, _)| *k == TokenKind::LBracket) {
                    close_parens(&mut stack, &mut out, &mut synthetic, errors, t.span.start);
                    stack.pop();
                } else {
                    errors.push(SyntaxError::new(t.span, "unmatched `]`: no `[` to close"));
                    i += 1;
                    continue;
                }
            }
            TokenKind::Pipe => {
                close_parens(&mut stack, &mut out, &mut synthetic, errors, t.span.start);
            }
            _ => {}
        }
        out.push(t);
        synthetic.push(false);
        i += 1;
    }
    let end = text.len() as u32;
    while let Some((kind, open)) = stack.pop() {
        let (closer, msg) = if kind == TokenKind::LParen {
            (TokenKind::RParen, "unclosed `(`: expected `)`")
        } else {
            (TokenKind::RBracket, "unclosed `[`: expected `]` to close the subsearch")
        };
        errors.push(SyntaxError::new(open, msg));
        out.push(Token { kind: closer, span: Span::empty(end) });
        synthetic.push(true);
    }

    let mut prev_end: Option<u32> = None;
    out.iter()
        .zip(synthetic)
        .map(|(t, synth)| {
            let glued = !synth && prev_end == Some(t.span.start) && !t.span.is_empty();
            if !synth {
                prev_end = Some(t.span.end);
            }
            let tok = Tok { kind: t.kind, text: t.span.text(text), glued };
            (tok, SimpleSpan::from(t.span.start as usize..t.span.end as usize))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Error messages

fn describe_tok(t: &Tok) -> String {
    if t.text.is_empty() {
        return match t.kind {
            TokenKind::RParen => "a missing `)`".into(),
            TokenKind::RBracket => "a missing `]`".into(),
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
    let found = err.found().map_or_else(|| "end of input".to_string(), describe_tok);
    if expected.iter().any(|e| e == "a command") {
        return if err.found().is_some_and(|t| t.kind == K::Pipe) {
            "empty pipe segment: expected a command between `|` and `|`".to_string()
        } else {
            format!("expected a command after `|`, found {found}")
        };
    }
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
// Token classes

use TokenKind as K;

fn is_op(k: TokenKind) -> bool {
    matches!(k, K::Eq | K::EqEq | K::Ne | K::Lt | K::Le | K::Gt | K::Ge)
}

/// Pieces of a search term or value (glued together when they touch).
fn is_piece(k: TokenKind) -> bool {
    matches!(
        k,
        K::Word
            | K::Star
            | K::Dot
            | K::Minus
            | K::Plus
            | K::Slash
            | K::Percent
            | K::Apostrophe
            | K::QuotedName
            | K::Bang
            | K::String
    )
}

fn compare_op(k: TokenKind) -> CompareOp {
    match k {
        K::EqEq => CompareOp::EqEq,
        K::Ne => CompareOp::Ne,
        K::Lt => CompareOp::Lt,
        K::Le => CompareOp::Le,
        K::Gt => CompareOp::Gt,
        K::Ge => CompareOp::Ge,
        _ => CompareOp::Eq,
    }
}

/// Removes the quotes of a double-quoted string and resolves `\"` and `\\`.
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

fn value_of(text: &str, span: Span, quoted: bool) -> Value {
    let raw = span.text(text);
    Value { text: if quoted { unquote(raw) } else { raw.to_string() }, span, quoted }
}

fn name_of(text: &str, span: Span, kind_quoted: Option<TokenKind>) -> Name {
    let raw = span.text(text);
    match kind_quoted {
        Some(K::String) => Name { text: unquote(raw), span, quoted: true },
        Some(K::QuotedName) => {
            let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
            Name { text: inner.to_string(), span, quoted: true }
        }
        _ => Name { text: raw.to_string(), span, quoted: false },
    }
}

fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && s.parse::<f64>().is_ok()
}

/// Splits the text of a macro token into name and arguments with spans.
pub(crate) fn macro_call(text: &str, span: Span) -> MacroCall {
    let raw = span.text(text);
    let body_start = span.start + 1;
    let body = raw.strip_prefix('`').unwrap_or(raw);
    let body = body.strip_suffix('`').unwrap_or(body);
    let (name_part, rest) = match body.find('(') {
        Some(i) => (&body[..i], Some((i, &body[i + 1..]))),
        None => (body, None),
    };
    let lead = name_part.len() - name_part.trim_start().len();
    let name = name_part.trim();
    let name_span = Span::new(body_start + lead as u32, body_start + (lead + name.len()) as u32);
    let mut args = Vec::new();
    if let Some((open, rest)) = rest {
        let base = body_start as usize + open + 1;
        let mut depth = 0i32;
        let mut in_quote = false;
        let mut escaped = false;
        let mut start = 0usize;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            if in_quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_quote = false;
                }
                continue;
            }
            match c {
                '"' => in_quote = true,
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = i;
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    push_arg(&mut args, rest, base, start, i);
                    start = i + 1;
                }
                _ => {}
            }
        }
        if start < end || !args.is_empty() {
            push_arg(&mut args, rest, base, start, end);
        }
    }
    MacroCall { name: name.to_string(), name_span, args, has_parens: rest.is_some(), span }
}

fn push_arg(args: &mut Vec<MacroArg>, rest: &str, base: usize, start: usize, end: usize) {
    let piece = &rest[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trimmed = piece.trim();
    let s = (base + start + lead) as u32;
    args.push(MacroArg { text: trimmed.to_string(), span: Span::new(s, s + trimmed.len() as u32) });
}

// ---------------------------------------------------------------------------------------
// Primitive parsers

fn tok<'a, R: GrammarError<'a>>(kind: TokenKind, label: &'static str) -> P<'a, R, SimpleSpan> {
    any().filter(move |t: &Tok| t.kind == kind).map_with(|_, e| e.span()).labelled(label).boxed()
}

/// A word equal to `word` ignoring case.
fn kw<'a, R: GrammarError<'a>>(word: &'static str, label: &'static str) -> P<'a, R, SimpleSpan> {
    any()
        .filter(move |t: &Tok| t.kind == K::Word && t.text.eq_ignore_ascii_case(word))
        .map_with(|_, e| e.span())
        .labelled(label)
        .boxed()
}

/// A word equal to `word` exactly (search-clause boolean operators are upper case).
fn kw_exact<'a, R: GrammarError<'a>>(
    word: &'static str,
    label: &'static str,
) -> P<'a, R, SimpleSpan> {
    any()
        .filter(move |t: &Tok| t.kind == K::Word && t.text == word)
        .map_with(|_, e| e.span())
        .labelled(label)
        .boxed()
}

/// A run of touching tokens: the first matching `first`, the rest matching `rest`.
/// Yields the span and the kind of the first token when the run is a single token.
fn run<'a, R: GrammarError<'a>>(
    first: fn(&Tok) -> bool,
    rest: fn(&Tok) -> bool,
) -> P<'a, R, (SimpleSpan, Option<TokenKind>)> {
    any()
        .filter(move |t: &Tok| first(t))
        .then(any().filter(move |t: &Tok| t.glued && rest(t)).repeated().count())
        .map_with(|(t, n), e| (e.span(), if n == 0 { Some(t.kind) } else { None }))
        .boxed()
}

const KEYWORDS: &[&str] = &["AND", "OR", "NOT"];

fn is_clause_keyword(t: &Tok) -> bool {
    t.kind == K::Word && KEYWORDS.contains(&t.text)
}

/// Commands with a structured parser (lower case).
const STRUCTURED: &[&str] = &[
    "search",
    "where",
    "eval",
    "stats",
    "eventstats",
    "streamstats",
    "timechart",
    "chart",
    "sistats",
    "sitimechart",
    "tstats",
    "mstats",
    "table",
    "fields",
    "rename",
    "rex",
    "regex",
    "bin",
    "bucket",
    "dedup",
    "sort",
    "head",
    "tail",
    "lookup",
    "inputlookup",
    "outputlookup",
    "join",
    "append",
    "appendpipe",
    "appendcols",
    "fillnull",
    "convert",
    "spath",
    "mvexpand",
    "makemv",
    "foreach",
    "transaction",
    "top",
    "rare",
    "return",
    "format",
];

fn is_structured(name: &str) -> bool {
    STRUCTURED.iter().any(|s| s.eq_ignore_ascii_case(name))
}

// ---------------------------------------------------------------------------------------
// The grammar

/// The pieces of the grammar. The text being parsed is parse state (read with [`src`]), so
/// the grammar borrows nothing and one build serves every text (see [`crate::reuse`]).
struct G<'a, R>(PhantomData<&'a str>, PhantomData<fn() -> R>);

impl<R> Clone for G<'_, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for G<'_, R> {}

impl<'a, R: GrammarError<'a>> G<'a, R> {
    /// A field name in a command argument list: quoted, or a run of word pieces with
    /// wildcards and dots.
    fn field(&self) -> P<'a, R, Name> {
        let first = any().filter(|t: &Tok| {
            matches!(t.kind, K::Word | K::Star | K::QuotedName | K::String | K::Dot)
                && !(t.kind == K::Word
                    && (t.text.eq_ignore_ascii_case("by") || t.text.eq_ignore_ascii_case("as")))
        });
        // A touching `(...)` stays part of the name (`aceFlags(inheritance)`).
        let paren = any()
            .filter(|t: &Tok| t.kind == K::LParen && t.glued)
            .then(
                any()
                    .filter(|t: &Tok| {
                        !matches!(
                            t.kind,
                            K::LParen | K::RParen | K::Pipe | K::LBracket | K::RBracket
                        )
                    })
                    .repeated(),
            )
            .then(tok(K::RParen, "`)`"))
            .ignored();
        let rest = choice((
            any()
                .filter(|t: &Tok| {
                    t.glued
                        && matches!(
                            t.kind,
                            K::Word
                                | K::Star
                                | K::Dot
                                | K::Minus
                                | K::Apostrophe
                                | K::Slash
                                | K::Percent
                        )
                })
                .ignored(),
            paren,
        ));
        first
            .then(rest.repeated().count())
            .map_with(move |(t, n), e| {
                name_of(src(e), to_span(e.span()), if n == 0 { Some(t.kind) } else { None })
            })
            .labelled("a field name")
            .boxed()
    }

    /// `key=value` where value is a string, a macro or a run of touching pieces (balanced
    /// parenthesised groups included, as in `startswith=eval(x>1)`).
    fn option(&self) -> P<'a, R, CommandOption> {
        let key = run(
            |t| t.kind == K::Word && !is_stats_keyword(t.text),
            |t| matches!(t.kind, K::Word | K::Dot | K::Minus),
        );
        key.then_ignore(tok(K::Eq, "`=`"))
            .then(self.option_value())
            .map_with(move |((ks, _), value), e| CommandOption {
                key: name_of(src(e), to_span(ks), None),
                value,
                span: to_span(e.span()),
            })
            .boxed()
    }

    fn option_value(&self) -> P<'a, R, Value> {
        let group = recursive(|group| {
            tok(K::LParen, "`(`")
                .ignore_then(
                    choice((
                        group.ignored(),
                        any()
                            .filter(|t: &Tok| {
                                !matches!(t.kind, K::LParen | K::RParen | K::Pipe | K::RBracket)
                            })
                            .ignored(),
                    ))
                    .repeated(),
                )
                .then_ignore(tok(K::RParen, "`)`"))
                .ignored()
                .boxed()
        });
        let piece = choice((
            group.clone(),
            any()
                .filter(|t: &Tok| {
                    is_piece(t.kind) || is_op(t.kind) || t.kind == K::Macro || t.kind == K::Comma
                })
                .ignored(),
        ));
        let first = choice((
            group,
            any()
                .filter(|t: &Tok| is_piece(t.kind) || t.kind == K::Macro || is_op(t.kind))
                .ignored(),
        ));
        first
            .then(piece.and_is(any().filter(|t: &Tok| t.glued).rewind()).repeated())
            .map_with(move |_, e| {
                let span = to_span(e.span());
                let raw = span.text(src(e));
                let quoted = raw.len() >= 2
                    && raw.starts_with('"')
                    && raw.ends_with('"')
                    && !raw[1..raw.len() - 1].contains('"');
                value_of(src(e), span, quoted)
            })
            .labelled("a value")
            .boxed()
    }

    fn macro_tok(&self) -> P<'a, R, MacroCall> {
        tok(K::Macro, "a macro").map_with(move |s, e| macro_call(src(e), to_span(s))).boxed()
    }

    fn string(&self) -> P<'a, R, Value> {
        tok(K::String, "a quoted string")
            .map_with(move |s, e| value_of(src(e), to_span(s), true))
            .boxed()
    }

    fn number(&self) -> P<'a, R, Value> {
        run(
            |t| t.kind == K::Word && t.text.bytes().all(|b| b.is_ascii_digit()),
            |t| {
                t.kind == K::Dot
                    || (t.kind == K::Word && t.text.bytes().all(|b| b.is_ascii_digit()))
            },
        )
        .map_with(move |(s, _), e| value_of(src(e), to_span(s), false))
        .labelled("a number")
        .boxed()
    }

    /// The search clause: OR binds tighter than AND (implicit or explicit), NOT tightest.
    fn clause(&self, pipeline: P<'a, R, Search>, stop_at_by: bool) -> P<'a, R, SearchExpr> {
        let g = G(PhantomData, PhantomData);
        recursive(move |clause| {
            let field_run = run(
                |t| {
                    matches!(
                        t.kind,
                        K::Word
                            | K::Star
                            | K::Dot
                            | K::QuotedName
                            | K::String
                            | K::Minus
                            | K::Apostrophe
                    )
                },
                |t| is_piece(t.kind) && t.kind != K::String,
            );
            let value_run = run(
                |t| is_piece(t.kind) || t.kind == K::Comma,
                |t| is_piece(t.kind) || is_op(t.kind) || t.kind == K::Comma,
            );
            let value = choice((
                value_run.map_with(move |(s, single), e| {
                    value_of(src(e), to_span(s), single == Some(K::String))
                }),
                tok(K::Macro, "a macro").map_with(move |s, e| value_of(src(e), to_span(s), false)),
            ))
            .labelled("a value")
            .boxed();
            let op = any()
                .filter(|t: &Tok| is_op(t.kind))
                .map_with(|t: Tok, e| (compare_op(t.kind), e.span()))
                .labelled("a comparison operator")
                .boxed();
            let keyword = any()
                .filter(move |t: &Tok| {
                    is_clause_keyword(t)
                        || (stop_at_by && t.kind == K::Word && t.text.eq_ignore_ascii_case("by"))
                })
                .then(any().filter(|t: &Tok| t.glued).not())
                .boxed();
            let comparison = field_run
                .clone()
                .then(op)
                .then(value)
                .map_with(move |(((fs, single), (op, ops)), value), e| {
                    SearchExpr::Compare(FieldComparison {
                        field: name_of(src(e), to_span(fs), single),
                        op,
                        op_span: to_span(ops),
                        value,
                        span: to_span(e.span()),
                    })
                })
                .boxed();
            let in_value = run(|t| is_piece(t.kind), |t| is_piece(t.kind) && t.kind != K::String)
                .map_with(move |(s, single), e| {
                    value_of(src(e), to_span(s), single == Some(K::String))
                })
                .labelled("a value");
            let in_list = field_run
                .clone()
                .then_ignore(kw("in", "`IN`"))
                .then(
                    in_value
                        .separated_by(tok(K::Comma, "`,`").or_not())
                        .allow_trailing()
                        .collect::<Vec<_>>()
                        .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`")),
                )
                .map_with(move |((fs, single), values), e| {
                    SearchExpr::In(InList {
                        field: name_of(src(e), to_span(fs), single),
                        values,
                        span: to_span(e.span()),
                    })
                })
                .boxed();
            let function = any()
                .filter(|t: &Tok| {
                    t.kind == K::Word
                        && (t.text.eq_ignore_ascii_case("TERM")
                            || t.text.eq_ignore_ascii_case("CASE"))
                })
                .map_with(|_, e| e.span())
                .then_ignore(tok(K::LParen, "`(`").and_is(any().filter(|t: &Tok| t.glued).rewind()))
                .then(
                    any()
                        .filter(|t: &Tok| {
                            !matches!(
                                t.kind,
                                K::RParen | K::LParen | K::Pipe | K::LBracket | K::RBracket
                            )
                        })
                        .repeated()
                        .at_least(1)
                        .map_with(|_, e| e.span()),
                )
                .then_ignore(tok(K::RParen, "`)`"))
                .map_with(move |(ns, arg), e| {
                    let arg_span = to_span(arg);
                    let raw = arg_span.text(src(e));
                    let quoted = raw.starts_with('"') && raw.ends_with('"') && raw.len() >= 2;
                    SearchExpr::Function {
                        name: name_of(src(e), to_span(ns), None),
                        arg: Term {
                            text: if quoted { unquote(raw) } else { raw.to_string() },
                            span: arg_span,
                            quoted,
                        },
                        span: to_span(e.span()),
                    }
                })
                .boxed();
            let term = run(
                |t| is_piece(t.kind) || t.kind == K::Comma,
                |t| is_piece(t.kind) || t.kind == K::Comma,
            )
            .map_with(move |(s, single), e| {
                let raw = &src(e)[s.start..s.end];
                let quoted = single == Some(K::String);
                SearchExpr::Term(Term {
                    text: if quoted { unquote(raw) } else { raw.to_string() },
                    span: to_span(s),
                    quoted,
                })
            })
            .boxed();
            let group = clause
                .clone()
                .or_not()
                .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`"))
                .map_with(|inner, e| {
                    let span = to_span(e.span());
                    SearchExpr::Group {
                        inner: Box::new(inner.unwrap_or(SearchExpr::Error(span))),
                        span,
                    }
                })
                .boxed();
            let subsearch =
                g.subsearch(pipeline.clone()).map(|s| SearchExpr::Subsearch(Box::new(s))).boxed();
            let too_deep = tok(K::TooDeep, "a search term").map(|s| SearchExpr::Error(to_span(s)));
            let atom = keyword
                .not()
                .ignore_then(choice((
                    group,
                    subsearch,
                    g.macro_tok().map(SearchExpr::Macro),
                    too_deep,
                    function,
                    in_list,
                    comparison,
                    term,
                )))
                .labelled("a search term")
                .boxed();
            let not = kw_exact("NOT", "`NOT`")
                .repeated()
                .collect::<Vec<_>>()
                .then(atom)
                .validate(|(nots, atom), e, emitter| {
                    if nots.len() > MAX_PREFIX {
                        emitter.emit(R::custom(
                            e.span(),
                            format!("more than {MAX_PREFIX} `NOT` in a row"),
                        ));
                    }
                    nots.iter().rev().take(MAX_PREFIX).fold(atom, |acc, ns| {
                        let span = to_span(*ns).cover(acc.span());
                        SearchExpr::Not { operand: Box::new(acc), span }
                    })
                })
                .boxed();
            let or = not
                .separated_by(kw_exact("OR", "`OR`"))
                .at_least(1)
                .collect::<Vec<_>>()
                .map_with(|mut v: Vec<SearchExpr>, e| {
                    if v.len() == 1 {
                        v.pop().unwrap_or(SearchExpr::Error(to_span(e.span())))
                    } else {
                        SearchExpr::Or { operands: v, span: to_span(e.span()) }
                    }
                })
                .boxed();
            or.separated_by(kw_exact("AND", "`AND`").or_not())
                .at_least(1)
                .collect::<Vec<_>>()
                .map_with(|mut v: Vec<SearchExpr>, e| {
                    if v.len() == 1 {
                        v.pop().unwrap_or(SearchExpr::Error(to_span(e.span())))
                    } else {
                        SearchExpr::And { operands: v, span: to_span(e.span()) }
                    }
                })
                .boxed()
        })
        .boxed()
    }

    fn subsearch(&self, pipeline: P<'a, R, Search>) -> P<'a, R, Subsearch> {
        pipeline
            .delimited_by(tok(K::LBracket, "`[`"), tok(K::RBracket, "`]`"))
            .map_with(|search, e| Subsearch { search, span: to_span(e.span()) })
            .labelled("a subsearch")
            .boxed()
    }

    /// Eval expressions with the usual precedence.
    fn expr(&self) -> P<'a, R, Expr> {
        recursive(move |expr| {
            let g = G(PhantomData, PhantomData);
            let field_run = any()
                .filter(|t: &Tok| t.kind == K::Word && !is_expr_keyword(t.text))
                .then(
                    any()
                        .filter(|t: &Tok| t.glued && t.kind == K::Dot)
                        .then(any().filter(|t: &Tok| t.glued && t.kind == K::Word))
                        .repeated(),
                )
                .map_with(|_, e| (e.span(), None::<TokenKind>));
            let args = expr
                .clone()
                .separated_by(tok(K::Comma, "`,`"))
                .collect::<Vec<_>>()
                .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`"))
                .boxed();
            let call_name = choice((
                any().filter(|t: &Tok| t.kind == K::Word && !is_expr_keyword(t.text)).ignored(),
                any()
                    .filter(|t: &Tok| {
                        t.kind == K::Word
                            && (t.text.eq_ignore_ascii_case("like")
                                || t.text.eq_ignore_ascii_case("in"))
                    })
                    .then(any().filter(|t: &Tok| t.kind == K::LParen).rewind())
                    .ignored(),
            ));
            // The name is read (and allocated) only once the arguments are there: most words
            // that could start a call are fields.
            let call = call_name
                .map_with(|_, e| e.span())
                .then(args.clone())
                .map_with(move |(name_span, args), e| Expr::Call {
                    name: name_of(src(e), to_span(name_span), None),
                    args,
                    span: to_span(e.span()),
                })
                .boxed();
            let word = field_run
                .map_with(move |(s, _), e| {
                    let v = value_of(src(e), to_span(s), false);
                    if is_number(&v.text) {
                        Expr::Number(v)
                    } else {
                        Expr::Field(Name { text: v.text, span: v.span, quoted: false })
                    }
                })
                .boxed();
            let leading_dot_number = tok(K::Dot, "`.`")
                .then(any().filter(|t: &Tok| {
                    t.glued && t.kind == K::Word && t.text.starts_with(|c: char| c.is_ascii_digit())
                }))
                .map_with(move |_, e| Expr::Number(value_of(src(e), to_span(e.span()), false)))
                .boxed();
            let atom = choice((
                call,
                word,
                leading_dot_number,
                g.string().map(Expr::String),
                tok(K::QuotedName, "a field name").map_with(move |s, e| {
                    Expr::Field(name_of(src(e), to_span(s), Some(K::QuotedName)))
                }),
                g.macro_tok().map(Expr::Macro),
                tok(K::TooDeep, "an expression").map(|s| Expr::Error(to_span(s))),
                expr.clone().delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`")).map_with(
                    |inner, e| Expr::Paren { inner: Box::new(inner), span: to_span(e.span()) },
                ),
            ))
            .labelled("an expression")
            .boxed();

            let prefix =
                |ops: P<'a, R, (UnaryOp, SimpleSpan)>, operand: P<'a, R, Expr>| -> P<'a, R, Expr> {
                    ops.repeated()
                        .collect::<Vec<_>>()
                        .then(operand)
                        .validate(|(ops, operand), e, emitter| {
                            if ops.len() > MAX_PREFIX {
                                emitter.emit(R::custom(
                                    e.span(),
                                    format!("more than {MAX_PREFIX} prefix operators in a row"),
                                ));
                            }
                            ops.iter().rev().take(MAX_PREFIX).fold(operand, |acc, (op, s)| {
                                let span = to_span(*s).cover(acc.span());
                                Expr::Unary {
                                    op: *op,
                                    op_span: to_span(*s),
                                    operand: Box::new(acc),
                                    span,
                                }
                            })
                        })
                        .boxed()
                };
            let sign = any()
                .filter(|t: &Tok| matches!(t.kind, K::Minus | K::Plus))
                .map_with(|t: Tok, e| {
                    (if t.kind == K::Minus { UnaryOp::Neg } else { UnaryOp::Plus }, e.span())
                })
                .boxed();
            let unary = prefix(sign, atom);

            let binary = |ops: P<'a, R, (BinaryOp, SimpleSpan)>,
                          operand: P<'a, R, Expr>,
                          operand_or_error: P<'a, R, Expr>|
             -> P<'a, R, Expr> {
                operand
                    .then(ops.then(operand_or_error).repeated().collect::<Vec<_>>())
                    .validate(|(first, rest), e, emitter| {
                        if rest.len() >= MAX_CHAIN {
                            emitter.emit(R::custom(
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
            };
            let op = |f: fn(&Tok) -> Option<BinaryOp>,
                      label: &'static str|
             -> P<'a, R, (BinaryOp, SimpleSpan)> {
                any()
                    .filter(move |t: &Tok| f(t).is_some())
                    .map_with(move |t: Tok, e| (f(&t).unwrap_or(BinaryOp::Or), e.span()))
                    .labelled(label)
                    .boxed()
            };
            let recovering = |p: P<'a, R, Expr>| -> P<'a, R, Expr> {
                p.recover_with(via_parser(empty().map_with(|_, e| Expr::Error(to_span(e.span())))))
                    .boxed()
            };
            let mul_ops = op(
                |t| match t.kind {
                    K::Star => Some(BinaryOp::Mul),
                    K::Slash => Some(BinaryOp::Div),
                    K::Percent => Some(BinaryOp::Mod),
                    _ => None,
                },
                "an operator",
            );
            let product = binary(mul_ops, unary.clone(), recovering(unary));
            let add_ops = op(
                |t| match t.kind {
                    K::Plus => Some(BinaryOp::Add),
                    K::Minus => Some(BinaryOp::Sub),
                    K::Dot => Some(BinaryOp::Concat),
                    _ => None,
                },
                "an operator",
            );
            let sum = binary(add_ops, product.clone(), recovering(product));
            let cmp_ops = op(
                |t| match t.kind {
                    K::Eq | K::EqEq => Some(BinaryOp::Eq),
                    K::Ne => Some(BinaryOp::Ne),
                    K::Lt => Some(BinaryOp::Lt),
                    K::Le => Some(BinaryOp::Le),
                    K::Gt => Some(BinaryOp::Gt),
                    K::Ge => Some(BinaryOp::Ge),
                    K::Word if t.text.eq_ignore_ascii_case("like") => Some(BinaryOp::Like),
                    _ => None,
                },
                "an operator",
            );
            let in_list = kw("in", "`IN`")
                .ignore_then(
                    expr.clone()
                        .separated_by(tok(K::Comma, "`,`"))
                        .allow_trailing()
                        .collect::<Vec<_>>()
                        .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`")),
                )
                .boxed();
            let comparison = binary(cmp_ops, sum.clone(), recovering(sum))
                .then(in_list.or_not())
                .map_with(|(lhs, list), e| match list {
                    Some(list) => Expr::In { lhs: Box::new(lhs), list, span: to_span(e.span()) },
                    None => lhs,
                })
                .boxed();
            let not_op = any()
                .filter(|t: &Tok| {
                    t.kind == K::Bang || (t.kind == K::Word && t.text.eq_ignore_ascii_case("not"))
                })
                .map_with(|_, e| (UnaryOp::Not, e.span()))
                .boxed();
            let not = prefix(not_op, comparison);
            let and_ops = op(
                |t| {
                    (t.kind == K::Word && t.text.eq_ignore_ascii_case("and"))
                        .then_some(BinaryOp::And)
                },
                "`AND`",
            );
            let and = binary(and_ops, not.clone(), recovering(not));
            let xor_ops = op(
                |t| {
                    (t.kind == K::Word && t.text.eq_ignore_ascii_case("xor"))
                        .then_some(BinaryOp::Xor)
                },
                "`XOR`",
            );
            let xor = binary(xor_ops, and.clone(), recovering(and));
            let or_ops = op(
                |t| {
                    (t.kind == K::Word && t.text.eq_ignore_ascii_case("or")).then_some(BinaryOp::Or)
                },
                "`OR`",
            );
            binary(or_ops, xor.clone(), recovering(xor)).labelled("an expression").boxed()
        })
        .boxed()
    }

    /// One aggregation: `count`, `dc(user) as users`, `count(eval(x="y"))`, `values(*)`.
    fn aggregation(&self, expr: P<'a, R, Expr>) -> P<'a, R, Aggregation> {
        let wild = run(
            |t| matches!(t.kind, K::Word | K::Star | K::QuotedName | K::String),
            |t| matches!(t.kind, K::Word | K::Star | K::Dot | K::Minus | K::Apostrophe),
        )
        .then_ignore(any().filter(|t: &Tok| matches!(t.kind, K::RParen | K::Comma)).rewind())
        .map_with(move |(s, single), e| Expr::Field(name_of(src(e), to_span(s), single)))
        .boxed();
        let arg = choice((wild, expr)).boxed();
        let args = arg
            .separated_by(tok(K::Comma, "`,`"))
            .collect::<Vec<_>>()
            .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`"))
            .boxed();
        let fname = run(
            |t| t.kind == K::Word && !is_stats_keyword(t.text),
            |t| matches!(t.kind, K::Word | K::Dot),
        )
        .map_with(move |(s, _), e| name_of(src(e), to_span(s), None))
        .labelled("an aggregation")
        .boxed();
        fname
            .then(args.or_not())
            .then(kw("as", "`as`").ignore_then(self.field()).or_not())
            .map_with(|((function, args), alias), e| Aggregation {
                function,
                args: args.unwrap_or_default(),
                alias,
                span: to_span(e.span()),
            })
            .boxed()
    }

    /// `by f1, f2 [span=..]`: options may follow or be mixed in.
    fn by_clause(&self) -> P<'a, R, (SimpleSpan, Vec<Either>)> {
        let item = choice((self.option().map(Either::Opt), self.field().map(Either::Field)));
        kw("by", "`by`")
            .then(
                item.separated_by(tok(K::Comma, "`,`").repeated())
                    .allow_trailing()
                    .at_least(1)
                    .collect::<Vec<_>>()
                    .labelled("a field name after `by`")
                    .recover_with(via_parser(empty().to(Vec::new()))),
            )
            .boxed()
    }
}

/// An item of a mixed list of options, macros and fields.
#[derive(Clone)]
enum Either {
    Opt(CommandOption),
    Macro(MacroCall),
    Field(Name),
    Agg(Aggregation),
}

fn is_expr_keyword(s: &str) -> bool {
    ["and", "or", "not", "xor", "like", "in"].iter().any(|k| s.eq_ignore_ascii_case(k))
}

fn is_stats_keyword(s: &str) -> bool {
    ["by", "as", "over", "from", "where"].iter().any(|k| s.eq_ignore_ascii_case(k))
}

fn split_items(
    items: Vec<Either>,
) -> (Vec<CommandOption>, Vec<MacroCall>, Vec<Name>, Vec<Aggregation>) {
    let (mut o, mut m, mut f, mut a) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for it in items {
        match it {
            Either::Opt(x) => o.push(x),
            Either::Macro(x) => m.push(x),
            Either::Field(x) => f.push(x),
            Either::Agg(x) => a.push(x),
        }
    }
    (o, m, f, a)
}

/// Folds a stats-like command's `by` clause and trailing items into its options and macros;
/// returns the `by` fields and the span of the `by` keyword.
fn fold_by_and_tail(
    by: Option<(SimpleSpan, Vec<Either>)>,
    tail: Vec<Either>,
    options: &mut Vec<CommandOption>,
    macros: &mut Vec<MacroCall>,
) -> (Vec<Name>, Option<Span>) {
    let (mut by_fields, mut by_span) = (Vec::new(), None);
    if let Some((keyword, list)) = by {
        by_span = Some(to_span(keyword));
        let (o, m, f, _) = split_items(list);
        options.extend(o);
        macros.extend(m);
        by_fields = f;
    }
    let (o, m, _, _) = split_items(tail);
    options.extend(o);
    macros.extend(m);
    (by_fields, by_span)
}

/// The whole search grammar (see [`commands`]).
fn grammar<'a, R: GrammarError<'a>>() -> P<'a, R, Search> {
    let g = G(PhantomData, PhantomData);
    recursive(move |pipeline| commands::search(commands::Parts::new(g, pipeline.boxed())))
        .then_ignore(end())
        .boxed()
}
