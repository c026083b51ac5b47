#!/usr/bin/env node
// Writes the TextMate grammars in syntaxes/ from their sources in scripts/grammars/.
// With --check, writes nothing and exits 1 when a committed grammar is out of date.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kql } from "./grammars/kql.mjs";
import { spl } from "./grammars/spl.mjs";
import { yaral } from "./grammars/yaral.mjs";
import { kqlMarkdown, splMarkdown, yaralMarkdown } from "./grammars/markdown.mjs";
import { detectionYaml } from "./grammars/yaml.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outputs = {
  "syntaxes/kql.tmLanguage.json": kql,
  "syntaxes/spl.tmLanguage.json": spl,
  "syntaxes/yaral.tmLanguage.json": yaral,
  "syntaxes/kql.markdown.tmLanguage.json": kqlMarkdown,
  "syntaxes/spl.markdown.tmLanguage.json": splMarkdown,
  "syntaxes/yaral.markdown.tmLanguage.json": yaralMarkdown,
  "syntaxes/queries.yaml.tmLanguage.json": detectionYaml,
};

const check = process.argv.includes("--check");
let stale = [];
for (const [relative, grammar] of Object.entries(outputs)) {
  const path = join(root, relative);
  const text = JSON.stringify(grammar, null, 2) + "\n";
  if (check) {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {
      // A missing file is stale too.
    }
    if (current !== text) stale.push(relative);
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}
if (stale.length > 0) {
  console.error(`out of date (run \`npm run build:grammars\`): ${stale.join(", ")}`);
  process.exit(1);
}
console.log(check ? "grammars are up to date" : `wrote ${Object.keys(outputs).length} grammars`);
