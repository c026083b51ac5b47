//! SPL facts: commands, eval/stats functions, CIM data models, lookups and macros.

use std::path::PathBuf;

use qlint_grammar::Span;

use super::kql::Doc;

/// A named option of an SPL command (`summariesonly=<bool>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOption {
    /// Option name.
    pub name: String,
    /// Value kind as the grammar calls it (`bool`, `int`, `string`, `field`, ...).
    pub value: String,
}

/// An SPL search command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Canonical name (lower case).
    pub name: String,
    /// Other names (`bin` for `bucket`, ...).
    pub aliases: Vec<String>,
    /// Category from the search grammar (`reporting`, `fields::add`, ...); may be empty.
    pub category: String,
    /// Named options.
    pub options: Vec<CommandOption>,
    /// Literal keywords the command accepts (`by`, `as`, `OUTPUT`, ...).
    pub keywords: Vec<String>,
    /// Related commands.
    pub related: Vec<String>,
    /// False for commands seen in real detections but absent from Splunk's search grammar
    /// (app-provided commands such as `apply`).
    pub in_grammar: bool,
    /// Syntax lines from our docs (empty when undocumented).
    pub syntax: Vec<String>,
    /// Our doc, when written.
    pub doc: Option<Doc>,
}

impl Command {
    /// The option called `name` (option names are case-sensitive in Splunk).
    pub fn option(&self, name: &str) -> Option<&CommandOption> {
        self.options.iter().find(|o| o.name == name)
    }

    /// Markdown for hover.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if !self.syntax.is_empty() {
            out.push_str("```spl\n");
            for line in &self.syntax {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str("```\n");
        } else {
            out.push_str(&format!("`{}`\n", self.name));
        }
        if let Some(doc) = &self.doc {
            out.push_str(&doc.to_markdown());
        }
        if !self.aliases.is_empty() {
            out.push_str(&format!("\n\nAliases: {}", self.aliases.join(", ")));
        }
        if !self.options.is_empty() {
            let opts: Vec<String> =
                self.options.iter().map(|o| format!("`{}=<{}>`", o.name, o.value)).collect();
            out.push_str(&format!("\n\nOptions: {}", opts.join(", ")));
        }
        out
    }
}

/// Where an SPL function may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SplFunctionKind {
    /// `eval`, `where`, `fieldformat` and `if`-style expressions.
    Eval,
    /// `stats`, `tstats`, `chart`, `timechart`, `eventstats`, `streamstats`.
    Stats,
}

/// An SPL eval or stats function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplFunction {
    /// Name (eval function names are case-sensitive; `perc<num>` style names are patterns).
    pub name: String,
    /// Eval or stats.
    pub kind: SplFunctionKind,
    /// Signature lines from our docs, e.g. `substr(str, start, length?)`.
    pub signatures: Vec<String>,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments; `None` when unbounded.
    pub max_args: Option<usize>,
    /// Only valid in `timechart` (`per_second`, ...).
    pub timechart_only: bool,
    /// Our doc, when written.
    pub doc: Option<Doc>,
}

impl SplFunction {
    /// True when `n` arguments are accepted.
    pub fn accepts_arity(&self, n: usize) -> bool {
        n >= self.min_args && self.max_args.is_none_or(|max| n <= max)
    }

    /// Markdown for hover.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("```spl\n");
        if self.signatures.is_empty() {
            out.push_str(&self.name);
            out.push_str("(...)\n");
        }
        for sig in &self.signatures {
            out.push_str(sig);
            out.push('\n');
        }
        out.push_str("```\n");
        if let Some(doc) = &self.doc {
            out.push_str(&doc.to_markdown());
        }
        out
    }
}

/// The type of a CIM field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CimType {
    /// Text.
    String,
    /// Number.
    Number,
    /// Time.
    Timestamp,
    /// Boolean.
    Boolean,
}

impl CimType {
    /// Parses `string`, `number`, `timestamp`, `boolean`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "string" => Some(Self::String),
            "number" => Some(Self::Number),
            "timestamp" => Some(Self::Timestamp),
            "boolean" => Some(Self::Boolean),
            _ => None,
        }
    }

    /// Lower-case name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Timestamp => "timestamp",
            Self::Boolean => "boolean",
        }
    }
}

/// A field of a CIM dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CimField {
    /// Name (case-sensitive).
    pub name: String,
    /// Type.
    pub ty: CimType,
    /// The field may hold several values.
    pub multivalue: bool,
    /// Inherited from a parent dataset rather than declared by this one.
    pub inherited: bool,
}

/// A dataset (object) of a CIM data model, e.g. `Endpoint.Processes` or
/// `Authentication.Failed_Authentication`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Name (last segment of the lineage).
    pub name: String,
    /// Dotted path from the root dataset, e.g. `All_Traffic.Traffic_By_Action.Blocked_Traffic`.
    pub lineage: String,
    /// Parent dataset name; `None` for root datasets.
    pub parent: Option<String>,
    /// Tags the dataset's constraint selects.
    pub tags: Vec<String>,
    /// The constraint (base search), as in the model.
    pub constraint: String,
    /// Fields: own plus inherited.
    pub fields: Vec<CimField>,
}

