//! `qlint fmt` on a file: format every query the container holds and write it back in the
//! container's encoding, or leave the file as it is.
//!
//! A query is written back only where its file bytes can hold the new layout: a whole file, a
//! Markdown fence, a YAML literal block (`|`, `|-`, `|+`, each line re-indented), a `.conf`
//! value (each line break a `\` continuation). Queries in quoted or plain YAML scalars stay as
//! they are (reported as skipped: a quoted scalar could hold the layout only as escapes or
//! folded blank lines, which nobody could review).
//! After the edits the file is extracted again, and unless every query reads back exactly as
//! formatted (and every other query as before), nothing is changed: the formatter never
//! writes a file it cannot read back.

use qlint_fmt::{Dialect, Options};
use qlint_grammar::Span;
use qlint_linter::Language;

use crate::sources::{self, EmbeddedQuery, Encoding, SourceKind};

/// Why a query was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It does not parse; the message names the first syntax error.
    Syntax(String),
    /// Its container cannot hold a multi-line layout (a quoted or plain YAML scalar).
    Encoding(&'static str),
    /// The container itself is malformed (e.g. YAML that does not parse).
    Container(String),
    /// The re-encoded file did not read back as formatted; the file is left as it was.
    RoundTrip,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Syntax(message) => write!(f, "not formatted: {message}"),
            Refusal::Encoding(what) => write!(f, "not formatted: {what}"),
            Refusal::Container(message) => write!(f, "not formatted: {message}"),
            Refusal::RoundTrip => {
                f.write_str("not formatted: the formatted query could not be written back exactly")
            }
        }
    }
}

/// A query left as it is, with where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// File bytes the reason points at.
    pub span: Span,
    /// Why.
    pub reason: Refusal,
}

/// The outcome of formatting one file in memory.
#[derive(Debug, Clone)]
pub struct Formatted {
    /// The new file text (equal to the input when nothing changed).
    pub text: String,
    /// Queries found in the file.
    pub queries: usize,
    /// Queries whose layout changed.
    pub changed: usize,
    /// Queries left as they are, and why.
    pub skipped: Vec<Skipped>,
}

/// The formatter's dialect for a language it lays out (Sigma rules are YAML: left alone).
fn dialect(language: Language) -> Option<Dialect> {
    match language {
        Language::Kql => Some(Dialect::Kql),
        Language::Spl => Some(Dialect::Spl),
        Language::Yaral => Some(Dialect::Yaral),
        Language::Sigma => None,
    }
}

/// Formats every query of a file of the given kind.
pub fn format_file(kind: SourceKind, text: &str, options: &Options) -> Formatted {
    format_file_where(kind, text, options, |_| true)
}

/// Formats the queries of a file whose file span `wanted` accepts (the editor's range
/// formatting: the queries a selection touches); the others stay as they are.
pub fn format_file_where(
    kind: SourceKind,
    text: &str,
    options: &Options,
    wanted: impl Fn(Span) -> bool,
) -> Formatted {
    let extraction = sources::extract(kind, text);
    let mut outcome = Formatted {
        text: text.to_owned(),
        queries: extraction.queries.len(),
        changed: 0,
        skipped: Vec::new(),
    };
    for error in &extraction.errors {
        outcome
            .skipped
            .push(Skipped { span: error.span, reason: Refusal::Container(error.message.clone()) });
    }
    if !extraction.errors.is_empty() {
        return outcome;
    }
    let mut edits: Vec<(Span, String)> = Vec::new();
    let mut expected: Vec<String> = Vec::new();
    for query in &extraction.queries {
        let Some(dialect) = dialect(query.language).filter(|_| wanted(query.span_in_file)) else {
            expected.push(query.text.clone());
            continue;
        };
        let formatted = match qlint_fmt::format(dialect, &query.text, options) {
            Ok(formatted) => formatted,
            Err(error) => {
                let span = query.map.to_file_span(error.span);
                outcome.skipped.push(Skipped { span, reason: Refusal::Syntax(error.message) });
                expected.push(query.text.clone());
                continue;
            }
        };
        if formatted == query.text {
            expected.push(query.text.clone());
            continue;
        }
        match write_back(kind, text, query, &formatted) {
            Ok(edit) => {
                edits.push(edit);
                expected.push(formatted);
            }
            Err(reason) => {
                outcome.skipped.push(Skipped { span: query.span_in_file, reason });
                expected.push(query.text.clone());
            }
        }
    }
    if edits.is_empty() {
        return outcome;
    }
    let changed = edits.len();
    let new_text = apply(text, edits);
    let reread = sources::extract(kind, &new_text);
    let same = reread.errors.is_empty()
        && reread.queries.len() == expected.len()
        && reread.queries.iter().zip(&expected).all(|(query, text)| &query.text == text);
    if same {
        outcome.text = new_text;
        outcome.changed = changed;
    } else {
        let span = extraction.queries.first().map_or(Span::new(0, 0), |q| q.span_in_file);
        outcome.skipped.push(Skipped { span, reason: Refusal::RoundTrip });
    }
    outcome
}

