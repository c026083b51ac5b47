//! Keystroke-sized work on big documents: diagnostics that re-lint only the queries an edit
//! changed, and the one query region under the cursor without splitting the whole file.
//!
//! A file's diagnostics are the lints of its queries, each depending only on the query's
//! language, text and container facts (plus the knowledge and rule selection, which the
//! server keeps fixed for one memo). [`LintMemo`] remembers the lints of the last run by
//! query text, so a run after a keystroke lints the one query that changed and maps the
//! others' remembered findings to where the queries now are. The result is what
//! `qlint_files::check::check_source` gives for the same text: the same extraction, the same
//! per-query lint, the same mapping, selection and sorting.
//!
//! A multi-query `.kql` file is split by [`KqlSplit`], which an edit updates by re-lexing the
//! parts around it.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use qlint_files::check::{self, QueryLint, QueryMemo};
use qlint_files::config::Config;
use qlint_files::sources::{self, EmbeddedQuery, Extraction, KqlSplit, SourceKind};
use qlint_knowledge::Knowledge;
use qlint_linter::diagnostic::Diagnostic;
use qlint_linter::stack::with_stack_for;
use qlint_linter::{Language, QueryFacts};

use super::source::{FileKind, Region, SourceFile, query_file_region};

/// One remembered lint.
#[derive(Debug)]
struct Remembered {
    language: Language,
    text: String,
    facts: QueryFacts,
    lint: QueryLint,
}

impl Remembered {
    fn is(&self, query: &EmbeddedQuery) -> bool {
        self.language == query.language && self.text == query.text && self.facts == query.facts
    }
}

type Table = HashMap<u64, Vec<Remembered>>;

/// Texts up to this size have their parse outcome remembered.
const REMEMBER_PARSES: usize = 64 * 1024;

/// The lints of one document's queries from its last run, by query text. Valid for one
/// knowledge and rule selection: the owner clears it when those change.
#[derive(Debug, Default)]
pub struct LintMemo {
    /// Lints of the last finished run.
    last: Table,
    /// Lints of the run under way.
    current: Table,
    /// Whether a text parses (the whole-file and per-part questions of the `.kql` split), from
    /// the last run and this one.
    parses: HashMap<u64, Vec<(String, bool)>>,
    parses_current: HashMap<u64, Vec<(String, bool)>>,
    hasher: std::hash::RandomState,
    /// Queries linted (not remembered) in the last run: for tests and measurements.
    pub linted: usize,
    /// The run under way was given up (a newer version of the document arrived).
    cancelled: bool,
}

impl LintMemo {
    /// The table key of a text: its length and its ends (hashing every byte of a 10 MB file
    /// on every keystroke showed in profiles; a lookup compares whole texts anyway).
    fn key(&self, language: Option<Language>, text: &str) -> u64 {
        const ENDS: usize = 64;
        let bytes = text.as_bytes();
        let mut hasher = self.hasher.build_hasher();
        language.hash(&mut hasher);
        bytes.len().hash(&mut hasher);
        bytes[..bytes.len().min(ENDS)].hash(&mut hasher);
        bytes[bytes.len().saturating_sub(ENDS)..].hash(&mut hasher);
        hasher.finish()
    }

