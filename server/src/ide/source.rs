//! A file as editor features see it: its text and the query regions inside it.
//!
//! A `.kql` or `.spl` file is one region; a Markdown file has one region per query fence.
//! Every region maps offsets both ways between its query text and the file.

use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use qlint_grammar::Span;

use crate::lint::Language;

/// What kind of document a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The whole file is a query.
    Query(Language),
    /// Markdown with query fences.
    Markdown,
    /// YAML rule files (Sentinel, Splunk security content).
    Yaml,
    /// Something that holds no queries.
    Other,
}

impl FileKind {
    /// The kind from the file name, falling back to the client's language id.
    pub fn detect(path: Option<&Path>, language_id: &str) -> FileKind {
        let ext = path
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        let by_ext = match ext.as_deref() {
            Some("kql" | "csl" | "kusto") => Some(FileKind::Query(Language::Kql)),
            Some("spl") => Some(FileKind::Query(Language::Spl)),
            Some("md" | "markdown") => Some(FileKind::Markdown),
            Some("yml" | "yaml") => Some(FileKind::Yaml),
            _ => None,
        };
        by_ext.unwrap_or_else(|| match language_id.to_ascii_lowercase().as_str() {
            "kql" | "kusto" | "csl" => FileKind::Query(Language::Kql),
            "spl" | "splunk" | "splunk_search" => FileKind::Query(Language::Spl),
            "markdown" => FileKind::Markdown,
            "yaml" => FileKind::Yaml,
            _ => FileKind::Other,
        })
    }
}

/// The language of a Markdown fence info string, if it is a query language.
pub fn fence_language(info: &str) -> Option<Language> {
    let word = info.split_whitespace().next()?.to_ascii_lowercase();
    match word.as_str() {
        "kql" | "kusto" | "csl" => Some(Language::Kql),
        "spl" | "splunk" => Some(Language::Spl),
        _ => None,
    }
}

/// How query offsets relate to file offsets.
#[derive(Debug, Clone)]
enum RegionMap {
    /// The query is a verbatim slice of the file starting at this offset.
    Shift(u32),
    /// Verbatim pieces: `(query_start, file_start, len)`, sorted, non-overlapping.
    Pieces(Vec<(u32, u32, u32)>),
}

/// One query inside a file.
#[derive(Debug, Clone)]
pub struct Region {
    /// Its language.
    pub language: Language,
    /// The query text (decoded from its container).
    pub text: String,
    /// A name from the container (rule name, heading), if any.
    pub name: Option<String>,
    /// The file bytes that hold the query.
    pub span_in_file: Span,
    map: RegionMap,
}

impl Region {
    /// A region that is a verbatim slice of the file at `start`.
    pub fn verbatim(language: Language, text: String, start: u32, name: Option<String>) -> Self {
        let end = start + text.len() as u32;
        Self { language, text, name, span_in_file: Span::new(start, end), map: RegionMap::Shift(start) }
    }

    /// A region made of verbatim pieces `(query_start, file_start, len)`.
    pub fn pieces(
        language: Language,
        text: String,
        span_in_file: Span,
        name: Option<String>,
        mut pieces: Vec<(u32, u32, u32)>,
    ) -> Self {
        pieces.sort_unstable();
        Self { language, text, name, span_in_file, map: RegionMap::Pieces(pieces) }
    }

    /// File offset of a query offset.
    pub fn to_file(&self, offset: u32) -> u32 {
        match &self.map {
            RegionMap::Shift(start) => start + offset.min(self.text.len() as u32),
            RegionMap::Pieces(pieces) => {
                let idx = pieces.partition_point(|&(q, _, _)| q <= offset);
                match idx.checked_sub(1).and_then(|i| pieces.get(i)) {
                    Some(&(q, f, len)) => f + (offset - q).min(len),
                    None => self.span_in_file.start,
                }
            }
        }
    }

    /// File span of a query span.
    pub fn span_to_file(&self, span: Span) -> Span {
        let start = self.to_file(span.start);
        Span::new(start, self.to_file(span.end).max(start))
    }

    /// Query offset of a file offset, when the file offset lies in this region.
    pub fn to_query(&self, offset: u32) -> Option<u32> {
        if !self.span_in_file.contains_offset(offset) {
            return None;
        }
        match &self.map {
            RegionMap::Shift(start) => Some(offset - start),
            RegionMap::Pieces(pieces) => {
                pieces.iter().find(|&&(_, f, len)| f <= offset && offset <= f + len).map(|&(q, f, _)| q + offset - f)
            }
        }
    }
}

