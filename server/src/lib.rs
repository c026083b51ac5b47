//! qlint: the semantic model, rules, query sources, CLI and language server.
//!
//! The CLI and the LSP are thin edges over [`lint::lint_query`] and [`lint::lint_text`].

pub mod analysis;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod ide;
pub mod knowledge;
pub mod lint;
pub mod lsp;
pub mod rules;
pub mod sources;
pub mod suppression;

pub use diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
pub use knowledge::Knowledge;
pub use lint::{Language, QueryFacts, lint_query, lint_query_with};
