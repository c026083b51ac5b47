//! KQL facts: scalar types, tables and columns, functions and tabular operators.

use std::fmt;
use std::path::PathBuf;

/// A KQL scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalarType {
    /// `string`
    String,
    /// `datetime` (alias `date`)
    Datetime,
    /// `long` (64-bit integer)
    Long,
    /// `int` (32-bit integer)
    Int,
    /// `bool` (alias `boolean`)
    Bool,
    /// `dynamic` (JSON-like value: array, property bag or scalar)
    Dynamic,
    /// `real` (alias `double`)
    Real,
    /// `guid` (alias `uuid`, `uniqueid`)
    Guid,
    /// `timespan` (alias `time`)
    Timespan,
    /// `decimal`
    Decimal,
}

impl ScalarType {
    /// All types, in declaration order.
    pub const ALL: [ScalarType; 10] = [
        Self::String,
        Self::Datetime,
        Self::Long,
        Self::Int,
        Self::Bool,
        Self::Dynamic,
        Self::Real,
        Self::Guid,
        Self::Timespan,
        Self::Decimal,
    ];

    /// The canonical KQL spelling (`string`, `datetime`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Datetime => "datetime",
            Self::Long => "long",
            Self::Int => "int",
            Self::Bool => "bool",
            Self::Dynamic => "dynamic",
            Self::Real => "real",
            Self::Guid => "guid",
            Self::Timespan => "timespan",
            Self::Decimal => "decimal",
        }
    }

    /// Reads a type name as KQL, Log Analytics, Sentinel schema files and .NET spell it
    /// (`string`, `String`, `boolean`, `double`, `Int32`, `Int64`, `DateTime`, `object`, ...).
    pub fn parse(name: &str) -> Option<Self> {
        // Fast path: the canonical spellings (all of the built-in catalog).
        if let Some(ty) = Self::ALL.into_iter().find(|t| t.name() == name) {
            return Some(ty);
        }
        let lower = name.trim().to_ascii_lowercase();
        let lower = lower.strip_prefix("system.").unwrap_or(&lower);
        Some(match lower {
            "string" | "str" | "text" => Self::String,
            "datetime" | "date" | "date/time" | "timestamp" => Self::Datetime,
            "long" | "int64" | "bigint" | "uint64" => Self::Long,
            "int" | "int32" | "integer" | "uint32" | "int16" | "byte" => Self::Int,
            "bool" | "boolean" | "sbyte" => Self::Bool,
            "dynamic" | "object" | "array" | "json" => Self::Dynamic,
            "real" | "double" | "float" | "single" => Self::Real,
            "guid" | "uuid" | "uniqueid" => Self::Guid,
            "timespan" | "time" => Self::Timespan,
            "decimal" => Self::Decimal,
            _ => return None,
        })
    }

    /// True for `int`, `long`, `real` and `decimal`.
    pub const fn is_numeric(self) -> bool {
        matches!(self, Self::Int | Self::Long | Self::Real | Self::Decimal)
    }
}

impl fmt::Display for ScalarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a built-in table's schema comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableSource {
    /// Microsoft Defender XDR advanced hunting.
    DefenderXdr,
    /// Azure Monitor Log Analytics / Microsoft Sentinel workspace tables.
    LogAnalytics,
    /// Connector and custom tables used by Sentinel's own KQL validation tests.
    SentinelCustomTables,
}

impl TableSource {
    /// All sources, in catalog order.
    pub const ALL: [TableSource; 3] =
        [Self::DefenderXdr, Self::LogAnalytics, Self::SentinelCustomTables];

    /// A short stable name (`defender-xdr`, `log-analytics`, `sentinel-customtables`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::DefenderXdr => "defender-xdr",
            Self::LogAnalytics => "log-analytics",
            Self::SentinelCustomTables => "sentinel-customtables",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Self::DefenderXdr => 1,
            Self::LogAnalytics => 2,
            Self::SentinelCustomTables => 4,
        }
    }

    pub(crate) fn from_letter(letter: u8) -> Option<Self> {
        match letter {
            b'x' => Some(Self::DefenderXdr),
            b'l' => Some(Self::LogAnalytics),
            b'c' => Some(Self::SentinelCustomTables),
            _ => None,
        }
    }
}

