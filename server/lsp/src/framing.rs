//! A guard in front of the protocol crate's reader.
//!
//! `tower-lsp-server` reads stdin through a `FramedRead`, and a `FramedRead` ends its stream
//! after the first decode error: one malformed message (bad JSON, a missing `jsonrpc` field, a
//! broken header) would silently stop the server. So stdin goes through [`pump`] first, which
//! re-frames every message and passes on only messages the protocol crate can decode. A
//! malformed request that still carries an id is turned into a call of an unknown method with
//! that id, so the client gets an error response instead of waiting forever. Everything dropped
//! is reported on stderr.

use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Messages larger than this are skipped (a 10 MB document is fine).
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// Header lines longer than this are garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// The method a malformed request with an id is rewritten to; the server answers it with
/// "method not found".
pub const MALFORMED_METHOD: &str = "qlint/malformedRequest";

/// Copies LSP messages from `input` to `output`, repairing or dropping malformed ones.
/// Returns at the end of `input`.
pub async fn pump<R, W>(input: R, mut output: W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    loop {
        let Some(length) = read_headers(&mut reader).await? else { return Ok(()) };
        let Some(length) = length else {
            eprintln!("qlint lsp: dropped a message without a valid Content-Length header");
            continue;
        };
        if length > MAX_MESSAGE {
            eprintln!("qlint lsp: dropped a message of {length} bytes (limit {MAX_MESSAGE})");
            let skipped =
                tokio::io::copy(&mut (&mut reader).take(length as u64), &mut tokio::io::sink())
                    .await?;
            if skipped < length as u64 {
                return Ok(());
            }
            continue;
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return Ok(());
        }
        match sanitize(&body) {
            Some(clean) => {
                output
                    .write_all(format!("Content-Length: {}\r\n\r\n", clean.len()).as_bytes())
                    .await?;
                output.write_all(&clean).await?;
                output.flush().await?;
            }
            None => eprintln!("qlint lsp: dropped a malformed message ({length} bytes)"),
        }
    }
}

/// Reads one header block. `Ok(None)` at end of input; `Ok(Some(None))` for a block without a
/// usable `Content-Length`.
async fn read_headers<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<Option<usize>>> {
    let mut length = None;
    let mut seen_header = false;
    loop {
        let mut line = Vec::new();
        let n = (&mut *reader).take(MAX_HEADER_LINE as u64).read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let mut text = text.trim_end_matches(['\r', '\n']);
        // Resynchronise after garbage: a header glued to leftover bytes of a mis-sized body.
        if let Some(at) = text.to_ascii_lowercase().rfind("content-length:") {
            text = &text[at..];
        }
        if text.is_empty() {
            if seen_header {
                return Ok(Some(length));
            }
            continue;
        }
        seen_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
}

/// The message re-serialised so that the protocol crate can decode it, or `None` to drop it.
pub fn sanitize(body: &[u8]) -> Option<Vec<u8>> {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else { return None };
    object.insert("jsonrpc".to_owned(), json!("2.0"));
    let id = object.get("id").cloned().filter(|id| id.is_i64() || id.is_string());
    let value = Value::Object(object.clone());
    if object.get("method").is_some_and(Value::is_string) {
        if serde_json::from_value::<Request>(value.clone()).is_ok() {
            return serde_json::to_vec(&value).ok();
        }
    } else if (object.contains_key("result") || object.contains_key("error"))
        && serde_json::from_value::<Response>(value.clone()).is_ok()
    {
        return serde_json::to_vec(&value).ok();
    }
    // Malformed: answer a request with an id through "method not found".
    let id = id?;
    let mut call = Map::new();
    call.insert("jsonrpc".to_owned(), json!("2.0"));
    call.insert("id".to_owned(), id);
    call.insert("method".to_owned(), json!(MALFORMED_METHOD));
    serde_json::to_vec(&Value::Object(call)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn garbage_is_dropped_and_good_messages_pass() {
        let mut input = String::new();
        input.push_str(&frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#));
        input.push_str(&frame("{bad json"));
        input.push_str("Garbage-Header\r\n\r\n");
        input.push_str(&frame(r#"{"id":7,"method":12}"#));
        input.push_str(&frame(r#"[1,2]"#));
        // A body one byte longer than announced: its last byte is glued to the next header.
        input.push_str("Content-Length: 24\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":{}}");
        input.push_str(&frame(r#"{"method":"initialized","params":{}}"#));
        input.push_str("Content-Length: 100\r\n\r\n{\"truncated");
        let mut out = Vec::new();
        pump(input.as_bytes(), &mut out).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        let bodies: Vec<Value> = out
            .split("Content-Length: ")
            .filter(|s| !s.is_empty())
            .map(|s| serde_json::from_str(s.split_once("\r\n\r\n").unwrap().1).unwrap())
            .collect();
        assert_eq!(bodies.len(), 3, "{out}");
        assert_eq!(bodies[0]["method"], "initialize");
        assert_eq!(bodies[1]["method"], MALFORMED_METHOD);
        assert_eq!(bodies[1]["id"], 7);
        assert_eq!(bodies[2]["method"], "initialized");
        assert_eq!(bodies[2]["jsonrpc"], "2.0");
    }
}
