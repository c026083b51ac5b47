//! Checks shared by the fuzz targets.
#![allow(dead_code)]

use std::sync::OnceLock;

use qlint_grammar::Span;
use qlint_knowledge::Knowledge;

/// The built-in knowledge, built once per process.
pub fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(Knowledge::builtin)
}

/// Asserts that `span` lies inside `text` and on char boundaries.
pub fn assert_span(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end, "{what}: reversed span {span:?}");
    assert!(end <= text.len(), "{what}: span {span:?} past the end ({})", text.len());
    assert!(text.is_char_boundary(start), "{what}: start {start} inside a character");
    assert!(text.is_char_boundary(end), "{what}: end {end} inside a character");
}

/// Splits fuzz input into a selector byte and UTF-8 text (invalid UTF-8 is skipped).
pub fn selector_and_text(data: &[u8]) -> Option<(u8, &str)> {
    let (&selector, rest) = data.split_first()?;
    Some((selector, std::str::from_utf8(rest).ok()?))
}
