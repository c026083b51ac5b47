#!/usr/bin/env node
// Runs the grammar tests: the generated grammars must match their sources, the assertion
// fixtures in test/grammar must pass, and the snapshots in test/snapshots must not change.
// `--update` rewrites the snapshots instead of comparing them.
//
// The Markdown and YAML host grammars come from tm-grammars. Markdown embeds dozens of languages that we do not load;
// vscode-textmate warns about each one, so those warnings are filtered out here.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const toolDir = dirname(require.resolve("vscode-tmgrammar-test/package.json"));
const unit = join(toolDir, "dist", "unit.js");
const snap = join(toolDir, "dist", "snapshot.js");
const markdown = require.resolve("tm-grammars/grammars/markdown.json");
const yaml = require.resolve("tm-grammars/grammars/yaml.json");
const update = process.argv.includes("--update") ? ["--updateSnapshot"] : [];

const steps = [
  ["grammars are generated from scripts/grammars", [join(root, "scripts", "build-grammars.mjs"), "--check"]],
  ["assertion fixtures", [unit, "-g", markdown, "-g", yaml, "test/grammar/*.test.*"]],
  ["KQL, SPL and YARA-L snapshots", [snap, ...update, "test/snapshots/*.kql", "test/snapshots/*.spl", "test/snapshots/*.yaral"]],
  ["Markdown snapshots", [snap, ...update, "-s", "text.html.markdown", "-g", markdown, "test/snapshots/*.md"]],
  ["YAML snapshots", [snap, ...update, "-s", "source.yaml", "-g", yaml, "test/snapshots/*.yaml"]],
];

let failed = 0;
for (const [name, args] of steps) {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  const keep = (text) =>
    (text ?? "")
      .split("\n")
      .filter((line) => !line.startsWith("grammar not found for"))
      .join("\n")
      .trim();
  const out = [keep(result.stdout), keep(result.stderr)].filter(Boolean).join("\n");
  const ok = result.status === 0;
  if (!ok) failed += 1;
  console.log(`${ok ? "ok" : "FAILED"}: ${name}`);
  if (out) console.log(out.replace(/^/gm, "  "));
}
console.log(`grammars: ${steps.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
