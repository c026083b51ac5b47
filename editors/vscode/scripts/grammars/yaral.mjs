// Source of the YARA-L 2.0 TextMate grammar (Google SecOps rules). `node
// scripts/build-grammars.mjs` writes syntaxes/yaral.tmLanguage.json from this file.
import { words } from "./util.mjs";

// The section headers of a rule.
const SECTIONS = `meta events match outcome condition options`;

// Words with a fixed meaning inside a rule (facts from Google's YARA-L 2.0 syntax reference).
const LOGICAL = `and or not`;
const KEYWORDS = `over by every after before in regex cidr any all nocase`;
const CONSTANTS = `true false null`;

// Aggregations of `outcome:` and the one control function, called without a namespace.
const BARE_FUNCTIONS = `
  count count_distinct sum max min avg stddev array array_distinct earliest latest if group`;

// The namespaces of the built-in functions (`strings.to_lower`, `re.regex`, ...).
const NAMESPACES = `
  arrays bytes cast hash math metrics net optimization re strings timestamp window`;

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_]*`;

export const yaral = {
  $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
  name: "YARA-L",
  scopeName: "source.yaral",
  fileTypes: ["yaral", "yl2"],
  patterns: [{ include: "#comment" }, { include: "#rule" }, { include: "#body" }],
  repository: {
    comment: {
      patterns: [
        {
          name: "comment.block.yaral",
          begin: String.raw`/\*`,
          end: String.raw`\*/`,
          beginCaptures: { 0: { name: "punctuation.definition.comment.begin.yaral" } },
          endCaptures: { 0: { name: "punctuation.definition.comment.end.yaral" } },
        },
        {
          name: "comment.line.double-slash.yaral",
          match: "//.*$",
        },
      ],
    },
    rule: {
      match: String.raw`\b(rule)\s+(${NAME})`,
      captures: {
        1: { name: "storage.type.rule.yaral" },
        2: { name: "entity.name.type.rule.yaral" },
      },
    },
    body: {
      patterns: [
        { include: "#comment" },
        { include: "#section" },
        { include: "#string" },
        { include: "#raw-string" },
        { include: "#regex" },
        { include: "#field-path" },
        { include: "#variable" },
        { include: "#function-call" },
        { include: "#keyword" },
        { include: "#duration" },
        { include: "#number" },
        { include: "#operator" },
        { include: "#punctuation" },
      ],
    },
    section: {
      match: String.raw`^\s*(${words(SECTIONS)})\s*(:)`,
      captures: {
        1: { name: "keyword.control.section.yaral" },
        2: { name: "punctuation.separator.section.yaral" },
      },
    },
    string: {
      name: "string.quoted.double.yaral",
      begin: '"',
      end: '"',
      beginCaptures: { 0: { name: "punctuation.definition.string.begin.yaral" } },
      endCaptures: { 0: { name: "punctuation.definition.string.end.yaral" } },
      patterns: [{ match: String.raw`\\.`, name: "constant.character.escape.yaral" }],
    },
    "raw-string": {
      // Back-quoted strings hold regex patterns: `re.regex($e.x, \`^a.*\`)`.
      name: "string.regexp.raw.yaral",
      begin: "`",
      end: "`",
      beginCaptures: { 0: { name: "punctuation.definition.string.begin.yaral" } },
      endCaptures: { 0: { name: "punctuation.definition.string.end.yaral" } },
    },
    regex: {
      // A regex literal where an operand starts: after a comparison (`$e.x = /\.exe$/ nocase`)
      // or as a function argument (`re.capture($e.x, /Bearer \S+/)`). Never spans lines.
      patterns: [
        {
          match: String.raw`(=|!=)\s*(/)((?:[^/\\\n]|\\.)*)(/)`,
          captures: {
            1: { name: "keyword.operator.comparison.yaral" },
            2: { name: "punctuation.definition.string.begin.yaral" },
            3: { name: "string.regexp.yaral" },
            4: { name: "punctuation.definition.string.end.yaral" },
          },
        },
        {
          match: String.raw`([(,])\s*(/)((?:[^/\\\n]|\\.)*)(/)`,
          captures: {
            1: { name: "punctuation.separator.yaral" },
            2: { name: "punctuation.definition.string.begin.yaral" },
            3: { name: "string.regexp.yaral" },
            4: { name: "punctuation.definition.string.end.yaral" },
          },
        },
      ],
    },
    "field-path": {
      // `$e.principal.process.file.full_path`: the variable, then the UDM fields.
      begin: String.raw`(\$${NAME})(?=\.)`,
      end: String.raw`(?!\.${NAME}|\[)`,
      beginCaptures: { 1: { name: "variable.other.event.yaral" } },
      patterns: [
        {
          match: String.raw`(\.)(${NAME})`,
          captures: {
            1: { name: "punctuation.accessor.yaral" },
            2: { name: "variable.other.property.udm.yaral" },
          },
        },
        {
          begin: String.raw`\[`,
          end: String.raw`\]`,
          beginCaptures: { 0: { name: "punctuation.section.brackets.begin.yaral" } },
          endCaptures: { 0: { name: "punctuation.section.brackets.end.yaral" } },
          patterns: [{ include: "#string" }, { include: "#number" }],
        },
      ],
    },
    variable: {
      patterns: [
        { match: String.raw`\$${NAME}`, name: "variable.other.yaral" },
        { match: String.raw`#${NAME}`, name: "variable.other.count.yaral" },
        { match: String.raw`%${NAME}`, name: "variable.other.reference-list.yaral" },
      ],
    },
    "function-call": {
      patterns: [
        {
          match: String.raw`\b(${words(NAMESPACES)})(\.)(${NAME})(?=\s*\()`,
          captures: {
            1: { name: "support.module.yaral" },
            2: { name: "punctuation.accessor.yaral" },
            3: { name: "support.function.yaral" },
          },
        },
        {
          match: String.raw`\b(${words(BARE_FUNCTIONS)})(?=\s*\()`,
          name: "support.function.aggregate.yaral",
        },
        { match: String.raw`\b(${NAME}(?:\.${NAME})*)(?=\s*\()`, name: "entity.name.function.yaral" },
      ],
    },
    keyword: {
      patterns: [
        { match: String.raw`\b(${words(LOGICAL)})\b`, name: "keyword.operator.logical.yaral" },
        { match: String.raw`\b(${words(KEYWORDS)})\b`, name: "keyword.other.yaral" },
        { match: String.raw`\b(${words(CONSTANTS)})\b`, name: "constant.language.yaral" },
      ],
    },
    duration: {
      match: String.raw`\b\d+[smhd]\b`,
      name: "constant.numeric.duration.yaral",
    },
    number: {
      match: String.raw`\b\d+(?:\.\d+)?\b`,
      name: "constant.numeric.yaral",
    },
    operator: {
      patterns: [
        { match: String.raw`!=|<=|>=|=|<|>`, name: "keyword.operator.comparison.yaral" },
        { match: "!", name: "keyword.operator.logical.yaral" },
        { match: String.raw`[-+*/]`, name: "keyword.operator.arithmetic.yaral" },
      ],
    },
    punctuation: {
      patterns: [
        { match: ",", name: "punctuation.separator.comma.yaral" },
        { match: String.raw`\{`, name: "punctuation.section.block.begin.yaral" },
        { match: String.raw`\}`, name: "punctuation.section.block.end.yaral" },
        { match: String.raw`\(`, name: "punctuation.section.parens.begin.yaral" },
        { match: String.raw`\)`, name: "punctuation.section.parens.end.yaral" },
      ],
    },
  },
};
