//! A small YAML tree with byte spans, built from granit-parser's events (the parser under
//! serde-saphyr). Sigma checks need what serde cannot give: the position of every key and
//! value, duplicate keys, and the documents of a multi-document file.

use qlint_grammar::Span;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|` or `>` block.
    Block,
}

/// A YAML node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar with its decoded value.
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, entries in source order (duplicates kept).
    Map(Vec<(Node, Node)>),
    /// An alias (`*name`); not resolved.
    Alias,
}

/// A node and the bytes of the file it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Its bytes in the file (for a block scalar: its content lines).
    pub span: Span,
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The root node (`None` for an empty document).
    pub root: Option<Node>,
    /// The bytes of the document, its `---` included.
    pub span: Span,
}

/// A YAML syntax error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Where the scanner stopped.
    pub span: Span,
    /// The scanner's description.
    pub message: String,
}

impl Node {
    /// The scalar's value, when the node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(value, _) => Some(value),
            _ => None,
        }
    }

    /// The entries, when the node is a mapping.
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items, when the node is a sequence.
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        }
    }

    /// The value of the first entry whose key is `key`, when the node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The first entry whose key is `key`, when the node is a mapping.
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.entries().iter().find(|(k, _)| k.as_str() == Some(key))
    }

    /// True for a YAML null: an empty plain scalar, `~` or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(v, Style::Plain) if matches!(v.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// True for a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    /// True for a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.kind, NodeKind::Seq(_))
    }
}

/// Deepest nesting of sequences and mappings kept; deeper input is an error.
const MAX_NESTING: usize = 128;

fn span_of(range: Option<std::ops::Range<usize>>, fallback: usize) -> Span {
    match range {
        Some(r) => Span::new(r.start as u32, r.end as u32),
        None => Span::empty(fallback as u32),
    }
}

/// Parses every document of `text`. Stops at the first syntax error.
pub fn parse_stream(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut documents = Vec::new();
    // Open collections: their start span, style and what they hold so far.
    enum Open {
        Seq(Span, Vec<Node>),
        Map(Span, Vec<(Node, Node)>, Option<Node>),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut doc_start = 0u32;
    let mut last_end = 0usize;
    for item in Parser::new_from_str(text) {
        let (event, range) = match item {
            Ok((event, span)) => (event, span.byte_range()),
            Err(error) => {
                let at = error.marker().byte_offset().unwrap_or(last_end).min(text.len());
                return Err(YamlError {
                    span: Span::empty(at as u32).widen_empty(text),
                    message: error.info(),
                });
            }
        };
        let span = span_of(range, last_end);
        last_end = span.end as usize;
        let node = match event {
            Event::DocumentStart(..) => {
                doc_start = span.start;
                root = None;
                continue;
            }
            Event::DocumentEnd => {
                documents.push(Document {
                    root: root.take(),
                    span: Span::new(doc_start, span.end.max(doc_start)),
                });
                continue;
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if stack.len() >= MAX_NESTING => {
                return Err(YamlError {
                    span: span.widen_empty(text),
                    message: format!("nesting deeper than {MAX_NESTING} levels"),
                });
            }
            Event::SequenceStart(..) => {
                stack.push(Open::Seq(span, Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Open::Map(span, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // A flow collection ends at its bracket; a block one at its last child.
                let close = if span.is_empty() { 0 } else { span.end };
                match stack.pop() {
                    Some(Open::Seq(start, items)) => {
                        let end = items.last().map_or(start.end, |n| n.span.end).max(close);
                        Node { kind: NodeKind::Seq(items), span: Span::new(start.start, end) }
                    }
                    Some(Open::Map(start, entries, _)) => {
                        let end = entries.last().map_or(start.end, |(_, v)| v.span.end).max(close);
                        Node { kind: NodeKind::Map(entries), span: Span::new(start.start, end) }
                    }
                    None => continue,
                }
            }
            Event::Scalar(value, style, ..) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    _ => Style::Block,
                };
                Node { kind: NodeKind::Scalar(value.into_owned(), style), span }
            }
            Event::Alias(..) => Node { kind: NodeKind::Alias, span },
            _ => continue,
        };
        match stack.last_mut() {
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, entries, pending)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => *pending = Some(node),
            },
            None => root = Some(node),
        }
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_documents_keep_their_bytes() {
        let text = "title: x # c\ndetection:\n  sel:\n    Image|endswith:\n      - \"\\\\a.exe\"\n      - b\n  condition: sel\n---\nfoo: [1, {a: b}]\n";
        let docs = parse_stream(text).unwrap();
        assert_eq!(docs.len(), 2);
        let root = docs[0].root.as_ref().unwrap();
        let (key, value) = root.entry("title").unwrap();
        assert_eq!(key.span.text(text), "title");
        assert_eq!(value.span.text(text), "x");
        let sel = root.get("detection").and_then(|d| d.get("sel")).unwrap();
        let (field, values) = &sel.entries()[0];
        assert_eq!(field.as_str(), Some("Image|endswith"));
        assert_eq!(values.items()[0].as_str(), Some("\\a.exe"));
        assert_eq!(values.items()[0].span.text(text), "\"\\\\a.exe\"");
        let cond = root.get("detection").and_then(|d| d.get("condition")).unwrap();
        assert_eq!(cond.span.text(text), "sel");
        assert!(docs[1].span.text(text).starts_with("---"));
        let flow = docs[1].root.as_ref().unwrap().get("foo").unwrap();
        assert_eq!(flow.span.text(text), "[1, {a: b}]");
    }

    #[test]
    fn duplicate_keys_are_kept_and_nulls_recognised() {
        let text = "a: 1\na: 2\nb:\nc: ~\n";
        let docs = parse_stream(text).unwrap();
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!(root.entries().len(), 4);
        assert!(root.get("b").unwrap().is_null());
        assert!(root.get("c").unwrap().is_null());
    }

    #[test]
    fn syntax_errors_have_a_position_and_truncations_never_panic() {
        let err = parse_stream("a: [1, 2\nb: c\n").unwrap_err();
        assert!(!err.message.is_empty());
        let text = "title: x\ndetection:\n  sel:\n    - 'a'\n    - {b: [c, \"d\"]}\n  condition: sel\n---\n";
        for (end, _) in text.char_indices() {
            let _ = parse_stream(&text[..end]);
        }
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_stream(&deep).is_err());
    }
}