/// A document with its query regions.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Where it lives, when it is a file on disk.
    pub path: Option<PathBuf>,
    /// What kind of file it is.
    pub kind: FileKind,
    /// The whole text.
    pub text: String,
    /// Query regions in file order.
    pub regions: Vec<Region>,
}

impl SourceFile {
    /// Splits `text` into query regions according to its kind.
    pub fn new(path: Option<PathBuf>, language_id: &str, text: String) -> Self {
        let kind = FileKind::detect(path.as_deref(), language_id);
        let regions = match kind {
            FileKind::Query(language) => vec![Region::verbatim(language, text.clone(), 0, None)],
            FileKind::Markdown => markdown_regions(&text),
            FileKind::Yaml | FileKind::Other => Vec::new(),
        };
        Self { path, kind, text, regions }
    }

    /// The region containing a file offset, with the offset in query coordinates.
    pub fn region_at(&self, offset: u32) -> Option<(&Region, u32)> {
        self.regions.iter().find_map(|r| r.to_query(offset).map(|q| (r, q)))
    }
}

/// The query fences of a Markdown text. A fence whose content is not one verbatim slice of the
/// file (inside a block quote, say) is mapped line by line.
fn markdown_regions(text: &str) -> Vec<Region> {
    let mut regions = Vec::new();
    let mut current: Option<(Language, Vec<(u32, u32, u32)>, String)> = None;
    let mut heading: Option<String> = None;
    let mut in_heading = false;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = fence_language(&info).map(|l| (l, Vec::new(), String::new()));
            }
            Event::Text(t) if current.is_some() => {
                if let Some((_, pieces, buf)) = current.as_mut() {
                    // Text events of a code block are verbatim slices of the file.
                    if text.get(range.clone()) == Some(&*t) {
                        pieces.push((buf.len() as u32, range.start as u32, t.len() as u32));
                    }
                    buf.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) if in_heading => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((language, pieces, buf)) = current.take() {
                    let start = pieces.first().map_or(range.start as u32, |p| p.1);
                    let end = pieces.last().map_or(start, |p| p.1 + p.2);
                    let name = heading.clone().filter(|h| !h.trim().is_empty());
                    let contiguous = pieces.len() <= 1
                        || pieces.windows(2).all(|w| w[0].1 + w[0].2 == w[1].1);
                    if contiguous && text.get(start as usize..end as usize) == Some(buf.as_str()) {
                        regions.push(Region::verbatim(language, buf, start, name));
                    } else {
                        regions.push(Region::pieces(language, buf, Span::new(start, end), name, pieces));
                    }
                }
            }
            _ => {}
        }
    }
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_fences_become_regions_with_exact_offsets() {
        let md = "# Hunt one\n\n```kql\nDeviceEvents\n| take 1\n```\n\n> ```spl\n> index=main\n> | head 1\n> ```\n\n```python\nx\n```\n";
        let file = SourceFile::new(Some("h.md".into()), "markdown", md.to_owned());
        assert_eq!(file.regions.len(), 2);
        let kql = &file.regions[0];
        assert_eq!(kql.language, Language::Kql);
        assert_eq!(kql.name.as_deref(), Some("Hunt one"));
        assert_eq!(&md[kql.to_file(0) as usize..kql.to_file(12) as usize], "DeviceEvents");
        let spl = &file.regions[1];
        assert_eq!(spl.text, "index=main\n| head 1\n");
        let head = spl.text.find("head").unwrap() as u32;
        assert_eq!(&md[spl.to_file(head) as usize..][..4], "head");
        let file_head = md.find("head").unwrap() as u32;
        assert_eq!(spl.to_query(file_head), Some(head));
        assert!(file.region_at(0).is_none());
    }

    #[test]
    fn kinds_come_from_extension_then_language_id() {
        assert_eq!(FileKind::detect(Some(Path::new("a.CSL")), "plaintext"), FileKind::Query(Language::Kql));
        assert_eq!(FileKind::detect(None, "spl"), FileKind::Query(Language::Spl));
        assert_eq!(FileKind::detect(Some(Path::new("r.yaml")), ""), FileKind::Yaml);
    }
}
