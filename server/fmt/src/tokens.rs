//! Token streams of both languages in one shape: what the layout needs to know of a token.

use qlint_grammar::{kql, spl};

/// What a token means to the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `|`: starts a pipeline stage.
    Pipe,
    /// `(`, `[` or `{`, with the closing character it expects.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// `,`.
    Comma,
    /// `;` (KQL): ends a statement.
    Semi,
    /// A comment that runs to the end of its line (KQL `//`): a line break must follow it.
    LineComment,
    /// A delimited comment (SPL ```` ``` ````).
    BlockComment,
    /// A logical operator between conditions: KQL `and`/`or`, SPL `AND`/`OR`.
    Logical,
    /// The `by` of a grouping clause.
    By,
    /// Anything else.
    Other,
}

/// One token with what the original text had before it.
#[derive(Debug, Clone, Copy)]
pub struct Tok {
    /// Byte offsets in the text.
    pub start: usize,
    /// End offset.
    pub end: usize,
    /// What it is to the layout.
    pub class: Class,
    /// No whitespace between the previous token and this one.
    pub touches: bool,
    /// Line breaks between the previous token and this one (0, 1, or 2 for "a blank line").
    pub breaks: u8,
}

fn gap_facts(text: &str, previous_end: Option<usize>, start: usize) -> (bool, u8) {
    let Some(previous_end) = previous_end else { return (false, 0) };
    let gap = &text[previous_end..start];
    let breaks = gap.bytes().filter(|&b| b == b'\n').count().min(2) as u8;
    (gap.is_empty(), breaks)
}

fn collect(text: &str, spans: impl Iterator<Item = (usize, usize, Class)>) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut previous_end = None;
    let mut after_pipe = false;
    for (start, end, class) in spans {
        let (touches, breaks) = gap_facts(text, previous_end, start);
        // `|` is a delimiter in both languages: `|table` is written `| table`.
        let touches = touches && !after_pipe;
        out.push(Tok { start, end, class, touches, breaks });
        previous_end = Some(end);
        after_pipe = class == Class::Pipe;
    }
    out
}

/// The KQL tokens of `text`, comments included.
pub fn kql(text: &str) -> Vec<Tok> {
    use kql::lexer::TokenKind as K;
    let spans = kql::lex(text).into_iter().map(|token| {
        let (start, end) = (token.span.start as usize, token.span.end as usize);
        let class = match token.kind {
            K::Pipe => Class::Pipe,
            K::LParen => Class::Open(b')'),
            K::LBracket => Class::Open(b']'),
            K::LBrace => Class::Open(b'}'),
            K::RParen => Class::Close(b')'),
            K::RBracket => Class::Close(b']'),
            K::RBrace => Class::Close(b'}'),
            K::Comma => Class::Comma,
            K::Semi => Class::Semi,
            K::Comment => Class::LineComment,
            K::Ident if matches!(&text[start..end], "and" | "or") => Class::Logical,
            K::Ident if &text[start..end] == "by" => Class::By,
            _ => Class::Other,
        };
        (start, end, class)
    });
    collect(text, spans)
}

/// The SPL tokens of `text`, comments included.
pub fn spl(text: &str) -> Vec<Tok> {
    use spl::lexer::TokenKind as K;
    let spans = spl::lex(text).into_iter().map(|token| {
        let (start, end) = (token.span.start as usize, token.span.end as usize);
        let class = match token.kind {
            K::Pipe => Class::Pipe,
            K::LParen => Class::Open(b')'),
            K::LBracket => Class::Open(b']'),
            K::RParen => Class::Close(b')'),
            K::RBracket => Class::Close(b']'),
            K::Comma => Class::Comma,
            K::Comment => Class::BlockComment,
            K::Word if matches!(&text[start..end], "AND" | "OR") => Class::Logical,
            K::Word if text[start..end].eq_ignore_ascii_case("by") => Class::By,
            _ => Class::Other,
        };
        (start, end, class)
    });
    collect(text, spans)
}
