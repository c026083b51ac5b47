//! Sigma rule conditions: the small boolean language of a Sigma rule's `detection.condition`.
//!
//! [`lex`] splits a condition into tokens; [`parse`] builds the [`ast::Condition`] tree with
//! error recovery. Neither fails nor panics. Spans are byte offsets into the condition string;
//! mapping them into the YAML file is the caller's business.

pub mod ast;
pub mod lexer;
mod parser;

pub use ast::{Condition, pattern_matches};
pub use parser::MAX_DEPTH;

use crate::Parse;

#[cfg(test)]
mod tests;

/// Splits a condition into tokens (blanks left out).
pub fn lex(text: &str) -> Vec<lexer::Token> {
    lexer::lex(text)
}

/// Parses a condition into a tree and its syntax errors.
pub fn parse(text: &str) -> Parse<Condition> {
    parser::parse(text)
}
