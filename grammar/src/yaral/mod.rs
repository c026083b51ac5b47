//! YARA-L 2.0, the rule language of Google Security Operations (Chronicle).
//!
//! [`lex`] gives every token with its byte span (comments included); [`parse`] gives the
//! tree ([`ast::RuleFile`]) and every syntax error. Neither fails nor panics.

pub mod ast;
pub mod lexer;
mod parser;

pub use ast::RuleFile;
pub use parser::MAX_DEPTH;

use crate::Parse;

/// Parses a YARA-L text (one or more rules) into a tree and its syntax errors.
pub fn parse(text: &str) -> Parse<RuleFile> {
    let tokens = lexer::lex(text);
    let (tree, errors) = parser::parse_file(text, &tokens);
    Parse { tree, errors }
}

/// Splits a YARA-L text into tokens (comments included, whitespace left out).
pub fn lex(text: &str) -> Vec<lexer::Token> {
    lexer::lex(text)
}
