// Source of the SPL TextMate grammar. `node scripts/build-grammars.mjs` writes
// syntaxes/spl.tmLanguage.json from this file; `--check` fails when they differ.
import { words } from "./util.mjs";

// Search commands and their aliases (names are facts from Splunk's search reference).
const COMMANDS = `
  abstract accum addcoltotals addinfo addtotals af analyzefields anomalies anomalousvalue
  anomalydetection append appendcols appendpipe apply ar arules associate audit autoregress
  bin bucket bucketdir chart cluster cofilter collect concurrency contingency convert
  correlate counttable ctable datamodel dbinspect dedup delete delta diff dump erex eval
  eventcount eventstats excerpt extract fieldformat fields fieldsummary file filldown fillnull
  findtypes fit foreach format from fromjson gauge gentimes geom geomfilter geostats head
  highlight history iconify inputcsv inputlookup iplocation join kmeans kv kvform loadjob
  localize localop lookup makecontinuous makejson makemv makeresults map mcatalog mcollect
  metadata metasearch meventcollect mpreview msearch mstats multikv multisearch mvcombine
  mvexpand nomv outlier outputcsv outputlookup outputtext overlap pivot predict rangemap rare
  redistribute regex relevancy reltime rename replace rest return reverse rex rtorder
  savedsearch script scrub search searchtxn selfjoin sendalert sendemail set setfields
  sichart sirare sistats sitimechart sitop sort spath stats strcat streamstats summaryindex
  table tags tail timechart timewrap tojson top transaction transpose trendline tscollect
  tstats typeahead typelearner typer union uniq untable walklex where x11 xmlkv xmlunescape
  xpath xyseries`;

// Commands that may open a subsearch without a leading pipe: `[search ...]`, `[inputlookup x]`.
const GENERATING_COMMANDS = `
  datamodel dbinspect eventcount from gentimes inputcsv inputlookup loadjob makeresults
  metadata metasearch mstats multisearch pivot rest savedsearch search tstats`;

const EVAL_FUNCTIONS = `
  abs acos acosh asin asinh atan atan2 atanh bit_and bit_not bit_or bit_shift_left
  bit_shift_right bit_xor case ceil ceiling cidrmatch coalesce commands cos cosh exact exp
  false floor hypot if ifnull in ipmask isbool isint isnotnull isnull isnum isstr json
  json_append json_array json_array_to_mv json_extend json_extract json_extract_exact
  json_keys json_object json_set json_set_exact json_valid len like ln log lookup lower ltrim
  match md5 mv_to_json_array mvappend mvcount mvdedup mvfilter mvfind mvindex mvjoin mvmap
  mvrange mvsort mvzip now null nullif pi pow printf random relative_time replace round rtrim
  searchmatch sha1 sha256 sha512 sigfig sin sinh spath split sqrt strftime strptime substr
  tan tanh time tonumber tostring trim true typeof upper urldecode validate`;

const STATS_FUNCTIONS = `
  avg c count dc distinct_count earliest earliest_time estdc estdc_error first last latest
  latest_time list max mean median min mode per_day per_hour per_minute per_second range rate
  stdev stdevp sum sumsq values var varp`;

// Clause words that commands share (`stats ... by`, `rename a AS b`, `lookup ... OUTPUT`).
const CLAUSE_KEYWORDS = `as by from groupby output outputnew over where`;

// Time units of relative times and spans: `-24h@h`, `span=1d`, `earliest=-7d@w0`.
const TIME_UNITS = `
  seconds second secs sec s minutes minute mins min m hours hour hrs hr h days day d weeks
  week w months month mon quarters quarter qtrs qtr q years year yrs yr y ms us cs ds`;
const SNAP_UNITS = String.raw`(?:w[0-7]|mon|qtr|q|y|d|h|m|s)`;

const FIELD = String.raw`[A-Za-z_][\w.:{}]*`;
const BEFORE = String.raw`(?<![\w\-.])`;
const AFTER = String.raw`(?![\w\-])`;

