// Activates the packaged bundle (dist/extension.js) under plain node, with a stand-in for the
// `vscode` module, and checks the whole client path: activated by a YAML file, the extension
// waits until a Sigma rule (not any YAML file) is opened, settings are read and validated, the
// server named by qlint.server.path is spawned as `<path> lsp`, vscode-languageclient sends it
// `initialize` with our initializationOptions, settings changes reach the running server, the
// restart command starts a new process, a wrong path produces the error message, and
// deactivation shuts the server down.
//
// The server here is a small recording LSP server, so the test does not depend on the state of
// `qlint lsp`; server.e2e.ts talks to the real binary.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { installFakeVscode, openDocument, recorder } from "./fake-vscode";

const SIGMA_RULE = `title: Whoami
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\\\\whoami.exe'
  condition: selection
`;

const WORKFLOW_YAML = `name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
`;

const extensionRoot = path.resolve(__dirname, "..", "..", "..");
const bundle = path.join(extensionRoot, "dist", "extension.js");

interface Logged {
  pid: number;
  argv: string[];
  method: string;
  params: any;
}

/** Writes an executable LSP server that logs every message it receives. */
function writeRecordingServer(dir: string): string {
  const jsonrpc = require.resolve("vscode-jsonrpc/node");
  const file = path.join(dir, "qlint");
  fs.writeFileSync(
    file,
    `#!/usr/bin/env node
const rpc = require(${JSON.stringify(jsonrpc)});
const fs = require("fs");
const log = process.env.QLINT_FAKE_LSP_LOG;
const record = (method, params) =>
  fs.appendFileSync(log, JSON.stringify({ pid: process.pid, argv: process.argv.slice(2), method, params }) + "\\n");
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(process.stdin),
  new rpc.StreamMessageWriter(process.stdout),
);
connection.onRequest((method, params) => {
  record(method, params);
  if (method === "initialize") return { capabilities: { textDocumentSync: 2 }, serverInfo: { name: "recorder" } };
  return null;
});
connection.onNotification((method, params) => {
  record(method, params);
  if (method === "exit") process.exit(0);
});
connection.listen();
`,
    { mode: 0o755 },
  );
  return file;
}