/// The file edit that writes `formatted` in place of `query`.
fn write_back(
    kind: SourceKind,
    file: &str,
    query: &EmbeddedQuery,
    formatted: &str,
) -> Result<(Span, String), Refusal> {
    let conf = query.encoding == Encoding::ConfValue;
    if !(query.encoding == Encoding::Verbatim || conf) || !query.exact {
        return Err(Refusal::Encoding(
            "a query in a quoted or plain YAML scalar keeps its layout (use a YAML block scalar `|`)",
        ));
    }
    // The part from the first to the last non-blank character changes, with the spaces beside
    // it on its first and last lines (the formatter drops them, except inside a comment that
    // ends the query); what surrounds it (a block scalar's chomping, a file's final newline)
    // stays.
    let core = |text: &str| {
        let start = text.len() - text.trim_start().len();
        let end = text.trim_end().len().max(start);
        let blank = |b: &u8| matches!(b, b' ' | b'\t');
        let start = start - text[..start].bytes().rev().take_while(blank).count();
        let end = end + text[end..].bytes().take_while(blank).count();
        (start, end)
    };
    let (old_start, old_end) = core(&query.text);
    let (new_start, new_end) = core(formatted);
    let span = query.map.to_file_span(Span::new(old_start as u32, old_end as u32));
    let in_file = &file[span.start as usize..span.end as usize];
    let body = &formatted[new_start..new_end];
    if conf {
        // Every line break becomes a `\` continuation; the read-back check catches the rest.
        let encoded = query.encoding.encode(body).ok_or(Refusal::Encoding(
            "a .conf value with a line that ends with `\\` keeps its layout",
        ))?;
        return Ok((span, encoded));
    }
    let markdown = kind == SourceKind::Markdown;
    if kind != SourceKind::Yaml && !markdown {
        if in_file != &query.text[old_start..old_end] {
            return Err(Refusal::RoundTrip);
        }
        return Ok((span, body.to_owned()));
    }
    // A YAML literal block, or a Markdown fence (perhaps inside a list item or a `>` quote):
    // every line after the first carries the prefix of the first.
    let line_start = file[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
    let indent = &file[line_start..span.start as usize];
    if !indent.bytes().all(|b| b == b' ' || (markdown && b == b'>')) {
        return Err(Refusal::RoundTrip);
    }
    // A blank line inside a quote keeps its `>`, or the quote would end there.
    let blank = if markdown { indent.trim_end() } else { "" };
    let newline = if in_file.contains("\r\n") { "\r\n" } else { "\n" };
    let mut encoded = String::with_capacity(body.len() + body.len() / 4);
    for (n, line) in body.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if n > 0 {
            encoded.push_str(newline);
            encoded.push_str(if line.is_empty() { blank } else { indent });
        }
        encoded.push_str(line);
    }
    Ok((span, encoded))
}

