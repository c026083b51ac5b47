//! `--fix` in memory (apply the safe fixes, re-lint, repeat) through a container picked by the
//! first byte. No internal error (QL004, a caught panic); a changed file has no syntax error and
//! as many queries as before; fixing the result again changes nothing.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use qlint_files::config::Config;
use qlint_files::fix::fix_text;
use qlint_files::sources::SourceKind;
use qlint_linter::Language;

fn kind(selector: u8) -> (SourceKind, &'static str) {
    match selector % 6 {
        0 => (SourceKind::Query(Language::Kql), "q.kql"),
        1 => (SourceKind::Query(Language::Spl), "q.spl"),
        2 => (SourceKind::Markdown, "q.md"),
        3 => (SourceKind::Yaml, "q.yaml"),
        4 => (SourceKind::SavedSearches, "savedsearches.conf"),
        _ => (SourceKind::Macros, "macros.conf"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = common::selector_and_text(data) else { return };
    let (kind, name) = kind(selector);
    let path = Path::new(name);
    let config = Config::default();
    let first = fix_text(path, kind, text, common::knowledge(), &config);
    let internal = first.report.diagnostics.iter().find(|d| d.code == "QL004");
    assert!(internal.is_none(), "{:?}", internal.map(|d| &d.message));
    if first.text == text {
        return;
    }
    assert!(!first.report.has_syntax_errors, "the fixed file no longer parses");
    let second = fix_text(path, kind, &first.text, common::knowledge(), &config);
    assert_eq!(second.text, first.text, "fixing twice changed the file again");
});
