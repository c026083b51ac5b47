//! Protocol tests in process: a hand-written client speaks framed JSON-RPC to [`super::serve`]
//! over in-memory pipes, through the same framing guard as `qlint lsp`.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

struct TestClient {
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
    seen: Vec<Value>,
}

impl TestClient {
    fn start() -> (Self, tokio::task::JoinHandle<()>) {
        let (to_server, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, from_server) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(super::serve(server_in, server_out));
        (Self { to_server, from_server: BufReader::new(from_server), seen: Vec::new() }, server)
    }

    async fn raw(&mut self, bytes: &[u8]) {
        self.to_server.write_all(bytes).await.unwrap();
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await;
    }

    async fn read(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.from_server.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.from_server.read_exact(&mut body).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The first message (already seen or arriving within 10 s) that `pred` accepts.
    async fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.seen.iter().find(|m| pred(m)) {
            return found.clone();
        }
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.read())
                .await
                .expect("the server went quiet");
            self.seen.push(message.clone());
            if pred(&message) {
                return message;
            }
        }
    }

    async fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        self.wait(|m| m["id"] == id && m.get("method").is_none()).await
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }
}

fn published(version: i64) -> impl Fn(&Value) -> bool {
    move |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speaks_lsp_and_survives_bad_input() {
    let (mut client, server) = TestClient::start();
    let init = client.request(1, "initialize", json!({"capabilities": {}})).await;
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["result"]["capabilities"]["textDocumentSync"]["change"], 2);
    client.notify("initialized", json!({})).await;

    // Garbage, a request with a broken method, then an unknown method: all answered or dropped.
    client.raw(b"Content-Length: 3\r\n\r\n{x}").await;
    client.send(json!({"id": 7, "method": 12})).await;
    let broken = client.wait(|m| m["id"] == 7).await;
    assert_eq!(broken["error"]["code"], -32601);
    let unknown = client.request(8, "qlint/noSuchMethod", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601);

    let uri = "file:///nowhere/hunt.kql";
    let text = "// qlint: ignore KQL401\nlet x = 1;\nDeviceEvents | extend y = x\n";
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "kql", "version": 1, "text": text}}),
        )
        .await;
    let first = client.wait(published(1)).await;
    let codes: Vec<&str> = first["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"QL003"), "{first}");

    // Ten quick edits: only the last version is published after the burst.
    for v in 2..=11 {
        client
            .notify(
                "textDocument/didChange",
                json!({
                    "textDocument": {"uri": uri, "version": v},
                    "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                        "end": {"line": 0, "character": 0}}, "text": " "}]
                }),
            )
            .await;
    }
    client.wait(published(11)).await;
    let stale = client.seen.iter().filter(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["version"].as_i64().is_some_and(|v| (2..11).contains(&v))
    });
    assert!(stale.count() <= 2, "debounce let intermediate versions through");

    let hover = client
        .request(
            9,
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 26}}),
        )
        .await;
    assert!(hover["result"]["contents"]["value"].as_str().unwrap().contains("let x = 1"));

    client.request(10, "shutdown", Value::Null).await;
    client.notify("exit", Value::Null).await;
    tokio::time::timeout(Duration::from_secs(10), server).await.unwrap().unwrap();
}