export const spl = {
  $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
  name: "SPL",
  scopeName: "source.spl",
  fileTypes: ["spl"],
  patterns: [{ include: "#search" }],
  repository: {
    search: {
      patterns: [
        { include: "#comment" },
        { include: "#macro" },
        { include: "#subsearch" },
        { include: "#command" },
        { include: "#bare-escape" },
        { include: "#string" },
        { include: "#quoted-field" },
        { include: "#token" },
        { include: "#keyword" },
        { include: "#field-comparison" },
        { include: "#function-call" },
        { include: "#constant" },
        { include: "#time" },
        { include: "#number" },
        { include: "#operator" },
        { include: "#punctuation" },
      ],
    },
    comment: {
      name: "comment.block.spl",
      begin: "```",
      end: "```",
      beginCaptures: { 0: { name: "punctuation.definition.comment.begin.spl" } },
      endCaptures: { 0: { name: "punctuation.definition.comment.end.spl" } },
    },
    macro: {
      name: "meta.macro.spl",
      begin: String.raw`(\`)([^\`\s(]+)(\()?`,
      end: String.raw`(\))?(\`)|$`,
      beginCaptures: {
        1: { name: "punctuation.definition.macro.begin.spl" },
        2: { name: "entity.name.function.macro.spl" },
        3: { name: "punctuation.section.arguments.begin.spl" },
      },
      endCaptures: {
        1: { name: "punctuation.section.arguments.end.spl" },
        2: { name: "punctuation.definition.macro.end.spl" },
      },
      patterns: [
        { include: "#string" },
        { include: "#token" },
        { include: "#field-comparison" },
        { include: "#time" },
        { include: "#number" },
        { match: ",", name: "punctuation.separator.arguments.spl" },
      ],
    },
    subsearch: {
      name: "meta.subsearch.spl",
      begin: String.raw`\[`,
      end: String.raw`\]`,
      beginCaptures: { 0: { name: "punctuation.section.subsearch.begin.spl" } },
      endCaptures: { 0: { name: "punctuation.section.subsearch.end.spl" } },
      patterns: [
        {
          match: String.raw`\G\s*(${words(GENERATING_COMMANDS)})${AFTER}`,
          captures: { 1: { name: "keyword.control.command.spl" } },
        },
        { include: "#search" },
      ],
    },
    command: {
      patterns: [
        {
          match: String.raw`(\|)\s*(${words(COMMANDS)})${AFTER}`,
          captures: {
            1: { name: "keyword.operator.pipe.spl" },
            2: { name: "keyword.control.command.spl" },
          },
        },
        {
          // A command we do not know (an app's custom command) still reads as a command.
          match: String.raw`(\|)\s*([A-Za-z_][\w\-]*)`,
          captures: {
            1: { name: "keyword.operator.pipe.spl" },
            2: { name: "entity.name.function.command.spl" },
          },
        },
        { match: String.raw`\|`, name: "keyword.operator.pipe.spl" },
      ],
    },
    "bare-escape": {
      // Outside quotes a backslash makes the next character literal: a\"b is one term.
      match: String.raw`\\[\\"|=\[\]()\s]`,
      name: "constant.character.escape.spl",
    },
    string: {
      name: "string.quoted.double.spl",
      begin: '"',
      end: '"',
      beginCaptures: { 0: { name: "punctuation.definition.string.begin.spl" } },
      endCaptures: { 0: { name: "punctuation.definition.string.end.spl" } },
      patterns: [
        // Only `\"` and `\\` are escapes; `\d` in a regex reaches rex as written.
        { match: String.raw`\\["\\]`, name: "constant.character.escape.spl" },
        { include: "#token" },
      ],
    },
    "quoted-field": {
      // In eval and where, single quotes name a field: 'src ip'.
      name: "variable.other.field.quoted.spl",
      begin: "'",
      end: "'|$",
      beginCaptures: { 0: { name: "punctuation.definition.field.begin.spl" } },
      endCaptures: { 0: { name: "punctuation.definition.field.end.spl" } },
    },
    token: {
      match: String.raw`\$[\w.:\-]+\$`,
      name: "variable.other.token.spl",
    },
    keyword: {
      patterns: [
        { match: String.raw`\b(AND|OR|NOT|XOR)\b`, name: "keyword.operator.logical.spl" },
        { match: String.raw`\b(IN|LIKE)\b`, name: "keyword.operator.word.spl" },
        {
          match: String.raw`${BEFORE}(?i:(${words(CLAUSE_KEYWORDS)}))${AFTER}(?!\s*=)`,
          name: "keyword.other.clause.spl",
        },
      ],
    },
    constant: {
      match: String.raw`${BEFORE}(?i:true|false)${AFTER}`,
      name: "constant.language.boolean.spl",
    },
    "field-comparison": {
      match: String.raw`${BEFORE}(${FIELD})\s*(==|!=|<=|>=|=|<|>)`,
      captures: {
        1: { name: "variable.other.field.spl" },
        2: { name: "keyword.operator.comparison.spl" },
      },
    },
    "function-call": {
      patterns: [
        {
          match: String.raw`${BEFORE}(?:(${words(STATS_FUNCTIONS)})|(?:exact|upper)?perc\d+|p\d+)(?=\()`,
          name: "support.function.stats.spl",
        },
        {
          match: String.raw`${BEFORE}(${words(EVAL_FUNCTIONS)})(?=\s*\()`,
          name: "support.function.eval.spl",
        },
        { match: String.raw`${BEFORE}([A-Za-z_]\w*)(?=\()`, name: "entity.name.function.spl" },
      ],
    },
    time: {
      patterns: [
        {
          match: String.raw`(?<![\w.])[-+]?\d+(?:\.\d+)?(?:${words(TIME_UNITS)})(?:@${SNAP_UNITS}(?:[-+]\d+(?:${words(TIME_UNITS)}))?)?(?![\w.])`,
          name: "constant.numeric.timespan.spl",
        },
        {
          match: String.raw`(?<![\w.])@${SNAP_UNITS}(?:[-+]\d+(?:${words(TIME_UNITS)}))?(?![\w.])`,
          name: "constant.numeric.timespan.spl",
        },
      ],
    },
    number: {
      match: String.raw`(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])`,
      name: "constant.numeric.spl",
    },
    operator: {
      patterns: [
        { match: String.raw`==|!=|<=|>=|<|>|=`, name: "keyword.operator.comparison.spl" },
        { match: String.raw`[-+/%]`, name: "keyword.operator.arithmetic.spl" },
        { match: String.raw`\*`, name: "keyword.operator.wildcard.spl" },
      ],
    },
    punctuation: {
      patterns: [
        { match: ",", name: "punctuation.separator.comma.spl" },
        { match: String.raw`\(`, name: "punctuation.section.parens.begin.spl" },
        { match: String.raw`\)`, name: "punctuation.section.parens.end.spl" },
      ],
    },
  },
};
