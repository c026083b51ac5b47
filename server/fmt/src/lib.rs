//! `qlint fmt`: lays out KQL and SPL queries and YARA-L rules.
//!
//! The formatter works on the token stream the lexers keep, not on strings: it decides only
//! the whitespace between tokens. Three properties follow from that and are tested on the
//! whole shared corpus:
//! - the tokens and comments stay the same and in the same order (SPL command names may be
//!   lowered when [`Options::spl_command_case`] asks for it);
//! - two tokens that touch keep touching and two that are apart stay apart (SPL glues touching
//!   tokens into one search term, so this keeps the meaning), so only the amount and kind of
//!   whitespace changes;
//! - the layout is a function of the tokens alone, so formatting twice changes nothing.
//!
//! A query that does not parse is never formatted: [`format`] returns the first syntax error.

mod layout;
mod tokens;
mod yaral;

use qlint_grammar::{Span, kql, spl};

pub use layout::{CommandCase, Options};

/// The language of a query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Kusto Query Language.
    Kql,
    /// Splunk Search Processing Language.
    Spl,
    /// YARA-L 2.0 (Google SecOps rules). Its layout (module `yaral`) keeps the author's line breaks,
    /// re-indents them and ignores `line_width` and `indent`.
    Yaral,
}

/// Why a text was left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// Where the first syntax error is, in bytes of the text.
    pub span: Span,
    /// The parser's message.
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not formatted: {}", self.message)
    }
}

/// Formats one query text, or says why it cannot be formatted (it does not parse).
///
/// Whitespace before the first token and after the last one is kept up to the nearest line
/// break, so a YAML block scalar keeps its chomping and a file its final newline.
pub fn format(dialect: Dialect, text: &str, options: &Options) -> Result<String, FormatError> {
    let first_error = match dialect {
        Dialect::Kql => kql::parse(text).errors.into_iter().next(),
        Dialect::Spl => spl::parse(text).errors.into_iter().next(),
        Dialect::Yaral => qlint_grammar::yaral::parse(text).errors.into_iter().next(),
    };
    if let Some(error) = first_error {
        return Err(FormatError { span: error.span, message: error.message });
    }
    let toks = match dialect {
        Dialect::Kql => tokens::kql(text),
        Dialect::Spl => tokens::spl(text),
        Dialect::Yaral => return Ok(format_yaral(text)),
    };
    let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
        return Ok(text.to_owned());
    };
    let body = layout::render(dialect, text, &toks, options);
    Ok(wrap(text, first.start, last.end, &body))
}

fn format_yaral(text: &str) -> String {
    let toks = qlint_grammar::yaral::lex(text);
    let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
        return text.to_owned();
    };
    let (start, end) = (first.span.start as usize, last.span.end as usize);
    wrap(text, start, end, &yaral::render(&text[start..end]))
}

/// The laid-out `body` (the text from `start` to `end`) with the whitespace before and after
/// it kept up to the nearest line break.
fn wrap(text: &str, first: usize, last: usize, body: &str) -> String {
    let head = &text[..first];
    let head = &head[..head.rfind('\n').map_or(0, |i| i + 1)];
    let tail = &text[last..];
    let tail = tail.find('\n').map_or("", |i| {
        let i = if tail[..i].ends_with('\r') { i - 1 } else { i };
        &tail[i..]
    });
    format!("{head}{body}{tail}")
}

#[cfg(test)]
mod tests;
