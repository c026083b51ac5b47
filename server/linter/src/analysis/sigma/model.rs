//! A Sigma rule as the checks see it: the YAML tree of one document plus the parts of it that
//! Sigma gives meaning to (the search identifiers with their field matches and modifiers, the
//! conditions with their parsed trees, the logsource). Every part keeps its byte span in the
//! document, so a finding lands on the YAML line that holds it.

use qlint_grammar::sigma::{self, Condition};
use qlint_grammar::{Parse, Span};

use super::yaml::{Node, NodeKind, Style};

/// Which of the three Sigma rule types a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `logsource:` + `detection:`.
    Detection,
    /// `correlation:` over other rules.
    Correlation,
    /// `filter:` applied to other rules (a meta filter).
    Filter,
}

/// One Sigma rule document.
#[derive(Debug, Clone)]
pub struct SigmaRule {
    /// The document's root mapping.
    pub root: Node,
    /// Detection, correlation or filter.
    pub kind: RuleKind,
    /// `detection:` (or, for a filter rule, `filter:`), when it is a mapping.
    pub detection: Option<Detection>,
    /// `logsource:` values.
    pub logsource: Logsource,
}

/// The `logsource:` of a rule (values lower-cased as Sigma compares them).
#[derive(Debug, Clone, Default)]
pub struct Logsource {
    /// `product:`.
    pub product: Option<String>,
    /// `category:`.
    pub category: Option<String>,
    /// `service:`.
    pub service: Option<String>,
}

/// The searches and conditions of a rule.
#[derive(Debug, Clone)]
pub struct Detection {
    /// The `detection:` key.
    pub key_span: Span,
    /// Every search identifier in source order.
    pub searches: Vec<Search>,
    /// Every condition (a list of conditions gives several).
    pub conditions: Vec<ConditionText>,
}

/// A search identifier under `detection:` and what it matches.
#[derive(Debug, Clone)]
pub struct Search {
    /// The identifier.
    pub name: String,
    /// Span of the identifier (the key).
    pub span: Span,
    /// Span of its value.
    pub value_span: Span,
    /// The field matches (of every map, for a list of maps).
    pub fields: Vec<FieldMatch>,
    /// Keyword values (a list of plain values searched in the whole event).
    pub keywords: Vec<Node>,
}

/// `Field|mod1|mod2: value(s)`.
#[derive(Debug, Clone)]
pub struct FieldMatch {
    /// The field name (empty for a key like `|contains`, which is a keyword match).
    pub field: String,
    /// Span of the field name inside the key.
    pub field_span: Span,
    /// Span of the whole key.
    pub key_span: Span,
    /// The modifiers after the field, in order.
    pub modifiers: Vec<Modifier>,
    /// The values (one for a scalar, each item for a list).
    pub values: Vec<Node>,
    /// True when the value was written as a list.
    pub listed: bool,
    /// Which map of a list of maps this belongs to (0 for a plain map).
    pub group: usize,
}

/// A modifier after `|` in a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modifier {
    /// As written.
    pub name: String,
    /// Where (exact when the key is a plain or simply quoted scalar; else the whole key).
    pub span: Span,
}

/// A condition string, its parse, and how its offsets map into the document.
#[derive(Debug, Clone)]
pub struct ConditionText {
    /// The condition as Sigma reads it.
    pub text: String,
    /// Its tree and syntax errors (spans into `text`).
    pub parse: Parse<Condition>,
    /// The YAML scalar holding it.
    pub node_span: Span,
    /// Offset of `text` in the document, when every byte of `text` is at that offset plus its
    /// own (a one-line plain or quoted scalar without escapes).
    shift: Option<u32>,
}

impl ConditionText {
    fn new(node: &Node, text: &str, document: &str) -> Self {
        let raw = node.span.text(document);
        let shift = if raw == text {
            Some(node.span.start)
        } else if raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text) {
            Some(node.span.start + 1)
        } else {
            None
        };
        Self { text: text.to_owned(), parse: sigma::parse(text), node_span: node.span, shift }
    }

    /// The document span of a span in the condition text (the whole scalar when the mapping
    /// is not exact).
    pub fn to_document(&self, span: Span) -> Span {
        match self.shift {
            Some(shift) => Span::new(span.start + shift, span.end + shift),
            None => self.node_span,
        }
    }
}

/// Keys under `detection:` that are not search identifiers.
pub const DETECTION_KEYWORDS: &[&str] = &["condition", "timeframe"];

