//! Sigma rule documents: a YAML tree with spans ([`yaml`]) and the Sigma model read from it
//! ([`model`]): search identifiers, field matches with modifiers, parsed conditions,
//! logsource. The text linted is one YAML document; every span is a byte offset into it.

pub mod model;
pub mod yaml;

pub use model::{
    ConditionText, Detection, FieldMatch, Logsource, Modifier, RuleKind, Search, SigmaRule, kind_of,
};
pub use yaml::{Document, Node, NodeKind, Style, YamlError, parse_stream};

use super::logic::LogicModel;

/// The analysis of one Sigma document.
#[derive(Debug, Clone)]
pub struct SigmaAnalysis {
    /// The rule, when the document is a Sigma rule.
    pub rule: Option<SigmaRule>,
    /// Always empty: the shared detection-logic rules do not read Sigma (yet).
    pub logic: LogicModel,
}

/// Reads the Sigma rule of a one-document text; `None` when it is no Sigma rule (or not
/// YAML: the container reports that).
pub fn analyze(text: &str) -> SigmaAnalysis {
    let rule = parse_stream(text).ok().and_then(|docs| {
        docs.into_iter().find_map(|d| d.root.and_then(|root| SigmaRule::from_root(&root, text)))
    });
    SigmaAnalysis { rule, logic: LogicModel::default() }
}
