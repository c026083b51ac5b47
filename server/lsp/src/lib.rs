//! `qlint lsp`: the language server, and the editor features behind it.
//!
//! [`ide`] computes hover, completion, definitions, symbols and diagnostics for a source file
//! without knowing the protocol; the rest of this crate is the thin edge that speaks it (the
//! only code that imports the LSP crate): documents live in ropes ([`document`]), and byte
//! spans are converted to LSP positions in the encoding the client negotiated (UTF-16 by
//! default, UTF-8 when offered).

mod convert;
pub mod document;
#[doc(hidden)]
pub mod framing; // public for the fuzz target in tests/fuzz
pub mod ide;
mod server;
mod testrun;
#[cfg(test)]
mod tests;
mod workspace;

pub use server::Backend;
pub use workspace::Settings;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Serves LSP over stdin/stdout until the client exits.
pub fn serve_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Do not wait for blocking tasks still linting a document nobody will read.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(())
}

/// Serves LSP on any pair of streams until the client exits or `input` ends.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin,
{
    // Malformed input must not end the protocol crate's reader: filter it first.
    let (filtered_in, filtered_out) = tokio::io::duplex(1 << 20);
    let guard = tokio::spawn(framing::pump(input, filtered_in));
    let (service, socket) = LspService::new(Backend::new);
    Server::new(filtered_out, output, socket).serve(service).await;
    guard.abort();
}
