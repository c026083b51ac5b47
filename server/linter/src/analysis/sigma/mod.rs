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

/// Reads the Sigma rule of a text: one document, or a rule collection's `action: global`
/// document followed by one rule document, which inherits the global keys (see
/// [`merge_global`]). `None` when it is no Sigma rule (or not YAML: the container reports
/// that).
pub fn analyze(text: &str) -> SigmaAnalysis {
    let rule = parse_stream(text).ok().and_then(|docs| {
        let roots: Vec<Node> = docs.into_iter().filter_map(|d| d.root).collect();
        match roots.as_slice() {
            [global, own, ..] if is_global(global) => {
                SigmaRule::from_root(&merge_global(global, own), text)
            }
            _ => roots.iter().find_map(|root| SigmaRule::from_root(root, text)),
        }
    });
    SigmaAnalysis { rule, logic: LogicModel::default() }
}

/// True for the `action: global` document of a rule collection.
pub fn is_global(root: &Node) -> bool {
    root.get("action").and_then(Node::as_str) == Some("global")
}

/// A rule document with the keys of its collection's global document added: mappings are
/// merged key by key (the rule's own value wins), other values are taken from the global
/// document only when the rule lacks the key.
pub fn merge_global(global: &Node, own: &Node) -> Node {
    let (NodeKind::Map(globals), NodeKind::Map(owns)) = (&global.kind, &own.kind) else {
        return own.clone();
    };
    let mut entries = owns.clone();
    for (key, value) in globals {
        let Some(name) = key.as_str() else { continue };
        if name == "action" {
            continue;
        }
        match entries.iter_mut().find(|(k, _)| k.as_str() == Some(name)) {
            Some((_, mine)) => *mine = merge_global(value, mine),
            None => entries.push((key.clone(), value.clone())),
        }
    }
    Node { kind: NodeKind::Map(entries), span: own.span }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Language, lint_query};
    use qlint_knowledge::Knowledge;

    const RULE: &str = "title: t\nid: 502b42de-4306-40b4-9596-6f590c81f073\ntags:\n  - attack.t1059.001\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  selection:\n    'Image|endswith':\n      - \"\\\\é.exe\"\n      - '\\x'\n    CommandLine|re: '(a|b'\n  filter_1:\n    User: [a, a]\n  condition: (selection and not 1 of filter_*) or all of them | count() > 1\nlevel: high\n";

    #[test]
    fn every_truncation_lints_without_panic() {
        let knowledge = Knowledge::builtin();
        for (end, _) in RULE.char_indices() {
            let text = &RULE[..end];
            for d in lint_query(Language::Sigma, text, &knowledge) {
                assert!(d.span.end as usize <= text.len(), "{text:?}: {d:?}");
                assert!(text.is_char_boundary(d.span.start as usize), "{text:?}: {d:?}");
            }
        }
    }

    #[test]
    fn a_collection_document_inherits_the_global_keys() {
        let text = "action: global\ntitle: t\nlogsource:\n  product: windows\ndetection:\n  condition: sel\n---\ndetection:\n  sel:\n    EventID: 1\n";
        let rule = analyze(text).rule.expect("a rule");
        assert_eq!(rule.logsource.product.as_deref(), Some("windows"));
        let detection = rule.detection.expect("a detection");
        assert_eq!(detection.searches.len(), 1);
        assert_eq!(detection.conditions.len(), 1);
    }
}
