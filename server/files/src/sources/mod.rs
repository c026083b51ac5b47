//! Finds the queries in a file: whole `.kql`/`.spl` files, Markdown fences, Sentinel and Splunk
//! YAML, Splunk `savedsearches.conf` and `macros.conf`.
//!
//! Every query comes with an [`OffsetMap`] from its decoded text back to the file, so that a
//! diagnostic inside a YAML block scalar or a quoted scalar with escapes lands on the right
//! file line and column. No IO here: callers pass the text.

mod conf;
mod custom;
mod defender;
mod facts;
mod json;
mod kql_file;
mod map;
mod markdown;
mod sigma;
mod yaml;

use std::path::Path;

use qlint_grammar::Span;

use qlint_linter::{Language, QueryFacts};

pub use custom::YamlQueryKey;
pub use facts::SentinelKeys;
pub use kql_file::KqlSplit;
pub use map::OffsetMap;

/// How the decoded query text must be re-encoded when an edit is written back into the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The file holds the query verbatim (a `.kql` file, a Markdown fence, a YAML block scalar).
    Verbatim,
    /// A YAML double-quoted scalar: `\` and `"` need escapes.
    YamlDoubleQuoted,
    /// A YAML single-quoted scalar: `'` is doubled.
    YamlSingleQuoted,
    /// A YAML plain scalar: single-line edits only.
    SingleLine,
    /// The content of a JSON string (a Defender custom detection's `queryText`): `"`, `\`
    /// and control characters are escaped, line breaks as `\n`.
    JsonString,
    /// A `.conf` value: a line break is written as `\` at the end of the line (a
    /// continuation), which the reader turns back into a line break.
    ConfValue,
}

impl Encoding {
    /// Encodes `replacement` for this container, or `None` when it cannot be written safely.
    pub fn encode(self, replacement: &str) -> Option<String> {
        match self {
            Encoding::Verbatim => Some(replacement.to_owned()),
            // A line that already ends with `\` would read as `\\` + line break, which Splunk may
            // take for an escaped backslash; on the last line it would swallow the next setting.
            Encoding::ConfValue
                if replacement.contains('\r')
                    || replacement.split('\n').any(|line| line.ends_with('\\')) =>
            {
                None
            }
            Encoding::ConfValue => Some(replacement.replace('\n', "\\\n")),
            Encoding::JsonString => Some(json::escape(replacement)),
            _ if replacement.contains(['\n', '\r']) => None,
            Encoding::YamlDoubleQuoted => {
                Some(replacement.replace('\\', "\\\\").replace('"', "\\\""))
            }
            Encoding::YamlSingleQuoted => Some(replacement.replace('\'', "''")),
            Encoding::SingleLine => (!replacement.contains(" #") && !replacement.contains(": "))
                .then(|| replacement.to_owned()),
        }
    }
}

/// One query found in a file.
#[derive(Debug, Clone)]
pub struct EmbeddedQuery {
    /// The query language.
    pub language: Language,
    /// The decoded query text (what the query engine would run).
    pub text: String,
    /// The rule or stanza name, when the container gives one.
    pub name: Option<String>,
    /// The bytes of the file that hold the query.
    pub span_in_file: Span,
    /// Maps byte offsets in `text` to byte offsets in the file.
    pub map: OffsetMap,
    /// How edits are written back.
    pub encoding: Encoding,
    /// False when the map is only approximate (every offset maps to the container start).
    pub exact: bool,
    /// What the container says about the query (time window, declared parameters).
    pub facts: QueryFacts,
}

impl EmbeddedQuery {
    /// A query that is the whole file (after a UTF-8 byte-order mark, if any).
    pub fn whole_file(language: Language, text: &str) -> Self {
        let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut map = OffsetMap::default();
        map.push(0, text.len() - skip, skip, text.len() - skip);
        map.set_file_end(text.len());
        Self {
            language,
            text: text[skip..].to_owned(),
            name: None,
            span_in_file: Span::new(skip as u32, text.len() as u32),
            map,
            encoding: Encoding::Verbatim,
            exact: true,
            facts: QueryFacts::default(),
        }
    }
}

/// A problem with the container itself (not with a query inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerError {
    /// File bytes the error points at.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

/// What kind of file a path is, as far as queries are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// The whole file is a query (a KQL file: one or more, separated by blank lines).
    Query(Language),
    /// Markdown with fenced code blocks.
    Markdown,
    /// Sentinel or Splunk security-content YAML.
    Yaml,
    /// JSON: Microsoft Defender XDR custom detections (Graph `detectionRule`); other JSON
    /// holds no queries.
    Json,
    /// Splunk `savedsearches.conf`.
    SavedSearches,
    /// Splunk `macros.conf`.
    Macros,
}

