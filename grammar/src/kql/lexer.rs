//! The KQL lexer (logos). Keywords are lexed as identifiers: KQL keywords are contextual
//! (a column may be called `where`), so the parser decides what a word means.

use crate::Span;
use logos::Logos;

/// The kind of a KQL token.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[logos(skip r"[\s\u{FEFF}\u{200B}]+")]
pub enum TokenKind {
    /// `// ...` up to the end of the line.
    #[regex(r"//[^\r\n]*", allow_greedy = true)]
    Comment,
    /// An identifier or keyword (`where`, `project-away`, `$left`, `in~`).
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    #[regex(r"\$[A-Za-z_][A-Za-z0-9_]*")]
    #[regex(r"[0-9]+[A-Za-z_][A-Za-z0-9_]*", priority = 1)]
    #[regex(r"(project|mv|parse|make|top|sample|graph)-[a-z]+")]
    #[token("in~")]
    Ident,
    /// A negated word operator: `!has`, `!contains_cs`, `!in~`, `!between`.
    #[regex(r"![A-Za-z_][A-Za-z0-9_]*~?")]
    BangWord,
    /// An integer: `42`, `0x1F`.
    #[regex(r"[0-9]+")]
    #[regex(r"0[xX][0-9a-fA-F]+", priority = 10)]
    Int,
    /// A real: `1.5`, `1e3`, `2.5e-3`, `.5`.
    #[regex(r"[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?")]
    #[regex(r"[0-9]+[eE][+-]?[0-9]+", priority = 10)]
    Real,
    /// A timespan literal: `1d`, `30m`, `1.5h`, `100ms`, `10sec`, `2ticks`.
    #[regex(
        r"[0-9]+(\.[0-9]+)?(d|h|m|s|ms|min|sec|tick|ticks|day|days|hr|hrs|hour|hours|minute|minutes|second|seconds|millisecond|milliseconds|microsecond|microseconds|nanosecond|nanoseconds)",
        priority = 10
    )]
    Timespan,
    /// A quoted string: `"..."`, `'...'`, `@"..."`, `h"..."`.
    #[regex(r#""([^"\\\r\n]|\\[^\r\n])*""#)]
    #[regex(r#"'([^'\\\r\n]|\\[^\r\n])*'"#)]
    #[regex(r#"[hH]?@"([^"]|"")*""#)]
    #[regex(r#"[hH]?@'([^']|'')*'"#)]
    #[regex(r#"[hH]"([^"\\\r\n]|\\[^\r\n])*""#)]
    #[regex(r#"[hH]'([^'\\\r\n]|\\[^\r\n])*'"#)]
    String,
    /// A multi-line string between triple backticks.
    #[token("```", lex_multiline)]
    MultilineString,
    /// A string without its closing quote (up to the end of the line).
    #[regex(r#""([^"\\\r\n]|\\[^\r\n])*\\?"#)]
    #[regex(r#"'([^'\\\r\n]|\\[^\r\n])*\\?"#)]
    UnterminatedString,
    /// `|`.
    #[token("|")]
    Pipe,
    /// `;`.
    #[token(";")]
    Semi,
    /// `,`.
    #[token(",")]
    Comma,
    /// `(`.
    #[token("(")]
    LParen,
    /// `)`.
    #[token(")")]
    RParen,
    /// `[`.
    #[token("[")]
    LBracket,
    /// `]`.
    #[token("]")]
    RBracket,
    /// `{`.
    #[token("{")]
    LBrace,
    /// `}`.
    #[token("}")]
    RBrace,
    /// `.`.
    #[token(".")]
    Dot,
    /// `..`.
    #[token("..")]
    DotDot,
    /// `=`.
    #[token("=")]
    Assign,
    /// `==`.
    #[token("==")]
    EqEq,
    /// `!=`.
    #[token("!=")]
    NotEq,
    /// `<>`.
    #[token("<>")]
    LtGt,
    /// `<`.
    #[token("<")]
    Lt,
    /// `<=`.
    #[token("<=")]
    Le,
    /// `>`.
    #[token(">")]
    Gt,
    /// `>=`.
    #[token(">=")]
    Ge,
    /// `=~`.
    #[token("=~")]
    EqTilde,
    /// `!~`.
    #[token("!~")]
    BangTilde,
    /// `=>`.
    #[token("=>")]
    FatArrow,
    /// `+`.
    #[token("+")]
    Plus,
    /// `-`.
    #[token("-")]
    Minus,
    /// `*`.
    #[token("*")]
    Star,
    /// `/`.
    #[token("/")]
    Slash,
    /// `%`.
    #[token("%")]
    Percent,
    /// `:`.
    #[token(":")]
    Colon,
    /// `?`.
    #[token("?")]
    Question,
    /// `!` on its own.
    #[token("!")]
    Bang,
    /// Any character that starts no KQL token.
    Error,
}

