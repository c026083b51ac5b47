//! The SPL lexer: context-free tokens with byte spans.
//!
//! SPL words are context dependent (`-` is part of `-24h@h` in a search clause and a minus
//! in `eval`), so the lexer emits small tokens and the parser glues tokens that touch
//! (no whitespace between them) into search terms. Comments are tokens too; the parser
//! drops them.

use logos::{Lexer, Logos};

use crate::Span;

/// The kind of an SPL token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A run of characters without SPL punctuation: names, numbers, `*\IPC$`-style pieces.
    Word,
    /// A double-quoted string (escapes `\"` and `\\` allowed).
    String,
    /// A single-quoted name on one line (`'field name'` in eval).
    QuotedName,
    /// A macro call between backticks.
    Macro,
    /// A ```` ```comment``` ````.
    Comment,
    /// `|`
    Pipe,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `=`
    Eq,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `!`
    Bang,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `.`
    Dot,
    /// A lone `'` (not a closed single-quoted name).
    Apostrophe,
    /// A string without its closing `"`.
    UnterminatedString,
    /// A macro without its closing backtick.
    UnterminatedMacro,
    /// A comment without its closing ```` ``` ````.
    UnterminatedComment,
    /// Text nested deeper than the parser allows (replaced by the parser's pre-pass).
    TooDeep,
}

impl TokenKind {
    /// True for tokens that report a lexical error.
    pub fn is_error(self) -> bool {
        matches!(
            self,
            TokenKind::UnterminatedString
                | TokenKind::UnterminatedMacro
                | TokenKind::UnterminatedComment
                | TokenKind::TooDeep
        )
    }
}

/// A token: its kind and byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f\u{a0}]+")]
enum Raw {
    #[regex(r#"([^ \t\r\n\f\u{a0}|\[\]()"`=!<>,+\-*/%.'\\]|\\"|\\)+"#)]
    #[regex(r"<<[A-Za-z_]+>>")]
    Word,
    #[token("\"", lex_string)]
    String(bool),
    #[regex(r"'[^'\n]*'")]
    QuotedName,
    #[token("`", lex_macro)]
    Macro(bool),
    #[token("```", lex_comment)]
    Comment(bool),
    #[token("|")]
    Pipe,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(",")]
    Comma,
    #[token("=")]
    Eq,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("!")]
    Bang,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token(".")]
    Dot,
    #[token("'")]
    Apostrophe,
}

/// Bumps past a double-quoted string; returns whether it was closed.
fn lex_string(lex: &mut Lexer<Raw>) -> bool {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 2,
            b'"' => {
                lex.bump(i + 1);
                return true;
            }
            _ => i += 1,
        }
    }
    lex.bump(rest.len());
    false
}

/// Bumps past a macro call; returns whether the closing backtick was found.
fn lex_macro(lex: &mut Lexer<Raw>) -> bool {
    let rest = lex.remainder();
    match rest.find('`') {
        Some(i) => {
            lex.bump(i + 1);
            true
        }
        None => {
            lex.bump(rest.len());
            false
        }
    }
}

/// Bumps past a triple-backtick comment; returns whether it was closed.
fn lex_comment(lex: &mut Lexer<Raw>) -> bool {
    let rest = lex.remainder();
    match rest.find("```") {
        Some(i) => {
            lex.bump(i + 3);
            true
        }
        None => {
            lex.bump(rest.len());
            false
        }
    }
}

