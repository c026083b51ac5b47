//! The YARA-L lexer: tokens with byte spans.
//!
//! One context is tracked: a `/` opens a regex literal (`$e.x = /^a.*/`) only where an
//! operand may start (after `=`, `(`, `,`, `and`, ...); elsewhere it is a division.
//! Comments are tokens too; the parser drops them.

use logos::{Lexer, Logos};

use crate::Span;

/// The kind of a YARA-L token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A name: `rule`, `meta`, `re`, `regex`, `and`, `nocase`, `true`, a meta key.
    Ident,
    /// An event, placeholder, match or outcome variable: `$e`, `$host`.
    Variable,
    /// An event count in a condition: `#e`.
    Count,
    /// A reference list: `%suspicious_domains`.
    RefList,
    /// An integer or decimal number.
    Number,
    /// A number with a time unit: `5m`, `24h`, `1d`, `30s`.
    Duration,
    /// A double-quoted string (escapes with `\`).
    String,
    /// A back-quoted raw string (regex patterns).
    RawString,
    /// A regex literal between slashes.
    Regex,
    /// A `//` or `/* */` comment.
    Comment,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `.`
    Dot,
    /// `=`
    Eq,
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
    /// `/` (division)
    Slash,
    /// A character YARA-L has no use for.
    Unknown,
    /// A string without its closing `"`.
    UnterminatedString,
    /// A raw string without its closing backtick.
    UnterminatedRawString,
    /// A regex literal without its closing `/` on the same line.
    UnterminatedRegex,
    /// A `/*` comment without its `*/`.
    UnterminatedComment,
    /// Text nested deeper than the parser allows (made by the parser's pre-pass).
    TooDeep,
}

impl TokenKind {
    /// True for tokens that report a lexical error.
    pub fn is_error(self) -> bool {
        matches!(
            self,
            TokenKind::Unknown
                | TokenKind::UnterminatedString
                | TokenKind::UnterminatedRawString
                | TokenKind::UnterminatedRegex
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

/// What a `/` turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlashKind {
    Divide,
    Regex,
    UnterminatedRegex,
}

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f\u{a0}\u{feff}]+")]
#[logos(extras = bool)]
enum Raw {
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    #[regex(r"\$[A-Za-z0-9_]+")]
    Variable,
    #[regex(r"#[A-Za-z0-9_]+")]
    Count,
    #[regex(r"%[A-Za-z0-9_]+")]
    RefList,
    #[regex(r"[0-9]+(\.[0-9]+)?")]
    Number,
    #[regex(r"[0-9]+[smhd]")]
    Duration,
    #[token("\"", lex_string)]
    String(bool),
    #[token("`", lex_raw_string)]
    Backtick(bool),
    #[regex(r"//[^\n]*", allow_greedy = true)]
    LineComment,
    #[token("/*", lex_block_comment)]
    BlockComment(bool),
    #[token("/", lex_slash)]
    Slash(SlashKind),
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("=")]
    Eq,
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
}

/// Bumps past a double-quoted string; returns whether it was closed. Strings may span
/// lines (Google's rules hold some); an unclosed one stops at the end of its first line so
/// that the rest of the file is still parsed.
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
    lex.bump(line_end(lex.remainder()));
    false
}

/// Bumps past a back-quoted string (no escapes); returns whether it was closed. Like
/// [`lex_string`], an unclosed one stops at the end of its line.
fn lex_raw_string(lex: &mut Lexer<Raw>) -> bool {
    let rest = lex.remainder();
    match rest.find('`') {
        Some(i) => {
            lex.bump(i + 1);
            true
        }
        None => {
            lex.bump(line_end(rest));
            false
        }
    }
}

fn line_end(rest: &str) -> usize {
    rest.find('\n').unwrap_or(rest.len())
}

/// Bumps past a block comment; returns whether it was closed.
fn lex_block_comment(lex: &mut Lexer<Raw>) -> bool {
    let rest = lex.remainder();
    match rest.find("*/") {
        Some(i) => {
            lex.bump(i + 2);
            true
        }
        None => {
            lex.bump(rest.len());
            false
        }
    }
}

/// A `/` where an operand may start opens a regex that ends at the next unescaped `/` on
/// the same line; anywhere else it divides.
fn lex_slash(lex: &mut Lexer<Raw>) -> SlashKind {
    if !lex.extras {
        return SlashKind::Divide;
    }
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' if rest.get(i + 1).is_some_and(|&b| b != b'\n') => i += 2,
            b'/' => {
                lex.bump(i + 1);
                return SlashKind::Regex;
            }
            b'\n' => break,
            _ => i += 1,
        }
    }
    lex.bump(i);
    SlashKind::UnterminatedRegex
}

/// Words after which an operand (and so a regex literal) may follow.
const OPERAND_BEFORE: &[&str] = &["and", "or", "not", "in", "regex", "any", "all"];

