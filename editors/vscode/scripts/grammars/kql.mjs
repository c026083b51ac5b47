// Source of the KQL TextMate grammar. `node scripts/build-grammars.mjs` writes
// syntaxes/kql.tmLanguage.json from this file; `--check` fails when they differ.
import { words } from "./util.mjs";

// Tabular operators: the names that may follow a pipe.
const TABULAR_OPERATORS = `
  as consume count datatable distinct evaluate extend externaldata facet filter find fork
  getschema graph-match graph-to-table invoke join limit lookup make-graph make-series
  mv-apply mv-expand mvexpand order parse parse-kv parse-where partition print project
  project-away project-keep project-rename project-reorder range reduce render sample
  sample-distinct scan search serialize sort summarize take top top-hitters top-nested union
  where`;

// Operators that can begin a tabular expression without a pipe in front of them.
const QUERY_START_OPERATORS = `evaluate find print range search union`;
// Query-start operators that are written like calls: `datatable(Name:string) [...]`.
const QUERY_START_CALLS = `datatable externaldata`;

// Statement keywords.
const STATEMENTS = `alias declare let pattern query_parameters restrict access set view`;

// Words that only mean something inside an operator clause.
const CLAUSE_KEYWORDS = `
  asc bagexpansion by default desc first from isfuzzy kind last nulls of on step to
  with with_itemindex with_match_id withsource`;

// String operators; each may be negated with `!` and several have a `_cs` twin. The last
// line holds older spellings that the language still accepts.
const STRING_OPERATORS = `
  has_all has_any has_cs has hasprefix_cs hasprefix hassuffix_cs hassuffix contains_cs
  contains startswith_cs startswith endswith_cs endswith in~ in between
  containscs notcontains notcontainscs notbetween notin`;

const SCALAR_TYPES = `bool boolean date datetime decimal double dynamic guid int long real string timespan time uniqueid`;

const SCALAR_FUNCTIONS = `
  abs ago array_concat array_iff array_index_of array_length array_reverse array_rotate_left
  array_rotate_right array_shift_left array_shift_right array_slice array_sort_asc
  array_sort_desc array_split array_sum bag_has_key bag_keys bag_merge bag_pack
  bag_pack_columns bag_remove_keys bag_set_key base64_decode_toarray base64_decode_toguid
  base64_decode_tostring base64_encode_fromguid base64_encode_tostring bin bin_at bin_auto
  binary_and binary_not binary_or binary_shift_left binary_shift_right binary_xor
  bitset_count_ones case ceiling cluster coalesce column_ifexists cos countof
  current_cluster_endpoint current_database current_principal cursor_after database
  datetime_add datetime_diff datetime_local_to_utc datetime_part datetime_utc_to_local
  dayofmonth dayofweek dayofyear endofday endofmonth endofweek endofyear estimate_data_size
  exp exp10 exp2 extract extract_all extractjson floor format_bytes format_datetime
  format_ipv4 format_ipv4_mask format_timespan geo_distance_2points geo_info_from_ip_address
  getmonth gettype getyear has_any_index has_any_ipv4 has_any_ipv4_prefix has_ipv4
  has_ipv4_prefix hash hash_combine hash_many hash_md5 hash_sha1 hash_sha256 hash_xxhash64
  hourofday iff iif indexof indexof_regex ingestion_time ipv4_compare ipv4_is_in_any_range
  ipv4_is_in_range ipv4_is_match ipv4_is_private ipv4_netmask_suffix ipv6_compare
  ipv6_is_in_any_range ipv6_is_in_range ipv6_is_match isascii isempty isfinite isinf isnan
  isnotempty isnotnull isnull isutf8 log log10 log2 make_datetime make_timespan materialize
  max_of min_of monthofyear new_guid next not now pack pack_all pack_array pack_dictionary
  parse_command_line parse_csv parse_ipv4 parse_ipv4_mask parse_ipv6 parse_ipv6_mask
  parse_json parse_path parse_url parse_urlquery parse_user_agent parse_version parse_xml pi
  pow prev rand range regex_quote repeat replace replace_regex replace_string replace_strings
  reverse round row_cumsum row_number row_rank_dense row_rank_min row_window_session
  series_abs series_add series_decompose series_decompose_anomalies
  series_decompose_forecast series_divide series_fill_backward series_fill_const
  series_fill_forward series_fill_linear series_fir series_fit_line series_iir
  series_multiply series_outliers series_pearson_correlation series_periods_detect
  series_seasonal series_stats series_stats_dynamic series_subtract set_difference
  set_has_element set_intersect set_union sign sin split sqrt startofday startofmonth
  startofweek startofyear strcat strcat_array strcat_delim string_size strlen strrep
  substring table tan tobool toboolean todatetime todecimal todouble todynamic tohex toint
  tolong tolower toobject toreal toscalar tostring totimespan toupper translate treepath
  trim trim_end trim_start unicode_codepoints_from_string unicode_codepoints_to_string
  unixtime_microseconds_todatetime unixtime_milliseconds_todatetime
  unixtime_nanoseconds_todatetime unixtime_seconds_todatetime url_decode url_encode
  url_encode_component week_of_year zip`;