/// Splits `text` into tokens, comments included, whitespace skipped.
pub fn lex(text: &str) -> Vec<Token> {
    let mut lexer = Raw::lexer(text);
    // About one token per four bytes in real searches: one allocation, no regrowth.
    let mut tokens = Vec::with_capacity(text.len() / 4 + 1);
    while let Some(raw) = lexer.next() {
        let span = Span::from(lexer.span());
        let kind = match raw {
            Ok(Raw::Word) => TokenKind::Word,
            Ok(Raw::String(true)) => TokenKind::String,
            Ok(Raw::String(false)) => TokenKind::UnterminatedString,
            Ok(Raw::QuotedName) => TokenKind::QuotedName,
            Ok(Raw::Macro(true)) => TokenKind::Macro,
            Ok(Raw::Macro(false)) => TokenKind::UnterminatedMacro,
            Ok(Raw::Comment(true)) => TokenKind::Comment,
            Ok(Raw::Comment(false)) => TokenKind::UnterminatedComment,
            Ok(Raw::Pipe) => TokenKind::Pipe,
            Ok(Raw::LBracket) => TokenKind::LBracket,
            Ok(Raw::RBracket) => TokenKind::RBracket,
            Ok(Raw::LParen) => TokenKind::LParen,
            Ok(Raw::RParen) => TokenKind::RParen,
            Ok(Raw::Comma) => TokenKind::Comma,
            Ok(Raw::Eq) => TokenKind::Eq,
            Ok(Raw::EqEq) => TokenKind::EqEq,
            Ok(Raw::Ne) => TokenKind::Ne,
            Ok(Raw::Lt) => TokenKind::Lt,
            Ok(Raw::Le) => TokenKind::Le,
            Ok(Raw::Gt) => TokenKind::Gt,
            Ok(Raw::Ge) => TokenKind::Ge,
            Ok(Raw::Bang) => TokenKind::Bang,
            Ok(Raw::Plus) => TokenKind::Plus,
            Ok(Raw::Minus) => TokenKind::Minus,
            Ok(Raw::Star) => TokenKind::Star,
            Ok(Raw::Slash) => TokenKind::Slash,
            Ok(Raw::Percent) => TokenKind::Percent,
            Ok(Raw::Dot) => TokenKind::Dot,
            Ok(Raw::Apostrophe) | Err(()) => TokenKind::Apostrophe,
        };
        tokens.push(Token { kind, span });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text).into_iter().map(|t| (t.kind, t.span.text(text))).collect()
    }

    #[test]
    fn words_keep_wildcards_backslashes_dollars_and_colons() {
        use TokenKind::*;
        assert_eq!(
            kinds(r"path=C:\Windows\*\IPC$ user=$u$"),
            vec![
                (Word, "path"),
                (Eq, "="),
                (Word, r"C:\Windows\"),
                (Star, "*"),
                (Word, r"\IPC$"),
                (Word, "user"),
                (Eq, "="),
                (Word, "$u$")
            ]
        );
    }

    #[test]
    fn comment_wins_over_macro() {
        use TokenKind::*;
        assert_eq!(
            kinds("```a `m` b``` `m(1, \"x\")`"),
            vec![(Comment, "```a `m` b```"), (Macro, "`m(1, \"x\")`")]
        );
    }

    #[test]
    fn strings_with_escapes_and_unterminated() {
        use TokenKind::*;
        assert_eq!(kinds(r#""a \"b\" \\" x"#), vec![(String, r#""a \"b\" \\""#), (Word, "x")]);
        assert_eq!(kinds(r#"x="abc"#), vec![(Word, "x"), (Eq, "="), (UnterminatedString, "\"abc")]);
        assert_eq!(kinds("`m"), vec![(UnterminatedMacro, "`m")]);
        assert_eq!(kinds("```c"), vec![(UnterminatedComment, "```c")]);
    }

    #[test]
    fn operators_and_quoted_names() {
        use TokenKind::*;
        assert_eq!(
            kinds("'a b'>=1 x!=y a==b <<FIELD>>"),
            vec![
                (QuotedName, "'a b'"),
                (Ge, ">="),
                (Word, "1"),
                (Word, "x"),
                (Ne, "!="),
                (Word, "y"),
                (Word, "a"),
                (EqEq, "=="),
                (Word, "b"),
                (Word, "<<FIELD>>")
            ]
        );
    }
}
