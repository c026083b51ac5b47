import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  FileProbe,
  LaunchEnvironment,
  QlintSettings,
  documentStartsServer,
  expandPath,
  isSigmaRuleText,
  fileSystemProbe,
  pathCandidates,
  reactToChange,
  readSettings,
  readSigmaStart,
  resolveServer,
  serverConfiguration,
} from "../src/launch";

/** A getter over a flat object keyed like VS Code's `config.get("server.path")`. */
function getter(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

function settings(overrides: Partial<QlintSettings> = {}): QlintSettings {
  return {
    serverPath: undefined,
    extraArgs: [],
    schemas: [],
    macros: [],
    select: [],
    ignore: [],
    trace: "off",
    ...overrides,
  };
}

/** A probe that knows exactly these executable files. */
function probeOf(...executables: string[]): FileProbe & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    isExecutableFile(p: string) {
      asked.push(p);
      return executables.includes(p);
    },
  };
}

const linux: LaunchEnvironment = {
  platform: "linux",
  env: { PATH: "/usr/local/bin::/usr/bin:/home/ana/.cargo/bin" },
  extensionPath: "/home/ana/.vscode/extensions/qlint.qlint-0.1.0",
  home: "/home/ana",
  workspaceFolder: "/work/hunts",
};

const windows: LaunchEnvironment = {
  platform: "win32",
  env: { Path: 'C:\\Windows\\system32;"C:\\Program Files\\qlint";C:\\Users\\ana\\.cargo\\bin', PATHEXT: ".COM;.EXE;.BAT;.CMD" },
  extensionPath: "C:\\Users\\ana\\.vscode\\extensions\\qlint.qlint-0.1.0",
  home: "C:\\Users\\ana",
  workspaceFolder: "C:\\hunts",
};

