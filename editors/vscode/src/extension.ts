// The VS Code side of qlint: starts `qlint lsp` through vscode-languageclient and keeps it in
// step with the `qlint.*` settings. The decisions live in ./launch.ts, which has no `vscode`
// import and is unit-tested with plain node.

import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  ConfigurationParams,
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";
import {
  LaunchEnvironment,
  QlintSettings,
  bundledServerPath,
  describeLaunch,
  documentStartsServer,
  fileSystemProbe,
  reactToChange,
  readSettings,
  readSigmaStart,
  resolveServer,
  serverConfiguration,
} from "./launch";

const CLIENT_ID = "qlint";
const CLIENT_NAME = "qlint";

/** Documents the server lints: query files, and Markdown, YAML and .conf files that hold queries. */
const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "kql" },
  { scheme: "untitled", language: "kql" },
  { scheme: "file", language: "spl" },
  { scheme: "untitled", language: "spl" },
  { scheme: "file", language: "yaral" },
  { scheme: "untitled", language: "yaral" },
  { scheme: "file", language: "markdown" },
  { scheme: "file", language: "yaml" },
  { scheme: "file", pattern: "**/{savedsearches,macros}.conf" },
];

let output: vscode.LogOutputChannel | undefined;
let client: LanguageClient | undefined;
let current: QlintSettings | undefined;
/** Listens for the first document that is a reason to start, until the server has started. */
let waitingForDocument: vscode.Disposable | undefined;
/** Serialises start, stop and restart so that two restarts never race. */
let queue: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel("qlint", { log: true });
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand("qlint.restartServer", () => enqueue(() => restart(context))),
    vscode.commands.registerCommand("qlint.showOutput", () => output?.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("qlint")) {
        enqueue(() => applySettingsChange(context));
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => enqueue(() => applySettingsChange(context, true))),
  );

  void startWhenNeeded(context);
}

export function deactivate(): Thenable<void> | undefined {
  stopWaiting();
  return enqueue(stop);
}

/**
 * The extension also activates for every YAML file (`onLanguage:yaml`), but the server starts
 * only when there is a reason: a `qlint.toml` in the workspace, or an open KQL, SPL or YARA-L file, or
 * a YAML file that is a Sigma rule (while `qlint.sigma.startServer` is on). Without one yet,
 * the first such document opened starts it.
 */
async function startWhenNeeded(context: vscode.ExtensionContext): Promise<void> {
  if (vscode.workspace.textDocuments.some(startsServer) || (await hasQlintToml())) {
    enqueue(() => start(context));
    return;
  }
  output?.info("Waiting for a KQL, SPL or YARA-L file or a Sigma rule before starting the server");
  waitingForDocument = vscode.workspace.onDidOpenTextDocument((document) => {
    if (waitingForDocument === undefined || !startsServer(document)) return;
    stopWaiting();
    output?.info(`Starting for ${document.uri.fsPath}`);
    enqueue(() => start(context));
  });
  context.subscriptions.push({ dispose: stopWaiting });
}

function startsServer(document: vscode.TextDocument): boolean {
  const config = vscode.workspace.getConfiguration("qlint");
  return document.uri.scheme !== "git" && documentStartsServer(document, readSigmaStart((key) => config.get(key)));
}

async function hasQlintToml(): Promise<boolean> {
  const found = await vscode.workspace.findFiles("**/qlint.toml", "**/node_modules/**", 1);
  return found.length > 0;
}

function stopWaiting(): void {
  waitingForDocument?.dispose();
  waitingForDocument = undefined;
}

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task).catch((error: unknown) => {
    output?.error(`qlint: ${error instanceof Error ? error.message : String(error)}`);
  });
  return queue;
}

/** The current settings; with `report`, every ignored value is named in the output channel. */
function loadSettings(report = true): QlintSettings {
  const config = vscode.workspace.getConfiguration("qlint");
  const { settings, problems } = readSettings((key) => config.get(key));
  if (report) for (const problem of problems) output?.warn(problem);
  return settings;
}

