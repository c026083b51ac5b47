//! SPL (Splunk Search Processing Language) as written in Splunk detections.
//!
//! [`lex`] splits a search into tokens; [`parse`] builds the [`ast::Search`] tree with
//! error recovery per pipe segment.

pub mod ast;
pub mod lexer;
mod parser;
pub mod visit;

pub use parser::MAX_DEPTH;

use crate::Parse;

pub use ast::Search;
pub use visit::{Visitor, walk_macros};

#[cfg(test)]
mod tests;

/// Splits an SPL search into tokens (comments included, whitespace skipped).
pub fn lex(text: &str) -> Vec<lexer::Token> {
    lexer::lex(text)
}

/// Parses an SPL search into a tree and its syntax errors.
pub fn parse(text: &str) -> Parse<Search> {
    let tokens = lexer::lex(text);
    let (tree, errors) = parser::parse_search(text, &tokens);
    Parse { tree, errors }
}
