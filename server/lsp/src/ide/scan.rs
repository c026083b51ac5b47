//! A forgiving token scanner for cursor context.
//!
//! Editor features ask small questions of half-typed text — "what word is under the cursor?",
//! "is this right after a pipe?" — that must be answered even when nothing parses. This scanner
//! never fails: every byte lands in some token or in skipped whitespace, and unterminated
//! strings and comments run to a sensible end.

use qlint_grammar::Span;

use qlint_linter::Language;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A name or keyword (`where`, `mv-expand`, `DeviceEvents`; in SPL any bare word).
    Word,
    /// A number or timespan literal (`10`, `1d`, `0x1f`).
    Number,
    /// A string literal of any flavour.
    Str,
    /// A comment.
    Comment,
    /// An SPL macro call between backticks.
    Macro,
    /// `|`
    Pipe,
    /// `;`
    Semi,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `,`
    Comma,
    /// `=` (assignment, or SPL's `field=value`)
    Eq,
    /// `.`
    Dot,
    /// Any other operator or punctuation (`==`, `!~`, `<`, `:`, ...).
    Op,
}

/// One token with its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.span.start as usize..self.span.end as usize).unwrap_or("")
    }

    /// True for comments (which context questions skip).
    pub fn is_trivia(&self) -> bool {
        self.kind == TokenKind::Comment
    }
}

/// KQL operator names written with a hyphen; `mv` `-` `expand` is scanned as one word.
const HYPHEN_HEADS: &[&str] = &["mv", "project", "parse", "make", "top", "series", "make-series"];

/// Scans `text` in `language`.
pub fn scan(language: Language, text: &str) -> Vec<Token> {
    match language {
        Language::Kql => scan_kql(text),
        Language::Spl => scan_spl(text),
        Language::Yaral => super::yaral::scan(text),
        Language::Sigma => Vec::new(),
    }
}

fn span(start: usize, end: usize) -> Span {
    Span::new(start as u32, end as u32)
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// End of a quoted string starting at `start` (the quote); backslash escapes unless verbatim.
/// Strings stop at a line break so that one stray quote does not swallow the rest of the file.
fn string_end(bytes: &[u8], start: usize, verbatim: bool) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if !verbatim => i += 2,
            b'\n' => return i,
            c if c == quote => {
                if verbatim && bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn scan_kql(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = find_from(bytes, i, b"\n").unwrap_or(bytes.len());
                TokenKind::Comment
            }
            b'`' if bytes[i..].starts_with(b"```") => {
                i = find_from(bytes, i + 3, b"```").map_or(bytes.len(), |e| e + 3);
                TokenKind::Str
            }
            b'"' | b'\'' => {
                i = string_end(bytes, i, false);
                TokenKind::Str
            }
            b'@' if matches!(bytes.get(i + 1), Some(b'"' | b'\'')) => {
                i = string_end(bytes, i + 1, true);
                TokenKind::Str
            }
            b'h' | b'H' if matches!(bytes.get(i + 1), Some(b'"' | b'\'')) => {
                i = string_end(bytes, i + 1, false);
                TokenKind::Str
            }
            b'h' | b'H'
                if bytes.get(i + 1) == Some(&b'@')
                    && matches!(bytes.get(i + 2), Some(b'"' | b'\'')) =>
            {
                i = string_end(bytes, i + 2, true);
                TokenKind::Str
            }
            c if c.is_ascii_digit() => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                TokenKind::Number
            }
            c if is_word_start(c) => {
                while i < bytes.len() && is_word_char(bytes[i]) {
                    i += 1;
                }
                // `mv-expand`, `project-away`, `make-series`: one word.
                while bytes.get(i) == Some(&b'-')
                    && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic())
                    && HYPHEN_HEADS.contains(&&text[start..i])
                {
                    i += 1;
                    while i < bytes.len() && is_word_char(bytes[i]) {
                        i += 1;
                    }
                }
                TokenKind::Word
            }
            _ => {
                i += 1;
                single_punct(c, bytes, &mut i)
            }
        };
        // Never split a UTF-8 sequence (only possible for an unterminated construct).
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
        tokens.push(Token { kind, span: span(start, i.min(bytes.len())) });
    }
    tokens
}

/// The kind of a punctuation byte at `i - 1`, consuming a second byte for two-byte operators.
fn single_punct(c: u8, bytes: &[u8], i: &mut usize) -> TokenKind {
    let next = bytes.get(*i).copied();
    match c {
        b'|' => TokenKind::Pipe,
        b';' => TokenKind::Semi,
        b'(' => TokenKind::LParen,
        b')' => TokenKind::RParen,
        b'[' => TokenKind::LBracket,
        b']' => TokenKind::RBracket,
        b'{' => TokenKind::LBrace,
        b'}' => TokenKind::RBrace,
        b',' => TokenKind::Comma,
        b'.' => TokenKind::Dot,
        b'=' if matches!(next, Some(b'=' | b'~')) => {
            *i += 1;
            TokenKind::Op
        }
        b'=' => TokenKind::Eq,
        b'!' | b'<' | b'>' if matches!(next, Some(b'=' | b'~')) => {
            *i += 1;
            TokenKind::Op
        }
        _ => TokenKind::Op,
    }
}