/// A set of [`TableSource`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SourceSet(u8);

impl SourceSet {
    /// The empty set (user-provided schemas).
    pub const EMPTY: SourceSet = SourceSet(0);

    /// Adds a source.
    pub fn insert(&mut self, source: TableSource) {
        self.0 |= source.bit();
    }

    /// True when `source` is in the set.
    pub const fn contains(self, source: TableSource) -> bool {
        self.0 & source.bit() != 0
    }

    /// True when the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The sources in the set.
    pub fn iter(self) -> impl Iterator<Item = TableSource> {
        TableSource::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    pub(crate) fn from_letters(letters: &str) -> Self {
        let mut set = SourceSet::EMPTY;
        for source in letters.bytes().filter_map(TableSource::from_letter) {
            set.insert(source);
        }
        set
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Name, case-sensitive as KQL treats it.
    pub name: String,
    /// Type. When sources disagree, `dynamic` wins over the others.
    pub ty: ScalarType,
    /// The type another source documents, when sources disagree
    /// (e.g. XDR says `AdditionalFields: string`, Log Analytics says `dynamic`).
    pub alt_ty: Option<ScalarType>,
    /// The sources that list this column (a subset of the table's); empty for user schemas.
    pub sources: SourceSet,
}

impl Column {
    /// True when `ty` is the column's type or the type another source gives it.
    pub fn accepts_type(&self, ty: ScalarType) -> bool {
        self.ty == ty || self.alt_ty == Some(ty)
    }
}

/// A table (or a table-like parser function) with its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Name, case-sensitive.
    pub name: String,
    /// Columns in schema order (the union over the table's sources).
    pub columns: Vec<Column>,
    /// Built-in sources listing the table; empty for user schemas.
    pub sources: SourceSet,
    /// The schema file it was loaded from, for user schemas.
    pub file: Option<PathBuf>,
}

impl Table {
    /// The column called exactly `name` (KQL column names are case-sensitive).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column names, for [`suggest`](crate::knowledge::suggest).
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// True when `source` lists this table.
    pub fn is_from(&self, source: TableSource) -> bool {
        self.sources.contains(source)
    }

    /// Markdown for hover: name, where the schema comes from, and up to `max_columns`
    /// columns with their types.
    pub fn to_markdown(&self, max_columns: usize) -> String {
        let mut out = format!("**{}** — table", self.name);
        let sources: Vec<&str> = self.sources.iter().map(TableSource::name).collect();
        if !sources.is_empty() {
            out.push_str(&format!(" ({})", sources.join(", ")));
        } else if let Some(file) = &self.file {
            out.push_str(&format!(" (from `{}`)", file.display()));
        }
        out.push_str(&format!(", {} columns\n\n", self.columns.len()));
        for c in self.columns.iter().take(max_columns) {
            out.push_str(&format!("- `{}`: {}\n", c.name, c.ty));
        }
        if self.columns.len() > max_columns {
            out.push_str(&format!("- … {} more\n", self.columns.len() - max_columns));
        }
        out
    }
}

/// The type of a function parameter or result as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeSpec {
    /// One scalar type.
    Scalar(ScalarType),
    /// Any scalar.
    Any,
    /// Any numeric type (`int`, `long`, `real`, `decimal`).
    Numeric,
    /// The type of the argument at this 0-based position.
    SameAs(usize),
    /// A tabular expression or a table.
    Tabular,
}

