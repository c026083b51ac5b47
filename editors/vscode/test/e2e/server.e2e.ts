// End to end without VS Code: resolve the server the way the extension does, start it, and
// speak LSP to it over stdio with vscode-jsonrpc (the transport vscode-languageclient uses).
//
// Which binary: QLINT_SERVER_PATH plays the part of the `qlint.server.path` setting; without
// it the workspace's own target/debug/qlint (or target/release/qlint) does; otherwise the
// bundled-then-PATH lookup runs as in the editor. No binary: the tests are skipped, saying so.

import { strict as assert } from "node:assert";
import { ChildProcess, execFile, spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import * as rpc from "vscode-jsonrpc/node";
import { fileSystemProbe, readSettings, resolveServer, serverConfiguration } from "../../src/launch";

const extensionRoot = path.resolve(__dirname, "..", "..", "..");
const workspaceRoot = path.resolve(extensionRoot, "..", "..");
const probe = fileSystemProbe();

function configuredPath(): string | undefined {
  if (process.env.QLINT_SERVER_PATH) return process.env.QLINT_SERVER_PATH;
  const exe = process.platform === "win32" ? "qlint.exe" : "qlint";
  for (const profile of ["debug", "release"]) {
    const candidate = path.join(workspaceRoot, "target", profile, exe);
    if (probe.isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

const { settings } = readSettings((key) =>
  key === "server.path" ? configuredPath() : key === "select" ? ["KQL", "SIG"] : key === "schemas" ? ["schemas/extra.json"] : undefined,
);
const launch = {
  platform: process.platform,
  env: process.env,
  extensionPath: extensionRoot,
  home: os.homedir(),
  workspaceFolder: workspaceRoot,
};
const resolution = resolveServer(settings, launch, probe);
const skip = resolution.found ? false : `no qlint binary: ${resolution.message}`;
if (!resolution.found) console.log(`# e2e skipped: ${resolution.message}`);

describe("the resolved qlint server", { skip }, () => {
  it("runs and reports its version", async () => {
    assert.ok(resolution.found);
    const { stdout } = await promisify(execFile)(resolution.command, ["--version"], { timeout: 10_000 });
    console.log(`# ${resolution.command} (${resolution.source}) --version: ${stdout.trim()}`);
    assert.match(stdout, /qlint/i);
  });

  describe("over LSP", () => {
    let child: ChildProcess;
    let connection: rpc.MessageConnection;
    const stderr: string[] = [];
    const diagnostics: { uri: string; diagnostics: { message: string; code?: string; range: { start: { line: number } } }[] }[] = [];

    before(() => {
      assert.ok(resolution.found);
      child = spawn(resolution.command, resolution.args, { cwd: workspaceRoot, stdio: ["pipe", "pipe", "pipe"] });
      child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
      connection = rpc.createMessageConnection(
        new rpc.StreamMessageReader(child.stdout!),
        new rpc.StreamMessageWriter(child.stdin!),
      );
      connection.onNotification("textDocument/publishDiagnostics", (params) => {
        diagnostics.push(params);
      });
      // Servers may ask for configuration or register capabilities; answer as VS Code would.
      connection.onRequest("workspace/configuration", (params: { items: { section?: string }[] }) =>
        params.items.map((item) => (item.section === "qlint" ? serverConfiguration(settings, launch) : null)),
      );
      connection.onRequest("client/registerCapability", () => null);
      connection.onRequest("window/workDoneProgress/create", () => null);
      connection.listen();
    });

    after(() => {
      connection?.dispose();
      if (child && child.exitCode === null) child.kill();
    });

    it("answers initialize and shuts down cleanly", async () => {
      let exitCode: number | null | undefined;
      const exited = new Promise<number | null>((resolve) =>
        child.on("exit", (code) => {
          exitCode = code;
          resolve(code);
        }),
      );
      const timeout = <T>(p: Promise<T>, what: string) =>
        Promise.race([
          p,
          exited.then((code) => {
            if (what === "exit") return code as T;
            throw new Error(`${what}: the server exited (code ${code}) first; stderr: ${stderr.join("").slice(-2000)}`);
          }),
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error(`${what}: no answer in 15 s; stderr: ${stderr.join("").slice(-2000)}`)),
              15_000,
            ).unref(),
          ),
        ]);

      const result = await timeout(
        connection.sendRequest("initialize", {
          processId: process.pid,
          clientInfo: { name: "qlint-vscode-e2e" },
          rootUri: `file://${workspaceRoot}`,
          workspaceFolders: [{ uri: `file://${workspaceRoot}`, name: "qlint" }],
          initializationOptions: serverConfiguration(settings, launch),
          capabilities: {
            general: { positionEncodings: ["utf-16"] },
            textDocument: { publishDiagnostics: {}, hover: { contentFormat: ["markdown", "plaintext"] } },
            workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
          },
        }) as Promise<{ capabilities: Record<string, unknown>; serverInfo?: { name: string; version?: string } }>,
        "initialize",
      );
      console.log(`# initialize: serverInfo=${JSON.stringify(result.serverInfo)} capabilities=${Object.keys(result.capabilities).join(",")}`);
      assert.equal(typeof result.capabilities, "object");
      assert.ok(result.capabilities.textDocumentSync !== undefined, "the server must say how it syncs documents");

      await connection.sendNotification("initialized", {});
      await connection.sendNotification("workspace/didChangeConfiguration", {
        settings: { qlint: serverConfiguration(settings, launch) },
      });

      // One real document: the server must publish diagnostics for it (an empty list is an
      // answer too; which problems it finds depends on the rules, not on the client).
      const uri = `file://${path.join(os.tmpdir(), "qlint-e2e.kql")}`;
      await connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri, languageId: "kql", version: 1, text: "SecurityEvent\n| where EventID == \n| take (" },
      });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !diagnostics.some((d) => d.uri === uri)) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const published = diagnostics.filter((d) => d.uri === uri);
      console.log(
        `# diagnostics for a broken query: ${JSON.stringify(published.flatMap((d) => d.diagnostics.map((x) => x.message)))}`,
      );
      assert.ok(published.length > 0, "the server published no diagnostics for an opened document");

      // A Sigma rule in a YAML file (what the extension now starts the server for): the
      // misspelt modifier is reported on its own line.
      const sigmaUri = `file://${path.join(os.tmpdir(), "qlint-e2e-sigma.yml")}`;
      const sigma = "title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  selection:\n    Image|endswiht: 'x.exe'\n  condition: selection\n";
      await connection.sendNotification("textDocument/didOpen", {
        textDocument: { uri: sigmaUri, languageId: "yaml", version: 1, text: sigma },
      });
      const sigmaDeadline = Date.now() + 10_000;
      while (Date.now() < sigmaDeadline && !diagnostics.some((d) => d.uri === sigmaUri)) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const sigmaFound = diagnostics
        .filter((d) => d.uri === sigmaUri)
        .flatMap((d) => d.diagnostics);
      console.log(`# diagnostics for a Sigma rule: ${JSON.stringify(sigmaFound.map((d) => d.code))}`);
      assert.ok(
        sigmaFound.some((d) => d.code === "SIG104" && d.range.start.line === 6),
        "a misspelt Sigma modifier is reported on its line",
      );

      await timeout(connection.sendRequest("shutdown") as Promise<unknown>, "shutdown");
      await connection.sendNotification("exit");
      const code = exitCode !== undefined ? exitCode : await timeout(exited, "exit");
      assert.equal(code, 0, `exit code; stderr: ${stderr.join("").slice(-2000)}`);
    });
  });
});
