//! Sigma rule files: every YAML document that is a Sigma rule (`logsource:` + `detection:`, a
//! `correlation:` or a `filter:` rule) becomes one text to lint, the document itself, so that
//! the Sigma checks see its whole structure. Spans map back by the document's offset.

use qlint_grammar::Span;
use qlint_linter::analysis::sigma::{self, Node, kind_of};

use super::{EmbeddedQuery, Encoding, OffsetMap};
use qlint_linter::QueryFacts;

/// The Sigma documents of a YAML stream (none when the text is no YAML or holds no Sigma rule).
pub(super) fn extract(text: &str) -> Vec<EmbeddedQuery> {
    let Ok(documents) = sigma::parse_stream(text) else { return Vec::new() };
    let mut out = Vec::new();
    for document in documents {
        let Some(root) = &document.root else { continue };
        if kind_of(root).is_none() {
            continue;
        }
        let span = document_span(text, document.span, root);
        let (start, end) = (span.start as usize, span.end as usize);
        let mut map = OffsetMap::default();
        map.push(0, end - start, start, end - start);
        map.set_file_end(end);
        out.push(EmbeddedQuery {
            language: qlint_linter::Language::Sigma,
            text: text[start..end].to_owned(),
            name: title(root),
            span_in_file: span,
            map,
            encoding: Encoding::Verbatim,
            exact: true,
            facts: QueryFacts::default(),
        });
    }
    out
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