/// Whether a `/` after a token of `kind` with text `text` starts a regex literal.
fn operand_may_follow(kind: TokenKind, text: &str) -> bool {
    use TokenKind as K;
    match kind {
        K::Ident => OPERAND_BEFORE.iter().any(|w| w.eq_ignore_ascii_case(text)),
        K::Eq | K::Ne | K::Lt | K::Le | K::Gt | K::Ge | K::LParen | K::Comma | K::Colon => true,
        K::LBracket | K::LBrace | K::Bang => true,
        _ => false,
    }
}

fn kind_of(raw: Result<Raw, ()>) -> TokenKind {
    use TokenKind as K;
    match raw {
        Ok(Raw::Ident) => K::Ident,
        Ok(Raw::Variable) => K::Variable,
        Ok(Raw::Count) => K::Count,
        Ok(Raw::RefList) => K::RefList,
        Ok(Raw::Number) => K::Number,
        Ok(Raw::Duration) => K::Duration,
        Ok(Raw::String(true)) => K::String,
        Ok(Raw::String(false)) => K::UnterminatedString,
        Ok(Raw::Backtick(true)) => K::RawString,
        Ok(Raw::Backtick(false)) => K::UnterminatedRawString,
        Ok(Raw::LineComment) | Ok(Raw::BlockComment(true)) => K::Comment,
        Ok(Raw::BlockComment(false)) => K::UnterminatedComment,
        Ok(Raw::Slash(SlashKind::Divide)) => K::Slash,
        Ok(Raw::Slash(SlashKind::Regex)) => K::Regex,
        Ok(Raw::Slash(SlashKind::UnterminatedRegex)) => K::UnterminatedRegex,
        Ok(Raw::LBrace) => K::LBrace,
        Ok(Raw::RBrace) => K::RBrace,
        Ok(Raw::LParen) => K::LParen,
        Ok(Raw::RParen) => K::RParen,
        Ok(Raw::LBracket) => K::LBracket,
        Ok(Raw::RBracket) => K::RBracket,
        Ok(Raw::Comma) => K::Comma,
        Ok(Raw::Colon) => K::Colon,
        Ok(Raw::Dot) => K::Dot,
        Ok(Raw::Eq) => K::Eq,
        Ok(Raw::Ne) => K::Ne,
        Ok(Raw::Lt) => K::Lt,
        Ok(Raw::Le) => K::Le,
        Ok(Raw::Gt) => K::Gt,
        Ok(Raw::Ge) => K::Ge,
        Ok(Raw::Bang) => K::Bang,
        Ok(Raw::Plus) => K::Plus,
        Ok(Raw::Minus) => K::Minus,
        Ok(Raw::Star) => K::Star,
        Err(()) => K::Unknown,
    }
}

/// Splits `text` into tokens, comments included, whitespace skipped.
pub fn lex(text: &str) -> Vec<Token> {
    let mut lexer = Raw::lexer(text);
    lexer.extras = true;
    let mut tokens = Vec::new();
    while let Some(raw) = lexer.next() {
        let span = Span::from(lexer.span());
        let kind = kind_of(raw);
        if kind != TokenKind::Comment {
            lexer.extras = operand_may_follow(kind, lexer.slice());
        }
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
    fn sigils_paths_and_durations() {
        use TokenKind::*;
        assert_eq!(
            kinds("$e.principal.ip #e %list 5m 1.5"),
            vec![
                (Variable, "$e"),
                (Dot, "."),
                (Ident, "principal"),
                (Dot, "."),
                (Ident, "ip"),
                (Count, "#e"),
                (RefList, "%list"),
                (Duration, "5m"),
                (Number, "1.5")
            ]
        );
    }

    #[test]
    fn slash_is_a_regex_after_an_operator_and_a_division_after_an_operand() {
        use TokenKind::*;
        assert_eq!(
            kinds(r"$x = /a\/b/ nocase $y / 2 // note"),
            vec![
                (Variable, "$x"),
                (Eq, "="),
                (Regex, r"/a\/b/"),
                (Ident, "nocase"),
                (Variable, "$y"),
                (Slash, "/"),
                (Number, "2"),
                (Comment, "// note")
            ]
        );
    }

    #[test]
    fn unterminated_literals_are_single_error_tokens() {
        use TokenKind::*;
        assert_eq!(kinds("\"abc"), vec![(UnterminatedString, "\"abc")]);
        assert_eq!(kinds("`abc"), vec![(UnterminatedRawString, "`abc")]);
        assert_eq!(kinds("= /abc\nx"), vec![(Eq, "="), (UnterminatedRegex, "/abc"), (Ident, "x")]);
        assert_eq!(kinds("/* a"), vec![(UnterminatedComment, "/* a")]);
        assert_eq!(kinds("@"), vec![(Unknown, "@")]);
    }
}