impl TypeSpec {
    /// Parses `string`, `any`, `numeric`, `$1` (type of the first argument), `table`, ...
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(n) = text.strip_prefix('$') {
            let n: usize = n.parse().ok()?;
            return n.checked_sub(1).map(Self::SameAs);
        }
        match text {
            "any" | "scalar" => Some(Self::Any),
            "numeric" | "number" => Some(Self::Numeric),
            "table" | "tabular" => Some(Self::Tabular),
            _ => ScalarType::parse(text).map(Self::Scalar),
        }
    }

    /// True when a value of type `ty` may be passed where this is expected.
    pub fn admits(self, ty: ScalarType) -> bool {
        match self {
            Self::Scalar(want) => {
                want == ty || ty == ScalarType::Dynamic || (want.is_numeric() && ty.is_numeric())
            }
            Self::Numeric => ty.is_numeric() || ty == ScalarType::Dynamic,
            Self::Any | Self::SameAs(_) => true,
            Self::Tabular => false,
        }
    }
}

impl fmt::Display for TypeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Scalar(t) => f.write_str(t.name()),
            Self::Any => f.write_str("any"),
            Self::Numeric => f.write_str("numeric"),
            Self::SameAs(i) => write!(f, "type of argument {}", i + 1),
            Self::Tabular => f.write_str("table"),
        }
    }
}

/// One documented parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Name as the docs call it.
    pub name: String,
    /// Expected type.
    pub ty: TypeSpec,
    /// May be left out (`name?: type` in our docs).
    pub optional: bool,
    /// May repeat without bound (`name: type...` in our docs; always last).
    pub repeated: bool,
}

/// One overload of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The signature as written in our docs, e.g. `strlen(source: string) -> long`.
    pub label: String,
    /// Parameters in order.
    pub params: Vec<Param>,
    /// Result type.
    pub ret: TypeSpec,
}

impl Signature {
    /// Fewest arguments accepted.
    pub fn min_arity(&self) -> usize {
        self.params.iter().filter(|p| !p.optional && !p.repeated).count()
            + usize::from(self.params.iter().any(|p| p.repeated && !p.optional))
    }

    /// Most arguments accepted; `None` when unbounded.
    pub fn max_arity(&self) -> Option<usize> {
        if self.params.iter().any(|p| p.repeated) { None } else { Some(self.params.len()) }
    }

    /// True when `n` arguments fit this overload.
    pub fn accepts_arity(&self, n: usize) -> bool {
        n >= self.min_arity() && self.max_arity().is_none_or(|max| n <= max)
    }
}

/// Whether a function works per row or over groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionKind {
    /// Per-row function (usable in `where`, `extend`, `project`, ...).
    Scalar,
    /// Aggregation (usable in `summarize`, and some in `make-series`).
    Aggregation,
    /// Window function on a serialized row set (`prev`, `next`, `row_number`).
    Window,
    /// Plugin called by `evaluate` (`bag_unpack`, `pivot`, ...).
    Plugin,
    /// Function returning a table, used where a table name goes (`table("T")`, `arg("")`,
    /// `workspace("id").T`).
    Tabular,
}

/// Documentation shared by functions, operators and commands: our own words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    /// What it is and when to use it (one or two sentences, Markdown).
    pub summary: String,
    /// A trap worth knowing, when there is one.
    pub pitfall: Option<String>,
    /// Example, when useful.
    pub example: Option<String>,
}

impl Doc {
    /// Markdown for hover: summary, pitfall and example.
    pub fn to_markdown(&self) -> String {
        let mut out = self.summary.clone();
        if let Some(pitfall) = &self.pitfall {
            out.push_str("\n\n**Pitfall:** ");
            out.push_str(pitfall);
        }
        if let Some(example) = &self.example {
            out.push_str("\n\n```\n");
            out.push_str(example);
            out.push_str("\n```");
        }
        out
    }
}

/// A KQL function: signatures, arity, result type and our doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// Name (KQL function names are case-sensitive, all lower case).
    pub name: String,
    /// Other names for the same function (`countif` has none; `make_set` has `makeset`).
    pub aliases: Vec<String>,
    /// Scalar, aggregation, window or plugin.
    pub kind: FunctionKind,
    /// Topic, e.g. `string`, `datetime`, `dynamic`, `ip`, `hash`, `math`, `conversion`.
    pub category: String,
    /// Overloads.
    pub signatures: Vec<Signature>,
    /// Our doc.
    pub doc: Doc,
}

