//! KQL (Kusto Query Language) as written in Microsoft Sentinel and Defender XDR.
//!
//! [`lex`] gives every token with its byte span (comments included); [`parse`] gives the
//! tree ([`ast::Query`]) and every syntax error. Neither fails nor panics.

pub mod ast;
mod chain;
pub mod lexer;
mod parser;

pub use ast::Query;
pub use parser::{MAX_DEPTH, MAX_OPERATORS};

use crate::Parse;

/// Parses a KQL text into a tree and its syntax errors.
pub fn parse(text: &str) -> Parse<Query> {
    parser::parse(text)
}

/// The syntax errors of a KQL text: those [`parse`] gives, without building the tree.
pub fn syntax_errors(text: &str) -> Vec<crate::SyntaxError> {
    parser::syntax_errors(text)
}

/// Splits a KQL text into tokens (comments included, whitespace left out).
pub fn lex(text: &str) -> Vec<lexer::Token> {
    lexer::lex(text)
}
