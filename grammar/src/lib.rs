//! Lexers and error-recovering parsers for KQL, SPL, YARA-L and Sigma conditions.
//!
//! Text in, tree and syntax errors out. Parsing never fails: every entry point returns a
//! [`Parse`] holding a (possibly partial) tree and the errors found on the way. No IO here.

pub mod kql;
pub mod sigma;
pub mod spl;
pub mod stack;
pub mod yaral;

mod reuse;
mod span;

pub use span::Span;

/// A syntax error: where it is and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte range of the offending text (never empty once normalised by [`Span::widen_empty`]).
    pub span: Span,
    /// One sentence, naming the expected construct ("expected an expression after `==`").
    pub message: String,
}

impl SyntaxError {
    /// Creates an error at `span` with `message`.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self { span, message: message.into() }
    }
}

/// The result of parsing: a tree (partial when the input is broken) and its errors.
#[derive(Debug, Clone)]
pub struct Parse<T> {
    /// The syntax tree; error nodes stand where input could not be parsed.
    pub tree: T,
    /// Every syntax error, sorted by position.
    pub errors: Vec<SyntaxError>,
}

impl<T> Parse<T> {
    /// True when the input parsed without any syntax error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What a parse error says was expected, each described for a message (tokens by
/// `describe_token`), sorted and without repeats.
pub(crate) fn expected_items<'a, T: 'a>(
    err: &chumsky::error::Rich<'a, T>,
    describe_token: impl Fn(&T) -> String,
) -> Vec<String> {
    use chumsky::error::RichPattern;
    let mut expected: Vec<String> = err
        .expected()
        .filter_map(|p| match p {
            RichPattern::Label(l) => Some(l.to_string()),
            RichPattern::Token(t) => Some(describe_token(t)),
            RichPattern::Identifier(s) => Some(format!("`{s}`")),
            RichPattern::EndOfInput => Some("end of input".into()),
            _ => None,
        })
        .collect();
    expected.sort();
    expected.dedup();
    expected
}

/// A token as messages quote it: its first line, at most 40 characters, with `…` when cut.
/// Keeps one finding on one line of output whatever the token holds (a multi-line string).
pub(crate) fn excerpt(token: &str) -> String {
    let first_line = token.lines().next().unwrap_or("");
    let mut shown: String = first_line.chars().take(40).collect();
    if shown.len() < token.len() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    #[test]
    fn excerpts_stop_at_the_first_line_break_and_at_40_characters() {
        assert_eq!(super::excerpt("where"), "where");
        assert_eq!(super::excerpt("```Kusto\nDeviceEvents\n```"), "```Kusto…");
        assert_eq!(super::excerpt(&"a".repeat(50)), format!("{}…", "a".repeat(40)));
        assert_eq!(super::excerpt("é".repeat(40).as_str()), "é".repeat(40));
        assert_eq!(super::excerpt(""), "");
    }
}