fn scan_spl(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'`' if bytes[i..].starts_with(b"```") => {
                i = find_from(bytes, i + 3, b"```").map_or(bytes.len(), |e| e + 3);
                TokenKind::Comment
            }
            b'`' => {
                i = bytes[i + 1..].iter().position(|&b| b == b'`' || b == b'\n').map_or(
                    bytes.len(),
                    |p| {
                        let at = i + 1 + p;
                        if bytes[at] == b'`' { at + 1 } else { at }
                    },
                );
                TokenKind::Macro
            }
            b'"' => {
                i = spl_string_end(bytes, i);
                TokenKind::Str
            }
            b'|' | b'[' | b']' | b'(' | b')' | b',' => {
                i += 1;
                single_punct(c, bytes, &mut i)
            }
            b'=' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                TokenKind::Op
            }
            b'=' => {
                i += 1;
                TokenKind::Eq
            }
            b'!' | b'<' | b'>' => {
                i += 1;
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                }
                TokenKind::Op
            }
            _ => {
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t'
                            | b'\r'
                            | b'\n'
                            | b'|'
                            | b'['
                            | b']'
                            | b'('
                            | b')'
                            | b','
                            | b'='
                            | b'"'
                            | b'`'
                            | b'!'
                            | b'<'
                            | b'>'
                    )
                {
                    i += 1;
                }
                if bytes[start].is_ascii_digit() { TokenKind::Number } else { TokenKind::Word }
            }
        };
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
        tokens.push(Token { kind, span: span(start, i.min(bytes.len())) });
    }
    tokens
}

/// SPL strings may span lines; backslash escapes the next byte.
fn spl_string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Index of the token whose span contains `offset` (end inclusive, so a cursor right after a
/// word is "on" it), preferring a word over a following punctuation token.
pub fn token_at(tokens: &[Token], offset: u32) -> Option<usize> {
    let idx = tokens.partition_point(|t| t.span.end < offset);
    let hit = tokens.get(idx).filter(|t| t.span.start <= offset)?;
    let is_name = |t: &Token| matches!(t.kind, TokenKind::Word | TokenKind::Macro);
    // The cursor sits between two adjacent tokens (`name|`, `=|lower`): prefer a name.
    if hit.span.end == offset
        && !is_name(hit)
        && let Some(next) = tokens.get(idx + 1).filter(|t| t.span.start == offset && is_name(t))
    {
        let _ = next;
        return Some(idx + 1);
    }
    Some(idx)
}

/// Index of the last non-comment token that ends at or before `offset`.
pub fn previous_significant(tokens: &[Token], offset: u32) -> Option<usize> {
    let idx = tokens.partition_point(|t| t.span.end <= offset);
    (0..idx).rev().find(|&i| !tokens[i].is_trivia())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(language: Language, text: &str) -> Vec<(TokenKind, String)> {
        scan(language, text).iter().map(|t| (t.kind, t.text(text).to_owned())).collect()
    }

    #[test]
    fn kql_words_strings_and_hyphenated_operators() {
        let toks =
            kinds(Language::Kql, "T | mv-expand x // c\n| where a !~ @'it''s' and b == h\"p\"");
        let words: Vec<_> =
            toks.iter().filter(|(k, _)| *k == TokenKind::Word).map(|(_, t)| t.as_str()).collect();
        assert_eq!(words, ["T", "mv-expand", "x", "where", "a", "and", "b"]);
        assert!(toks.contains(&(TokenKind::Str, "@'it''s'".into())));
        assert!(toks.contains(&(TokenKind::Str, "h\"p\"".into())));
        assert!(toks.contains(&(TokenKind::Comment, "// c".into())));
        assert!(toks.contains(&(TokenKind::Op, "!~".into())));
    }

    #[test]
    fn spl_macros_comments_and_words() {
        let toks =
            kinds(Language::Spl, "`sysmon` ```c``` | stats count by Processes.dest | `m(1,\"x\")`");
        assert_eq!(toks[0], (TokenKind::Macro, "`sysmon`".into()));
        assert_eq!(toks[1], (TokenKind::Comment, "```c```".into()));
        assert!(toks.contains(&(TokenKind::Word, "Processes.dest".into())));
        assert_eq!(toks.last().unwrap().0, TokenKind::Macro);
    }

    #[test]
    fn unterminated_constructs_do_not_panic() {
        for text in ["\"abc", "@'x", "```abc", "h@\"", "`mac", "é\"ü", "//", "a-", "mv-"] {
            let _ = scan(Language::Kql, text);
            let _ = scan(Language::Spl, text);
        }
    }
}
