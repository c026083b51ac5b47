// How the extension finds and configures `qlint lsp`.
//
// Everything here is a plain function of the settings, the environment and a file probe, so
// it runs under `node --test` without VS Code. Only `extension.ts` imports `vscode`.

import * as fs from "node:fs";
import * as nodePath from "node:path";

/** The `qlint.*` settings after validation. */
export interface QlintSettings {
  /** `qlint.server.path`, trimmed; undefined when unset or empty. */
  serverPath: string | undefined;
  /** `qlint.server.extraArgs`, appended after `lsp`. */
  extraArgs: string[];
  /** `qlint.schemas`: extra table schema files. */
  schemas: string[];
  /** `qlint.macros`: extra SPL macro sources. */
  macros: string[];
  /** `qlint.select`: rule codes or prefixes to enable, upper-cased. */
  select: string[];
  /** `qlint.ignore`: rule codes or prefixes to disable, upper-cased. */
  ignore: string[];
  /** `qlint.trace.server`. */
  trace: TraceLevel;
}

export type TraceLevel = "off" | "messages" | "verbose";

/** Reads one setting by its key below `qlint.` (e.g. `server.path`); undefined when unset. */
export type SettingGetter = (key: string) => unknown;

/** The settings plus one sentence for every value that was ignored and why. */
export interface SettingsReading {
  settings: QlintSettings;
  problems: string[];
}

/** A rule code (`KQL301`, `SIG201`) or a code prefix (`KQL3`, `SPL`, `SIG1`, `YL`, `QL0`). */
const RULE_SELECTOR = /^(KQL|SPL|SIG|YL|QL)[0-9]{0,3}$/;

/** Reads and validates the `qlint.*` settings; invalid entries are dropped and reported. */
export function readSettings(get: SettingGetter): SettingsReading {
  const problems: string[] = [];

  const rawPath = get("server.path");
  let serverPath: string | undefined;
  if (typeof rawPath === "string") {
    serverPath = rawPath.trim() === "" ? undefined : rawPath.trim();
  } else if (rawPath !== undefined && rawPath !== null) {
    problems.push(`qlint.server.path must be a string; ignoring ${JSON.stringify(rawPath)}.`);
  }

  const stringList = (key: string): string[] => {
    const raw = get(key);
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      problems.push(`qlint.${key} must be a list of strings; ignoring ${JSON.stringify(raw)}.`);
      return [];
    }
    const values: string[] = [];
    for (const item of raw) {
      if (typeof item === "string" && item.trim() !== "") {
        values.push(item.trim());
      } else {
        problems.push(`qlint.${key}: ignoring ${JSON.stringify(item)}, which is not a non-empty string.`);
      }
    }
    return values;
  };

  const ruleList = (key: string): string[] => {
    const codes: string[] = [];
    for (const value of stringList(key)) {
      const code = value.toUpperCase();
      if (RULE_SELECTOR.test(code)) {
        if (!codes.includes(code)) codes.push(code);
      } else {
        problems.push(
          `qlint.${key}: ignoring ${JSON.stringify(value)}, which is not a rule code such as KQL301 or a prefix such as KQL3.`,
        );
      }
    }
    return codes;
  };

  const rawTrace = get("trace.server");
  let trace: TraceLevel = "off";
  if (rawTrace === "off" || rawTrace === "messages" || rawTrace === "verbose") {
    trace = rawTrace;
  } else if (rawTrace !== undefined && rawTrace !== null) {
    problems.push(`qlint.trace.server must be "off", "messages" or "verbose"; ignoring ${JSON.stringify(rawTrace)}.`);
  }

  return {
    settings: {
      serverPath,
      extraArgs: stringList("server.extraArgs"),
      schemas: stringList("schemas"),
      macros: stringList("macros"),
      select: ruleList("select"),
      ignore: ruleList("ignore"),
      trace,
    },
    problems,
  };
}

/** Where paths in settings are resolved from. */
export interface PathContext {
  platform: NodeJS.Platform;
  /** The user's home directory, for `~`. */
  home?: string;
  /** The first workspace folder, for relative paths and `${workspaceFolder}`. */
  workspaceFolder?: string;
}

function pathApi(platform: NodeJS.Platform): nodePath.PlatformPath {
  return platform === "win32" ? nodePath.win32 : nodePath.posix;
}

