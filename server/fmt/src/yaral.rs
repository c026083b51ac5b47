//! The YARA-L layout.
//!
//! In a YARA-L rule a line break is part of the syntax: each line of `events:` is a statement
//! (joined to the others by an implicit `and`). So the layout keeps the author's lines and
//! changes only what cannot change the meaning:
//! - `rule name {` on one line, each section header on its own line, a blank line between
//!   sections, the closing `}` on its own line (section headers and braces are statement
//!   boundaries, so breaking around them splits no statement); a blank line after `{` or
//!   before `}` stays if the author wrote one;
//! - every line re-indented from the tokens alone: headers one level into the rule, their
//!   lines two levels, one more per open bracket, and (outside brackets) one more for a line
//!   that continues an `and`/`or` of the line before;
//! - the spaces between two tokens on a line become one (touching tokens keep touching, and
//!   a comma is followed by a space); runs of blank lines become one; trailing spaces go.
//!
//! Block comments keep their inner lines as written. The unit of indentation is two spaces,
//! the convention of Google's published rules.

use qlint_grammar::yaral::lexer::{Token, TokenKind as K};
use qlint_grammar::yaral::{self, ast::SectionKind};

const UNIT: &str = "  ";

/// Lays out a YARA-L text that parses (the caller checked); head and tail whitespace are the
/// caller's business.
pub fn render(text: &str) -> String {
    let toks = yaral::lex(text);
    let breaks = breaks(text, &toks);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut indent = Indenter::default();
    for (i, tok) in toks.iter().enumerate() {
        if i > 0 {
            if breaks[i] == 0 {
                let prev = toks[i - 1];
                if prev.span.end < tok.span.start || prev.kind == K::Comma {
                    out.push(' ');
                }
            } else {
                out.push_str(newline);
                if breaks[i] >= 2 {
                    out.push_str(newline);
                }
            }
        }
        if i == 0 || breaks[i] > 0 {
            let level = indent.level_of_line(text, &toks, i);
            for _ in 0..level {
                out.push_str(UNIT);
            }
        }
        let mut written = tok.span.text(text);
        // A `//` comment keeps the `\r` of a CRLF line; the line break written next has its own.
        if breaks.get(i + 1).is_some_and(|&b| b > 0) {
            written = written.strip_suffix('\r').unwrap_or(written);
        }
        out.push_str(written);
        indent.after(text, *tok);
    }
    out
}

/// Whether the token at `i` is a section header keyword (`events` in `events:`).
fn is_header(text: &str, toks: &[Token], i: usize) -> bool {
    toks[i].kind == K::Ident
        && toks.get(i + 1).is_some_and(|t| t.kind == K::Colon)
        && SectionKind::from_keyword(toks[i].span.text(text)).is_some()
}

/// Line breaks before each token: 0 (same line), 1, or 2 (a blank line before it).
fn breaks(text: &str, toks: &[Token]) -> Vec<u8> {
    let mut out = Vec::with_capacity(toks.len());
    let mut depth = 0usize;
    // Index of the last token that ends a header (its colon) or opens a rule (`{`).
    let mut opener: Option<usize> = None;
    for (i, tok) in toks.iter().enumerate() {
        if i == 0 {
            out.push(0);
            if tok.kind == K::LBrace {
                depth += 1;
            }
            continue;
        }
        let prev = toks[i - 1];
        let gap = &text[prev.span.end as usize..tok.span.start as usize];
        let original = gap.bytes().filter(|&b| b == b'\n').count().min(2) as u8;
        let comment = matches!(tok.kind, K::Comment | K::UnterminatedComment);
        let after_opener = opener.is_some_and(|o| (o + 1..i).all(|j| is_comment(toks[j])));
        let b = if tok.kind == K::LBrace && depth == 0 {
            // `rule name {` on one line.
            0
        } else if is_header(text, toks, i) && depth == 1 {
            // A blank line between sections; after `{` or a comment line, as written.
            if prev.kind == K::LBrace || (is_comment(prev) && original > 0) {
                original.max(1)
            } else {
                2
            }
        } else if tok.kind == K::RBrace && depth == 1 {
            original.max(1)
        } else if after_opener && !(comment && original == 0) {
            1
        } else if depth == 0 && tok.kind == K::Ident && tok.span.text(text) == "rule" {
            original.max(1)
        } else {
            original
        };
        out.push(b);
        match tok.kind {
            K::LBrace => {
                depth += 1;
                opener = Some(i);
            }
            K::RBrace => depth = depth.saturating_sub(1),
            K::Colon if i > 0 && is_header(text, toks, i - 1) && depth == 1 => opener = Some(i),
            _ if !comment => opener = None,
            _ => {}
        }
    }
    out
}

fn is_comment(tok: Token) -> bool {
    matches!(tok.kind, K::Comment | K::UnterminatedComment)
}

/// The running bracket state that decides a line's indentation.
#[derive(Default)]
struct Indenter {
    braces: usize,
    parens: usize,
    /// The last significant token was `and`/`or`/`not`: the next line continues it.
    open_logical: bool,
}

impl Indenter {
    fn after(&mut self, text: &str, tok: Token) {
        match tok.kind {
            K::LBrace => self.braces += 1,
            K::RBrace => self.braces = self.braces.saturating_sub(1),
            K::LParen | K::LBracket => self.parens += 1,
            K::RParen | K::RBracket => self.parens = self.parens.saturating_sub(1),
            _ => {}
        }
        if !is_comment(tok) {
            self.open_logical =
                tok.kind == K::Ident && matches!(tok.span.text(text), "and" | "or" | "not");
        }
    }

    /// The level of the line that starts with the token at `i`.
    fn level_of_line(&self, text: &str, toks: &[Token], i: usize) -> usize {
        let tok = toks[i];
        if self.braces == 0 || (tok.kind == K::RBrace && self.braces == 1 && self.parens == 0) {
            return 0;
        }
        if is_header(text, toks, i) && self.parens == 0 {
            return self.braces;
        }
        let closing = matches!(tok.kind, K::RParen | K::RBracket);
        let parens = self.parens - usize::from(closing && self.parens > 0);
        let leading_logical = tok.kind == K::Ident && matches!(tok.span.text(text), "and" | "or");
        // Inside brackets the bracket's level already shows the continuation.
        let continues = (self.open_logical || leading_logical) && !closing && parens == 0;
        self.braces + 1 + parens + usize::from(continues)
    }
}