const AGGREGATE_FUNCTIONS = `
  any anyif arg_max arg_min avg avgif binary_all_and binary_all_or binary_all_xor
  buildschema count count_distinct count_distinctif countif dcount dcount_hll dcountif hll
  hll_if hll_merge make_bag make_bag_if make_list make_list_if make_list_with_nulls make_set
  make_set_if max maxif min minif percentile percentiles percentiles_array percentilesw
  percentilesw_array percentilew stdev stdevif stdevp sum sumif take_any take_anyif tdigest
  tdigest_merge variance varianceif variancep`;

const CHART_TYPES = `
  anomalychart areachart barchart card columnchart ladderchart linechart piechart pivotchart
  scatterchart stackedareachart table timechart timepivot treemap`;

const JOIN_KINDS = `
  anti fullouter inner innerunique leftanti leftantisemi leftouter leftsemi rightanti
  rightantisemi rightouter rightsemi semi`;

const MANAGEMENT_VERBS = `
  add alter alter-merge append attach cancel clear create create-merge create-or-alter delete
  detach disable drop enable execute export ingest move purge rename replace set
  set-or-append set-or-replace show`;

// Timespan units, longest spellings first so that alternation never stops early.
const TIMESPAN_UNITS = `
  days day d hours hour hrs hr h minutes minute min m seconds second sec s milliseconds
  millisecond milliseconds millis milli ms microseconds microsecond micros micro
  nanoseconds nanosecond nanos nano ticks tick`;

const ID = String.raw`[A-Za-z_][A-Za-z0-9_]*`;
// Word boundaries for names that may contain `-` (project-away) or end in `~` (in~).
const BEFORE = String.raw`(?<![\w\-!~.$])`;
const AFTER = String.raw`(?![\w\-~])`;