async function waitFor<T>(what: string, check: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${recorder.log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** QLINT_SERVER_PATH, or the workspace's own debug build, when it exists. */
function realServer(): string | undefined {
  const candidates = [process.env.QLINT_SERVER_PATH, path.resolve(extensionRoot, "..", "..", "target", "debug", "qlint")];
  return candidates.find((c): c is string => c !== undefined && c !== "" && fs.existsSync(c));
}

const skip = !fs.existsSync(bundle)
  ? `no bundle at ${bundle}: run \`npm run build\` first`
  : process.platform === "win32"
    ? "the recording server is a script with a shebang, which Windows cannot run directly"
    : false;

describe("the bundled extension under a stand-in VS Code", { skip }, () => {
  let dir: string;
  let logFile: string;
  let server: string;
  let extension: { activate(context: unknown): void; deactivate(): Thenable<void> | undefined };
  const context = { subscriptions: [] as { dispose(): void }[], extensionPath: extensionRoot };

  const messages = (): Logged[] =>
    fs.existsSync(logFile)
      ? fs
          .readFileSync(logFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Logged)
      : [];
  const changeSettings = (changes: Record<string, unknown>) => {
    Object.assign(recorder.settings, changes);
    for (const listener of recorder.configurationListeners) {
      listener({ affectsConfiguration: (section: string) => section === "qlint" || section.startsWith("qlint.") });
    }
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qlint-activate-"));
    logFile = path.join(dir, "messages.jsonl");
    server = writeRecordingServer(dir);
    process.env.QLINT_FAKE_LSP_LOG = logFile;
    recorder.workspaceFolder = dir;
    recorder.settings = {
      "qlint.server.path": server,
      "qlint.server.extraArgs": ["--stdio-test"],
      "qlint.schemas": ["schemas/extra.json"],
      "qlint.macros": ["~/splunk/macros.conf"],
      "qlint.select": ["kql3", "E501"],
    };
    installFakeVscode();
    extension = require(bundle);
  });

  after(async () => {
    await extension?.deactivate();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("waits for a Sigma rule: a plain YAML file, or any with qlint.sigma.startServer off, starts nothing", async () => {
    extension.activate(context);
    assert.ok(recorder.commands.has("qlint.restartServer"));
    assert.ok(recorder.commands.has("qlint.showOutput"));
    await waitFor("the waiting line", () => recorder.log.find((l) => l.includes("Waiting for a KQL, SPL or YARA-L file")));
    openDocument(path.join(dir, ".github", "workflows", "ci.yml"), "yaml", WORKFLOW_YAML);
    changeSettings({ "qlint.sigma.startServer": false });
    openDocument(path.join(dir, "rules", "off.yml"), "yaml", SIGMA_RULE);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(messages(), [], "no server for a workflow file, nor for a Sigma rule with the setting off");
    changeSettings({ "qlint.sigma.startServer": true });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(messages(), [], "changing a setting alone starts nothing");
  });

  it("starts `<qlint.server.path> lsp` for a Sigma rule and initializes it with the validated settings", async () => {
    openDocument(path.join(dir, "rules", "whoami.yml"), "yaml", SIGMA_RULE);

    const init = await waitFor("initialize", () => messages().find((m) => m.method === "initialize"));
    assert.deepEqual(init.argv, ["lsp", "--stdio-test"]);
    assert.deepEqual(init.params.initializationOptions, {
      schemas: [path.join(dir, "schemas", "extra.json")],
      macros: [path.join(os.homedir(), "splunk", "macros.conf")],
      select: ["KQL3"],
      ignore: [],
    });
    await waitFor("initialized", () => messages().find((m) => m.method === "initialized"));
    assert.ok(recorder.log.some((l) => l.includes(`Starting ${server} lsp --stdio-test (from qlint.server.path)`)));
    const warnings = recorder.log.filter((l) => l.startsWith("[warn]") && l.includes('"E501"'));
    assert.equal(warnings.length, 1, `the bad rule code is reported once: ${JSON.stringify(warnings)}`);
  });

  it("sends changed settings to the running server", async () => {
    changeSettings({ "qlint.ignore": ["kql301"] });
    const change = await waitFor("didChangeConfiguration", () =>
      messages().find((m) => m.method === "workspace/didChangeConfiguration"),
    );
    assert.deepEqual(change.params.settings.qlint.ignore, ["KQL301"]);
    assert.deepEqual(change.params.settings.qlint.select, ["KQL3"]);
    assert.equal(new Set(messages().map((m) => m.pid)).size, 1, "no restart for a rule change");
  });

  it("restarts on command with a new process", async () => {
    const firstPid = messages()[0].pid;
    await recorder.commands.get("qlint.restartServer")!();
    const second = await waitFor("a second initialize", () =>
      messages().find((m) => m.method === "initialize" && m.pid !== firstPid),
    );
    assert.deepEqual(second.params.initializationOptions.ignore, ["KQL301"]);
    const old = messages().filter((m) => m.pid === firstPid).map((m) => m.method);
    assert.ok(old.includes("shutdown") && old.includes("exit"), `the old server was shut down: ${old.join(", ")}`);
  });

  it("logs when the server is ready", async () => {
    await waitFor("the ready line", () => recorder.log.find((l) => l.includes("Server ready: recorder")));
  });

  it("starts the real qlint binary when one is at hand", { skip: realServer() === undefined }, async () => {
    const real = realServer()!;
    const before = recorder.log.length;
    changeSettings({ "qlint.server.path": real, "qlint.server.extraArgs": [] });
    const ready = await waitFor(
      "the real server",
      () => recorder.log.slice(before).find((l) => l.includes("Server ready:") || l.includes("failed to start")),
      30_000,
    );
    console.log(`# ${real}: ${ready}`);
    assert.match(ready, /Server ready: qlint/);
  });

  it("reports a server path that points nowhere", async () => {
    const missing = path.join(dir, "no-such-qlint");
    changeSettings({ "qlint.server.path": missing });
    const message = await waitFor("an error message", () => recorder.errors.find((e) => e.includes(missing)));
    assert.match(message, /qlint\.server\.path is set to/);
  });
});

describe("a workspace with a qlint.toml", { skip }, () => {
  let dir: string;
  let extension: { activate(context: unknown): void; deactivate(): Thenable<void> | undefined };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qlint-activate-toml-"));
    process.env.QLINT_FAKE_LSP_LOG = path.join(dir, "messages.jsonl");
    recorder.workspaceFolder = dir;
    recorder.workspaceFiles = ["detections/qlint.toml"];
    recorder.documents = [];
    recorder.settings = { "qlint.server.path": writeRecordingServer(dir) };
    installFakeVscode();
    extension = require(bundle);
  });

  after(async () => {
    await extension?.deactivate();
    recorder.workspaceFiles = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("starts the server without waiting for a document", async () => {
    extension.activate({ subscriptions: [], extensionPath: extensionRoot });
    const log = path.join(dir, "messages.jsonl");
    await waitFor("initialize", () =>
      fs.existsSync(log) && fs.readFileSync(log, "utf8").includes('"method":"initialize"') ? true : undefined,
    );
  });
});
