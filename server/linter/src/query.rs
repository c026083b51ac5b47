//! What is known about a query besides its text: its language, and what the file around it
//! says (the container's facts). The edges fill these in; the analysis and the rules read them.

use qlint_grammar::Span;
use qlint_knowledge::ScalarType;

/// The query language of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Kusto Query Language.
    Kql,
    /// Splunk Search Processing Language.
    Spl,
    /// YARA-L 2.0, the rule language of Google Security Operations (Chronicle).
    Yaral,
    /// A Sigma rule: the text is one YAML document (`logsource:` + `detection:`, a correlation
    /// or a filter rule), linted as a whole.
    Sigma,
}

/// What the file around a query says about it, outside the query text: the time range a
/// scheduled rule runs over, the parameters a stored function receives. Empty for a query
/// that is a whole file or a Markdown fence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFacts {
    /// The time range the container runs the query over, when it sets one.
    pub time_window: Option<TimeWindow>,
    /// The parameters the container declares (Sentinel `FunctionParams`, ASIM `ParserParams`),
    /// or `None` when it declares none. `Some(vec![])` says "declared, and there are none".
    pub parameters: Option<Vec<Parameter>>,
    /// What the query is for: an alerting rule, a hunt, or a building block.
    pub role: QueryRole,
    /// How often a Sentinel scheduled rule runs (`queryFrequency`), as written, when the
    /// container sets it to a string.
    pub query_frequency: Option<String>,
    /// The MITRE ATT&CK technique ids the container lists (Sentinel `relevantTechniques`,
    /// ESCU `tags.mitre_attack_id`), trimmed; an entry that is not a string is empty.
    pub techniques: Vec<String>,
    /// The key the technique ids come from, for messages, when it is not the language's
    /// usual one (`mitreTechniques` of a Defender custom detection).
    pub techniques_key: Option<&'static str>,
    /// The rule's own id (Sentinel and ESCU `id`, Sigma `id`, Defender `detectorId`), trimmed,
    /// when the container gives one as a string.
    pub rule_id: Option<String>,
    /// The rule's name (Sentinel and ESCU `name`, Sigma `title`, Defender `displayName`, a
    /// YARA-L `rule` name, a saved-search stanza), trimmed, when the container gives one.
    pub rule_name: Option<String>,
}

impl QueryFacts {
    /// True when the container says nothing about the query.
    pub fn is_empty(&self) -> bool {
        self.time_window.is_none()
            && self.parameters.is_none()
            && self.role == QueryRole::Hunt
            && self.query_frequency.is_none()
            && self.techniques.is_empty()
            && self.rule_id.is_none()
            && self.rule_name.is_none()
    }

    /// The declared parameters (empty when none are declared).
    pub fn declared_parameters(&self) -> &[Parameter] {
        self.parameters.as_deref().unwrap_or(&[])
    }
}

/// What a query is for, as its container says. It decides how loud the detection-logic
/// findings are: a missing exclusion is a warning in a rule that raises alerts on a schedule
/// and a note in a hunt that an analyst reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueryRole {
    /// Run by an analyst: a `.kql` / `.spl` file, a Markdown fence, a Sentinel hunting query,
    /// an ESCU hunting search, a saved search without alerting settings.
    #[default]
    Hunt,
    /// Raises alerts on a schedule: a Sentinel `kind: Scheduled` / `NRT` rule, an ESCU
    /// `type: TTP` / `Anomaly` / `Correlation` detection, a `savedsearches.conf` stanza with
    /// an enabled alert action or `alert.*` settings.
    Alert,
    /// A building block, not a detection: a Sentinel parser or function body (`ParserQuery`,
    /// `FunctionQuery`), a `macros.conf` definition, an ESCU baseline or investigation.
    Function,
}

/// Where the time range of a query comes from when its container sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeWindow {
    /// Each run looks back this far: `queryPeriod: 14d` in a Sentinel scheduled rule,
    /// `dispatch.earliest_time = -24h` in a Splunk saved search.
    Lookback {
        /// The container key, for messages.
        setting: &'static str,
        /// The value as written.
        value: String,
    },
    /// A Sentinel near-real-time rule (`kind: NRT`): each run reads what arrived since the
    /// previous run.
    NearRealTime,
}

impl std::fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeWindow::Lookback { setting, value } => write!(f, "{setting} {value}"),
            TimeWindow::NearRealTime => f.write_str("kind NRT"),
        }
    }
}

/// A parameter that the container declares for the query body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The name the body uses.
    pub name: String,
    /// Its type.
    pub ty: ParameterType,
    /// Where the container names it, in file byte offsets, when known (for go-to-definition).
    pub declared_at: Option<Span>,
}

impl Parameter {
    /// A parameter whose declaration is not located in a file.
    pub fn new(name: impl Into<String>, ty: ParameterType) -> Self {
        Self { name: name.into(), ty, declared_at: None }
    }
}

/// The type of a declared parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    /// A scalar, with its type when the declared type name is known.
    Scalar(Option<ScalarType>),
    /// A table (`Type: table`).
    Tabular,
}
