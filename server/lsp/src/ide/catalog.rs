//! What editor features ask of the knowledge base, as one small interface.
//!
//! Hover and completion need names with a one-line detail and a doc; go-to-definition needs
//! where a macro is defined. [`Catalog`] is that view; `Knowledge` implements it in
//! `knowledge_catalog.rs`, and tests implement it with a handful of facts.

use std::path::PathBuf;

use qlint_grammar::Span;

use qlint_linter::Language;

use super::kql::ScopeColumn;

/// A named thing the editor can show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// The name as written in a query.
    pub name: String,
    /// One line: a signature, a type, `table`, ...
    pub detail: String,
    /// Markdown documentation (may be empty).
    pub doc: String,
}

impl Entry {
    /// An entry with a name, a detail line and a doc.
    pub fn new(name: impl Into<String>, detail: impl Into<String>, doc: impl Into<String>) -> Self {
        Self { name: name.into(), detail: detail.into(), doc: doc.into() }
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnEntry {
    /// Column name.
    pub name: String,
    /// Type name as KQL spells it (`string`, `datetime`, ...).
    pub ty: String,
    /// Short description (may be empty).
    pub doc: String,
}

/// A table with its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    /// Table name.
    pub name: String,
    /// Short description (may be empty).
    pub doc: String,
    /// Columns in schema order.
    pub columns: Vec<ColumnEntry>,
}

/// An SPL macro and where it is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroEntry {
    /// Name without the arity suffix.
    pub name: String,
    /// Argument names, in order.
    pub args: Vec<String>,
    /// The definition text.
    pub definition: String,
    /// The file that defines it (`None` for built-in macros).
    pub path: Option<PathBuf>,
    /// Bytes of the definition (or its stanza) in `path`.
    pub span: Span,
}

/// A field of a data-model dataset, e.g. `Processes.process_name` in `Endpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEntry {
    /// Data model (`Endpoint`).
    pub model: String,
    /// Dataset (`Processes`).
    pub dataset: String,
    /// Field (`process_name`).
    pub field: String,
    /// Type (may be empty).
    pub ty: String,
    /// Short description (may be empty).
    pub doc: String,
}

/// The knowledge editor features use.
pub trait Catalog {
    /// Every known KQL table name.
    fn table_names(&self) -> Vec<String>;
    /// A table by name (case-sensitive, as KQL is).
    fn table(&self, name: &str) -> Option<TableEntry>;
    /// Scalar and aggregation functions of a language.
    fn functions(&self, language: Language) -> Vec<Entry>;
    /// KQL tabular operators (`where`, `project`, `mv-expand`, ...).
    fn tabular_operators(&self) -> Vec<Entry>;
    /// SPL commands (`stats`, `tstats`, `rex`, ...).
    fn spl_commands(&self) -> Vec<Entry>;
    /// SPL macros, built in and from the workspace.
    fn macros(&self) -> Vec<MacroEntry>;
    /// Fields of every data-model dataset.
    fn datamodel_fields(&self) -> Vec<FieldEntry>;

    /// The columns in scope at `offset` of a query, from the semantic analysis; empty when
    /// unknown (the features then fall back to their own token-level tracking).
    fn scope_columns(&self, language: Language, text: &str, offset: u32) -> Vec<ScopeColumn> {
        let _ = (language, text, offset);
        Vec::new()
    }
    /// SPL eval functions (`stats == false`) or stats functions (with the `timechart`-only
    /// ones such as `per_second` when `timechart` is true).
    fn spl_functions_of(&self, stats: bool, timechart: bool) -> Vec<Entry> {
        let _ = (stats, timechart);
        self.functions(Language::Spl)
    }
    /// The named options of an SPL command (`summariesonly` of `tstats`): name, and the value
    /// kind as detail.
    fn spl_command_options(&self, command: &str) -> Vec<Entry> {
        let _ = command;
        Vec::new()
    }
    /// A function by name.
    fn function(&self, language: Language, name: &str) -> Option<Entry> {
        let fold = language == Language::Spl;
        self.functions(language).into_iter().find(|f| names_match(&f.name, name, fold))
    }
    /// A tabular operator by name.
    fn tabular_operator(&self, name: &str) -> Option<Entry> {
        self.tabular_operators().into_iter().find(|o| o.name == name)
    }
    /// An SPL command by name.
    fn spl_command(&self, name: &str) -> Option<Entry> {
        self.spl_commands().into_iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }
    /// An SPL macro by name (a name with an arity suffix such as `foo(2)` also matches).
    fn macro_named(&self, name: &str, arity: usize) -> Option<MacroEntry> {
        let macros = self.macros();
        let exact = macros.iter().find(|m| m.name == name && m.args.len() == arity);
        exact.or_else(|| macros.iter().find(|m| m.name == name)).cloned()
    }
}

fn names_match(a: &str, b: &str, fold: bool) -> bool {
    if fold { a.eq_ignore_ascii_case(b) } else { a == b }
}

/// A catalog that knows nothing (used when no knowledge is loaded).
#[derive(Debug, Default, Clone, Copy)]
pub struct EmptyCatalog;

impl Catalog for EmptyCatalog {
    fn table_names(&self) -> Vec<String> {
        Vec::new()
    }
    fn table(&self, _: &str) -> Option<TableEntry> {
        None
    }
    fn functions(&self, _: Language) -> Vec<Entry> {
        Vec::new()
    }
    fn tabular_operators(&self) -> Vec<Entry> {
        Vec::new()
    }
    fn spl_commands(&self) -> Vec<Entry> {
        Vec::new()
    }
    fn macros(&self) -> Vec<MacroEntry> {
        Vec::new()
    }
    fn datamodel_fields(&self) -> Vec<FieldEntry> {
        Vec::new()
    }
}
