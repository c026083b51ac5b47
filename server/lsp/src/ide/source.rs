//! A file as editor features see it: its text and the query regions inside it.
//!
//! Regions come from [`qlint_files::sources`] (the same extraction `qlint check` uses: whole files,
//! Markdown fences, Sentinel/Splunk YAML, `.conf` stanzas). Every region maps offsets both ways
//! between its query text and the file.

use std::path::{Path, PathBuf};

use qlint_grammar::Span;

use qlint_files::sources::{self, EmbeddedQuery, Encoding, OffsetMap, SourceKind};
use qlint_linter::{Language, QueryFacts};

/// What kind of document a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The whole file is a query.
    Query(Language),
    /// A container of queries (Markdown, YAML, `.conf`).
    Container(SourceKind),
    /// Something that holds no queries.
    Other,
}

impl FileKind {
    /// The kind from the file name, falling back to the client's language id.
    pub fn detect(path: Option<&Path>, language_id: &str) -> FileKind {
        let by_path = path.and_then(SourceKind::of_path);
        let kind = by_path.or_else(|| match language_id.to_ascii_lowercase().as_str() {
            "kql" | "kusto" | "csl" => Some(SourceKind::Query(Language::Kql)),
            "spl" | "splunk" | "splunk_search" => Some(SourceKind::Query(Language::Spl)),
            "yaral" | "yara-l" | "yl2" => Some(SourceKind::Query(Language::Yaral)),
            "markdown" => Some(SourceKind::Markdown),
            "yaml" => Some(SourceKind::Yaml),
            _ => None,
        });
        match kind {
            Some(SourceKind::Query(language)) => FileKind::Query(language),
            Some(other) => FileKind::Container(other),
            None => FileKind::Other,
        }
    }

    /// The extraction kind, if the file holds queries.
    pub fn source_kind(self) -> Option<SourceKind> {
        match self {
            FileKind::Query(language) => Some(SourceKind::Query(language)),
            FileKind::Container(kind) => Some(kind),
            FileKind::Other => None,
        }
    }
}

/// How query offsets relate to file offsets.
#[derive(Debug, Clone)]
enum RegionMap {
    /// The query is a verbatim slice of the file starting at this offset.
    Shift(u32),
    /// The decoding map of a container (YAML escapes, block-scalar indentation, fences).
    Decoded(OffsetMap),
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
    /// What the container says about the query (time window, declared parameters).
    pub facts: QueryFacts,
    /// How the container holds the query text (verbatim, a quoted YAML scalar, one line).
    pub encoding: Encoding,
    /// False when the offset map is only approximate: no edit may be written through it.
    pub exact: bool,
    map: RegionMap,
}

impl Region {
    /// A region that is a verbatim slice of the file at `start`.
    pub fn verbatim(language: Language, text: String, start: u32, name: Option<String>) -> Self {
        let end = start + text.len() as u32;
        Self {
            language,
            text,
            name,
            span_in_file: Span::new(start, end),
            facts: QueryFacts::default(),
            encoding: Encoding::Verbatim,
            exact: true,
            map: RegionMap::Shift(start),
        }
    }

    /// A region for a query found by [`qlint_files::sources`].
    pub fn from_embedded(query: EmbeddedQuery) -> Self {
        Self {
            language: query.language,
            name: query.name,
            span_in_file: query.span_in_file,
            facts: query.facts,
            encoding: query.encoding,
            exact: query.exact,
            map: RegionMap::Decoded(query.map),
            text: query.text,
        }
    }

    fn len(&self) -> u32 {
        self.text.len() as u32
    }

    /// File offset of a query offset.
    pub fn to_file(&self, offset: u32) -> u32 {
        match &self.map {
            RegionMap::Shift(start) => start + offset.min(self.len()),
            RegionMap::Decoded(map) => map.to_file_start(offset.min(self.len())),
        }
    }

    /// File span of a query span.
    pub fn span_to_file(&self, span: Span) -> Span {
        match &self.map {
            RegionMap::Shift(_) => {
                let start = self.to_file(span.start);
                Span::new(start, self.to_file(span.end).max(start))
            }
            RegionMap::Decoded(map) => map.to_file_span(span),
        }
    }