impl Dataset {
    /// The field called exactly `name`.
    pub fn field(&self, name: &str) -> Option<&CimField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The root dataset's name: the prefix `tstats` uses for field names (`Processes.`).
    pub fn root(&self) -> &str {
        self.lineage.split('.').next().unwrap_or(&self.lineage)
    }

    /// Field names, for suggestions.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }

    /// Markdown for hover on a field of this dataset.
    pub fn field_markdown(&self, model: &str, field: &CimField) -> String {
        let mut out = format!(
            "`{}.{}` — CIM field of `{model}.{}`: {}",
            self.root(),
            field.name,
            self.lineage,
            field.ty.name()
        );
        if field.multivalue {
            out.push_str(", multivalue");
        }
        if field.inherited {
            out.push_str(", inherited");
        }
        out
    }
}

/// A CIM data model with its datasets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataModel {
    /// Name, e.g. `Endpoint`, `Network_Traffic`.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Datasets, parents before children.
    pub datasets: Vec<Dataset>,
    /// The user's data model file it was read from; `None` for the built-in CIM.
    pub file: Option<PathBuf>,
}

impl DataModel {
    /// The dataset with this name (`Processes`) or lineage (`Authentication.Failed_Authentication`).
    pub fn dataset(&self, name: &str) -> Option<&Dataset> {
        self.datasets
            .iter()
            .find(|d| d.lineage == name)
            .or_else(|| self.datasets.iter().find(|d| d.name == name))
    }

    /// Resolves a `tstats`-style field reference `Processes.process_name` (dataset name or
    /// lineage, a dot, then the field) against this model.
    pub fn resolve_field(&self, reference: &str) -> Option<(&Dataset, &CimField)> {
        let (prefix, field) = reference.rsplit_once('.')?;
        let dataset = self.dataset(prefix)?;
        dataset.field(field).map(|f| (dataset, f))
    }

    /// Dataset lineages, for suggestions.
    pub fn dataset_names(&self) -> impl Iterator<Item = &str> {
        self.datasets.iter().map(|d| d.lineage.as_str())
    }
}

/// Where a lookup definition comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupOrigin {
    /// The lookups Splunk's security content (ESCU) ships; known only when that app is installed.
    SecurityContent,
    /// A file in the user's workspace, with the 1-based line of the definition.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u32,
    },
}

/// A lookup table definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// Lookup (transform) name as used by `lookup` / `inputlookup`.
    pub name: String,
    /// `csv`, `kvstore`, `mlmodel` or empty.
    pub kind: String,
    /// CSV file name or KV store collection.
    pub target: String,
    /// Match type (`WILDCARD(field)`, `CIDR(field)`), may be empty.
    pub match_type: String,
    /// Column names.
    pub fields: Vec<String>,
    /// Where it is defined.
    pub origin: LookupOrigin,
}

impl Lookup {
    /// Markdown for hover.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("`{}` — lookup", self.name);
        if !self.kind.is_empty() {
            out.push_str(&format!(" ({} `{}`)", self.kind, self.target));
        }
        if !self.fields.is_empty() {
            out.push_str(&format!("\n\nFields: {}", self.fields.join(", ")));
        }
        match &self.origin {
            LookupOrigin::SecurityContent => {
                out.push_str("\n\nShipped with Splunk security content (ESCU).")
            }
            LookupOrigin::File { path, line } => {
                out.push_str(&format!("\n\nDefined in `{}` line {line}", path.display()));
            }
        }
        out
    }
}

/// A Splunk search macro from the user's workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroDef {
    /// Name without the arity suffix.
    pub name: String,
    /// Argument names in order; their count is the arity.
    pub args: Vec<String>,
    /// Definition text, continuations joined.
    pub definition: String,
    /// `iseval = 1`: the definition is an eval expression producing the search string.
    pub iseval: bool,
    /// Description, when the source has one.
    pub description: Option<String>,
    /// The file that defines it.
    pub file: PathBuf,
    /// 1-based line of the stanza header (`[name(2)]`) or `name:` key.
    pub line: u32,
    /// Byte span of the macro's name in the file (for go-to-definition).
    pub span: Span,
    /// Byte span of the definition value in the file.
    pub definition_span: Span,
}

impl MacroDef {
    /// Number of arguments.
    pub fn arity(&self) -> usize {
        self.args.len()
    }

    /// The stanza name Splunk uses: `name` or `name(N)`.
    pub fn stanza(&self) -> String {
        if self.args.is_empty() {
            self.name.clone()
        } else {
            format!("{}({})", self.name, self.args.len())
        }
    }

    /// Markdown for hover.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("`{}`", self.stanza());
        if !self.args.is_empty() {
            out.push_str(&format!(" — arguments: {}", self.args.join(", ")));
        }
        out.push_str("\n```spl\n");
        out.push_str(&self.definition);
        out.push_str("\n```\n");
        if let Some(desc) = &self.description {
            out.push_str(desc);
            out.push('\n');
        }
        out.push_str(&format!("\nDefined in `{}` line {}", self.file.display(), self.line));
        out
    }
}
