//! Editor features, independent of the protocol: hover, completion, go-to-definition,
//! document symbols and diagnostics for a [`SourceFile`].
//!
//! Every function takes file byte offsets and returns file byte spans; the language server
//! converts them to line/column at its edge. None of them does IO.

pub mod actions;
pub mod catalog;
mod complete;
mod features;
pub mod hints;
pub mod incremental;
pub mod knowledge_catalog;
pub mod kql;
pub mod operators;
pub mod rename;
pub mod scan;
pub mod semantic;
mod sigma;
pub mod source;
mod spl;
pub mod spl_fields;
mod yaral;

pub use catalog::{Catalog, EmptyCatalog};
pub use complete::completions;
pub use features::{
    CompletionEntry, CompletionKind, HoverInfo, Symbol, SymbolKind, Target, definition,
    diagnostics, hover, symbols,
};
pub use source::{FileKind, Region, SourceFile};