    /// Forgets everything (the knowledge or the configuration changed).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    fn start_run(&mut self) {
        self.linted = 0;
        self.cancelled = false;
        self.current.clear();
        self.parses_current.clear();
    }

    /// Ends a run: what it used is what the next run may reuse (all of it, when the run was
    /// given up half-way).
    fn finish_run(&mut self) {
        if self.cancelled {
            for (key, entries) in self.last.drain() {
                self.current.entry(key).or_default().extend(entries);
            }
            for (key, entries) in self.parses.drain() {
                self.parses_current.entry(key).or_default().extend(entries);
            }
        }
        self.last = std::mem::take(&mut self.current);
        self.parses = std::mem::take(&mut self.parses_current);
    }

    /// Whether `text` parses as KQL, remembered by text (a text as big as a whole file
    /// changes with every keystroke: that one is not worth keeping).
    fn parses(&mut self, text: &str) -> bool {
        if text.len() > REMEMBER_PARSES {
            return with_stack_for(text, || qlint_grammar::kql::parse(text).is_ok());
        }
        let key = self.key(None, text);
        let known = |table: &HashMap<u64, Vec<(String, bool)>>| {
            table.get(&key)?.iter().find(|(t, _)| t == text).map(|(_, ok)| *ok)
        };
        let ok = known(&self.parses_current)
            .or_else(|| known(&self.parses))
            .unwrap_or_else(|| with_stack_for(text, || qlint_grammar::kql::parse(text).is_ok()));
        if known(&self.parses_current).is_none() {
            self.parses_current.entry(key).or_default().push((text.to_owned(), ok));
        }
        ok
    }
}

/// A run of [`LintMemo`] that gives up as soon as `stale` says so.
struct Run<'a> {
    memo: &'a mut LintMemo,
    stale: &'a dyn Fn() -> bool,
}

impl QueryMemo for Run<'_> {
    fn lint(
        &mut self,
        query: &EmbeddedQuery,
        lint: &dyn Fn(&EmbeddedQuery) -> QueryLint,
    ) -> QueryLint {
        let memo = &mut *self.memo;
        if memo.cancelled || (self.stale)() {
            memo.cancelled = true;
            return QueryLint {
                diagnostics: Vec::new(),
                syntax_errors: false,
                internal_error: None,
            };
        }
        memo.remember(query, lint)
    }
}

impl LintMemo {
    fn remember(
        &mut self,
        query: &EmbeddedQuery,
        lint: &dyn Fn(&EmbeddedQuery) -> QueryLint,
    ) -> QueryLint {
        let key = self.key(Some(query.language), &query.text);
        if let Some(found) = self.current.get(&key).and_then(|v| v.iter().find(|r| r.is(query))) {
            return found.lint.clone();
        }
        let remembered = self.last.get_mut(&key).and_then(|v| {
            let at = v.iter().position(|r| r.is(query))?;
            Some(v.swap_remove(at))
        });
        let found = remembered.unwrap_or_else(|| {
            self.linted += 1;
            Remembered {
                language: query.language,
                text: query.text.clone(),
                facts: query.facts.clone(),
                lint: lint(query),
            }
        });
        let result = found.lint.clone();
        self.current.entry(key).or_default().push(found);
        result
    }
}

/// What [`diagnostics`] works on: a document's text and what is known about it.
pub struct Input<'a> {
    /// The kind of file.
    pub kind: FileKind,
    /// Where it lives.
    pub path: Option<&'a Path>,
    /// Its text.
    pub text: &'a str,
    /// Its up-to-date split, when it is a `.kql` file.
    pub split: Option<&'a KqlSplit>,
}

/// The diagnostics of a document, as `ide::diagnostics` gives them, re-linting only the
/// queries `memo` does not remember. Also tells whether a `.kql` file parses as one query,
/// when that had to be found out by parsing it whole.
/// `None` when `stale` said the result is no longer wanted before the run finished.
pub fn diagnostics(
    input: Input<'_>,
    knowledge: &Knowledge,
    config: &Config,
    memo: &mut LintMemo,
    stale: &dyn Fn() -> bool,
) -> Option<(Vec<Diagnostic>, Option<bool>)> {
    let Input { kind, path, text, split } = input;
    let Some(source_kind) = kind.source_kind() else { return Some((Vec::new(), None)) };
    let path = path.map_or_else(|| PathBuf::from("untitled"), Path::to_path_buf);
    memo.start_run();
    let mut whole = None;
    let extraction = match (source_kind, split) {
        (SourceKind::Query(Language::Kql), Some(split)) => {
            let body_len = text.len() - if text.starts_with('\u{feff}') { 3 } else { 0 };
            let queries = split.extract(text, &mut |t| {
                let ok = memo.parses(t);
                if t.len() == body_len {
                    whole = Some(ok);
                }
                ok
            });
            Extraction { queries, errors: Vec::new() }
        }
        _ => sources::extract_with(source_kind, text, &config.yaml_queries),
    };
    let report =
        check::check_extraction(&path, extraction, knowledge, config, &mut Run { memo, stale });
    let cancelled = memo.cancelled;
    memo.finish_run();
    (!cancelled).then_some((report.diagnostics, whole))
}

