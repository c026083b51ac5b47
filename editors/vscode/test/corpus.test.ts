// Runs the grammars over the shared corpus of real queries with the same TextMate engine VS
// Code uses, and checks what a reader would notice:
// - a query that Microsoft's parser accepts ends with every string, comment and subsearch
//   closed (nothing spills into the next query);
// - the word after a pipe is highlighted as a tabular operator (KQL) or a command (SPL);
// - every YARA-L rule closes its comments and strings and has its section headers highlighted.
// The corpus lives outside the repository, in ../shared next to the checkout; without it the
// tests are skipped with a message. QLINT_SHARED_DIR points elsewhere.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

const extensionRoot = path.resolve(__dirname, "..", "..");
const sharedDir = process.env.QLINT_SHARED_DIR ?? path.resolve(extensionRoot, "..", "..", "..", "shared");
const corpusDir = path.join(sharedDir, "corpus");
const haveCorpus = fs.existsSync(corpusDir);
const skip = haveCorpus ? false : `no corpus at ${corpusDir} (set QLINT_SHARED_DIR to the shared folder)`;
if (!haveCorpus) console.log(`# corpus tests skipped: ${skip}`);

interface Record {
  id: string;
  query: string;
  looks_kql?: boolean;
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

async function loadRegistry(): Promise<textmate.Registry> {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const files: { [scope: string]: string } = {
    "source.kql": "kql.tmLanguage.json",
    "source.spl": "spl.tmLanguage.json",
    "source.yaral": "yaral.tmLanguage.json",
  };
  return new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => {
      const file = files[scope];
      if (file === undefined) return null;
      const full = path.join(extensionRoot, "syntaxes", file);
      return textmate.parseRawGrammar(fs.readFileSync(full, "utf8"), full);
    },
  });
}

interface Tokenized {
  /** True when the query ended outside any multi-line construct. */
  closed: boolean;
  /** For each `|` token: the scopes of the next non-blank token on that line. */
  afterPipe: { word: string; scopes: string[] }[];
}

function tokenize(grammar: textmate.IGrammar, text: string): Tokenized {
  // The depth at the top level of the grammar, between two lines of a plain query.
  const baseDepth = grammar.tokenizeLine("", textmate.INITIAL).ruleStack.depth;
  let stack = textmate.INITIAL;
  const afterPipe: Tokenized["afterPipe"] = [];
  for (const line of text.split(/\r?\n/)) {
    const result = grammar.tokenizeLine(line, stack);
    const tokens = result.tokens;
    for (let i = 0; i < tokens.length; i++) {
      if (!tokens[i].scopes.some((s) => s.startsWith("keyword.operator.pipe."))) continue;
      let j = i + 1;
      while (j < tokens.length && line.slice(tokens[j].startIndex, tokens[j].endIndex).trim() === "") j++;
      if (j < tokens.length) {
        afterPipe.push({ word: line.slice(tokens[j].startIndex, tokens[j].endIndex), scopes: tokens[j].scopes });
      }
    }
    stack = result.ruleStack;
  }
  return { closed: stack.depth <= baseDepth, afterPipe };
}