describe("readSettings", () => {
  it("gives empty defaults when nothing is set", () => {
    const { settings: s, problems } = readSettings(getter({}));
    assert.deepEqual(s, settings());
    assert.deepEqual(problems, []);
  });

  it("reads every setting", () => {
    const { settings: s, problems } = readSettings(
      getter({
        "server.path": "  /opt/qlint/bin/qlint ",
        "server.extraArgs": ["--log", "debug"],
        schemas: ["schemas/custom.json"],
        macros: ["splunk/macros.conf"],
        select: ["KQL3", "spl101"],
        ignore: ["kql301"],
        "trace.server": "verbose",
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(s, {
      serverPath: "/opt/qlint/bin/qlint",
      extraArgs: ["--log", "debug"],
      schemas: ["schemas/custom.json"],
      macros: ["splunk/macros.conf"],
      select: ["KQL3", "SPL101"],
      ignore: ["KQL301"],
      trace: "verbose",
    });
  });

  it("treats an empty server path as unset", () => {
    assert.equal(readSettings(getter({ "server.path": "   " })).settings.serverPath, undefined);
    assert.equal(readSettings(getter({ "server.path": null })).settings.serverPath, undefined);
  });

  it("drops and reports values of the wrong shape", () => {
    const { settings: s, problems } = readSettings(
      getter({
        "server.path": 42,
        "server.extraArgs": "--verbose",
        schemas: ["a.json", 7, "", "b.json"],
        "trace.server": "loud",
      }),
    );
    assert.equal(s.serverPath, undefined);
    assert.deepEqual(s.extraArgs, []);
    assert.deepEqual(s.schemas, ["a.json", "b.json"]);
    assert.equal(s.trace, "off");
    assert.equal(problems.length, 5, problems.join("\n"));
    assert.match(problems[0], /qlint\.server\.path must be a string/);
    assert.ok(problems.some((p) => p.includes("qlint.server.extraArgs must be a list")));
    assert.ok(problems.some((p) => p.includes("qlint.trace.server")));
  });

  it("keeps rule codes and prefixes, upper-cased and once, and rejects the rest", () => {
    const { settings: s, problems } = readSettings(
      getter({ select: ["kql301", "KQL301", "SPL", "QL0", "sig201", "YL", "KQL4011", "E501", "KQL 3"], ignore: ["ql003"] }),
    );
    assert.deepEqual(s.select, ["KQL301", "SPL", "QL0", "SIG201", "YL"]);
    assert.deepEqual(s.ignore, ["QL003"]);
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.ok(problems.every((p) => p.startsWith("qlint.select:")));
    assert.ok(problems.some((p) => p.includes('"E501"')));
  });
});

describe("expandPath", () => {
  it("expands ~ and ${userHome}", () => {
    assert.equal(expandPath("~/bin/qlint", linux), "/home/ana/bin/qlint");
    assert.equal(expandPath("~", linux), "/home/ana");
    assert.equal(expandPath("${userHome}/x.json", linux), "/home/ana/x.json");
  });

  it("resolves relative paths and ${workspaceFolder} against the first folder", () => {
    assert.equal(expandPath("schemas/t.json", linux), "/work/hunts/schemas/t.json");
    assert.equal(expandPath("${workspaceFolder}/m.conf", linux), "/work/hunts/m.conf");
    assert.equal(expandPath("../shared/t.json", linux), "/work/shared/t.json");
  });

  it("leaves absolute paths alone, and relative ones without a folder", () => {
    assert.equal(expandPath("/etc/qlint/t.json", linux), "/etc/qlint/t.json");
    assert.equal(expandPath("t.json", { platform: "linux" }), "t.json");
  });

  it("uses Windows path rules on Windows", () => {
    assert.equal(expandPath("~\\bin\\qlint.exe", windows), "C:\\Users\\ana\\bin\\qlint.exe");
    assert.equal(expandPath("schemas\\t.json", windows), "C:\\hunts\\schemas\\t.json");
    assert.equal(expandPath("D:\\tools\\qlint.exe", windows), "D:\\tools\\qlint.exe");
  });
});

describe("resolveServer", () => {
  const bundled = "/home/ana/.vscode/extensions/qlint.qlint-0.1.0/server/qlint";

  it("prefers the setting over the bundled binary and PATH", () => {
    const probe = probeOf("/opt/qlint", bundled, "/usr/bin/qlint");
    const r = resolveServer(settings({ serverPath: "/opt/qlint" }), linux, probe);
    assert.deepEqual(r, { found: true, command: "/opt/qlint", args: ["lsp"], source: "setting" });
  });

  it("expands the setting before probing it", () => {
    const probe = probeOf("/home/ana/.cargo/bin/qlint");
    const r = resolveServer(settings({ serverPath: "~/.cargo/bin/qlint" }), linux, probe);
    assert.equal(r.found && r.command, "/home/ana/.cargo/bin/qlint");
  });

  it("reports a setting that points nowhere instead of falling back", () => {
    const probe = probeOf(bundled, "/usr/bin/qlint");
    const r = resolveServer(settings({ serverPath: "bin/qlint" }), linux, probe);
    assert.equal(r.found, false);
    if (!r.found) {
      assert.match(r.message, /qlint\.server\.path is set to "bin\/qlint"/);
      assert.match(r.message, /\/work\/hunts\/bin\/qlint/);
      assert.deepEqual(r.tried, ["/work/hunts/bin/qlint"]);
    }
    assert.deepEqual(probe.asked, ["/work/hunts/bin/qlint"]);
  });

  it("uses the bundled binary before PATH", () => {
    const r = resolveServer(settings(), linux, probeOf(bundled, "/usr/bin/qlint"));
    assert.deepEqual(r, { found: true, command: bundled, args: ["lsp"], source: "bundled" });
  });

  it("takes the first qlint on PATH, skipping empty entries", () => {
    const probe = probeOf("/usr/bin/qlint", "/home/ana/.cargo/bin/qlint");
    const r = resolveServer(settings(), linux, probe);
    assert.deepEqual(r, { found: true, command: "/usr/bin/qlint", args: ["lsp"], source: "path" });
    assert.deepEqual(probe.asked, [bundled, "/usr/local/bin/qlint", "/usr/bin/qlint"]);
  });

  it("appends extra arguments after lsp", () => {
    const r = resolveServer(settings({ extraArgs: ["--config", "q.toml"] }), linux, probeOf(bundled));
    assert.equal(r.found, true);
    if (r.found) assert.deepEqual(r.args, ["lsp", "--config", "q.toml"]);
  });

  it("explains what it looked for when nothing is found", () => {
    const r = resolveServer(settings(), linux, probeOf());
    assert.equal(r.found, false);
    if (!r.found) {
      assert.match(r.message, /qlint\.server\.path is not set/);
      assert.ok(r.message.includes(bundled));
      assert.match(r.message, /3 folders on PATH/);
      assert.deepEqual(r.tried, [bundled, "/usr/local/bin/qlint", "/usr/bin/qlint", "/home/ana/.cargo/bin/qlint"]);
    }
  });

  it("copes with no PATH at all", () => {
    const r = resolveServer(settings(), { ...linux, env: {} }, probeOf());
    assert.equal(r.found, false);
    if (!r.found) assert.match(r.message, /0 folders on PATH/);
  });

  it("finds qlint.exe on Windows through Path, ignoring .bat and .cmd", () => {
    assert.deepEqual(pathCandidates(windows), [
      "C:\\Windows\\system32\\qlint.com",
      "C:\\Windows\\system32\\qlint.exe",
      "C:\\Program Files\\qlint\\qlint.com",
      "C:\\Program Files\\qlint\\qlint.exe",
      "C:\\Users\\ana\\.cargo\\bin\\qlint.com",
      "C:\\Users\\ana\\.cargo\\bin\\qlint.exe",
    ]);
    const r = resolveServer(settings(), windows, probeOf("C:\\Program Files\\qlint\\qlint.exe"));
    assert.deepEqual(r, { found: true, command: "C:\\Program Files\\qlint\\qlint.exe", args: ["lsp"], source: "path" });
  });

  it("looks for server\\qlint.exe in the extension on Windows", () => {
    const bundledExe = "C:\\Users\\ana\\.vscode\\extensions\\qlint.qlint-0.1.0\\server\\qlint.exe";
    const r = resolveServer(settings(), windows, probeOf(bundledExe, "C:\\Windows\\system32\\qlint.exe"));
    assert.equal(r.found && r.source, "bundled");
    assert.equal(r.found && r.command, bundledExe);
  });
});

describe("fileSystemProbe", () => {
  it("accepts executable files only", { skip: process.platform === "win32" }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qlint-probe-"));
    try {
      const exe = path.join(dir, "qlint");
      const plain = path.join(dir, "notes.txt");
      fs.writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
      fs.writeFileSync(plain, "x", { mode: 0o644 });
      const probe = fileSystemProbe("linux");
      assert.equal(probe.isExecutableFile(exe), true);
      assert.equal(probe.isExecutableFile(plain), false);
      assert.equal(probe.isExecutableFile(dir), false);
      assert.equal(probe.isExecutableFile(path.join(dir, "missing")), false);

      // End to end through the lookup: a real folder on PATH.
      const r = resolveServer(settings(), { platform: "linux", env: { PATH: dir }, extensionPath: "/nonexistent" }, probe);
      assert.deepEqual(r, { found: true, command: exe, args: ["lsp"], source: "path" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("serverConfiguration", () => {
  it("sends absolute paths and the rule selection", () => {
    const s = settings({ schemas: ["s.json", "/abs/t.json"], macros: ["~/m.conf"], select: ["KQL3"], ignore: ["KQL301"] });
    assert.deepEqual(serverConfiguration(s, linux), {
      schemas: ["/work/hunts/s.json", "/abs/t.json"],
      macros: ["/home/ana/m.conf"],
      select: ["KQL3"],
      ignore: ["KQL301"],
    });
  });

  it("carries nothing the server does not need", () => {
    const config = serverConfiguration(settings({ serverPath: "/x", extraArgs: ["-v"], trace: "verbose" }), linux);
    assert.deepEqual(Object.keys(config).sort(), ["ignore", "macros", "schemas", "select"]);
  });
});

describe("reactToChange", () => {
  it("restarts when the command line changes", () => {
    assert.equal(reactToChange(settings(), settings({ serverPath: "/x" })), "restart");
    assert.equal(reactToChange(settings(), settings({ extraArgs: ["-v"] })), "restart");
  });

  it("notifies the running server when what it reads changes", () => {
    assert.equal(reactToChange(settings(), settings({ schemas: ["a.json"] })), "notify");
    assert.equal(reactToChange(settings(), settings({ macros: ["m.conf"] })), "notify");
    assert.equal(reactToChange(settings(), settings({ select: ["KQL"] })), "notify");
    assert.equal(reactToChange(settings(), settings({ ignore: ["KQL301"] })), "notify");
  });

  it("leaves tracing to the language client", () => {
    assert.equal(reactToChange(settings(), settings({ trace: "messages" })), "none");
    assert.equal(reactToChange(settings({ select: ["KQL"] }), settings({ select: ["KQL"] })), "none");
  });
});

describe("which documents start the server", () => {
  const doc = (languageId: string, text: string) => ({ languageId, getText: () => text });
  const sigma = "title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    Image: x\n  condition: sel\n";

  it("recognises the three kinds of Sigma rule as the server does", () => {
    assert.ok(isSigmaRuleText(sigma));
    assert.ok(isSigmaRuleText("detection:\n  sel: x\n  condition: sel\ntitle: only a title\n"));
    assert.ok(isSigmaRuleText("title: c\ncorrelation:\n  type: event_count\n"));
    assert.ok(isSigmaRuleText("title: f\nlogsource:\n  product: windows\nfilter:\n  rules: [a]\n"));
    assert.ok(isSigmaRuleText('"title": q\n"logsource": {}\n"detection": {}\n'), "quoted keys");
  });

  it("pools the documents of a rule collection", () => {
    const collection = "action: global\ntitle: t\nlogsource:\n  product: windows\n---\ndetection:\n  sel: x\n  condition: sel\n";
    assert.ok(isSigmaRuleText(collection));
  });

  it("leaves other YAML alone, including nested detection keys", () => {
    assert.ok(!isSigmaRuleText("name: ci\non: [push]\njobs:\n  detection:\n    logsource: x\n"));
    assert.ok(!isSigmaRuleText("query: |\n  SecurityEvent\nname: Sentinel rule\n"));
    assert.ok(!isSigmaRuleText("filter: x\ntitle: no logsource\n"));
    assert.ok(!isSigmaRuleText("detection_notes: x\nlogsource_name: y\n"), "keys are whole words");
  });

  it("starts for KQL and SPL always, for Sigma YAML only with the setting on", () => {
    assert.ok(documentStartsServer(doc("kql", ""), false));
    assert.ok(documentStartsServer(doc("spl", ""), false));
    assert.ok(documentStartsServer(doc("yaral", ""), false));
    assert.ok(documentStartsServer(doc("yaml", sigma), true));
    assert.ok(!documentStartsServer(doc("yaml", sigma), false));
    assert.ok(!documentStartsServer(doc("yaml", "name: ci\n"), true));
    assert.ok(!documentStartsServer(doc("markdown", sigma), true));
  });

  it("reads qlint.sigma.startServer, on unless set to false", () => {
    assert.equal(readSigmaStart(getter({})), true);
    assert.equal(readSigmaStart(getter({ "sigma.startServer": false })), false);
    assert.equal(readSigmaStart(getter({ "sigma.startServer": "no" })), true);
  });
});
