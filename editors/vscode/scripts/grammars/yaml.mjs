// Injection grammar: highlight the queries in detection rules written as YAML.
// - Microsoft Sentinel analytics and hunting rules: `query: |` (KQL); Sentinel parsers:
//   `ParserQuery: |` and `FunctionQuery: |` (KQL).
// - Splunk ESCU detections: `search: '| tstats ...'` on one line, or `search: |` (SPL).
// Only block scalars and single-quoted one-liners are embedded: in those YAML does not
// rewrite the text (apart from `''` in single quotes), so what is shown is the query itself.

const KQL_KEYS = ["query", "ParserQuery", "FunctionQuery"];
const SPL_KEYS = ["search"];

/**
 * `key: |` (or `>`, with chomping and indentation indicators) followed by the lines indented
 * deeper than the key. `- key: |` puts the key after the dash, so that form has its own rule.
 */
function blockScalar(keys, language, inSequence) {
  const head = inSequence ? String.raw`^([ \t]*)(-)([ \t]+)` : String.raw`^([ \t]*)()()`;
  // Deeper than the key: its indentation, then the dash and the spaces after it, then more.
  const deeper = inSequence ? String.raw`\1[ \t]\3[ \t]+\S` : String.raw`\1[ \t]+\S`;
  return {
    begin: String.raw`${head}(${keys.join("|")})[ \t]*(:)[ \t]*([|>][-+1-9]*)[ \t]*(#.*)?$`,
    beginCaptures: {
      2: { name: "punctuation.definition.block.sequence.item.yaml" },
      4: { name: "entity.name.tag.yaml" },
      5: { name: "punctuation.separator.key-value.mapping.yaml" },
      6: { name: "keyword.control.flow.block-scalar.yaml" },
      7: { name: "comment.line.number-sign.yaml" },
    },
    // The block goes on while lines are blank or indented deeper than the key.
    while: String.raw`^(?=${deeper}|[ \t]*$)`,
    contentName: `meta.embedded.block.${language}`,
    patterns: [{ include: `source.${language}` }],
  };
}

/** `key: '...'` on one line; `''` is YAML's escaped quote. */
function singleQuoted(keys, language) {
  return {
    begin: String.raw`^([ \t]*)(?:(-)[ \t]+)?(${keys.join("|")})[ \t]*(:)[ \t]*(')(?=.*'[ \t]*(?:#.*)?$)`,
    beginCaptures: {
      2: { name: "punctuation.definition.block.sequence.item.yaml" },
      3: { name: "entity.name.tag.yaml" },
      4: { name: "punctuation.separator.key-value.mapping.yaml" },
      5: { name: "string.quoted.single.yaml punctuation.definition.string.begin.yaml" },
    },
    end: String.raw`'(?!')`,
    endCaptures: { 0: { name: "string.quoted.single.yaml punctuation.definition.string.end.yaml" } },
    contentName: `meta.embedded.line.${language}`,
    patterns: [
      { match: "''", name: "constant.character.escape.single-quoted.yaml" },
      { include: `source.${language}` },
    ],
  };
}

export const detectionYaml = {
  $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
  scopeName: "yaml.qlint.queries",
  injectionSelector: "L:source.yaml",
  patterns: [
    { include: "#kql-block" },
    { include: "#kql-block-in-sequence" },
    { include: "#spl-block" },
    { include: "#spl-block-in-sequence" },
    { include: "#spl-line" },
  ],
  repository: {
    "kql-block": blockScalar(KQL_KEYS, "kql", false),
    "kql-block-in-sequence": blockScalar(KQL_KEYS, "kql", true),
    "spl-block": blockScalar(SPL_KEYS, "spl", false),
    "spl-block-in-sequence": blockScalar(SPL_KEYS, "spl", true),
    "spl-line": singleQuoted(SPL_KEYS, "spl"),
  },
};
