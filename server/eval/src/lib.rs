//! Runs KQL and SPL detection queries over sample data, offline: the engine of `qlint test`.
//!
//! A test file ([`testfile`]) names a query and cases; each case's data becomes a
//! [`TestData`] ([`data`]), the query runs over it ([`run_query`], dispatching to [`kql`] or
//! [`spl`]) and the result [`Table`] is checked against the case's expectations
//! ([`runner`]). Anything outside the supported subset is an [`EvalError`] naming the
//! operator or function and its span, never a silent pass.

pub mod data;
pub mod kql;
pub mod runner;
pub mod spl;
pub mod table;
pub mod testfile;
pub mod value;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use qlint_knowledge::Knowledge;

pub use table::{Column, Row, Table};
pub use value::Value;

/// The query language of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Kusto Query Language.
    Kql,
    /// Splunk SPL.
    Spl,
}

impl Language {
    /// The language spelled `name` in a test file (`kql`, `spl`; any case).
    pub fn parse(name: &str) -> Option<Language> {
        match name.to_ascii_lowercase().as_str() {
            "kql" | "kusto" => Some(Language::Kql),
            "spl" | "splunk" => Some(Language::Spl),
            _ => None,
        }
    }
}

/// Why a query could not be evaluated: unsupported syntax, a type error, bad data.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    /// One sentence naming the construct (``the operator `evaluate` is not supported``).
    pub message: String,
    /// Byte range in the query text, when the error has a place there.
    pub span: Option<Range<usize>>,
}

impl EvalError {
    /// An error at `span` of the query.
    pub fn at(span: impl Into<Range<usize>>, message: impl Into<String>) -> Self {
        Self { message: message.into(), span: Some(span.into()) }
    }

    /// An error without a place in the query.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), span: None }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// The data one test case supplies, values already converted to their columns' types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestData {
    /// KQL tables by name.
    pub tables: BTreeMap<String, Table>,
    /// SPL events, each a map of fields (`index`, `sourcetype`, `_time`, `_raw`, ...).
    pub events: Vec<Row>,
    /// SPL data-model datasets (`Model.Dataset`) to rows of the dataset's fields.
    pub datamodels: BTreeMap<String, Vec<Row>>,
    /// SPL lookups by name.
    pub lookups: BTreeMap<String, Table>,
}

/// Everything an evaluator reads besides the query text.
#[derive(Debug, Clone, Copy)]
pub struct EvalContext<'a> {
    /// The case's data.
    pub data: &'a TestData,
    /// What `now()` means: 100-ns ticks since the Unix epoch (see [`value`]).
    pub now: i64,
    /// Catalog, schemas and the workspace's macros (SPL) and stored functions (KQL).
    pub knowledge: &'a Knowledge,
}

/// Runs `query` in `language` over `data` with `now` (ticks since the epoch).
pub fn run_query(
    language: Language,
    query: &str,
    data: &TestData,
    now: i64,
    knowledge: &Knowledge,
) -> Result<Table, EvalError> {
    let ctx = EvalContext { data, now, knowledge };
    match language {
        Language::Kql => kql::run(query, &ctx),
        Language::Spl => spl::run(query, &ctx),
    }
}
