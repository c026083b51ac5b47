// A stand-in for the `vscode` module, enough for dist/extension.js and vscode-languageclient to
// activate, start a server and exchange messages with it under plain node. The parts the
// extension's behaviour depends on (configuration, commands, messages, the output channel) are
// real and recorded; everything else answers with an inert object.

import Module from "node:module";

/** What the extension did through the fake API. */
export interface Recorder {
  settings: Record<string, unknown>;
  workspaceFolder: string;
  commands: Map<string, (...args: unknown[]) => unknown>;
  errors: string[];
  log: string[];
  configurationListeners: ((event: { affectsConfiguration(section: string): boolean }) => unknown)[];
  /** Files `workspace.findFiles` finds, relative to the workspace folder. */
  workspaceFiles: string[];
  /** `workspace.textDocuments`. */
  documents: FakeDocument[];
  openListeners: ((document: FakeDocument) => unknown)[];
}

/** The part of a TextDocument the extension reads before the client has started. */
export interface FakeDocument {
  uri: Uri;
  languageId: string;
  version: number;
  getText(): string;
}

/** Opens a document: lists it in `workspace.textDocuments` and tells the listeners. */
export function openDocument(file: string, languageId: string, text: string): void {
  const document = { uri: Uri.file(file), languageId, version: 1, getText: () => text };
  recorder.documents.push(document);
  for (const listener of [...recorder.openListeners]) listener(document);
}

export const recorder: Recorder = {
  settings: {},
  workspaceFolder: "/",
  commands: new Map(),
  errors: [],
  log: [],
  configurationListeners: [],
  workspaceFiles: [],
  documents: [],
  openListeners: [],
};

const disposable = { dispose() {} };

/** An object that accepts any property access, call or `new` and stays inert. */
function inert(name: string): any {
  const cache = new Map<PropertyKey, unknown>();
  const target = function () {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === "then") return undefined; // not a promise
      if (prop === Symbol.iterator) return function* () {};
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === "dispose") return () => undefined;
      if (prop === "toJSON") return () => name;
      if (!cache.has(prop)) cache.set(prop, inert(`${name}.${String(prop)}`));
      return cache.get(prop);
    },
    apply() {
      return inert(`${name}()`);
    },
    construct() {
      return inert(`new ${name}`);
    },
  });
}

/** An event function in the VS Code style: `onX(listener) => Disposable`. */
function event<T>(listeners?: ((e: T) => unknown)[]) {
  return (listener: (e: T) => unknown) => {
    listeners?.push(listener);
    return disposable;
  };
}

function outputChannel(name: string) {
  const write = (level: string) => (message: string) => recorder.log.push(`[${level}] ${message}`);
  return {
    name,
    logLevel: 2,
    onDidChangeLogLevel: event(),
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: (m: string | Error) => write("error")(m instanceof Error ? m.message : m),
    append: write("append"),
    appendLine: write("line"),
    replace: write("replace"),
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  };
}

class Disposable {
  static from(...items: { dispose(): unknown }[]) {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  constructor(private readonly callback: () => unknown) {}
  dispose() {
    this.callback();
  }
}

class EventEmitter<T> {
  private listeners: ((e: T) => unknown)[] = [];
  event = (listener: (e: T) => unknown) => {
    this.listeners.push(listener);
    return disposable;
  };
  fire(e: T) {
    this.listeners.forEach((l) => l(e));
  }
  dispose() {
    this.listeners = [];
  }
}

class Uri {
  constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  get path() {
    return this.fsPath;
  }
  static file(p: string) {
    return new Uri("file", p);
  }
  static parse(s: string) {
    return new Uri(s.split(":")[0], s.replace(/^file:\/\//, ""));
  }
  toString() {
    return `${this.scheme}://${this.fsPath}`;
  }
  with() {
    return this;
  }
}

/** A namespace whose listed members are real and whose other members are inert. */
function namespace<T extends object>(name: string, members: T): T {
  return new Proxy(members, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver);
      if (prop === "then") return undefined;
      const value = inert(`vscode.${name}.${String(prop)}`);
      (target as Record<PropertyKey, unknown>)[prop] = value;
      return value;
    },
  });
}

