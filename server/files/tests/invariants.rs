//! Property tests of the containers and of `--fix`:
//! - a query written into a container (YAML block, double- and single-quoted scalars, Markdown
//!   fence, `.kql` file) decodes to itself, and its offsets map to the file and back: every
//!   char boundary maps to a file offset that maps back to it, and a verbatim character maps
//!   onto the same bytes in the file;
//! - `--fix` on any such file either changes nothing or leaves a file without syntax errors,
//!   and fixing the result again changes nothing.
//!
//! Few cases per run (CI time); `PROPTEST_CASES=2000` runs more.

use std::path::Path;

use proptest::prelude::*;
use qlint_files::config::Config;
use qlint_files::fix::fix_text;
use qlint_files::sources::{self, EmbeddedQuery, Encoding, SourceKind};
use qlint_grammar::Span;
use qlint_knowledge::Knowledge;
use qlint_linter::Language;

fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
    KNOWLEDGE.get_or_init(Knowledge::builtin)
}

const PREDICATES: &[&str] = &[
    "FileName == \"PowerShell.exe\"",
    "FileName in~ (\"cmd.exe\", \"CMD.exe\")",
    "Timestamp > ago(\"1d\")",
    "tolower(AccountName) == \"ADMIN\"",
    "CommandLine has 'it''s'",
    "FolderPath startswith @\"C:\\temp\\\"",
    "InitiatingProcessFileName != \"explorer.exe\"",
    "AccountName =~ \"é日本\"",
];

const STAGES: &[&str] = &[
    "| project FileName, AccountName",
    "| extend Path = @\"C:\\temp\\x\" // comment: é 日本",
    "\t| take 10",
    "  | summarize count() by DeviceName",
    "// qlint: ignore KQL402",
];

/// A KQL query: a table and stages, mostly `where` with predicates that invite fixes, and
/// sometimes a stray character (often breaking it, which must block every fix).
fn query() -> impl Strategy<Value = String> {
    let predicate = prop::collection::vec(prop::sample::select(PREDICATES), 1..4)
        .prop_map(|p| format!("| where {}", p.join(" or ")));
    let stage =
        prop_oneof![3 => predicate, 1 => prop::sample::select(STAGES).prop_map(str::to_owned)];
    let stray = prop::option::weighted(0.3, (any::<char>(), any::<prop::sample::Index>()));
    (prop::collection::vec(stage, 1..5), stray).prop_map(|(stages, stray)| {
        let mut text = format!("DeviceProcessEvents\n{}", stages.join("\n"));
        if let Some((c, at)) = stray {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            text.insert(boundaries[at.index(boundaries.len())], c);
        }
        text
    })
}

/// How the query is written into a file.
#[derive(Debug, Clone, Copy)]
enum Container {
    YamlBlock,
    YamlDoubleQuoted,
    YamlSingleQuoted,
    Markdown,
    KqlFile,
}

fn container() -> impl Strategy<Value = Container> {
    prop::sample::select(vec![
        Container::YamlBlock,
        Container::YamlDoubleQuoted,
        Container::YamlSingleQuoted,
        Container::Markdown,
        Container::KqlFile,
    ])
}

/// The file holding `query`, or `None` when this container cannot hold it exactly.
fn write(container: Container, query: &str) -> Option<(SourceKind, &'static str, String)> {
    let printable = query.chars().all(|c| c == '\n' || c == '\t' || !c.is_control());
    let head = "id: 1\nname: a rule\nkind: Scheduled\nqueryPeriod: 1h\n";
    match container {
        Container::YamlBlock => {
            let ok = printable
                && !query.contains('\r')
                && !query.lines().next().is_some_and(|l| l.trim().is_empty())
                && query.lines().all(|l| !l.starts_with(['\t', ' ']))
                && !query.ends_with('\n');
            let body: String = query
                .split('\n')
                .map(|l| if l.is_empty() { "\n".to_owned() } else { format!("  {l}\n") })
                .collect();
            ok.then(|| (SourceKind::Yaml, "r.yaml", format!("{head}query: |-\n{body}")))
        }
        Container::YamlDoubleQuoted => {
            let json = serde_json_string(query);
            Some((SourceKind::Yaml, "r.yaml", format!("{head}query: {json}\n")))
        }
        Container::YamlSingleQuoted => {
            let ok = printable && !query.contains(['\n', '\r']) && query.trim() == query;
            let quoted = query.replace('\'', "''");
            ok.then(|| (SourceKind::Yaml, "r.yaml", format!("{head}query: '{quoted}'\n")))
        }
        Container::Markdown => {
            let ok = !query.contains("```") && !query.contains('\r') && !query.contains("~~~");
            let file = format!("# Hunt\n\n```kql\n{query}\n```\n");
            ok.then_some((SourceKind::Markdown, "h.md", file))
        }
        Container::KqlFile => {
            let ok = !query.contains("\n\n") && !query.starts_with('\u{feff}');
            ok.then(|| (SourceKind::Query(Language::Kql), "q.kql", query.to_owned()))
        }
    }
}

