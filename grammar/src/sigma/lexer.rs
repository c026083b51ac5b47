//! The lexer (logos) for Sigma `condition` strings. Keywords (`and`, `of`, `them`, ...) are
//! lexed as words: the parser decides what a word means, so a selection may be called `filter`
//! or `all_cmd` and an upper-case `AND` can be reported as such instead of as a stray name.

use crate::Span;
use logos::Logos;

/// The kind of a condition token.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[logos(skip r"[\s\u{FEFF}\u{200B}]+")]
pub enum TokenKind {
    /// A run of characters that are not blanks, brackets, `|`, `,` or a comparison: a search
    /// identifier (`selection_img`), a pattern (`sel*`), a keyword (`and`, `1`, `them`) or,
    /// after `|`, a word of the deprecated aggregation.
    #[regex(r"[^\s\u{FEFF}\u{200B}()|<>=!,]+")]
    Word,
    /// `(`.
    #[token("(")]
    LParen,
    /// `)`.
    #[token(")")]
    RParen,
    /// `|`: starts the deprecated aggregation part.
    #[token("|")]
    Pipe,
    /// `,`.
    #[token(",")]
    Comma,
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
    /// `=` or `==`.
    #[token("=")]
    #[token("==")]
    Eq,
    /// `!=`.
    #[token("!=")]
    NotEq,
    /// Any character that starts no token (a lone `!`).
    Error,
}

/// A token: its kind and byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What kind of token.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// Splits a condition into tokens, blanks left out. Never fails: characters that start no
/// token become [`TokenKind::Error`] tokens.
pub fn lex(text: &str) -> Vec<Token> {
    let mut lexer = TokenKind::lexer(text);
    let mut out = Vec::new();
    while let Some(result) = lexer.next() {
        let kind = result.unwrap_or(TokenKind::Error);
        out.push(Token { kind, span: Span::from(lexer.span()) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text).into_iter().map(|t| (t.kind, t.span.text(text))).collect()
    }

    #[test]
    fn words_parentheses_and_patterns() {
        use TokenKind::*;
        assert_eq!(
            kinds("(1 of sel_*) and not filter-main"),
            vec![
                (LParen, "("),
                (Word, "1"),
                (Word, "of"),
                (Word, "sel_*"),
                (RParen, ")"),
                (Word, "and"),
                (Word, "not"),
                (Word, "filter-main"),
            ]
        );
    }

    #[test]
    fn aggregation_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("sel | count(User) by Host >= 10"),
            vec![
                (Word, "sel"),
                (Pipe, "|"),
                (Word, "count"),
                (LParen, "("),
                (Word, "User"),
                (RParen, ")"),
                (Word, "by"),
                (Word, "Host"),
                (Ge, ">="),
                (Word, "10"),
            ]
        );
    }

    #[test]
    fn lone_bang_is_an_error_token_and_unicode_words_stay_whole() {
        use TokenKind::*;
        assert_eq!(
            kinds("sél ! x!=y"),
            vec![(Word, "sél"), (Error, "!"), (Word, "x"), (NotEq, "!="), (Word, "y")]
        );
    }
}
