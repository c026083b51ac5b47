//! What a container says about its query outside the query text: the time window of a
//! scheduled rule and the parameters of a stored function (see [`QueryFacts`]).
//!
//! Sentinel keys are read with serde, so the same code serves a YAML file and any other serde
//! source with the same keys (a corpus record in JSON, for instance). Every value is read
//! leniently: a value of the wrong shape is no fact, never an error, and never hides the
//! query.

use serde::Deserialize;
use serde::de::IgnoredAny;

use qlint_knowledge::ScalarType;
use qlint_linter::{Parameter, ParameterType, QueryFacts, QueryRole, TimeWindow};

/// A value of the expected shape, or anything else (ignored).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Lenient<T> {
    Value(T),
    Other(IgnoredAny),
}

impl<T> Lenient<T> {
    pub(super) fn into_value(self) -> Option<T> {
        match self {
            Lenient::Value(value) => Some(value),
            Lenient::Other(_) => None,
        }
    }
}

/// One entry of `FunctionParams` / `ParserParams`: `{Name: starttime, Type: datetime, ...}`.
#[derive(Debug, Deserialize)]
pub(super) struct ParamEntry {
    #[serde(rename = "Name")]
    name: Lenient<String>,
    #[serde(rename = "Type")]
    ty: Option<Lenient<String>>,
}

type ParamList = Lenient<Vec<Lenient<ParamEntry>>>;

/// A list of ATT&CK technique ids; an entry that is not a string (a bare `-`) is kept as
/// [`Lenient::Other`].
pub(super) type TechniqueList = Lenient<Vec<Lenient<String>>>;

/// The `tags:` mapping of an ESCU detection, for its `mitre_attack_id` list.
#[derive(Debug, Deserialize)]
pub(super) struct EscuTags {
    mitre_attack_id: Option<TechniqueList>,
}

/// The keys of a Sentinel analytic rule, hunting query or parser (and the `type` of a Splunk
/// security-content detection) that state facts about its query. Deserialize it from the
/// rule file (or a record with the same keys) and call [`SentinelKeys::facts`].
#[derive(Debug, Default, Deserialize)]
pub struct SentinelKeys {
    kind: Option<Lenient<String>>,
    #[serde(rename = "type")]
    rule_type: Option<Lenient<String>>,
    #[serde(rename = "queryPeriod")]
    query_period: Option<Lenient<String>>,
    #[serde(rename = "queryFrequency")]
    query_frequency: Option<Lenient<String>>,
    #[serde(rename = "FunctionParams")]
    function_params: Option<ParamList>,
    #[serde(rename = "ParserParams")]
    parser_params: Option<ParamList>,
    #[serde(rename = "relevantTechniques")]
    relevant_techniques: Option<TechniqueList>,
    tags: Option<Lenient<EscuTags>>,
}

/// The keys of a rule file that carry its schedule and ATT&CK mapping, besides `kind`,
/// `type` and `queryPeriod`.
#[derive(Debug, Default)]
pub(super) struct RuleMetadata {
    pub(super) query_frequency: Option<Lenient<String>>,
    pub(super) relevant_techniques: Option<TechniqueList>,
    pub(super) tags: Option<Lenient<EscuTags>>,
}

impl SentinelKeys {
    /// The keys read by the YAML extractor along with the query keys.
    pub(super) fn new(
        kind: Option<Lenient<String>>,
        rule_type: Option<Lenient<String>>,
        query_period: Option<Lenient<String>>,
        function_params: Option<ParamList>,
        parser_params: Option<ParamList>,
        metadata: RuleMetadata,
    ) -> Self {
        let RuleMetadata { query_frequency, relevant_techniques, tags } = metadata;
        Self {
            kind,
            rule_type,
            query_period,
            query_frequency,
            function_params,
            parser_params,
            relevant_techniques,
            tags,
        }
    }