/// A YAML double-quoted scalar (a JSON string is one).
fn serde_json_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' || ('\u{80}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn check_map(file: &str, query: &EmbeddedQuery) -> Result<(), TestCaseError> {
    let text = &query.text;
    let mut previous: Option<u32> = None;
    for (offset, ch) in text.char_indices() {
        let at = query.map.to_file_start(offset as u32);
        prop_assert!(previous.is_none_or(|p| p < at), "map not increasing at {offset}");
        previous = Some(at);
        prop_assert_eq!(
            query.map.to_query_offset(at, text),
            offset as u32,
            "back and forth at {}",
            offset
        );
        let span =
            query.map.to_file_span(Span::new(offset as u32, (offset + ch.len_utf8()) as u32));
        prop_assert!(file.is_char_boundary(span.start as usize));
        prop_assert!(file.is_char_boundary(span.end as usize));
        let bytes = &file[span.start as usize..span.end as usize];
        if query.encoding == Encoding::Verbatim {
            prop_assert_eq!(bytes, ch.to_string(), "verbatim char {:?} moved", ch);
        } else if bytes.len() == ch.len_utf8() && !matches!(ch, '"' | '\'' | '\\') {
            prop_assert_eq!(bytes, ch.to_string(), "char {:?} moved", ch);
        }
    }
    Ok(())
}

/// 48 cases unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn queries_decode_exactly_and_offsets_map_back_and_forth(
        text in query(),
        container in container(),
    ) {
        let Some((kind, _, file)) = write(container, &text) else { return Ok(()) };
        let extraction = sources::extract(kind, &file);
        prop_assert!(extraction.errors.is_empty(), "{:?} in {:?}", extraction.errors, file);
        prop_assert_eq!(extraction.queries.len(), 1, "{:?}", file);
        let query = &extraction.queries[0];
        // A fence's text ends with the line break before the closing fence.
        let expected = if matches!(container, Container::Markdown) { format!("{text}\n") } else { text };
        prop_assert_eq!(&query.text, &expected);
        prop_assert!(query.exact);
        check_map(&file, query)?;
    }

    #[test]
    fn fix_leaves_a_file_that_parses_or_changes_nothing_and_is_idempotent(
        text in query(),
        container in container(),
    ) {
        let Some((kind, name, file)) = write(container, &text) else { return Ok(()) };
        let config = Config::default();
        let path = Path::new(name);
        let first = fix_text(path, kind, &file, knowledge(), &config);
        if first.text == file {
            return Ok(());
        }
        prop_assert!(!first.report.has_syntax_errors, "{:?} fixed to {:?}", file, first.text);
        let reparsed = sources::extract(kind, &first.text);
        prop_assert!(reparsed.errors.is_empty());
        let second = fix_text(path, kind, &first.text, knowledge(), &config);
        prop_assert_eq!(second.text, first.text, "fixing twice changed {:?}", file);
    }
}

/// A query with a safe fix is fixed in every container: the fix property is not vacuous.
#[test]
fn every_container_gets_the_safe_fix() {
    let text = "DeviceProcessEvents\n| where FileName in~ (\"cmd.exe\", \"CMD.exe\")";
    for container in [
        Container::YamlBlock,
        Container::YamlDoubleQuoted,
        Container::YamlSingleQuoted,
        Container::Markdown,
        Container::KqlFile,
    ] {
        let text = if matches!(container, Container::YamlSingleQuoted) {
            text.replace('\n', " ")
        } else {
            text.to_owned()
        };
        let (kind, name, file) = write(container, &text).unwrap();
        let fixed = fix_text(Path::new(name), kind, &file, knowledge(), &Config::default());
        assert!(fixed.applied > 0 && fixed.text != file, "{container:?}: {file:?}");
    }
}