export const kql = {
  $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
  name: "KQL",
  scopeName: "source.kql",
  fileTypes: ["kql", "csl", "kusto"],
  patterns: [{ include: "#statement" }],
  repository: {
    statement: {
      patterns: [
        { include: "#comment" },
        { include: "#string" },
        { include: "#management-command" },
        { include: "#let" },
        { include: "#pipe-operator" },
        { include: "#query-start-operator" },
        { include: "#keyword" },
        { include: "#number" },
        { include: "#constant" },
        { include: "#word-operator" },
        { include: "#type" },
        { include: "#function-call" },
        { include: "#symbol-operator" },
        { include: "#punctuation" },
        { include: "#identifier" },
      ],
    },
    comment: {
      match: String.raw`(//).*$`,
      name: "comment.line.double-slash.kql",
      captures: { 1: { name: "punctuation.definition.comment.kql" } },
    },
    string: {
      patterns: [
        { include: "#string-multiline" },
        { include: "#string-obfuscated-verbatim" },
        { include: "#string-obfuscated" },
        { include: "#string-verbatim" },
        { include: "#string-plain" },
      ],
    },
    "string-multiline": {
      name: "string.quoted.triple.kql",
      begin: "```",
      end: "```",
      beginCaptures: { 0: { name: "punctuation.definition.string.begin.kql" } },
      endCaptures: { 0: { name: "punctuation.definition.string.end.kql" } },
    },
    "string-obfuscated-verbatim": {
      patterns: [
        verbatim(String.raw`(?<![\w])([hH]@)(")`, '"', "double", "string.quoted.double.verbatim.obfuscated.kql"),
        verbatim(String.raw`(?<![\w])([hH]@)(')`, "'", "single", "string.quoted.single.verbatim.obfuscated.kql"),
      ],
    },
    "string-obfuscated": {
      patterns: [
        escaped(String.raw`(?<![\w])([hH])(")`, '"', "string.quoted.double.obfuscated.kql"),
        escaped(String.raw`(?<![\w])([hH])(')`, "'", "string.quoted.single.obfuscated.kql"),
      ],
    },
    "string-verbatim": {
      patterns: [
        verbatim(String.raw`(@)(")`, '"', "double", "string.quoted.double.verbatim.kql"),
        verbatim(String.raw`(@)(')`, "'", "single", "string.quoted.single.verbatim.kql"),
      ],
    },
    "string-plain": {
      patterns: [
        escaped(String.raw`()(")`, '"', "string.quoted.double.kql"),
        escaped(String.raw`()(')`, "'", "string.quoted.single.kql"),
      ],
    },
    "string-escape": {
      patterns: [
        {
          match: String.raw`\\(?:[\\"'abfnrtv0]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})`,
          name: "constant.character.escape.kql",
        },
        { match: String.raw`\\.`, name: "invalid.illegal.unknown-escape.kql" },
      ],
    },
    "management-command": {
      match: String.raw`^\s*(\.(?:${words(MANAGEMENT_VERBS)}))${AFTER}`,
      captures: { 1: { name: "keyword.control.management.kql" } },
    },
    let: {
      match: String.raw`${BEFORE}(let)\s+(${ID})\s*(?==)`,
      captures: {
        1: { name: "keyword.other.statement.kql" },
        2: { name: "entity.name.variable.let.kql" },
      },
    },
    "pipe-operator": {
      patterns: [
        {
          match: String.raw`(\|)\s*(render)${AFTER}\s*(${words(CHART_TYPES)})?${AFTER}`,
          captures: {
            1: { name: "keyword.operator.pipe.kql" },
            2: { name: "keyword.control.tabular-operator.kql" },
            3: { name: "constant.language.chart-type.kql" },
          },
        },
        {
          match: String.raw`(\|)\s*(${words(TABULAR_OPERATORS)})${AFTER}`,
          captures: {
            1: { name: "keyword.operator.pipe.kql" },
            2: { name: "keyword.control.tabular-operator.kql" },
          },
        },
        { match: String.raw`\|`, name: "keyword.operator.pipe.kql" },
      ],
    },
    "query-start-operator": {
      match: String.raw`(?:^|(?<=[(;,=]))\s*(?:(${words(QUERY_START_CALLS)})|(${words(QUERY_START_OPERATORS)})(?!\s*\())${AFTER}`,
      captures: {
        1: { name: "keyword.control.tabular-operator.kql" },
        2: { name: "keyword.control.tabular-operator.kql" },
      },
    },
    keyword: {
      patterns: [
        {
          match: String.raw`${BEFORE}(${words(STATEMENTS)})${AFTER}`,
          name: "keyword.other.statement.kql",
        },
        {
          match: String.raw`${BEFORE}(kind)\s*(=)\s*(${words(JOIN_KINDS)})${AFTER}`,
          captures: {
            1: { name: "keyword.other.clause.kql" },
            2: { name: "keyword.operator.assignment.kql" },
            3: { name: "constant.language.join-kind.kql" },
          },
        },
        {
          match: String.raw`${BEFORE}(hint\.[A-Za-z_]+)${AFTER}`,
          name: "keyword.other.hint.kql",
        },
        {
          match: String.raw`${BEFORE}(${words(CLAUSE_KEYWORDS)})${AFTER}`,
          name: "keyword.other.clause.kql",
        },
      ],
    },
    number: {
      patterns: [
        {
          match: String.raw`(?<![\w.])(\d+(?:\.\d+)?)(${words(TIMESPAN_UNITS)})(?![\w])`,
          name: "constant.numeric.timespan.kql",
          captures: { 2: { name: "keyword.other.unit.timespan.kql" } },
        },
        { match: String.raw`(?<![\w.])0[xX][0-9A-Fa-f]+(?![\w.])`, name: "constant.numeric.hex.kql" },
        {
          match: String.raw`(?<![\w.])(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)(?![\w.])`,
          name: "constant.numeric.decimal.kql",
        },
        { match: String.raw`(?<![\w.])\d+(?![\w.])`, name: "constant.numeric.integer.kql" },
      ],
    },
    constant: {
      patterns: [
        { match: String.raw`${BEFORE}(true|false)${AFTER}`, name: "constant.language.boolean.kql" },
        { match: String.raw`${BEFORE}(null)${AFTER}`, name: "constant.language.null.kql" },
        { match: String.raw`\$(left|right)\b`, name: "variable.language.join-side.kql" },
      ],
    },
    "word-operator": {
      patterns: [
        {
          match: String.raw`${BEFORE}(!?(?:${words(STRING_OPERATORS)}))${AFTER}`,
          name: "keyword.operator.string.kql",
        },
        {
          match: String.raw`${BEFORE}(matches)\s+(regex)${AFTER}`,
          captures: {
            1: { name: "keyword.operator.string.kql" },
            2: { name: "keyword.operator.string.kql" },
          },
        },
        { match: String.raw`${BEFORE}(and|or)${AFTER}`, name: "keyword.operator.logical.kql" },
      ],
    },
    type: {
      patterns: [
        {
          // The argument of datetime() is a literal, not an expression: datetime(2024-01-31 10:00).
          match: String.raw`${BEFORE}(datetime)\s*(\()\s*([^()"'\n]*?)\s*(\))`,
          captures: {
            1: { name: "storage.type.primitive.kql" },
            2: { name: "punctuation.section.brackets.begin.kql" },
            3: { name: "constant.other.datetime.kql" },
            4: { name: "punctuation.section.brackets.end.kql" },
          },
        },
        {
          match: String.raw`(?<=:)\s*(${words(SCALAR_TYPES)})\b`,
          captures: { 1: { name: "storage.type.primitive.kql" } },
        },
        {
          match: String.raw`${BEFORE}(${words(SCALAR_TYPES)})(?=\s*\()`,
          name: "storage.type.primitive.kql",
        },
        {
          match: String.raw`(?<=\btypeof\()\s*(${words(SCALAR_TYPES)})\b`,
          captures: { 1: { name: "storage.type.primitive.kql" } },
        },
      ],
    },
    "function-call": {
      patterns: [
        {
          match: String.raw`${BEFORE}(${words(AGGREGATE_FUNCTIONS)})(?=\s*\()`,
          name: "support.function.aggregate.kql",
        },
        {
          match: String.raw`${BEFORE}(${words(SCALAR_FUNCTIONS)})(?=\s*\()`,
          name: "support.function.scalar.kql",
        },
        { match: String.raw`${BEFORE}(${ID})(?=\s*\()`, name: "entity.name.function.kql" },
      ],
    },
    "symbol-operator": {
      patterns: [
        { match: String.raw`=~|!~|==|!=|<>|<=|>=|<|>`, name: "keyword.operator.comparison.kql" },
        { match: String.raw`=>`, name: "keyword.operator.arrow.kql" },
        { match: String.raw`\.\.`, name: "keyword.operator.range.kql" },
        { match: String.raw`=`, name: "keyword.operator.assignment.kql" },
        { match: String.raw`[-+*/%]`, name: "keyword.operator.arithmetic.kql" },
      ],
    },
    punctuation: {
      patterns: [
        { match: ";", name: "punctuation.terminator.statement.kql" },
        { match: ",", name: "punctuation.separator.comma.kql" },
        { match: String.raw`\.`, name: "punctuation.accessor.kql" },
        { match: ":", name: "punctuation.separator.colon.kql" },
        { match: String.raw`[(\[{]`, name: "punctuation.section.brackets.begin.kql" },
        { match: String.raw`[)\]}]`, name: "punctuation.section.brackets.end.kql" },
      ],
    },
    identifier: {
      match: String.raw`${ID}`,
      name: "variable.other.kql",
    },
  },
};

/** A string whose only escape is a doubled quote (verbatim: `@"C:\dir"`). */
function verbatim(begin, quote, kind, name) {
  return {
    name,
    begin,
    end: String.raw`${quote}(?!${quote})|$`,
    beginCaptures: {
      1: { name: "storage.modifier.string.kql" },
      2: { name: "punctuation.definition.string.begin.kql" },
    },
    endCaptures: { 0: { name: "punctuation.definition.string.end.kql" } },
    patterns: [{ match: quote + quote, name: `constant.character.escape.quote.${kind}.kql` }],
  };
}

/** A one-line string with backslash escapes. */
function escaped(begin, quote, name) {
  return {
    name,
    begin,
    end: String.raw`${quote}|$`,
    beginCaptures: {
      1: { name: "storage.modifier.string.kql" },
      2: { name: "punctuation.definition.string.begin.kql" },
    },
    endCaptures: { 0: { name: "punctuation.definition.string.end.kql" } },
    patterns: [{ include: "#string-escape" }],
  };
}