    /// The facts these keys state about the query under `query_key` (`query`,
    /// `ParserQuery`, `FunctionQuery`): see [`SentinelKeys::facts`] and [`for_query_key`].
    pub fn facts_for(self, query_key: &str) -> QueryFacts {
        for_query_key(self.facts(), query_key)
    }

    /// The facts these keys state. `kind: NRT` or a well-formed `queryPeriod` give a time
    /// window; a list under `FunctionParams` or `ParserParams` gives the parameters;
    /// `kind: Scheduled` / `NRT` (Sentinel) or `type: TTP` / `Anomaly` / `Correlation` (ESCU)
    /// make the query an alerting rule.
    pub fn facts(self) -> QueryFacts {
        let kind = self.kind.and_then(Lenient::into_value);
        let rule_type = self.rule_type.and_then(Lenient::into_value);
        let role = alerting_role(kind.as_deref(), rule_type.as_deref());
        let near_real_time = kind.is_some_and(|k| k.trim().eq_ignore_ascii_case("nrt"));
        let time_window = if near_real_time {
            Some(TimeWindow::NearRealTime)
        } else {
            self.query_period.and_then(Lenient::into_value).filter(|p| is_sentinel_duration(p)).map(
                |p| TimeWindow::Lookback { setting: "queryPeriod", value: p.trim().to_owned() },
            )
        };
        let query_frequency = self.query_frequency.and_then(Lenient::into_value);
        let techniques = technique_ids(self.relevant_techniques, self.tags);
        let lists: Vec<Vec<Lenient<ParamEntry>>> = [self.function_params, self.parser_params]
            .into_iter()
            .flatten()
            .filter_map(Lenient::into_value)
            .collect();
        let parameters = (!lists.is_empty()).then(|| {
            let mut parameters: Vec<Parameter> = Vec::new();
            for entry in lists.into_iter().flatten().filter_map(Lenient::into_value) {
                let Some(parameter) = parameter(entry) else { continue };
                if !parameters.iter().any(|p| p.name == parameter.name) {
                    parameters.push(parameter);
                }
            }
            parameters
        });
        QueryFacts {
            time_window,
            parameters,
            role,
            query_frequency,
            techniques,
            ..QueryFacts::default()
        }
    }
}

/// The technique ids of Sentinel `relevantTechniques` or ESCU `tags.mitre_attack_id`,
/// trimmed; an entry that is not a string becomes empty (so that rules can report it).
fn technique_ids(relevant: Option<TechniqueList>, tags: Option<Lenient<EscuTags>>) -> Vec<String> {
    let escu = tags.and_then(Lenient::into_value).and_then(|t| t.mitre_attack_id);
    let Some(list) = relevant.or(escu).and_then(Lenient::into_value) else { return Vec::new() };
    list.into_iter().map(|entry| entry.into_value().unwrap_or_default().trim().to_owned()).collect()
}

/// `Alert` for a Sentinel `kind: Scheduled` / `NRT` rule or an ESCU `type: TTP` / `Anomaly` /
/// `Correlation` detection; `Function` for an ESCU `Baseline` or `Investigation` (support
/// searches that build lookups or gather context, not detections); `Hunt` otherwise (hunting
/// queries have no `kind`; ESCU `Hunting` searches are run by analysts).
fn alerting_role(kind: Option<&str>, rule_type: Option<&str>) -> QueryRole {
    let is = |value: Option<&str>, names: &[&str]| {
        value.is_some_and(|v| names.iter().any(|n| v.trim().eq_ignore_ascii_case(n)))
    };
    if is(kind, &["Scheduled", "NRT"]) || is(rule_type, &["TTP", "Anomaly", "Correlation"]) {
        QueryRole::Alert
    } else if is(rule_type, &["Baseline", "Investigation"]) {
        QueryRole::Function
    } else {
        QueryRole::Hunt
    }
}

