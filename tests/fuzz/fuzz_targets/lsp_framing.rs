//! The LSP input guard: whatever bytes arrive on stdin, `pump` ends, and every message it
//! passes on is a well-framed body that the protocol crate decodes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qlint_lsp::framing::{pump, sanitize};
use tower_lsp_server::jsonrpc::{Request, Response};

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().unwrap())
}

fn decodes(body: &[u8]) -> bool {
    serde_json::from_slice::<Request>(body).is_ok() || serde_json::from_slice::<Response>(body).is_ok()
}

fuzz_target!(|data: &[u8]| {
    if let Some(clean) = sanitize(data) {
        assert!(decodes(&clean), "sanitize passed on {:?}", String::from_utf8_lossy(&clean));
    }
    let mut out = Vec::new();
    runtime().block_on(pump(data, &mut out)).unwrap();
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        let header_end = rest.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
        let header = std::str::from_utf8(&rest[..header_end]).unwrap();
        let length: usize = header.strip_prefix("Content-Length: ").unwrap().parse().unwrap();
        let body = &rest[header_end + 4..header_end + 4 + length];
        assert!(decodes(body), "pump passed on {:?}", String::from_utf8_lossy(body));
        rest = &rest[header_end + 4 + length..];
    }
});
