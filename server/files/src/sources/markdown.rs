//! Fenced code blocks in Markdown: ```` ```kql ````, ```` ```kusto ````, ```` ```spl ````, ...

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use qlint_grammar::Span;

use super::{Decoder, EmbeddedQuery, Encoding, OffsetMap};
use qlint_linter::{Language, QueryFacts};

/// The language of a fence info string (its first word), if it is one we lint.
fn fence_language(info: &str) -> Option<Language> {
    let word = info.split(|c: char| c.is_whitespace() || c == '{' || c == ',').next()?;
    match word.to_ascii_lowercase().as_str() {
        "kql" | "kusto" => Some(Language::Kql),
        "spl" | "splunk" => Some(Language::Spl),
        _ => None,
    }
}

struct OpenFence {
    language: Language,
    block: Span,
    decoder: Decoder,
    /// True while every text event equals the file bytes under it.
    exact: bool,
}

pub(super) fn extract(text: &str) -> Vec<EmbeddedQuery> {
    let mut queries = Vec::new();
    let mut heading: Option<String> = None;
    let mut in_heading: Option<String> = None;
    let mut open: Option<OpenFence> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => in_heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                heading = in_heading.take().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty());
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                if let Some(language) = fence_language(&info) {
                    open = Some(OpenFence {
                        language,
                        block: Span::from(range),
                        decoder: Decoder::default(),
                        exact: true,
                    });
                }
            }
            Event::Text(chunk) => {
                if let Some(fence) = open.as_mut() {
                    if text.get(range.clone()) == Some(&*chunk) {
                        fence.decoder.copy(text, range.start, range.end);
                    } else {
                        fence.exact = false;
                        fence.decoder.emit(&chunk, range.start, range.end);
                    }
                } else if let Some(h) = in_heading.as_mut() {
                    h.push_str(&chunk);
                }
            }
            Event::Code(chunk) => {
                if let Some(h) = in_heading.as_mut() {
                    h.push_str(&chunk);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(fence) = open.take() {
                    let content_end =
                        fence.decoder.map.to_file_end(fence.decoder.out.len() as u32) as usize;
                    let (query, map) =
                        fence.decoder.finish(content_end.max(fence.block.start as usize));
                    let map =
                        if fence.exact { map } else { OffsetMap::coarse(query.len(), fence.block) };
                    queries.push(EmbeddedQuery {
                        language: fence.language,
                        text: query,
                        name: heading.clone(),
                        span_in_file: fence.block,
                        map,
                        encoding: Encoding::Verbatim,
                        exact: fence.exact,
                        facts: QueryFacts::default(),
                    });
                }
            }
            _ => {}
        }
    }
    queries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_kql_and_spl_fences_with_offsets() {
        let md = "# Hunt\n\nSome text.\n\n```KQL\nSecurityEvent\n| where x\n```\n\n## Splunk\n```splunk\nindex=main | stats count\n```\n```python\nprint(1)\n```\n";
        let queries = extract(md);
        assert_eq!(queries.len(), 2);
        assert_eq!(queries[0].language, Language::Kql);
        assert_eq!(queries[0].text, "SecurityEvent\n| where x\n");
        assert_eq!(queries[0].name.as_deref(), Some("Hunt"));
        let at = queries[0].text.find("where").unwrap() as u32;
        let file_at = queries[0].map.to_file_start(at) as usize;
        assert_eq!(&md[file_at..file_at + 5], "where");
        assert_eq!(queries[1].language, Language::Spl);
        assert_eq!(queries[1].name.as_deref(), Some("Splunk"));
        assert!(queries[1].exact);
    }

    #[test]
    fn fence_inside_a_list_maps_each_line() {
        let md = "- step\n\n  ```kusto\n  T\n  | take 1\n  ```\n";
        let queries = extract(md);
        assert_eq!(queries.len(), 1);
        assert_eq!(queries[0].text, "T\n| take 1\n");
        let at = queries[0].text.find("take").unwrap() as u32;
        let file_at = queries[0].map.to_file_start(at) as usize;
        assert_eq!(&md[file_at..file_at + 4], "take");
    }
}
