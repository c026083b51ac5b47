"""Keystroke-to-diagnostics latency of `qlint lsp` on a 500-line hunt.

Starts the server, opens tests/lsp/fixtures/hunt_500.kql, then types characters one at a time
into a string literal in the middle of the hunt. After each keystroke (an incremental
didChange with a new version) it waits for the publishDiagnostics tagged with that version and
records the wall time. Prints p50/p90/p99/max.

Run with the venv from run.sh, against a release build:
    cargo build --release -p qlint
    target/lsp-venv/bin/python tests/lsp/bench_latency.py --bin target/release/qlint
`--debounce-ms` overrides the server's debounce (default: the server's own, 150 ms); with 0
the figures are the pure lint-and-publish cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import time

from lsprotocol import types
from pygls.lsp.client import BaseLanguageClient

HERE = pathlib.Path(__file__).resolve().parent
HUNT = HERE / "fixtures" / "hunt_500.kql"


class Client(BaseLanguageClient):
    def __init__(self):
        super().__init__("qlint-bench", "1")
        self.arrived: dict[int, float] = {}
        self.event = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _publish(params: types.PublishDiagnosticsParams):
            if params.version is not None:
                self.arrived[params.version] = time.perf_counter()
                self.event.set()

        @self.feature(types.CLIENT_REGISTER_CAPABILITY)
        def _register(params):
            return None

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def _log(params):
            return None


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


async def wait_for(client: Client, version: int, timeout: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout
    while version not in client.arrived:
        client.event.clear()
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError(f"no diagnostics for version {version}")
        try:
            await asyncio.wait_for(client.event.wait(), remaining)
        except asyncio.TimeoutError:
            pass
    return client.arrived[version]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.environ.get("QLINT_BIN", "target/release/qlint"))
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--debounce-ms", type=int, default=None)
    args = parser.parse_args()

    text = HUNT.read_text()
    assert text.count("\n") == 500, "the benchmark hunt must have 500 lines"
    client = Client()
    await client.start_io(args.bin, "lsp")
    options = {} if args.debounce_ms is None else {"debounceMs": args.debounce_ms}
    await client.protocol.send_request_async(
        types.INITIALIZE,
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=HERE.as_uri(),
            initialization_options=options,
        ),
    )
    client.protocol.notify(types.INITIALIZED, types.InitializedParams())
    uri = HUNT.as_uri()
    client.protocol.notify(
        types.TEXT_DOCUMENT_DID_OPEN,
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="kql", version=1, text=text)
        ),
    )
    await wait_for(client, 1)

    # Type into the string literal of the `where Cmd contains "…"` line in the middle.
    lines = text.split("\n")
    line = next(i for i, l in enumerate(lines) if 'Score10 = iff(Cmd contains "' in l)
    column = lines[line].index('contains "') + len('contains "')
    samples = []
    for i in range(args.keystrokes):
        version = i + 2
        char = "abcdefghijklmnopqrstuvwxyz"[i % 26]
        start = time.perf_counter()
        client.protocol.notify(
            types.TEXT_DOCUMENT_DID_CHANGE,
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            types.Position(line, column + i), types.Position(line, column + i)
                        ),
                        text=char,
                    )
                ],
            ),
        )
        arrived = await wait_for(client, version)
        samples.append((arrived - start) * 1000)

    await client.protocol.send_request_async(types.SHUTDOWN, None)
    client.protocol.notify(types.EXIT, None)
    await client.stop()
    debounce = "server default (150 ms)" if args.debounce_ms is None else f"{args.debounce_ms} ms"
    print(f"hunt: {HUNT.name} ({len(text)} bytes, 500 lines); keystrokes: {len(samples)}; debounce: {debounce}")
    print(
        "keystroke-to-diagnostics ms: "
        f"p50 {percentile(samples, 50):.1f}  p90 {percentile(samples, 90):.1f}  "
        f"p99 {percentile(samples, 99):.1f}  max {max(samples):.1f}  "
        f"mean {statistics.mean(samples):.1f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