const api = {
  version: "1.91.0",
  Disposable,
  EventEmitter,
  Uri,
  env: { appName: "fake-vscode", language: "en", machineId: "test", sessionId: "test", uriScheme: "vscode" },
  window: namespace("window", {
    createOutputChannel: (name: string) => outputChannel(name),
    showErrorMessage: (message: string) => {
      recorder.errors.push(message);
      return Promise.resolve(undefined);
    },
    showWarningMessage: (message: string) => {
      recorder.errors.push(`warning: ${message}`);
      return Promise.resolve(undefined);
    },
    showInformationMessage: () => Promise.resolve(undefined),
    visibleTextEditors: [],
    activeTextEditor: undefined,
    onDidChangeVisibleTextEditors: event(),
    onDidChangeActiveTextEditor: event(),
    tabGroups: { all: [], onDidChangeTabs: event(), onDidChangeTabGroups: event() },
  }),
  workspace: namespace("workspace", {
    get workspaceFolders() {
      return [{ uri: Uri.file(recorder.workspaceFolder), name: "hunts", index: 0 }];
    },
    getWorkspaceFolder: () => undefined,
    get textDocuments() {
      return recorder.documents;
    },
    findFiles: (include: string) =>
      Promise.resolve(
        recorder.workspaceFiles
          .filter((f) => include === "**/qlint.toml" && (f === "qlint.toml" || f.endsWith("/qlint.toml")))
          .map((f) => Uri.file(`${recorder.workspaceFolder}/${f}`)),
      ),
    notebookDocuments: [],
    getConfiguration: (section?: string) => ({
      get: (key: string, fallback?: unknown) => {
        const full = section ? `${section}.${key}` : key;
        return full in recorder.settings ? recorder.settings[full] : fallback;
      },
      has: () => false,
      inspect: () => undefined,
      update: () => Promise.resolve(),
    }),
    onDidChangeConfiguration: event(recorder.configurationListeners),
    onDidChangeWorkspaceFolders: event(),
    onDidOpenTextDocument: (listener: (document: FakeDocument) => unknown) => {
      recorder.openListeners.push(listener);
      return {
        dispose: () => {
          const at = recorder.openListeners.indexOf(listener);
          if (at >= 0) recorder.openListeners.splice(at, 1);
        },
      };
    },
    onDidCloseTextDocument: event(),
    onDidChangeTextDocument: event(),
    onDidSaveTextDocument: event(),
    onWillSaveTextDocument: event(),
    onDidOpenNotebookDocument: event(),
    onDidCloseNotebookDocument: event(),
    onDidChangeNotebookDocument: event(),
    onDidSaveNotebookDocument: event(),
    onDidCreateFiles: event(),
    onDidRenameFiles: event(),
    onDidDeleteFiles: event(),
    onWillCreateFiles: event(),
    onWillRenameFiles: event(),
    onWillDeleteFiles: event(),
    createFileSystemWatcher: () => ({ ...disposable, onDidCreate: event(), onDidChange: event(), onDidDelete: event() }),
  }),
  commands: namespace("commands", {
    registerCommand: (id: string, callback: (...args: unknown[]) => unknown) => {
      recorder.commands.set(id, callback);
      return disposable;
    },
    executeCommand: () => Promise.resolve(undefined),
  }),
  languages: namespace("languages", {
    createDiagnosticCollection: () => ({
      set() {},
      delete() {},
      clear() {},
      forEach() {},
      get: () => undefined,
      has: () => false,
      dispose() {},
    }),
    match: () => 0,
  }),
};

// Names the language client reads from `vscode` when its modules load (a namespace import
// copies own properties, so they must exist up front rather than appear on access).
const LOADED_NAMES = `
  CallHierarchyIncomingCall CallHierarchyItem CallHierarchyOutgoingCall CancellationError
  CancellationTokenSource CodeAction CodeActionKind CodeActionTriggerKind CodeLens Color
  ColorInformation ColorPresentation CompletionItem CompletionItemKind CompletionItemTag
  CompletionList CompletionTriggerKind Diagnostic DiagnosticRelatedInformation
  DiagnosticSeverity DiagnosticTag DocumentHighlight DocumentHighlightKind DocumentLink
  DocumentSymbol FileType FoldingRange FoldingRangeKind Hover InlayHint InlayHintLabelPart
  InlineCompletionItem InlineCompletionList InlineCompletionTriggerKind
  InlineValueEvaluatableExpression InlineValueText InlineValueVariableLookup
  LinkedEditingRanges Location LogLevel MarkdownString ParameterInformation Position
  ProgressLocation Range RelativePattern SelectionRange SemanticTokens SemanticTokensEdit
  SemanticTokensEdits SignatureHelp SignatureHelpTriggerKind SignatureInformation
  SnippetString SnippetTextEdit SymbolInformation SymbolKind SymbolTag TabInputCustom
  TabInputNotebook TabInputText TabInputTextDiff TextDocumentSaveReason TextEdit
  TypeHierarchyItem WorkspaceEdit`;
for (const name of LOADED_NAMES.split(/\s+/).filter(Boolean)) {
  (api as Record<string, unknown>)[name] ??= inert(`vscode.${name}`);
}

const fake = new Proxy(api as Record<PropertyKey, unknown>, {
  get(target, prop) {
    if (prop in target) return target[prop];
    if (prop === "then" || prop === "__esModule") return undefined;
    const value = inert(`vscode.${String(prop)}`);
    target[prop] = value;
    return value;
  },
});

/** Makes `require("vscode")` return the fake from now on. */
export function installFakeVscode(): void {
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = moduleWithLoad._load;
  moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
    if (request === "vscode") return fake;
    return original.call(this, request, ...rest);
  };
}
