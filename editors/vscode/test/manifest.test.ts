// The manifest is what VS Code reads before any of our code runs: check that every file it
// names exists and agrees with what it claims (scope names, comment tokens, settings).

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { readSettings } from "../src/launch";

const root = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const readJson = (relative: string) => JSON.parse(fs.readFileSync(path.join(root, relative), "utf8"));

describe("package.json contributions", () => {
  it("declares KQL, SPL and YARA-L with their file extensions", () => {
    const languages = Object.fromEntries(
      manifest.contributes.languages.map((l: { id: string; extensions: string[] }) => [l.id, l.extensions]),
    );
    assert.deepEqual(languages, {
      kql: [".kql", ".csl", ".kusto"],
      spl: [".spl"],
      yaral: [".yaral", ".yl2"],
    });
  });

  it("points every grammar at a file whose scopeName matches", () => {
    for (const grammar of manifest.contributes.grammars) {
      const file = readJson(grammar.path);
      assert.equal(file.scopeName, grammar.scopeName, grammar.path);
      if (grammar.injectTo) {
        assert.equal(grammar.injectTo.length, 1);
        assert.equal(file.injectionSelector, `L:${grammar.injectTo[0]}`);
        for (const [embeddedScope, language] of Object.entries(grammar.embeddedLanguages) as [string, string][]) {
          assert.ok(JSON.stringify(file).includes(`"contentName":"${embeddedScope}"`), `${grammar.path} embeds ${embeddedScope}`);
          assert.ok(JSON.stringify(file).includes(`"include":"source.${language}"`));
        }
      }
    }
    const scopes = manifest.contributes.grammars.map((g: { scopeName: string }) => g.scopeName).sort();
    assert.deepEqual(scopes, [
      "markdown.kql.codeblock",
      "markdown.spl.codeblock",
      "markdown.yaral.codeblock",
      "source.kql",
      "source.spl",
      "source.yaral",
      "yaml.qlint.queries",
    ]);
  });

  it("gives KQL a // line comment, SPL a ``` block comment and YARA-L both C comments", () => {
    const configs = Object.fromEntries(
      manifest.contributes.languages.map((l: { id: string; configuration: string }) => [l.id, readJson(l.configuration)]),
    );
    assert.deepEqual(configs.kql.comments, { lineComment: "//" });
    assert.deepEqual(configs.spl.comments, { blockComment: ["```", "```"] });
    assert.deepEqual(configs.yaral.comments, { lineComment: "//", blockComment: ["/*", "*/"] });
    for (const config of Object.values(configs) as { brackets: string[][]; autoClosingPairs: { open: string }[] }[]) {
      assert.ok(config.brackets.some(([open]) => open === "("));
      assert.ok(config.autoClosingPairs.some((p) => p.open === '"'));
    }
  });

  it("declares exactly the settings the launch logic reads, with defaults it accepts", () => {
    const properties = manifest.contributes.configuration.properties as Record<string, { default: unknown }>;
    assert.deepEqual(Object.keys(properties).sort(), [
      "qlint.ignore",
      "qlint.macros",
      "qlint.schemas",
      "qlint.select",
      "qlint.server.extraArgs",
      "qlint.server.path",
      "qlint.sigma.startServer",
      "qlint.trace.server",
    ]);
    const defaults = readSettings((key) => properties[`qlint.${key}`]?.default);
    assert.deepEqual(defaults.problems, []);
  });

  it("activates for YAML (Sigma rules are checked before the server starts) and accepts SIG/YL codes", () => {
    assert.deepEqual(manifest.activationEvents, [
      "onLanguage:kql",
      "onLanguage:spl",
      "onLanguage:yaral",
      "onLanguage:yaml",
      "workspaceContains:**/qlint.toml",
    ]);
    const properties = manifest.contributes.configuration.properties;
    for (const key of ["qlint.select", "qlint.ignore"]) {
      const pattern = new RegExp(properties[key].items.pattern);
      for (const code of ["SIG201", "sig1", "YL101", "KQL3", "QL0"]) assert.ok(pattern.test(code), `${key} ${code}`);
      assert.ok(!pattern.test("E501"));
    }
  });

  it("lets an untrusted workspace choose no program to run", () => {
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.sort(), [
      "qlint.server.extraArgs",
      "qlint.server.path",
    ]);
  });

  it("starts the language client for YARA-L files, saved and untitled", () => {
    assert.ok(manifest.activationEvents.includes("onLanguage:yaral"));
    const source = fs.readFileSync(path.join(root, "src", "extension.ts"), "utf8");
    assert.ok(source.includes('{ scheme: "file", language: "yaral" }'));
    assert.ok(source.includes('{ scheme: "untitled", language: "yaral" }'));
  });

  it("registers the commands the extension implements", () => {
    const ids = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(ids, ["qlint.restartServer", "qlint.showOutput"]);
    const source = fs.readFileSync(path.join(root, "src", "extension.ts"), "utf8");
    for (const id of ids) assert.ok(source.includes(`registerCommand("${id}"`), id);
  });

  it("bundles to the entry point it names", () => {
    assert.equal(manifest.main, "./dist/extension.js");
    const build = fs.readFileSync(path.join(root, "esbuild.mjs"), "utf8");
    assert.ok(build.includes('outfile: "dist/extension.js"'));
    assert.ok(build.includes('external: ["vscode"]'));
  });
});
