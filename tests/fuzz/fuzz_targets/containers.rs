//! The container extractors (Markdown, YAML, savedsearches.conf, macros.conf, multi-query .kql
//! files) and their offset maps; the first byte picks the kind. Every query's file span and
//! every mapped offset must lie inside the file on char boundaries, maps must be monotonic,
//! and a verbatim run must map back to the same bytes.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use qlint_files::sources::{self, Encoding, SourceKind};
use qlint_grammar::Span;
use qlint_linter::Language;

fn kind(selector: u8) -> SourceKind {
    match selector % 5 {
        0 => SourceKind::Markdown,
        1 => SourceKind::Yaml,
        2 => SourceKind::SavedSearches,
        3 => SourceKind::Macros,
        _ => SourceKind::Query(Language::Kql),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, file)) = common::selector_and_text(data) else { return };
    let extraction = sources::extract(kind(selector), file);
    for error in &extraction.errors {
        common::assert_span(file, error.span, &error.message);
    }
    for query in &extraction.queries {
        common::assert_span(file, query.span_in_file, "span_in_file");
        let text = &query.text;
        let mut last = 0;
        for (offset, ch) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            let at = query.map.to_file_start(offset as u32);
            assert!(at >= last, "map not monotonic at {offset}");
            last = at;
            let mapped = query.map.to_file_span(Span::new(offset as u32, text.len() as u32));
            common::assert_span(file, mapped, "mapped span");
            let one = Span::new(offset as u32, (offset + ch.len_utf8()).min(text.len()) as u32);
            let mapped_one = query.map.to_file_span(one);
            common::assert_span(file, mapped_one, "mapped char");
            if query.exact
                && query.encoding == Encoding::Verbatim
                && offset < text.len()
                && mapped_one.len() as usize == ch.len_utf8()
            {
                let bytes = &file[mapped_one.start as usize..mapped_one.end as usize];
                assert_eq!(bytes, &text[offset..offset + ch.len_utf8()], "verbatim byte moved");
            }
        }
    }
});
