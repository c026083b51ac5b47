//! Editor features, independent of the protocol: hover, completion, go-to-definition,
//! document symbols and diagnostics for a [`SourceFile`].
//!
//! Every function takes file byte offsets and returns file byte spans; the language server
//! converts them to line/column at its edge. None of them does IO.

pub mod catalog;
mod features;
pub mod knowledge_catalog;
pub mod kql;
pub mod scan;
pub mod source;
mod spl;

pub use catalog::{Catalog, EmptyCatalog};
pub use features::{
    CompletionEntry, CompletionKind, HoverInfo, Symbol, SymbolKind, Target, completions,
    definition, diagnostics, hover, symbols,
};
pub use source::{FileKind, Region, SourceFile};