/// The file with only the query region that holds `offset`, for features that look at one
/// query (completion, hover): for a `.kql` file with an up-to-date `split`, without
/// splitting the whole text. `whole_parses` is what the last lint learnt about the whole text
/// parsing as one query, used when the split cannot tell cheaply.
pub fn file_at(
    path: Option<PathBuf>,
    kind: FileKind,
    text: String,
    split: &KqlSplit,
    whole_parses: Option<bool>,
    offset: u32,
) -> SourceFile {
    let FileKind::Query(language) = kind else {
        return SourceFile::new(path, "", text);
    };
    let body_len = text.len() - if text.starts_with('\u{feff}') { 3 } else { 0 };
    let starts = split.query_starts(&text, &mut |t| match whole_parses {
        Some(known) if t.len() == body_len => known,
        _ => with_stack_for(t, || qlint_grammar::kql::parse(t).is_ok()),
    });
    let n = starts.partition_point(|&s| s <= offset).saturating_sub(1);
    let region: Region = query_file_region(language, &text, &starts, n);
    SourceFile { path, kind, text, regions: vec![region] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide;

    fn knowledge() -> Knowledge {
        Knowledge::builtin()
    }

    /// Diagnostics through the memo after every edit equal a full check of the edited text.
    fn check_sequence(name: &str, text: &str, edits: &[(&str, &str)]) {
        let knowledge = knowledge();
        let config = Config::default();
        let path = PathBuf::from(name);
        let kind = FileKind::detect(Some(&path), "");
        let mut text = text.to_owned();
        let mut split = KqlSplit::new(&text);
        let mut memo = LintMemo::default();
        for (step, (find, replace)) in std::iter::once(&("", "")).chain(edits).enumerate() {
            if !find.is_empty() {
                let start = text.find(find).unwrap_or_else(|| panic!("{find:?} in {text:?}"));
                let end = start + find.len();
                text.replace_range(start..end, replace);
                split.edit((start, end), replace.len(), text.len(), &|a, b| text[a..b].to_owned());
            }
            let input = Input { kind, path: Some(&path), text: &text, split: Some(&split) };
            let (got, _) =
                diagnostics(input, &knowledge, &config, &mut memo, &|| false).expect("not stale");
            let file = SourceFile::new(Some(path.clone()), "", text.clone());
            let want = ide::diagnostics(&file, &knowledge, &config);
            assert_eq!(got, want, "step {step}: {text}");
            if step > 0 && edits.len() > 2 {
                // Only the changed query (or the few an edit merges or splits) is linted.
                assert!(memo.linted <= 3, "step {step}: {} linted", memo.linted);
            }
        }
    }

    const THREE: &str = "SecurityEvent\n| where EventID == 4625\n| summarize count() by Account\n\n\
        // qlint: ignore KQL101\nSigninLogs\n| where ResultType != 0\n| take 10\n\n\
        DeviceProcessEvents\n| where FileName =~ \"cmd.exe\"\n| project Timestamp, FileName\n";

    #[test]
    fn keystrokes_relint_one_query_and_match_a_full_check() {
        check_sequence(
            "hunts.kql",
            THREE,
            &[
                ("ResultType != 0", "ResultType != 0 "),
                ("ResultType != 0 ", "ResultTyp != 0"),
                ("cmd.exe\"", "cmd.exe\" and"),
                ("cmd.exe\" and", "cmd.exe\""),
                // Remove a separating blank line, then add it back: queries merge and split.
                ("| take 10\n\n", "| take 10\n"),
                ("| take 10\n", "| take 10\n\n"),
                // A suppression that moves to another query, and one that goes away.
                ("// qlint: ignore KQL101\n", ""),
                ("DeviceProcessEvents\n", "// qlint: ignore\nDeviceProcessEvents\n"),
                // A broken query, and a `let` of one query used by the next.
                ("| take 10", "| take"),
                ("SecurityEvent\n", "let Failed = 4625;\nSecurityEvent\n"),
                ("DeviceProcessEvents\n", "DeviceProcessEvents\n| where Failed == 1\n"),
            ],
        );
    }

    /// A query with a bracket that never closes, and one with a stray closing bracket: the
    /// queries after them stay queries of their own, so a keystroke in one of them re-lints
    /// that one query (they used to join the rest of the file into one query).
    #[test]
    fn keystrokes_after_an_unbalanced_bracket_relint_one_query() {
        let text = "(union T\n| take 1\n\nSigninLogs\n| where ResultType != 0\n\n\
            U | take 2)\n\nDeviceProcessEvents\n| where FileName =~ \"cmd.exe\"\n\n\
            [@https://example.com/x]\n\nV\n| take 3\n";
        check_sequence(
            "hunts.kql",
            text,
            &[
                ("ResultType != 0", "ResultType != 0 "),
                ("cmd.exe\"", "cmd.exe\" "),
                ("| take 3", "| take 3 "),
                ("| take 3 ", "| take 3"),
            ],
        );
    }

    #[test]
    fn a_stale_run_gives_nothing_and_forgets_nothing() {
        let knowledge = knowledge();
        let config = Config::default();
        let path = PathBuf::from("h.kql");
        let kind = FileKind::detect(Some(&path), "");
        let split = KqlSplit::new(THREE);
        let mut memo = LintMemo::default();
        let input = || Input { kind, path: Some(&path), text: THREE, split: Some(&split) };
        assert!(diagnostics(input(), &knowledge, &config, &mut memo, &|| false).is_some());
        assert_eq!(memo.linted, 3);
        let calls = std::cell::Cell::new(0);
        let stale = || {
            calls.set(calls.get() + 1);
            calls.get() > 1
        };
        assert!(diagnostics(input(), &knowledge, &config, &mut memo, &stale).is_none());
        assert!(diagnostics(input(), &knowledge, &config, &mut memo, &|| false).is_some());
        assert_eq!(memo.linted, 0, "all three are still remembered");
    }

    #[test]
    fn containers_use_the_memo_too() {
        let yaml = "id: 1\nname: Rare\nkind: Scheduled\nqueryPeriod: 1d\nqueryFrequency: 1h\n\
            query: |\n  SecurityEvent\n  | where EventID == 4625\n";
        check_sequence(
            "rule.yaml",
            yaml,
            &[("4625", "4624"), ("queryPeriod: 1d", "queryPeriod: 14d"), ("| where", "| wher")],
        );
        let md = "# One\n\n```kql\nT | take 1\n```\n\n# Two\n\n```spl\nindex=main | head 1\n```\n";
        check_sequence("hunts.md", md, &[("head 1", "head"), ("T | take 1", "T | take")]);
    }

    #[test]
    fn the_region_under_the_cursor_is_the_one_a_full_split_gives() {
        let text = THREE;
        let split = KqlSplit::new(text);
        let full = SourceFile::new(Some("h.kql".into()), "kql", text.to_owned());
        for offset in 0..=text.len() as u32 {
            let one =
                file_at(Some("h.kql".into()), full.kind, text.to_owned(), &split, None, offset);
            let a = full.region_at(offset).map(|(r, q)| (r.span_in_file, r.text.clone(), q));
            let b = one.region_at(offset).map(|(r, q)| (r.span_in_file, r.text.clone(), q));
            assert_eq!(a, b, "at {offset}");
        }
    }
}