describe("grammars over the shared corpus", { skip }, () => {
  let registry: textmate.Registry;
  before(async () => {
    registry = await loadRegistry();
  });

  it("closes every construct in the KQL queries that Kusto's parser accepts", async () => {
    const grammar = await registry.loadGrammar("source.kql");
    assert.ok(grammar);
    const labelsDir = path.join(sharedDir, "oracles", "kusto", "labels");
    let checked = 0;
    const leaking: string[] = [];
    const unknownAfterPipe = new Map<string, number>();
    let pipes = 0;
    for (const file of fs.readdirSync(path.join(corpusDir, "kql")).filter((f) => f.endsWith(".jsonl"))) {
      const labelFile = path.join(labelsDir, file);
      if (!fs.existsSync(labelFile)) continue;
      const valid = new Set(
        readJsonl<{ id: string; syntax_errors: unknown[] }>(labelFile)
          .filter((l) => l.syntax_errors.length === 0)
          .map((l) => l.id),
      );
      for (const record of readJsonl<Record>(path.join(corpusDir, "kql", file))) {
        if (!valid.has(record.id)) continue;
        checked++;
        const { closed, afterPipe } = tokenize(grammar, record.query);
        if (!closed) leaking.push(`${file}: ${record.id}`);
        for (const { word, scopes } of afterPipe) {
          pipes++;
          if (!scopes.some((s) => s.startsWith("keyword.control.tabular-operator."))) {
            unknownAfterPipe.set(word, (unknownAfterPipe.get(word) ?? 0) + 1);
          }
        }
      }
    }
    const unknownCount = [...unknownAfterPipe.values()].reduce((a, b) => a + b, 0);
    console.log(
      `# KQL: ${checked} parser-valid queries, ${leaking.length} left a construct open; ` +
        `${pipes} pipes, ${unknownCount} not followed by a known operator`,
    );
    assert.ok(checked > 1000, `expected a real corpus, got ${checked} queries`);
    assert.deepEqual(leaking, [], "queries whose string or comment never closed");
    const top = [...unknownAfterPipe.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    assert.equal(unknownCount, 0, `words after a pipe that are not operators: ${JSON.stringify(top)}`);
  });

  it("closes every comment, macro and subsearch in the SPL detections", async () => {
    const grammar = await registry.loadGrammar("source.spl");
    assert.ok(grammar);
    let checked = 0;
    const leaking: string[] = [];
    const unknown = new Map<string, number>();
    let pipes = 0;
    let custom = 0;
    for (const file of fs.readdirSync(path.join(corpusDir, "spl")).filter((f) => f.endsWith(".jsonl"))) {
      for (const record of readJsonl<Record>(path.join(corpusDir, "spl", file))) {
        checked++;
        const { closed, afterPipe } = tokenize(grammar, record.query);
        if (!closed) leaking.push(`${file}: ${record.id}`);
        for (const { word, scopes } of afterPipe) {
          pipes++;
          if (scopes.some((s) => s.startsWith("meta.macro."))) continue; // `| `macro``
          if (scopes.some((s) => s.startsWith("entity.name.function.command."))) {
            custom++; // an app's own command, such as `| cyberchef`
          } else if (!scopes.some((s) => s.startsWith("keyword.control.command."))) {
            unknown.set(word, (unknown.get(word) ?? 0) + 1);
          }
        }
      }
    }
    const unknownCount = [...unknown.values()].reduce((a, b) => a + b, 0);
    console.log(
      `# SPL: ${checked} searches, ${leaking.length} left a construct open; ` +
        `${pipes} pipes, ${custom} followed by an unknown (custom) command, ${unknownCount} by no command`,
    );
    assert.ok(checked > 1000, `expected a real corpus, got ${checked} searches`);
    assert.deepEqual(leaking, [], "searches whose comment, string or subsearch never closed");
    assert.equal(unknownCount, 0, `words after a pipe that are not commands: ${JSON.stringify([...unknown.entries()])}`);
    assert.ok(custom <= pipes * 0.001, `too many unknown commands (${custom}): is the command list incomplete?`);
  });
  it("closes every construct of Google's YARA-L rules and highlights their section headers", async () => {
    const grammar = await registry.loadGrammar("source.yaral");
    assert.ok(grammar);
    const file = path.join(corpusDir, "yaral", "chronicle.jsonl");
    if (!fs.existsSync(file)) {
      console.log(`# YARA-L corpus test skipped: no ${file}`);
      return;
    }
    let checked = 0;
    let headers = 0;
    const leaking: string[] = [];
    const plainHeaders: string[] = [];
    for (const record of readJsonl<{ id: string; rule: string }>(file)) {
      checked++;
      const { closed } = tokenize(grammar, record.rule);
      if (!closed) leaking.push(record.id);
      let stack = textmate.INITIAL;
      for (const line of record.rule.split(/\r?\n/)) {
        const result = grammar.tokenizeLine(line, stack);
        stack = result.ruleStack;
        const header = /^\s*(meta|events|match|outcome|condition|options)\s*:/.exec(line);
        if (!header) continue;
        headers++;
        const at = line.indexOf(header[1]);
        const token = result.tokens.find((t) => t.startIndex <= at && at < t.endIndex);
        if (!token?.scopes.includes("keyword.control.section.yaral")) plainHeaders.push(`${record.id}: ${line.trim()}`);
      }
    }
    console.log(`# YARA-L: ${checked} rules, ${leaking.length} left a construct open; ${headers} section headers, ${plainHeaders.length} not highlighted`);
    assert.ok(checked > 800, `expected Google's rules, got ${checked}`);
    assert.deepEqual(leaking, [], "rules whose comment or string never closed");
    assert.deepEqual(plainHeaders.slice(0, 10), [], "section headers without the section scope");
  });
});