/// Adjusts the facts of a Sentinel file to the key its query sits under. An analytic rule
/// or hunting query (`query`) never receives parameters, so it declares none; a parser or
/// function body (`ParserQuery`, `FunctionQuery`) has what its file declares and is a
/// building block, not a detection.
pub(super) fn for_query_key(mut facts: QueryFacts, query_key: &str) -> QueryFacts {
    if query_key == "query" && facts.parameters.is_none() {
        facts.parameters = Some(Vec::new());
    }
    if matches!(query_key, "ParserQuery" | "FunctionQuery") {
        facts.role = QueryRole::Function;
    }
    facts
}

/// A parameter from its entry; `None` when the name is not a KQL identifier.
/// A tabular parameter is written `Name: 'T:(TimeGenerated:datetime)'`, `Type: table`.
fn parameter(entry: ParamEntry) -> Option<Parameter> {
    let written = entry.name.into_value()?;
    let ty = entry.ty.and_then(Lenient::into_value).unwrap_or_default();
    let ty = ty.trim();
    let (name, schema) = match written.split_once(':') {
        Some((name, schema)) => (name.trim(), Some(schema.trim())),
        None => (written.trim(), None),
    };
    if !is_identifier(name) {
        return None;
    }
    let tabular = ty.eq_ignore_ascii_case("table")
        || ty.starts_with('(')
        || ty.to_ascii_lowercase().starts_with("table:")
        || schema.is_some_and(|s| s.starts_with('('));
    let ty =
        if tabular { ParameterType::Tabular } else { ParameterType::Scalar(ScalarType::parse(ty)) };
    Some(Parameter::new(name, ty))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `5m`, `1h`, `14d` as Sentinel rule files write them, or an ISO 8601 duration (`PT1H`,
/// `P14D`) as ARM templates do; zero is not a window.
fn is_sentinel_duration(text: &str) -> bool {
    let text = text.trim();
    if let Some(iso) = text.strip_prefix(['P', 'p']) {
        let mut digits = false;
        let mut nonzero = false;
        for c in iso.chars() {
            match c {
                '0'..='9' => {
                    digits = true;
                    nonzero |= c != '0';
                }
                'T' | 't' | 'D' | 'd' | 'H' | 'h' | 'M' | 'm' | 'S' | 's' | 'W' | 'w' => {}
                _ => return false,
            }
        }
        return digits && nonzero;
    }
    let Some(unit) = text.chars().last() else { return false };
    let number = &text[..text.len() - unit.len_utf8()];
    matches!(unit.to_ascii_lowercase(), 's' | 'm' | 'h' | 'd')
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && number.bytes().any(|b| b != b'0')
}

/// The window of a Splunk saved search from `dispatch.earliest_time`: any time modifier but
/// empty and `0` (which both mean all time).
pub(super) fn splunk_window(earliest: &str) -> Option<TimeWindow> {
    let value = earliest.trim();
    (!value.is_empty() && value != "0").then(|| TimeWindow::Lookback {
        setting: "dispatch.earliest_time",
        value: value.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_json(json: &str) -> QueryFacts {
        serde_json::from_str::<SentinelKeys>(json).unwrap().facts()
    }

    #[test]
    fn durations() {
        for ok in ["5m", "1h", "14d", " 2D ", "PT1H", "P14D", "90s"] {
            assert!(is_sentinel_duration(ok), "{ok}");
        }
        for bad in ["", "d", "0d", "14", "14w", "-1h", "1.5h", "P", "PT0H", "1hh", "é"] {
            assert!(!is_sentinel_duration(bad), "{bad}");
        }
    }

    #[test]
    fn record_keys_give_the_same_facts_as_yaml_keys() {
        let facts = from_json(
            r#"{"kind": "Scheduled", "queryPeriod": "14d", "queryFrequency": "1d",
                "FunctionParams": [{"Name": "T:(TimeGenerated:datetime)", "Type": "table"},
                                   {"Name": "field", "Type": "string"},
                                   {"Name": "keys", "Type": "dynamic", "Default": "dynamic([])"}]}"#,
        );
        assert_eq!(
            facts.time_window,
            Some(TimeWindow::Lookback { setting: "queryPeriod", value: "14d".into() })
        );
        let parameters = facts.parameters.unwrap();
        assert_eq!(
            parameters,
            vec![
                Parameter::new("T", ParameterType::Tabular),
                Parameter::new("field", ParameterType::Scalar(Some(ScalarType::String))),
                Parameter::new("keys", ParameterType::Scalar(Some(ScalarType::Dynamic))),
            ]
        );
    }

    #[test]
    fn rule_queries_declare_no_parameters_and_parsers_what_they_list() {
        let keys = || serde_json::from_str::<SentinelKeys>(r#"{"queryPeriod": "1h"}"#).unwrap();
        assert_eq!(keys().facts_for("query").parameters, Some(Vec::new()));
        assert_eq!(keys().facts_for("ParserQuery").parameters, None);
        assert_eq!(keys().facts_for("FunctionQuery").parameters, None);
        let listed = r#"{"FunctionParams": [{"Name": "x", "Type": "string"}]}"#;
        let keys = serde_json::from_str::<SentinelKeys>(listed).unwrap();
        assert_eq!(keys.facts_for("FunctionQuery").declared_parameters().len(), 1);
    }

    #[test]
    fn roles_follow_the_rule_kind_and_type() {
        let role = |json: &str| from_json(json).role;
        assert_eq!(role(r#"{"kind": "Scheduled"}"#), QueryRole::Alert);
        assert_eq!(role(r#"{"kind": " nrt "}"#), QueryRole::Alert);
        assert_eq!(role(r#"{"type": "TTP"}"#), QueryRole::Alert);
        assert_eq!(role(r#"{"type": "Anomaly"}"#), QueryRole::Alert);
        assert_eq!(role(r#"{"type": "Correlation"}"#), QueryRole::Alert);
        for hunt in [r#"{}"#, r#"{"type": "Hunting"}"#, r#"{"kind": 3}"#] {
            assert_eq!(role(hunt), QueryRole::Hunt, "{hunt}");
        }
        assert_eq!(role(r#"{"type": "Baseline"}"#), QueryRole::Function);
        assert_eq!(role(r#"{"type": "Investigation"}"#), QueryRole::Function);
        let keys = || serde_json::from_str::<SentinelKeys>(r#"{"kind": "Scheduled"}"#).unwrap();
        assert_eq!(keys().facts_for("query").role, QueryRole::Alert);
        assert_eq!(keys().facts_for("ParserQuery").role, QueryRole::Function);
        assert_eq!(keys().facts_for("FunctionQuery").role, QueryRole::Function);
    }

    #[test]
    fn near_real_time_rules_have_a_window_without_a_period() {
        assert_eq!(from_json(r#"{"kind": "NRT"}"#).time_window, Some(TimeWindow::NearRealTime));
        assert_eq!(from_json(r#"{"kind": "Scheduled"}"#).time_window, None);
    }

    #[test]
    fn garbled_values_are_no_facts() {
        assert!(from_json("{}").is_empty());
        let facts = from_json(
            r#"{"kind": 3, "queryPeriod": ["14d"], "FunctionParams": "starttime",
                "ParserParams": {"Name": "x"}}"#,
        );
        assert!(facts.is_empty(), "{facts:?}");
        let facts = from_json(
            r#"{"queryPeriod": "soon", "ParserParams": [1, {"Type": "bool"},
            {"Name": "1x"}, {"Name": "ok", "Type": 5}, {"Name": "ok", "Type": "string"}]}"#,
        );
        assert_eq!(facts.time_window, None);
        // Declared (a list), with the one usable entry; the duplicate name is dropped.
        assert_eq!(facts.parameters, Some(vec![Parameter::new("ok", ParameterType::Scalar(None))]));
    }

    #[test]
    fn splunk_windows() {
        assert!(splunk_window("-24h@h").is_some());
        assert!(splunk_window("rt-5m").is_some());
        assert!(splunk_window(" 0 ").is_none());
        assert!(splunk_window("").is_none());
    }
}
