//! The whole of `lint_query` (parse, analysis, every rule) on one text; the first byte picks
//! the language. Every diagnostic and fix edit must lie inside the text on char boundaries.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use qlint_linter::{Language, lint_query};

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = common::selector_and_text(data) else { return };
    let language = match selector % 4 {
        0 => Language::Kql,
        1 => Language::Spl,
        2 => Language::Yaral,
        _ => Language::Sigma,
    };
    for diagnostic in lint_query(language, text, common::knowledge()) {
        common::assert_span(text, diagnostic.span, diagnostic.code);
        for edit in diagnostic.fix.iter().flat_map(|f| &f.edits) {
            common::assert_span(text, edit.span, diagnostic.code);
        }
    }
});