/**
 * Expands `~`, `${workspaceFolder}` and `${userHome}` and makes a relative path absolute
 * against the workspace folder. Without a workspace folder a relative path stays relative.
 */
export function expandPath(value: string, context: PathContext): string {
  const api = pathApi(context.platform);
  let expanded = value;
  if (context.workspaceFolder !== undefined) {
    expanded = expanded.split("${workspaceFolder}").join(context.workspaceFolder);
  }
  if (context.home !== undefined) {
    expanded = expanded.split("${userHome}").join(context.home);
    if (expanded === "~") {
      expanded = context.home;
    } else if (expanded.startsWith("~/") || (context.platform === "win32" && expanded.startsWith("~\\"))) {
      expanded = api.join(context.home, expanded.slice(2));
    }
  }
  if (!api.isAbsolute(expanded) && context.workspaceFolder !== undefined) {
    expanded = api.join(context.workspaceFolder, expanded);
  }
  return expanded;
}

/**
 * What the server receives, both as `initializationOptions` and as
 * `workspace/didChangeConfiguration` `{ settings: { qlint: ... } }`. Paths are absolute when a
 * workspace folder is open.
 */
export interface ServerConfiguration {
  schemas: string[];
  macros: string[];
  select: string[];
  ignore: string[];
}

/** The settings the server cares about, with their paths expanded. */
export function serverConfiguration(settings: QlintSettings, context: PathContext): ServerConfiguration {
  return {
    schemas: settings.schemas.map((p) => expandPath(p, context)),
    macros: settings.macros.map((p) => expandPath(p, context)),
    select: [...settings.select],
    ignore: [...settings.ignore],
  };
}

/** What a settings change needs: a new server process, a notification, or nothing. */
export type ConfigurationReaction = "restart" | "notify" | "none";

/** Decides how to apply a change from `before` to `after`. */
export function reactToChange(before: QlintSettings, after: QlintSettings): ConfigurationReaction {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (before.serverPath !== after.serverPath || !same(before.extraArgs, after.extraArgs)) {
    return "restart";
  }
  if (
    !same(before.schemas, after.schemas) ||
    !same(before.macros, after.macros) ||
    !same(before.select, after.select) ||
    !same(before.ignore, after.ignore)
  ) {
    return "notify";
  }
  // `qlint.trace.server` is applied by the language client itself.
  return "none";
}

/** Answers whether a path is a file this process may execute. */
export interface FileProbe {
  isExecutableFile(path: string): boolean;
}

