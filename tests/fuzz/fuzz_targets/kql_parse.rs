//! The kql lexer and parser: never panic, never overflow the stack, every error span inside
//! the text on char boundaries, errors sorted.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use qlint_grammar::kql;

fuzz_target!(|text: &str| {
    let _ = kql::lex(text);
    let parse = kql::parse(text);
    for error in &parse.errors {
        common::assert_span(text, error.span, &error.message);
    }
    assert!(parse.errors.windows(2).all(|w| w[0].span.start <= w[1].span.start), "errors unsorted");
});
