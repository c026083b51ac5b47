//! qlint's linter: one query text in, diagnostics and fixes out, with no IO.
//!
//! Layers, bottom up: [`query`] (a query's language and its container's facts) and [`stack`]
//! (running deep work on a big enough stack) are read by everything above; [`analysis`] builds
//! the semantic model of a query against the knowledge; [`rules`] turn it into
//! [`Diagnostic`]s; [`lint`] runs parsing, analysis and rules for one text. [`suppression`]
//! reads inline `qlint: ignore` comments and [`fix`] applies safe fixes to a text.

pub mod analysis;
pub mod diagnostic;
pub mod fix;
pub mod lint;
pub mod query;
pub mod rules;
/// The deep-stack helper lives with the parsers, which need it too.
pub use qlint_grammar::stack;
pub mod suppression;

pub use diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
pub use lint::{lint_query, lint_query_with, syntax_errors};
pub use query::{Language, Parameter, ParameterType, QueryFacts, QueryRole, TimeWindow};