impl SigmaRule {
    /// Reads the Sigma parts of a document root; `None` when it is not a Sigma rule.
    pub fn from_root(root: &Node, document: &str) -> Option<SigmaRule> {
        let kind = kind_of(root)?;
        let section = match kind {
            RuleKind::Filter => root.get("filter"),
            _ => root.get("detection"),
        };
        let key_span = match kind {
            RuleKind::Filter => root.entry("filter"),
            _ => root.entry("detection"),
        }
        .map(|(k, _)| k.span);
        let detection = match (section, key_span) {
            (Some(node), Some(key_span)) if node.is_map() => {
                Some(read_detection(node, key_span, document, kind))
            }
            _ => None,
        };
        Some(SigmaRule { root: root.clone(), kind, detection, logsource: read_logsource(root) })
    }

    /// The search identifier called `name`, if any.
    pub fn search(&self, name: &str) -> Option<&Search> {
        self.detection.as_ref()?.searches.iter().find(|s| s.name == name)
    }
}

/// What kind of Sigma rule a document root is, if it is one.
pub fn kind_of(root: &Node) -> Option<RuleKind> {
    if !root.is_map() {
        return None;
    }
    let has = |key: &str| root.get(key).is_some();
    if has("correlation") {
        Some(RuleKind::Correlation)
    } else if has("detection") && (has("logsource") || has("title")) {
        Some(RuleKind::Detection)
    } else if has("filter") && has("logsource") {
        Some(RuleKind::Filter)
    } else {
        None
    }
}

fn read_logsource(root: &Node) -> Logsource {
    let value = |key: &str| {
        root.get("logsource")
            .and_then(|l| l.get(key))
            .and_then(Node::as_str)
            .map(|s| s.to_ascii_lowercase())
    };
    Logsource { product: value("product"), category: value("category"), service: value("service") }
}

fn read_detection(node: &Node, key_span: Span, document: &str, kind: RuleKind) -> Detection {
    let mut searches = Vec::new();
    let mut conditions = Vec::new();
    for (key, value) in node.entries() {
        let Some(name) = key.as_str() else { continue };
        if name == "condition" {
            match &value.kind {
                NodeKind::Scalar(text, _) => {
                    conditions.push(ConditionText::new(value, text, document))
                }
                NodeKind::Seq(items) => {
                    for item in items {
                        if let Some(text) = item.as_str() {
                            conditions.push(ConditionText::new(item, text, document));
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        if DETECTION_KEYWORDS.contains(&name) || (kind == RuleKind::Filter && name == "rules") {
            continue;
        }
        searches.push(read_search(name, key, value, document));
    }
    Detection { key_span, searches, conditions }
}

fn read_search(name: &str, key: &Node, value: &Node, document: &str) -> Search {
    let mut search = Search {
        name: name.to_owned(),
        span: key.span,
        value_span: value.span,
        fields: Vec::new(),
        keywords: Vec::new(),
    };
    match &value.kind {
        NodeKind::Map(entries) => read_fields(entries, 0, document, &mut search.fields),
        NodeKind::Seq(items) => {
            for (group, item) in items.iter().enumerate() {
                match &item.kind {
                    NodeKind::Map(entries) => {
                        read_fields(entries, group, document, &mut search.fields)
                    }
                    _ => search.keywords.push(item.clone()),
                }
            }
        }
        NodeKind::Scalar(..) => search.keywords.push(value.clone()),
        NodeKind::Alias => {}
    }
    search
}

fn read_fields(entries: &[(Node, Node)], group: usize, document: &str, out: &mut Vec<FieldMatch>) {
    for (key, value) in entries {
        let Some(text) = key.as_str() else { continue };
        let raw = key.span.text(document);
        let shift = if raw == text {
            Some(key.span.start)
        } else if matches!(
            &key.kind,
            NodeKind::Scalar(_, Style::SingleQuoted | Style::DoubleQuoted)
        ) && raw.len() == text.len() + 2
            && &raw[1..raw.len() - 1] == text
        {
            Some(key.span.start + 1)
        } else {
            None
        };
        let at = |from: usize, to: usize| match shift {
            Some(s) => Span::new(s + from as u32, s + to as u32),
            None => key.span,
        };
        let mut parts = text.split('|');
        let field = parts.next().unwrap_or("").to_owned();
        let mut offset = field.len();
        let mut modifiers = Vec::new();
        for part in parts {
            let start = offset + 1;
            modifiers.push(Modifier { name: part.to_owned(), span: at(start, start + part.len()) });
            offset = start + part.len();
        }
        let (values, listed) = match &value.kind {
            NodeKind::Seq(items) => (items.clone(), true),
            _ => (vec![value.clone()], false),
        };
        out.push(FieldMatch {
            field_span: at(0, field.len()),
            field,
            key_span: key.span,
            modifiers,
            values,
            listed,
            group,
        });
    }
}

impl FieldMatch {
    /// True when the modifier `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.modifiers.iter().any(|m| m.name == name)
    }
}