impl SourceKind {
    /// The kind of `path` from its name, or `None` for files that hold no queries.
    pub fn of_path(path: &Path) -> Option<SourceKind> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with("savedsearches.conf") {
            return Some(SourceKind::SavedSearches);
        }
        if name.ends_with("macros.conf") {
            return Some(SourceKind::Macros);
        }
        let extension = name.rsplit_once('.')?.1;
        Some(match extension {
            "kql" | "csl" | "kusto" => SourceKind::Query(Language::Kql),
            "spl" => SourceKind::Query(Language::Spl),
            "yaral" | "yl2" => SourceKind::Query(Language::Yaral),
            "md" | "markdown" => SourceKind::Markdown,
            "yml" | "yaml" => SourceKind::Yaml,
            "json" => SourceKind::Json,
            _ => return None,
        })
    }
}

/// The queries of one file, and the errors of its container.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    /// Queries in file order.
    pub queries: Vec<EmbeddedQuery>,
    /// Malformed container (e.g. YAML that does not parse).
    pub errors: Vec<ContainerError>,
}

/// Extracts the queries of `text` with the configured extra YAML keys (`[[yaml-queries]]`).
pub fn extract_with(kind: SourceKind, text: &str, keys: &[YamlQueryKey]) -> Extraction {
    let mut extraction = extract(kind, text);
    if kind == SourceKind::Yaml && !keys.is_empty() && extraction.errors.is_empty() {
        let known: Vec<Span> = extraction.queries.iter().map(|q| q.span_in_file).collect();
        let extra = custom::extract(text, keys);
        extraction.queries.extend(extra.into_iter().filter(|q| !known.contains(&q.span_in_file)));
        extraction.queries.sort_by_key(|q| q.span_in_file.start);
    }
    extraction
}

/// Extracts the queries of `text`, which has the given kind.
pub fn extract(kind: SourceKind, text: &str) -> Extraction {
    match kind {
        SourceKind::Query(Language::Kql) => {
            Extraction { queries: kql_file::extract(text), errors: Vec::new() }
        }
        SourceKind::Query(language) => Extraction {
            queries: vec![EmbeddedQuery::whole_file(language, text)],
            errors: Vec::new(),
        },
        SourceKind::Markdown => Extraction { queries: markdown::extract(text), errors: Vec::new() },
        SourceKind::Yaml => yaml::extract(text),
        SourceKind::Json => json::extract(text),
        SourceKind::SavedSearches => {
            Extraction { queries: conf::extract(text, "search"), errors: Vec::new() }
        }
        SourceKind::Macros => {
            Extraction { queries: conf::extract(text, "definition"), errors: Vec::new() }
        }
    }
}

/// Builds decoded text and its map together.
#[derive(Debug, Default)]
struct Decoder {
    out: String,
    map: OffsetMap,
}

impl Decoder {
    /// Copies `file[start..end]` verbatim.
    fn copy(&mut self, file: &str, start: usize, end: usize) {
        if end <= start {
            return;
        }
        let at = self.out.len();
        self.out.push_str(&file[start..end]);
        self.map.push(at, end - start, start, end - start);
    }

    /// Emits `decoded`, which stands for the file bytes `start..end`.
    fn emit(&mut self, decoded: &str, start: usize, end: usize) {
        let at = self.out.len();
        self.out.push_str(decoded);
        self.map.push(at, decoded.len(), start, end.saturating_sub(start));
    }

    fn finish(mut self, file_end: usize) -> (String, OffsetMap) {
        self.map.set_file_end(file_end);
        (self.out, self.map)
    }
}

/// Splits `text[start..end]` into lines: `(line_start, content_end, next_line_start)`.
fn lines_in(text: &str, start: usize, end: usize) -> Vec<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut at = start;
    while at < end {
        let newline = memchr_newline(&bytes[at..end]).map(|i| at + i);
        match newline {
            Some(nl) => {
                let content_end = if nl > at && bytes[nl - 1] == b'\r' { nl - 1 } else { nl };
                lines.push((at, content_end, nl + 1));
                at = nl + 1;
            }
            None => {
                lines.push((at, end, end));
                at = end;
            }
        }
    }
    lines
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query of our own sample hunts is found and mapped exactly.
    #[test]
    fn sample_hunts_decode_exactly() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/hunts");
        let mut stack = vec![root];
        let mut queries = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Some(kind) = SourceKind::of_path(&path) else { continue };
                let text = std::fs::read_to_string(&path).unwrap();
                let extraction = extract(kind, &text);
                assert!(extraction.errors.is_empty(), "{}", path.display());
                assert!(!extraction.queries.is_empty(), "{}", path.display());
                for query in &extraction.queries {
                    assert!(query.exact, "{}: {:?}", path.display(), query.text);
                    queries += 1;
                }
            }
        }
        assert!(queries >= 16, "{queries}");
    }
}
