//! `qlint lsp`: the language server. The only module that imports the LSP crate.
//!
//! PLACEHOLDER (issue 6).

/// Serves LSP over stdin/stdout until the client exits.
pub fn serve_stdio() -> std::io::Result<()> {
    Err(std::io::Error::other("the language server is not built yet"))
}
