//! Sigma rule files: every YAML document that is a Sigma rule (`logsource:` + `detection:`, a
//! `correlation:` or a `filter:` rule) becomes one text to lint, the document itself, so that
//! the Sigma checks see its whole structure. Spans map back by the document's offset.

use qlint_grammar::Span;
use qlint_linter::analysis::sigma::{self, Node, kind_of};

use super::{EmbeddedQuery, Encoding, OffsetMap};
use qlint_linter::QueryFacts;

/// The Sigma documents of a YAML stream (none when the text is no YAML or holds no Sigma rule).
/// In a rule collection, each document after an `action: global` one is linted together with
/// it: the text is the global document followed by the rule's, mapped back run by run.
pub(super) fn extract(text: &str) -> Vec<EmbeddedQuery> {
    let Ok(documents) = sigma::parse_stream(text) else { return Vec::new() };
    let mut out = Vec::new();
    let mut global: Option<(Span, Node)> = None;
    for document in documents {
        let Some(root) = &document.root else { continue };
        if sigma::is_global(root) {
            global = Some((document_span(text, document.span, root), root.clone()));
            continue;
        }
        if root.get("action").and_then(Node::as_str) == Some("reset") {
            global = None;
            continue;
        }
        let merged = match &global {
            Some((_, global_root)) => sigma::merge_global(global_root, root),
            None => root.clone(),
        };
        if kind_of(&merged).is_none() {
            continue;
        }
        let span = document_span(text, document.span, root);
        let mut runs = Vec::new();
        if let Some((global_span, _)) = &global {
            runs.push(*global_span);
        }
        runs.push(span);
        let mut query = EmbeddedQuery {
            language: qlint_linter::Language::Sigma,
            name: title(&merged),
            span_in_file: span,
            ..joined(text, &runs)
        };
        query.facts.rule_name = query.name.as_deref().map(str::trim).map(str::to_owned);
        query.facts.rule_id =
            merged.get("id").and_then(Node::as_str).map(str::trim).map(str::to_owned);
        out.push(query);
    }
    out
}

/// The text of `runs` of the file joined (a `---` line put between documents that lack one),
/// with its map.
fn joined(text: &str, runs: &[Span]) -> EmbeddedQuery {
    let mut out = String::new();
    let mut map = OffsetMap::default();
    for (i, run) in runs.iter().enumerate() {
        let (start, end) = (run.start as usize, run.end as usize);
        let part = &text[start..end];
        if i > 0 && !part.starts_with("---") {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            map.push(out.len(), 4, start, 0);
            out.push_str("---\n");
        }
        map.push(out.len(), part.len(), start, part.len());
        out.push_str(part);
    }
    map.set_file_end(runs.last().map_or(0, |r| r.end as usize));
    EmbeddedQuery {
        language: qlint_linter::Language::Sigma,
        text: out,
        name: None,
        span_in_file: Span::default(),
        map,
        encoding: Encoding::Verbatim,
        exact: true,
        facts: QueryFacts::default(),
    }
}

/// The bytes of a document: from its `---` (or the start of the file) to the end of its
/// content lines.
fn document_span(text: &str, span: Span, root: &Node) -> Span {
    let start = span.start.min(root.span.start) as usize;
    let start = if text[start..].starts_with("---") { start } else { root.span.start as usize };
    let start = text[..start].rfind('\n').map_or(0, |i| i + 1).min(start);
    let _ = span;
    // Up to the end of the last content line.
    let end = (root.span.end as usize).min(text.len());
    let end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    Span::new(start as u32, end.max(start) as u32)
}

fn title(root: &Node) -> Option<String> {
    root.get("title").and_then(Node::as_str).map(str::to_owned)
}