fn apply(text: &str, mut edits: Vec<(Span, String)>) -> String {
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_owned();
    for (span, replacement) in edits {
        out.replace_range(span.start as usize..span.end as usize, &replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(kind: SourceKind, text: &str) -> Formatted {
        format_file(kind, text, &Options::default())
    }

    #[test]
    fn a_sentinel_rule_keeps_everything_but_the_query_layout() {
        let text = "id: 1\nname: Psexec\nquery: |\n  DeviceProcessEvents | where FileName =~ \"psexec.exe\"\n\n  | project DeviceName\nseverity: High\n";
        let out = format(SourceKind::Yaml, text);
        assert_eq!(out.changed, 1, "{:?}", out.skipped);
        assert_eq!(
            out.text,
            "id: 1\nname: Psexec\nquery: |\n  DeviceProcessEvents\n  | where FileName =~ \"psexec.exe\"\n  | project DeviceName\nseverity: High\n"
        );
        assert_eq!(format(SourceKind::Yaml, &out.text).changed, 0);
    }

    #[test]
    fn markdown_keeps_its_prose() {
        let text = "# Hunt\n\nSome prose | with a pipe.\n\n```kql\nT | take 1\n```\n\nMore.\n";
        let out = format(SourceKind::Markdown, text);
        assert_eq!(
            out.text,
            "# Hunt\n\nSome prose | with a pipe.\n\n```kql\nT\n| take 1\n```\n\nMore.\n"
        );
    }

    #[test]
    fn broken_and_quoted_queries_are_left_with_a_reason() {
        let broken = format(SourceKind::Query(Language::Kql), "T | where (a ==\n");
        assert_eq!(broken.text, "T | where (a ==\n");
        assert!(matches!(broken.skipped[0].reason, Refusal::Syntax(_)));
        let quoted = "query: \"T | where a == 1 | take 1\"\n";
        let out = format(SourceKind::Yaml, quoted);
        assert_eq!(out.text, quoted);
        assert!(matches!(out.skipped[0].reason, Refusal::Encoding(_)), "{:?}", out.skipped);
    }

    #[test]
    fn an_escu_search_in_a_block_scalar_is_reindented() {
        let text = "name: X\nsearch: '| tstats count from datamodel=Endpoint.Processes by Processes.dest | `x_filter`'\n";
        assert_eq!(format(SourceKind::Yaml, text).text, text);
        let block = "name: X\nsearch: |-\n    | tstats count from datamodel=Endpoint.Processes by Processes.dest | `x_filter`\nhow_to_implement: y\n";
        assert_eq!(
            format(SourceKind::Yaml, block).text,
            "name: X\nsearch: |-\n    | tstats count from datamodel=Endpoint.Processes by Processes.dest\n    | `x_filter`\nhow_to_implement: y\n"
        );
    }

    #[test]
    fn a_conf_search_keeps_its_continuations() {
        let text = "[Psexec]\nsearch = index=edr process_name=psexec.exe | stats count by host \\\n| where count > 5\ncron_schedule = */5 * * * *\n";
        let out = format(SourceKind::SavedSearches, text);
        assert_eq!(out.changed, 1, "{:?}", out.skipped);
        assert_eq!(
            out.text,
            "[Psexec]\nsearch = index=edr process_name=psexec.exe\\\n| stats count by host\\\n| where count > 5\ncron_schedule = */5 * * * *\n"
        );
        assert_eq!(format(SourceKind::SavedSearches, &out.text).changed, 0);
        let queries = sources::extract(SourceKind::SavedSearches, &out.text).queries;
        assert_eq!(
            queries[0].text,
            "index=edr process_name=psexec.exe\n| stats count by host\n| where count > 5"
        );
    }

    #[test]
    fn a_fence_in_a_quote_keeps_its_quote_marks() {
        let text = "# Hunt\n\n> ```spl\n> index=edr process_name=psexec.exe | stats count by host\n> ```\n";
        let out = format(SourceKind::Markdown, text);
        assert_eq!(out.changed, 1, "{:?}", out.skipped);
        assert_eq!(
            out.text,
            "# Hunt\n\n> ```spl\n> index=edr process_name=psexec.exe\n> | stats count by host\n> ```\n"
        );
    }

    #[test]
    fn spaces_after_the_last_token_go_with_the_old_layout() {
        let fenced = "# H\n\n```kql\nT | take 1  \n```\n";
        let out = format(SourceKind::Markdown, fenced);
        assert_eq!(out.text, "# H\n\n```kql\nT\n| take 1\n```\n", "{:?}", out.skipped);
        let file = format(SourceKind::Query(Language::Kql), " T | take 1 ");
        assert_eq!(file.text, "T\n| take 1", "{:?}", file.skipped);
    }
}