fn lex_multiline(lex: &mut logos::Lexer<TokenKind>) -> bool {
    match lex.remainder().find("```") {
        Some(i) => {
            lex.bump(i + 3);
            true
        }
        None => {
            lex.bump(lex.remainder().len());
            false
        }
    }
}

/// A token: its kind and byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What kind of token.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

impl TokenKind {
    /// True for tokens that carry no syntax (comments).
    pub fn is_trivia(self) -> bool {
        self == TokenKind::Comment
    }
}

/// Splits `text` into tokens, comments included, whitespace left out. Never fails:
/// characters that start no token become [`TokenKind::Error`] tokens.
pub fn lex(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 4);
    out.extend(tokens(text));
    out
}

/// The tokens of [`lex`] one at a time, for callers that keep only some of them.
pub fn tokens(text: &str) -> impl Iterator<Item = Token> + '_ {
    let mut lexer = TokenKind::lexer(text);
    std::iter::from_fn(move || {
        let result = lexer.next()?;
        let range = lexer.span();
        let kind = match result {
            Ok(kind) => kind,
            Err(()) if text[range.clone()].starts_with("```") => TokenKind::UnterminatedString,
            Err(()) => TokenKind::Error,
        };
        Some(Token { kind, span: Span::from(range) })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text).into_iter().map(|t| (t.kind, t.span.text(text))).collect()
    }

    #[test]
    fn words_numbers_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds("T | where a !has_cs 'x' and b in~ (1, 2.5, 3d, 0x1F) | project-away c"),
            vec![
                (Ident, "T"),
                (Pipe, "|"),
                (Ident, "where"),
                (Ident, "a"),
                (BangWord, "!has_cs"),
                (String, "'x'"),
                (Ident, "and"),
                (Ident, "b"),
                (Ident, "in~"),
                (LParen, "("),
                (Int, "1"),
                (Comma, ","),
                (Real, "2.5"),
                (Comma, ","),
                (Timespan, "3d"),
                (Comma, ","),
                (Int, "0x1F"),
                (RParen, ")"),
                (Pipe, "|"),
                (Ident, "project-away"),
                (Ident, "c"),
            ]
        );
    }

    #[test]
    fn strings_and_comments() {
        use TokenKind::*;
        let text = "// top\r\nx = @\"C:\\dir\"\"x\" // tail\r\n| h'secret' ```a\nb``` \"un";
        assert_eq!(
            kinds(text),
            vec![
                (Comment, "// top"),
                (Ident, "x"),
                (Assign, "="),
                (String, "@\"C:\\dir\"\"x\""),
                (Comment, "// tail"),
                (Pipe, "|"),
                (String, "h'secret'"),
                (MultilineString, "```a\nb```"),
                (UnterminatedString, "\"un"),
            ]
        );
    }

    #[test]
    fn timespans_and_ranges() {
        use TokenKind::*;
        assert_eq!(
            kinds("1.5h 100ms 1..10 $left.a"),
            vec![
                (Timespan, "1.5h"),
                (Timespan, "100ms"),
                (Int, "1"),
                (DotDot, ".."),
                (Int, "10"),
                (Ident, "$left"),
                (Dot, "."),
                (Ident, "a"),
            ]
        );
    }

    #[test]
    fn unterminated_multiline_and_stray_characters() {
        use TokenKind::*;
        assert_eq!(
            kinds("a # ```x"),
            vec![(Ident, "a"), (Error, "#"), (UnterminatedString, "```x")]
        );
    }
}