/** What the server is told, read afresh (problems were already reported by loadSettings). */
function currentServerConfiguration(context: vscode.ExtensionContext) {
  return serverConfiguration(loadSettings(false), launchEnvironment(context));
}

function launchEnvironment(context: vscode.ExtensionContext): LaunchEnvironment {
  return {
    platform: process.platform,
    env: process.env,
    extensionPath: context.extensionPath,
    home: os.homedir(),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  };
}

/** A bundled binary can lose its executable bit on the way through a .vsix; restore it. */
function makeBundledServerExecutable(context: vscode.ExtensionContext): void {
  if (process.platform === "win32") return;
  const bundled = bundledServerPath(context.extensionPath, process.platform);
  try {
    const mode = fs.statSync(bundled).mode;
    if ((mode & 0o111) === 0) fs.chmodSync(bundled, mode | 0o755);
  } catch {
    // No bundled binary: the lookup moves on to PATH.
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  stopWaiting();
  const settings = loadSettings();
  current = settings;
  const launch = launchEnvironment(context);

  makeBundledServerExecutable(context);
  const resolution = resolveServer(settings, launch, fileSystemProbe());
  if (!resolution.found) {
    output?.error(resolution.message);
    output?.info(`Looked at: ${resolution.tried.join(", ") || "(nothing)"}`);
    void showServerMissing(resolution.message);
    return;
  }
  output?.info(describeLaunch(resolution));

  // No `transport`: with TransportKind.stdio the client would append `--stdio`, which
  // `qlint lsp` rejects. Without it the client still speaks over stdin/stdout.
  const serverOptions: ServerOptions = {
    command: resolution.command,
    args: resolution.args,
    options: { cwd: launch.workspaceFolder },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: () => currentServerConfiguration(context),
    middleware: {
      workspace: {
        // Answer the server's `workspace/configuration` pulls for `qlint` with the same
        // validated object that initializationOptions carries.
        configuration: (params: ConfigurationParams, token, next) => {
          const answers = params.items.map((item) =>
            item.section === "qlint" ? currentServerConfiguration(context) : undefined,
          );
          if (answers.every((answer) => answer !== undefined)) return answers;
          return Promise.resolve(next(params, token)).then((fromVscode) =>
            Array.isArray(fromVscode) ? fromVscode.map((value, i) => answers[i] ?? value) : fromVscode,
          );
        },
      },
    },
  };

  const next = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
    const info = next.initializeResult?.serverInfo;
    output?.info(`Server ready: ${info ? `${info.name} ${info.version ?? ""}`.trim() : resolution.command}`);
  } catch (error) {
    const message = `The qlint language server (${resolution.command}) failed to start: ${
      error instanceof Error ? error.message : String(error)
    }`;
    output?.error(message);
    void vscode.window.showErrorMessage(message, "Show Output").then((choice) => {
      if (choice === "Show Output") output?.show();
    });
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running === undefined) return;
  try {
    await running.dispose(2000);
  } catch (error) {
    output?.warn(`Stopping the server: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  output?.info("Restarting the qlint language server");
  await stop();
  await start(context);
}

async function applySettingsChange(context: vscode.ExtensionContext, foldersChanged = false): Promise<void> {
  // Not started yet: the settings are read when a document starts it.
  if (waitingForDocument !== undefined) return;
  const before = current;
  const after = loadSettings();
  const reaction = before === undefined || client === undefined ? "restart" : reactToChange(before, after);
  if (reaction === "restart") {
    await restart(context);
    return;
  }
  current = after;
  if (reaction === "notify" || foldersChanged) {
    await client?.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { qlint: serverConfiguration(after, launchEnvironment(context)) },
    });
  }
}

async function showServerMissing(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Output");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "qlint.server.path");
  } else if (choice === "Show Output") {
    output?.show();
  }
}