    /// The file edit that replaces the query bytes `span` with `replacement`, encoded for the
    /// container: escapes in a quoted YAML scalar, each new line carrying the prefix of the
    /// line it starts on (a block scalar's indentation, a Markdown quote's `> `). `None` when
    /// the container cannot hold it (a line break in a one-line value) or the map is not exact.
    pub fn edit(&self, file: &str, span: Span, replacement: &str) -> Option<(Span, String)> {
        if !self.exact {
            return None;
        }
        let file_span = self.span_to_file(span);
        let mut encoded = self.encoding.encode(replacement)?;
        if encoded.contains('\n')
            && self.encoding == Encoding::Verbatim
            && matches!(self.map, RegionMap::Decoded(_))
        {
            let line_start = self.text[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
            let file_line = self.to_file(line_start as u32) as usize;
            let file_line_start = file.get(..file_line)?.rfind('\n').map_or(0, |i| i + 1);
            let prefix = file.get(file_line_start..file_line)?;
            if prefix.contains(|c: char| !matches!(c, ' ' | '\t' | '>')) {
                return None;
            }
            encoded = encoded.replace('\n', &format!("\n{prefix}"));
        }
        Some((file_span, encoded))
    }

    /// Query offset of a file offset, when the file offset lies in this region.
    pub fn to_query(&self, offset: u32) -> Option<u32> {
        if !self.span_in_file.contains_offset(offset) {
            return None;
        }
        match &self.map {
            RegionMap::Shift(start) => Some((offset - start).min(self.len())),
            RegionMap::Decoded(map) => Some(map.to_query_offset(offset, &self.text)),
        }
    }
}

/// The queries of a `.kql`/`.spl` file as [`sources::extract`] splits them (a KQL file may
/// hold several, separated by blank lines), each widened to the start of the next one so that
/// a cursor on the blank lines after a query (where the next one is being typed) is in a region.
fn query_file_regions(language: Language, text: &str) -> Vec<Region> {
    let queries = sources::extract(SourceKind::Query(language), text).queries;
    let starts: Vec<u32> = queries.iter().map(|q| q.span_in_file.start).collect();
    (0..starts.len()).map(|n| query_file_region(language, text, &starts, n)).collect()
}

/// Region `n` of a query file whose queries start at `starts`: from the start of the text
/// (after a byte-order mark) for the first, to the start of the next one or the end.
pub(crate) fn query_file_region(
    language: Language,
    text: &str,
    starts: &[u32],
    n: usize,
) -> Region {
    let start = if n == 0 { 0 } else { starts[n] };
    let end = starts.get(n + 1).map_or(text.len(), |&s| s as usize);
    // A byte-order mark stays outside the query.
    let start = start.max(u32::from(text.starts_with('\u{feff}')) * 3);
    Region::verbatim(language, text[start as usize..end].to_owned(), start, None)
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
            FileKind::Query(language) => query_file_regions(language, &text),
            FileKind::Container(source_kind) => sources::extract(source_kind, &text)
                .queries
                .into_iter()
                .map(Region::from_embedded)
                .collect(),
            FileKind::Other => Vec::new(),
        };
        Self { path, kind, text, regions }
    }

    /// The region containing a file offset, with the offset in query coordinates (the later
    /// region when the offset is where one ends and the next begins).
    pub fn region_at(&self, offset: u32) -> Option<(&Region, u32)> {
        self.regions.iter().rev().find_map(|r| r.to_query(offset).map(|q| (r, q)))
    }
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
    fn yaml_block_scalars_map_both_ways() {
        let yaml = "id: 1\nname: Rare\nquery: |\n  DeviceEvents\n  | where FileName == \"a\"\n";
        let file = SourceFile::new(Some("r.yaml".into()), "yaml", yaml.to_owned());
        assert_eq!(file.regions.len(), 1);
        let region = &file.regions[0];
        let q = region.text.find("where").unwrap() as u32;
        let f = yaml.find("where").unwrap() as u32;
        assert_eq!(region.to_file(q), f);
        assert_eq!(region.to_query(f), Some(q));
        assert_eq!(file.region_at(f).map(|(_, q)| q), Some(q));
    }

    #[test]
    fn a_kql_file_with_two_queries_has_two_regions() {
        let text = "T\n| take 1\n\nU\n| where x ==\n";
        let file = SourceFile::new(Some("h.kql".into()), "kql", text.to_owned());
        assert_eq!(file.regions.len(), 2);
        assert_eq!(file.regions[0].text, "T\n| take 1\n\n");
        assert_eq!(file.regions[1].text, "U\n| where x ==\n");
        // The blank line between them belongs to the first: where the next query is typed.
        let (region, q) = file.region_at(text.find("\n\n").unwrap() as u32 + 1).unwrap();
        assert_eq!((region.text.as_str(), q), ("T\n| take 1\n\n", 11));
    }

    #[test]
    fn kinds_come_from_extension_then_language_id() {
        assert_eq!(
            FileKind::detect(Some(Path::new("a.CSL")), "plaintext"),
            FileKind::Query(Language::Kql)
        );
        assert_eq!(FileKind::detect(None, "spl"), FileKind::Query(Language::Spl));
        assert_eq!(
            FileKind::detect(Some(Path::new("r.yaml")), ""),
            FileKind::Container(SourceKind::Yaml)
        );
    }
}