/** A probe over the real file system. */
export function fileSystemProbe(platform: NodeJS.Platform = process.platform): FileProbe {
  return {
    isExecutableFile(path: string): boolean {
      try {
        if (!fs.statSync(path).isFile()) return false;
        if (platform === "win32") return true;
        fs.accessSync(path, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** Everything the server lookup depends on besides the settings and the file system. */
export interface LaunchEnvironment extends PathContext {
  /** The process environment (for `PATH` and, on Windows, `PATHEXT`). */
  env: Record<string, string | undefined>;
  /** The extension's install folder, which may hold a bundled `server/qlint`. */
  extensionPath: string;
}

/** Where the server binary was found. */
export type ServerSource = "setting" | "bundled" | "path";

export type ServerResolution =
  | { found: true; command: string; args: string[]; source: ServerSource }
  | { found: false; message: string; tried: string[] };

/** The file name of the server binary on a platform. */
export function executableName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "qlint.exe" : "qlint";
}

/** The bundled binary's path inside the extension. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return pathApi(platform).join(extensionPath, "server", executableName(platform));
}

/** Reads an environment variable; Windows names are case-insensitive (`Path`). */
function envValue(env: Record<string, string | undefined>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== "win32") return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** The candidate paths for `qlint` on `PATH`, in search order. */
export function pathCandidates(launch: LaunchEnvironment): string[] {
  const api = pathApi(launch.platform);
  const delimiter = launch.platform === "win32" ? ";" : ":";
  const dirs = (envValue(launch.env, "PATH", launch.platform) ?? "")
    .split(delimiter)
    .map((d) => (launch.platform === "win32" ? d.trim().replace(/^"(.*)"$/, "$1") : d))
    // An empty entry means the current directory, which is not a safe place to run from.
    .filter((d) => d !== "");
  if (launch.platform !== "win32") {
    return dirs.map((d) => api.join(d, "qlint"));
  }
  // Only real executables: Node cannot spawn .cmd or .bat files without a shell.
  const extensions = (envValue(launch.env, "PATHEXT", "win32") ?? ".COM;.EXE")
    .split(";")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e === ".exe" || e === ".com");
  const exts = extensions.length > 0 ? extensions : [".exe"];
  return dirs.flatMap((d) => exts.map((e) => api.join(d, `qlint${e}`)));
}

/**
 * Finds the server: the `qlint.server.path` setting first, then the binary bundled in the
 * extension, then `qlint` on `PATH`. A setting that points nowhere is an error, not a reason
 * to fall back silently to another binary.
 */
export function resolveServer(settings: QlintSettings, launch: LaunchEnvironment, probe: FileProbe): ServerResolution {
  const args = ["lsp", ...settings.extraArgs];

  if (settings.serverPath !== undefined) {
    const configured = expandPath(settings.serverPath, launch);
    if (probe.isExecutableFile(configured)) {
      return { found: true, command: configured, args, source: "setting" };
    }
    return {
      found: false,
      tried: [configured],
      message:
        `qlint.server.path is set to "${settings.serverPath}", but there is no executable file at ${configured}. ` +
        `Correct the setting, or clear it to use the bundled server or the qlint on PATH.`,
    };
  }

  const bundled = bundledServerPath(launch.extensionPath, launch.platform);
  if (probe.isExecutableFile(bundled)) {
    return { found: true, command: bundled, args, source: "bundled" };
  }

  const candidates = pathCandidates(launch);
  for (const candidate of candidates) {
    if (probe.isExecutableFile(candidate)) {
      return { found: true, command: candidate, args, source: "path" };
    }
  }

  const dirCount = new Set(candidates.map((c) => pathApi(launch.platform).dirname(c))).size;
  return {
    found: false,
    tried: [bundled, ...candidates],
    message:
      `Could not find the qlint language server: qlint.server.path is not set, there is no bundled binary at ${bundled}, ` +
      `and no ${executableName(launch.platform)} is in any of the ${dirCount} folders on PATH. ` +
      `Install qlint (e.g. \`cargo install --path server\` in a qlint checkout) or set qlint.server.path.`,
  };
}

/** One line for the output channel describing what will be started. */
export function describeLaunch(resolution: ServerResolution & { found: true }): string {
  const from = { setting: "from qlint.server.path", bundled: "bundled with the extension", path: "found on PATH" }[
    resolution.source
  ];
  return `Starting ${[resolution.command, ...resolution.args].join(" ")} (${from})`;
}

/** `qlint.sigma.startServer`: start the server for YAML files that are Sigma rules (default on). */
export function readSigmaStart(get: SettingGetter): boolean {
  const value = get("sigma.startServer");
  return typeof value === "boolean" ? value : true;
}

/** A top-level YAML key: at column 0, plain or quoted, followed by `:`. */
const TOP_LEVEL_KEY = /^["']?([A-Za-z_][A-Za-z0-9_-]*)["']?[ \t]*:(?:[ \t]|$)/gm;

/**
 * True when a YAML text holds a Sigma rule as the server recognises one (`kind_of` in the
 * linter's Sigma model): a `correlation:`, a `detection:` beside `logsource:` or `title:`, or a
 * `filter:` beside `logsource:`. The top-level keys of every document are pooled, so a rule
 * collection whose `action: global` document carries the `logsource:` counts too.
 */
export function isSigmaRuleText(text: string): boolean {
  const keys = new Set<string>();
  for (const match of text.matchAll(TOP_LEVEL_KEY)) keys.add(match[1]);
  if (keys.has("correlation")) return true;
  if (keys.has("detection") && (keys.has("logsource") || keys.has("title"))) return true;
  return keys.has("filter") && keys.has("logsource");
}

/** What the extension knows about an open document when it decides to start the server. */
export interface OpenDocument {
  languageId: string;
  getText(): string;
}

/**
 * Whether opening `document` is a reason to start the server: a KQL or SPL file always, a YAML
 * file when it is a Sigma rule and `qlint.sigma.startServer` is on. (A workspace with a
 * `qlint.toml` starts the server on its own; other YAML files do not.)
 */
export function documentStartsServer(document: OpenDocument, sigmaStart: boolean): boolean {
  if (document.languageId === "kql" || document.languageId === "spl" || document.languageId === "yaral") return true;
  return document.languageId === "yaml" && sigmaStart && isSigmaRuleText(document.getText());
}
