//! Queries under YAML keys that `qlint.toml` names (`[[yaml-queries]]`), so a team's own rule
//! format is linted without code changes:
//!
//! ```toml
//! [[yaml-queries]]
//! key = "detect.query"          # keys from the document root, joined with `.`
//! language = "kql"              # kql or spl
//! when = { key = "engine", equals = "sentinel" }   # optional: a sibling key's value
//! ```

use serde::Deserialize;

use qlint_linter::Language;
use qlint_linter::analysis::sigma::{Node, parse_stream};

use super::yaml::decode_scalar;
use super::{EmbeddedQuery, Encoding, OffsetMap};

/// One configured key that holds queries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YamlQueryKey {
    /// The keys from the document root to the query, joined with `.`.
    pub key: String,
    /// The language of the query.
    pub language: ConfiguredLanguage,
    /// Only when a key beside the query's key has this value.
    pub when: Option<SiblingValue>,
}

/// The languages a configured key may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfiguredLanguage {
    /// KQL.
    Kql,
    /// SPL.
    Spl,
}

/// `when = { key = "...", equals = "..." }`: compared ignoring ASCII case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiblingValue {
    /// The sibling key.
    pub key: String,
    /// Its required value.
    pub equals: String,
}

/// The queries under the configured keys, in every document of the stream.
pub(super) fn extract(text: &str, keys: &[YamlQueryKey]) -> Vec<EmbeddedQuery> {
    let Ok(documents) = parse_stream(text) else { return Vec::new() };
    let mut out = Vec::new();
    for root in documents.iter().filter_map(|d| d.root.as_ref()) {
        for wanted in keys {
            let Some((parent, node)) = find(root, &wanted.key) else { continue };
            if let Some(when) = &wanted.when {
                let value = parent.get(&when.key).and_then(Node::as_str);
                if !value.is_some_and(|v| v.trim().eq_ignore_ascii_case(when.equals.trim())) {
                    continue;
                }
            }
            let Some(value) = node.as_str() else { continue };
            let language = match wanted.language {
                ConfiguredLanguage::Kql => Language::Kql,
                ConfiguredLanguage::Spl => Language::Spl,
            };
            out.push(query(text, node, value, language, &wanted.key));
        }
    }
    out
}

/// The mapping that holds the last key of `path`, and the value under it.
fn find<'n>(root: &'n Node, path: &str) -> Option<(&'n Node, &'n Node)> {
    let mut parent = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let value = parent.get(part)?;
        if parts.peek().is_none() {
            return Some((parent, value));
        }
        parent = value;
    }
    None
}

fn query(text: &str, node: &Node, value: &str, language: Language, key: &str) -> EmbeddedQuery {
    let start = node.span.start as usize;
    match decode_scalar(text, start) {
        Some(decoded) if decoded.text == value => EmbeddedQuery {
            language,
            text: decoded.text,
            name: Some(key.to_owned()),
            span_in_file: decoded.span,
            map: decoded.map,
            encoding: decoded.encoding,
            exact: true,
            facts: Default::default(),
        },
        _ => EmbeddedQuery {
            language,
            map: OffsetMap::coarse(value.len(), node.span),
            text: value.to_owned(),
            name: Some(key.to_owned()),
            span_in_file: node.span,
            encoding: Encoding::Verbatim,
            exact: false,
            facts: Default::default(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(toml_text: &str) -> Vec<YamlQueryKey> {
        #[derive(Deserialize)]
        struct Wrapper {
            #[serde(rename = "yaml-queries")]
            yaml_queries: Vec<YamlQueryKey>,
        }
        toml::from_str::<Wrapper>(toml_text).unwrap().yaml_queries
    }

    #[test]
    fn a_configured_key_path_with_a_sibling_condition() {
        let config = keys(
            "[[yaml-queries]]\nkey = \"detect.query\"\nlanguage = \"kql\"\nwhen = { key = \"engine\", equals = \"Sentinel\" }\n",
        );
        let yaml = "name: x\ndetect:\n  engine: sentinel\n  query: |\n    SigninLogs\n    | take 1\n---\ndetect:\n  engine: splunk\n  query: index=main\n";
        let found = extract(yaml, &config);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "SigninLogs\n| take 1\n");
        assert_eq!(found[0].language, Language::Kql);
        assert!(found[0].exact);
        let at = found[0].text.find("take").unwrap() as u32;
        let span = found[0].map.to_file_span(qlint_grammar::Span::new(at, at + 4));
        assert_eq!(&yaml[span.start as usize..span.end as usize], "take");
    }

    #[test]
    fn missing_keys_and_non_scalars_are_skipped() {
        let config = keys("[[yaml-queries]]\nkey = \"a.b\"\nlanguage = \"spl\"\n");
        assert!(extract("a: 1\n", &config).is_empty());
        assert!(extract("a:\n  b: [1]\n", &config).is_empty());
        assert_eq!(extract("a:\n  b: 'index=x | stats count'\n", &config).len(), 1);
    }
}