impl Function {
    /// Fewest arguments any overload accepts.
    pub fn min_arity(&self) -> usize {
        self.signatures.iter().map(Signature::min_arity).min().unwrap_or(0)
    }

    /// Most arguments any overload accepts; `None` when unbounded.
    pub fn max_arity(&self) -> Option<usize> {
        let mut max = 0;
        for sig in &self.signatures {
            max = max.max(sig.max_arity()?);
        }
        Some(max)
    }

    /// True when some overload accepts `n` arguments.
    pub fn accepts_arity(&self, n: usize) -> bool {
        self.signatures.is_empty() || self.signatures.iter().any(|s| s.accepts_arity(n))
    }

    /// True for aggregation functions.
    pub fn is_aggregation(&self) -> bool {
        self.kind == FunctionKind::Aggregation
    }

    /// Markdown for hover: signatures in a code block, then the doc.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("```kusto\n");
        for sig in &self.signatures {
            out.push_str(&sig.label);
            out.push('\n');
        }
        out.push_str("```\n");
        out.push_str(&self.doc.to_markdown());
        out
    }
}

/// Whether an operator works on tables or on scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorKind {
    /// Written after `|` (`where`, `summarize`, ...) or at the start of a query.
    Tabular,
    /// Compares or matches values inside expressions (`has`, `=~`, `in~`, ...).
    Scalar,
}

/// A KQL operator: tabular (`where`, `summarize`, `join`, ...) or scalar (`has`, `=~`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// Name as written (`mv-expand`, `project-away`, `!has_cs`, `matches regex`, ...).
    pub name: String,
    /// Tabular or scalar.
    pub kind: OperatorKind,
    /// Other spellings (`filter` for `where`, `order` for `sort`, `take` / `limit`).
    pub aliases: Vec<String>,
    /// Syntax lines as written in our docs.
    pub syntax: Vec<String>,
    /// Our doc.
    pub doc: Doc,
}

impl Operator {
    /// Markdown for hover.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("```kusto\n");
        for line in &self.syntax {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("```\n");
        out.push_str(&self.doc.to_markdown());
        out
    }
}

/// The tables of Azure Resource Graph (`resources`, `securityresources`, ...), which KQL
/// queries of Sentinel workbooks and hunts read through `arg("")` or directly in Resource Graph
/// Explorer. Their names are case-insensitive there; their columns depend on the resource
/// type, so qlint knows only the names.
pub const RESOURCE_GRAPH_TABLES: &[&str] = &[
    "advisorresources",
    "alertsmanagementresources",
    "appserviceresources",
    "authorizationresources",
    "chaosresources",
    "communitygalleryresources",
    "computeresources",
    "desktopvirtualizationresources",
    "dnsresources",
    "edgeorderresources",
    "elasticsanresources",
    "extendedlocationresources",
    "featureresources",
    "guestconfigurationresources",
    "healthresourcechanges",
    "healthresources",
    "insightsresources",
    "iotsecurityresources",
    "kubernetesconfigurationresources",
    "maintenanceresources",
    "managedserviceresources",
    "migrateresources",
    "networkresources",
    "patchassessmentresources",
    "patchinstallationresources",
    "policyresources",
    "recoveryservicesresources",
    "resourcechanges",
    "resourcecontainerchanges",
    "resourcecontainers",
    "resources",
    "securityresources",
    "servicefabricresources",
    "servicehealthresources",
    "spotresources",
    "supportresources",
];

/// True for an Azure Resource Graph table name, in any case (`Resources`, `securityresources`).
pub fn is_resource_graph_table(name: &str) -> bool {
    RESOURCE_GRAPH_TABLES.iter().any(|t| t.eq_ignore_ascii_case(name))
}
