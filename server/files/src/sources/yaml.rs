//! Sentinel analytic rules, hunting queries and parsers (`query:`, `ParserQuery:`,
//! `FunctionQuery:`) and Splunk security content (`search:`).
//!
//! serde-saphyr validates the file and tells where each scalar starts; the scalar is then
//! decoded here line by line so that every decoded byte knows its file offset. The decoded
//! text is checked against serde-saphyr's value: if they ever differ, the value wins and the
//! map falls back to the scalar's start.

use qlint_grammar::Span;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::defender::{DefenderRule, defender_facts};
use super::facts::{
    EscuTags, Lenient, ParamEntry, RuleMetadata, SentinelKeys, TechniqueList, for_query_key,
};
use super::{ContainerError, Decoder, EmbeddedQuery, Encoding, Extraction, OffsetMap, lines_in};
use qlint_linter::{Language, Parameter};

/// A value we only want when it is a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Loose {
    Text(String),
    Other(IgnoredAny),
}

impl Loose {
    fn into_text(self) -> Option<String> {
        match self {
            Loose::Text(text) => Some(text),
            Loose::Other(_) => None,
        }
    }
}

/// The keys of a rule file that hold queries or facts about them; every other key is
/// ignored.
#[derive(Deserialize)]
struct RuleFile {
    id: Option<Loose>,
    name: Option<Loose>,
    #[serde(rename = "Function")]
    function: Option<IgnoredAny>,
    query: Option<Spanned<Loose>>,
    #[serde(rename = "ParserQuery")]
    parser_query: Option<Spanned<Loose>>,
    #[serde(rename = "FunctionQuery")]
    function_query: Option<Spanned<Loose>>,
    search: Option<Spanned<Loose>>,
    // Catalog rules: `logic_format: Splunk|KQL|...` names the language of `logic:`.
    logic: Option<Spanned<Loose>>,
    logic_format: Option<Loose>,
    // The keys of `SentinelKeys`, read here so the file is deserialized once.
    kind: Option<Lenient<String>>,
    #[serde(rename = "type")]
    rule_type: Option<Lenient<String>>,
    #[serde(rename = "queryPeriod")]
    query_period: Option<Lenient<String>>,
    #[serde(rename = "queryFrequency")]
    query_frequency: Option<Lenient<String>>,
    #[serde(rename = "relevantTechniques")]
    relevant_techniques: Option<TechniqueList>,
    tags: Option<Lenient<EscuTags>>,
    #[serde(rename = "FunctionParams")]
    function_params: Option<Lenient<Vec<Lenient<ParamEntry>>>>,
    #[serde(rename = "ParserParams")]
    parser_params: Option<Lenient<Vec<Lenient<ParamEntry>>>>,
    // A Defender XDR custom detection (the Graph `detectionRule` resource written as YAML).
    #[serde(rename = "displayName")]
    display_name: Option<Loose>,
    #[serde(rename = "detectorId")]
    detector_id: Option<Loose>,
    #[serde(rename = "queryCondition")]
    query_condition: Option<QueryCondition>,
    schedule: Option<Lenient<Schedule>>,
    #[serde(rename = "detectionAction")]
    detection_action: Option<Lenient<DetectionAction>>,
}

/// `queryCondition` of a Defender custom detection.
#[derive(Deserialize)]
struct QueryCondition {
    #[serde(rename = "queryText")]
    query_text: Option<Spanned<Loose>>,
}

/// `schedule` of a Defender custom detection.
#[derive(Deserialize)]
struct Schedule {
    period: Option<Loose>,
    frequency: Option<Loose>,
    lookback: Option<Loose>,
}

/// `detectionAction` of a Defender custom detection, for its ATT&CK mapping.
#[derive(Deserialize)]
struct DetectionAction {
    #[serde(rename = "alertTemplate")]
    alert_template: Option<Lenient<AlertTemplate>>,
}

#[derive(Deserialize)]
struct AlertTemplate {
    #[serde(rename = "mitreTechniques")]
    mitre_techniques: Option<TechniqueList>,
}

/// The facts of a Defender custom detection read from YAML.
fn defender_yaml_facts(
    name: Option<Loose>,
    id: Option<Loose>,
    schedule: Option<Lenient<Schedule>>,
    action: Option<Lenient<DetectionAction>>,
) -> qlint_linter::QueryFacts {
    let schedule = schedule.and_then(Lenient::into_value);
    let (period, frequency, lookback) = match schedule {
        Some(s) => (
            s.period.and_then(Loose::into_text),
            s.frequency.and_then(Loose::into_text),
            s.lookback.and_then(Loose::into_text),
        ),
        None => (None, None, None),
    };
    let techniques = action
        .and_then(Lenient::into_value)
        .and_then(|a| a.alert_template)
        .and_then(Lenient::into_value)
        .and_then(|t| t.mitre_techniques)
        .and_then(Lenient::into_value)
        .map(|list| list.into_iter().map(|t| t.into_value().unwrap_or_default()).collect());
    defender_facts(DefenderRule {
        name: name.and_then(Loose::into_text),
        id: id.and_then(Loose::into_text),
        period,
        frequency,
        lookback,
        techniques,
    })
}

pub(super) fn extract(text: &str) -> Extraction {
    let mut extraction = Extraction::default();
    if let Err(error) = serde_saphyr::from_multiple::<IgnoredAny>(text) {
        let offset = error.location().map_or(0, |location| {
            location
                .span()
                .byte_offset()
                .map(|o| (o as usize).min(text.len()))
                .unwrap_or_else(|| offset_of(text, location.line(), location.column()))
        });
        let message = first_line(&error.to_string());
        // The message repeats the position; the diagnostic already carries it.
        let message = match message.split_once(": ") {
            Some((head, rest)) if head.starts_with("error") => rest.to_owned(),
            _ => message,
        };
        let message = match message.split_once(": ") {
            Some((head, rest)) if head.starts_with("line ") => rest.to_owned(),
            _ => message,
        };
        extraction.errors.push(ContainerError {
            span: Span::new(offset as u32, offset as u32).widen_empty(text),
            message: format!("malformed YAML: {message}"),
        });
        return extraction;
    }
    // Sigma rules (one text per document) come before the query-key formats.
    let sigma_rules = super::sigma::extract(text);
    if !sigma_rules.is_empty() {
        extraction.queries = sigma_rules;
        return extraction;
    }
    // Anything that is not a mapping with our keys is not a rule: skip it quietly.
    let Ok(rule) = serde_saphyr::from_str::<RuleFile>(text) else {
        return extraction;
    };
    let _ = rule.function;
    if let Some(query_text) = rule.query_condition.and_then(|c| c.query_text) {
        let facts = defender_yaml_facts(
            rule.display_name,
            rule.detector_id,
            rule.schedule,
            rule.detection_action,
        );
        let name = facts.rule_name.clone().or_else(|| Some("queryText".to_owned()));
        extraction.queries.extend(embedded(text, query_text, Language::Kql, name, facts));
        return extraction;
    }
    let name = rule.name.and_then(Loose::into_text);
    let mut facts = SentinelKeys::new(
        rule.kind,
        rule.rule_type,
        rule.query_period,
        rule.function_params,
        rule.parser_params,
        RuleMetadata {
            query_frequency: rule.query_frequency,
            relevant_techniques: rule.relevant_techniques,
            tags: rule.tags,
        },
    )
    .facts();
    if let Some(parameters) = &mut facts.parameters {
        locate_parameters(text, parameters);
    }
    facts.rule_id = rule.id.and_then(Loose::into_text).map(|id| id.trim().to_owned());
    facts.rule_name = name.as_deref().map(|name| name.trim().to_owned());
    let logic_language =
        rule.logic_format.and_then(Loose::into_text).and_then(|f| logic_language(&f));
    let mut fields = vec![
        (rule.query, Language::Kql, "query"),
        (rule.parser_query, Language::Kql, "ParserQuery"),
        (rule.function_query, Language::Kql, "FunctionQuery"),
        (rule.search, Language::Spl, "search"),
    ];
    if let Some(language) = logic_language {
        fields.push((rule.logic, language, "logic"));
    }
    for (field, language, key) in fields {
        let facts = for_query_key(facts.clone(), key);
        let Some(spanned) = field else { continue };
        let Some(mut query) = embedded(text, spanned, language, name.clone(), facts) else {
            continue;
        };
        if query.name.is_none() {
            query.name = Some(language_key(language).to_owned());
        }
        extraction.queries.push(query);
    }
    extraction.queries.sort_by_key(|q| q.span_in_file.start);
    extraction
}

/// The query of a scalar `spanned` of the file, decoded with its map (or, when decoding
/// disagrees with the YAML parser, mapped coarsely to the scalar's start).
fn embedded(
    text: &str,
    spanned: Spanned<Loose>,
    language: Language,
    name: Option<String>,
    facts: qlint_linter::QueryFacts,
) -> Option<EmbeddedQuery> {
    let value = spanned.value.into_text()?;
    let start = spanned.referenced.span().byte_offset().map_or(0, |o| (o as usize).min(text.len()));
    Some(match decode_scalar(text, start) {
        Some(decoded) if decoded.text == value => EmbeddedQuery {
            language,
            text: decoded.text,
            name,
            span_in_file: decoded.span,
            map: decoded.map,
            encoding: decoded.encoding,
            exact: true,
            facts,
        },
        _ => {
            let span = Span::new(start as u32, start as u32).widen_empty(text);
            EmbeddedQuery {
                language,
                map: OffsetMap::coarse(value.len(), span),
                text: value,
                name,
                span_in_file: span,
                encoding: Encoding::Verbatim,
                exact: false,
                facts,
            }
        }
    })
}

/// Finds where each parameter is named (`Name: starttime`) in the `FunctionParams` or
/// `ParserParams` section of the file; a parameter not found keeps no location.
fn locate_parameters(text: &str, parameters: &mut [Parameter]) {
    let sections: Vec<(usize, usize)> = ["FunctionParams:", "ParserParams:"]
        .iter()
        .filter_map(|k| top_level_section(text, k))
        .collect();
    for parameter in parameters {
        parameter.declared_at = sections.iter().find_map(|&(start, end)| {
            let at = start + name_entry(&text[start..end], &parameter.name)?;
            Some(Span::new(at as u32, (at + parameter.name.len()) as u32))
        });
    }
}

/// The bytes of the top-level `key` and its value: up to the next line that starts a
/// top-level key (a line starting with neither a space, `-`, `#` nor a flow continuation).
fn top_level_section(text: &str, key: &str) -> Option<(usize, usize)> {
    let start = if text.starts_with(key) {
        0
    } else {
        text.match_indices(&format!("\n{key}")).next()?.0 + 1
    };
    let mut end = text.len();
    let mut line_start = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
    while line_start < text.len() {
        let rest = &text[line_start..];
        let first = rest.as_bytes()[0];
        if !matches!(first, b' ' | b'\t' | b'-' | b'#' | b'\r' | b'\n' | b'{' | b'}' | b']' | b',')
        {
            end = line_start;
            break;
        }
        line_start = rest.find('\n').map_or(text.len(), |i| line_start + i + 1);
    }
    Some((start, end))
}

/// The offset of `name` in the first `Name: name` (quoted or not; a tabular parameter is
/// written `Name: 'T:(...)'`) of `section`.
fn name_entry(section: &str, name: &str) -> Option<usize> {
    for (at, _) in section.match_indices("Name") {
        let key_start = at == 0 || !section.as_bytes()[at - 1].is_ascii_alphanumeric();
        if !key_start {
            continue;
        }
        let after = &section[at + 4..];
        let Some(value) = after.trim_start_matches([' ', '\t', '"', '\'']).strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start_matches([' ', '\t', '"', '\'']);
        let Some(rest) = value.strip_prefix(name) else { continue };
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        return Some(section.len() - value.len());
    }
    None
}

/// The language a catalog rule's `logic_format` names, if it is one qlint lints.
fn logic_language(format: &str) -> Option<Language> {
    match format.trim().to_ascii_lowercase().as_str() {
        "splunk" | "spl" | "splunk spl" => Some(Language::Spl),
        "kql" | "kusto" | "sentinel" | "microsoft sentinel" | "defender" | "mde" => {
            Some(Language::Kql)
        }
        _ => None,
    }
}

fn language_key(language: Language) -> &'static str {
    match language {
        Language::Kql => "query",
        Language::Spl => "search",
        Language::Yaral | Language::Sigma => "rule",
    }
}

/// The byte offset of a 1-based line and character column.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line as usize - 2).map_or(text.len(), |(i, _)| i + 1)
    };
    let rest = &text[line_start..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    line_start
        + rest[..line_end]
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(line_end, |(i, _)| i)
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_owned()
}

/// A scalar decoded with its map.
pub(super) struct Decoded {
    pub text: String,
    pub map: OffsetMap,
    pub span: Span,
    pub encoding: Encoding,
}

/// Decodes the scalar that starts at (or just before) `start`.
pub(super) fn decode_scalar(text: &str, start: usize) -> Option<Decoded> {
    let bytes = text.as_bytes();
    let mut at = start;
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    // serde-saphyr points block scalars at their first content line: find the header above.
    let before = text[line_start..at].trim();
    if before.is_empty()
        && let Some(header) = find_block_header(text, line_start)
    {
        let header_line = text[..header].rfind('\n').map_or(0, |i| i + 1);
        let parent_indent = text[header_line..].bytes().take_while(|&b| b == b' ').count();
        return decode_block(text, header, parent_indent);
    }
    // The indentation of the line holding the key: block scalars are indented past it.
    let parent_indent = text[line_start..].bytes().take_while(|&b| b == b' ').count();
    match bytes.get(at)? {
        b'|' | b'>' => decode_block(text, at, parent_indent),
        b'"' => decode_quoted(text, at, true),
        b'\'' => decode_quoted(text, at, false),
        _ => decode_plain(text, at, parent_indent),
    }
}

/// The offset of the `|` or `>` of the block scalar whose content starts on the line at
/// `line_start`: the last non-blank line above it must end with a block header.
fn find_block_header(text: &str, line_start: usize) -> Option<usize> {
    let mut end = line_start;
    loop {
        let before = text[..end].strip_suffix('\n')?;
        let before = before.strip_suffix('\r').unwrap_or(before);
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = &before[start..];
        if line.trim().is_empty() {
            end = start;
            if start == 0 {
                return None;
            }
            continue;
        }
        let code = match line.find(" #") {
            Some(hash) => &line[..hash],
            None => line,
        }
        .trim_end();
        let indicators = code.trim_end_matches(|c: char| matches!(c, '-' | '+' | '1'..='9'));
        if indicators.len() + 2 < code.len() {
            return None;
        }
        return match indicators.as_bytes().last() {
            Some(b'|' | b'>') => Some(start + indicators.len() - 1),
            _ => None,
        };
    }
}

/// Block scalars: `|`, `>`, with chomping (`-`, `+`) and an explicit indentation digit.
fn decode_block(text: &str, header: usize, parent_indent: usize) -> Option<Decoded> {
    let bytes = text.as_bytes();
    let folded = bytes[header] == b'>';
    let mut chomp = 'c';
    let mut explicit = None;
    let mut at = header + 1;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'-' | b'+' => chomp = b as char,
            b'1'..=b'9' => explicit = Some((b - b'0') as usize),
            _ => break,
        }
        at += 1;
    }
    let header_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    let lines = lines_in(text, header_end, text.len());
    // Determine the content indentation.
    let indent = match explicit {
        Some(digit) => parent_indent + digit,
        None => {
            let first = lines.iter().find(|(s, e, _)| !text[*s..*e].trim().is_empty());
            match first {
                Some((s, e, _)) => text[*s..*e].bytes().take_while(|&b| b == b' ').count(),
                None => parent_indent + 1,
            }
        }
    };
    // Collect the lines of the block.
    struct Line {
        content: (usize, usize),
        next: usize,
        empty: bool,
        more: bool,
    }
    let mut block = Vec::new();
    for &(s, e, next) in &lines {
        let line = &text[s..e];
        let spaces = line.bytes().take_while(|&b| b == b' ').count();
        let blank = line.trim().is_empty();
        if !blank && spaces < indent {
            break;
        }
        if blank && spaces <= indent {
            block.push(Line { content: (e, e), next, empty: true, more: false });
        } else {
            let content_start = s + indent.min(line.len());
            let more = matches!(text.as_bytes().get(content_start), Some(b' ' | b'\t'));
            block.push(Line { content: (content_start, e), next, empty: false, more });
        }
    }
    if block.iter().all(|l| l.empty) && !block.is_empty() && indent <= parent_indent {
        return None;
    }
    let last_content = block.iter().rposition(|l| !l.empty);
    let mut decoder = Decoder::default();
    let Some(last) = last_content else {
        let end = block.last().map_or(header_end, |l| l.next);
        let (out, map) = decoder.finish(header_end);
        return Some(Decoded {
            text: if chomp == '+' { "\n".repeat(block.len()) } else { out },
            map,
            span: Span::new(header as u32, end as u32),
            encoding: Encoding::Verbatim,
        });
    };
    let mut index = 0;
    // Leading empty lines are kept as newlines in both styles.
    while block[index].empty {
        decoder.emit("\n", block[index].content.1, block[index].next);
        index += 1;
    }
    while index <= last {
        let line = &block[index];
        decoder.copy(text, line.content.0, line.content.1);
        let break_start = line.content.1;
        if index == last {
            break;
        }
        // Empty lines until the next content line.
        let mut next = index + 1;
        while block[next].empty {
            next += 1;
        }
        let empties = next - index - 1;
        let join_with_space = folded && empties == 0 && !line.more && !block[next].more;
        if join_with_space {
            decoder.emit(" ", break_start, line.next);
        } else {
            let keep_first = !folded || line.more || block[next].more || empties == 0;
            let mut from = index;
            if keep_first {
                decoder.emit("\n", block[from].content.1, block[from].next);
            }
            from += 1;
            while from < next {
                decoder.emit("\n", block[from].content.1, block[from].next);
                from += 1;
            }
        }
        index = next;
    }
    // Chomping of the final line break and trailing empty lines.
    let tail = &block[last..];
    let final_break = (block[last].content.1, block[last].next);
    let has_final_break = final_break.1 > final_break.0;
    match chomp {
        '-' => {}
        '+' => {
            for line in tail {
                if line.next > line.content.1 {
                    decoder.emit("\n", line.content.1, line.next);
                }
            }
        }
        _ => {
            if has_final_break {
                decoder.emit("\n", final_break.0, final_break.1);
            }
        }
    }
    let file_end = block[last].content.1;
    let span_end = if chomp == '+' { tail.last().map_or(file_end, |l| l.next) } else { file_end };
    let (out, map) = decoder.finish(file_end);
    Some(Decoded {
        text: out,
        map,
        span: Span::new(header as u32, span_end as u32),
        encoding: Encoding::Verbatim,
    })
}

/// Double- and single-quoted scalars, with escapes and line folding.
fn decode_quoted(text: &str, open: usize, double: bool) -> Option<Decoded> {
    let quote = if double { '"' } else { '\'' };
    let mut decoder = Decoder::default();
    let mut at = open + 1;
    let mut run_start = at;
    let bytes = text.as_bytes();
    loop {
        let c = text[at..].chars().next()?;
        match c {
            _ if c == quote && !double && text[at + 1..].starts_with('\'') => {
                decoder.copy(text, run_start, at);
                decoder.emit("'", at, at + 2);
                at += 2;
                run_start = at;
            }
            _ if c == quote => {
                decoder.copy(text, run_start, at);
                let (out, map) = decoder.finish(at);
                let encoding =
                    if double { Encoding::YamlDoubleQuoted } else { Encoding::YamlSingleQuoted };
                return Some(Decoded {
                    text: out,
                    map,
                    span: Span::new(open as u32, at as u32 + 1),
                    encoding,
                });
            }
            '\\' if double => {
                decoder.copy(text, run_start, at);
                let next = text[at + 1..].chars().next()?;
                let simple = match next {
                    '0' => Some('\0'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\x0b'),
                    'f' => Some('\x0c'),
                    'r' => Some('\r'),
                    'e' => Some('\x1b'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(decoded) = simple {
                    let end = at + 1 + next.len_utf8();
                    decoder.emit(decoded.encode_utf8(&mut [0; 4]), at, end);
                    at = end;
                } else if let Some(digits) = match next {
                    'x' => Some(2),
                    'u' => Some(4),
                    'U' => Some(8),
                    _ => None,
                } {
                    let hex = text.get(at + 2..at + 2 + digits)?;
                    let decoded = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                    decoder.emit(decoded.encode_utf8(&mut [0; 4]), at, at + 2 + digits);
                    at += 2 + digits;
                } else if next == '\n' || next == '\r' {
                    // Escaped line break: the break and the next line's indentation vanish.
                    let mut end = at + 1;
                    if bytes.get(end) == Some(&b'\r') {
                        end += 1;
                    }
                    if bytes.get(end) == Some(&b'\n') {
                        end += 1;
                    }
                    while matches!(bytes.get(end), Some(b' ' | b'\t')) {
                        end += 1;
                    }
                    decoder.emit("", at, end);
                    at = end;
                } else {
                    return None;
                }
                run_start = at;
            }
            '\n' | '\r' => {
                // Line folding: trailing spaces before the break go, leading spaces after go;
                // one break is a space, each further empty line is a newline.
                let mut content_end = at;
                while content_end > run_start && matches!(bytes[content_end - 1], b' ' | b'\t') {
                    content_end -= 1;
                }
                decoder.copy(text, run_start, content_end);
                let mut end = at;
                let mut breaks = 0;
                loop {
                    if bytes.get(end) == Some(&b'\r') {
                        end += 1;
                    }
                    if bytes.get(end) == Some(&b'\n') {
                        end += 1;
                        breaks += 1;
                    } else {
                        break;
                    }
                    while matches!(bytes.get(end), Some(b' ' | b'\t')) {
                        end += 1;
                    }
                    if !matches!(bytes.get(end), Some(b'\n' | b'\r')) {
                        break;
                    }
                }
                let folded = if breaks <= 1 { " ".to_owned() } else { "\n".repeat(breaks - 1) };
                decoder.emit(&folded, content_end, end);
                at = end;
                run_start = at;
            }
            _ => at += c.len_utf8(),
        }
    }
}

/// Plain scalars: the rest of the line, folded with more-indented continuation lines.
fn decode_plain(text: &str, start: usize, parent_indent: usize) -> Option<Decoded> {
    let lines = lines_in(text, start, text.len());
    let mut decoder = Decoder::default();
    let mut end = start;
    let mut pending_breaks = 0usize;
    let mut pending_from = start;
    for (number, &(s, e, _)) in lines.iter().enumerate() {
        let line = &text[s..e];
        let spaces = line.bytes().take_while(|&b| b == b' ').count();
        if number > 0 {
            if line.trim().is_empty() {
                pending_breaks += 1;
                continue;
            }
            if spaces <= parent_indent || line.trim_start().starts_with('#') {
                break;
            }
        }
        let content_start = if number == 0 { s } else { s + spaces };
        let mut content = &text[content_start..e];
        if let Some(hash) = content.find(" #") {
            content = &content[..hash];
        }
        let content = content.trim_end();
        if number > 0 {
            let folded =
                if pending_breaks == 0 { " ".to_owned() } else { "\n".repeat(pending_breaks) };
            decoder.emit(&folded, pending_from, content_start);
        }
        decoder.copy(text, content_start, content_start + content.len());
        end = content_start + content.len();
        pending_from = end;
        pending_breaks = 0;
    }
    let (out, map) = decoder.finish(end);
    Some(Decoded {
        text: out,
        map,
        span: Span::new(start as u32, end as u32),
        encoding: Encoding::SingleLine,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only_query(yaml: &str) -> EmbeddedQuery {
        let extraction = extract(yaml);
        assert!(extraction.errors.is_empty(), "{:?}", extraction.errors);
        assert_eq!(extraction.queries.len(), 1);
        extraction.queries.into_iter().next().unwrap()
    }

    fn file_slice_of(yaml: &str, query: &EmbeddedQuery, needle: &str) -> String {
        let at = query.text.find(needle).unwrap() as u32;
        let span = query.map.to_file_span(Span::new(at, at + needle.len() as u32));
        yaml[span.start as usize..span.end as usize].to_owned()
    }

    #[test]
    fn literal_block_scalar_is_exact() {
        let yaml = "id: 1\nname: Brute force\nquery: |\n  SigninLogs\n\n  | where ResultType != 0\nseverity: High\n";
        let query = only_query(yaml);
        assert!(query.exact);
        assert_eq!(query.text, "SigninLogs\n\n| where ResultType != 0\n");
        assert_eq!(query.name.as_deref(), Some("Brute force"));
        assert_eq!(file_slice_of(yaml, &query, "ResultType"), "ResultType");
    }

    #[test]
    fn explicit_indent_and_strip() {
        let yaml = "query: |2-\n    let x = 1;\n  T\n  | take x\nkind: Scheduled\n";
        let query = only_query(yaml);
        assert!(query.exact, "{:?}", query.text);
        assert_eq!(query.text, "  let x = 1;\nT\n| take x");
        assert_eq!(file_slice_of(yaml, &query, "take"), "take");
    }

    #[test]
    fn folded_block_scalar() {
        let yaml = "search: >-\n  index=main\n  | stats count\n\n  | where count > 1\nname: x\n";
        let query = only_query(yaml);
        assert!(query.exact, "{:?}", query.text);
        assert_eq!(query.text, "index=main | stats count\n| where count > 1");
        assert_eq!(query.language, Language::Spl);
        assert_eq!(file_slice_of(yaml, &query, "where"), "where");
    }

    #[test]
    fn double_quoted_with_escapes() {
        let yaml = "name: x\nsearch: \"index=main process=\\\"cmd.exe\\\" | stats count\\n| where count > 1\"\n";
        let query = only_query(yaml);
        assert!(query.exact, "{:?}", query.text);
        assert_eq!(query.text, "index=main process=\"cmd.exe\" | stats count\n| where count > 1");
        assert_eq!(file_slice_of(yaml, &query, "stats"), "stats");
        assert_eq!(file_slice_of(yaml, &query, "\"cmd"), "\\\"cmd");
    }

    #[test]
    fn single_quoted_and_folded_lines() {
        let yaml = "search: '`sysmon` Image=''x''\n  | table a'\n";
        let query = only_query(yaml);
        assert!(query.exact, "{:?}", query.text);
        assert_eq!(query.text, "`sysmon` Image='x' | table a");
        assert_eq!(file_slice_of(yaml, &query, "table"), "table");
    }

    #[test]
    fn block_scalar_whose_content_starts_with_a_pipe() {
        let yaml = "search: |-\n  | tstats count from datamodel=Endpoint.Processes\n  | where count > 1\nname: x\n";
        let query = only_query(yaml);
        assert!(query.exact, "{:?}", query.text);
        assert!(query.text.starts_with("| tstats"));
        assert_eq!(file_slice_of(yaml, &query, "where"), "where");
    }

    #[test]
    fn crlf_block_scalar() {
        let yaml = "query: |\r\n  T\r\n  | take 1\r\nname: y\r\n";
        let query = only_query(yaml);
        assert!(query.exact, "{:?}", query.text);
        assert_eq!(query.text, "T\n| take 1\n");
        assert_eq!(file_slice_of(yaml, &query, "take"), "take");
    }

    #[test]
    fn scheduled_and_nrt_rules_carry_their_window() {
        use qlint_linter::TimeWindow;
        let scheduled = "name: x\nkind: Scheduled\nqueryFrequency: 1h\nqueryPeriod: 14d\nquery: |\n  SigninLogs\n";
        assert_eq!(
            only_query(scheduled).facts.time_window,
            Some(TimeWindow::Lookback { setting: "queryPeriod", value: "14d".into() })
        );
        let nrt = "kind: NRT\nquery: SigninLogs\n";
        assert_eq!(only_query(nrt).facts.time_window, Some(TimeWindow::NearRealTime));
        // A hunting query has no schedule; a period that is not a duration is no window.
        let hunt = only_query("name: hunt\nquery: SigninLogs\n");
        assert_eq!(hunt.facts.time_window, None);
        // A rule's query never receives parameters: it declares none.
        assert_eq!(hunt.facts.parameters, Some(Vec::new()));
        for garbled in
            ["queryPeriod: [14d]\n", "queryPeriod: 0d\n", "queryPeriod:\n", "kind: {a: 1}\n"]
        {
            let yaml = format!("{garbled}query: SigninLogs\n");
            assert_eq!(only_query(&yaml).facts.time_window, None, "{yaml}");
        }
    }

    #[test]
    fn declared_parameters_in_block_and_flow_sequences() {
        use qlint_knowledge::ScalarType;
        use qlint_linter::ParameterType;
        // `(name, type, the file text at the declared location)` of each parameter.
        fn declared(yaml: &str, query: &EmbeddedQuery) -> Vec<(String, ParameterType, String)> {
            let parameters = query.facts.parameters.as_deref().unwrap_or_default();
            parameters
                .iter()
                .map(|p| {
                    let at = p.declared_at.map_or(String::new(), |s| {
                        yaml[s.start as usize..s.end as usize].to_owned()
                    });
                    (p.name.clone(), p.ty, at)
                })
                .collect()
        }
        let entry = |name: &str, ty| (name.to_owned(), ty, name.to_owned());
        let datetime = ParameterType::Scalar(Some(ScalarType::Datetime));
        let boolean = ParameterType::Scalar(Some(ScalarType::Bool));
        let block = "Function:\n  Title: Parser\nParserName: ASimDnsX\nParserParams:\n  - Name: starttime\n    Type: datetime\n    Default: datetime(null)\n  - Name: disabled\n    Type: bool\n    Default: false\n  - Name: T:(TimeGenerated:datetime)\n    Type: table\nParserQuery: |\n  let x = 1;\n  Syslog\n";
        let query = only_query(block);
        assert_eq!(
            declared(block, &query),
            [
                entry("starttime", datetime),
                entry("disabled", boolean),
                entry("T", ParameterType::Tabular)
            ]
        );
        let flow = "FunctionName: disabled\nFunctionParams: [{Name: starttime, Type: datetime, Default: datetime(null)}, {\"Name\": 'disabled', Type: bool}]\nFunctionQuery: Syslog\n";
        let query = only_query(flow);
        assert_eq!(
            declared(flow, &query),
            [entry("starttime", datetime), entry("disabled", boolean)]
        );
        let disabled = query.facts.parameters.as_ref().unwrap()[1].declared_at.unwrap();
        assert!(disabled.start as usize > flow.find("FunctionParams").unwrap());
        assert_eq!(query.facts.time_window, None);
    }

    #[test]
    fn every_truncation_of_a_parser_file_extracts_without_panic() {
        let yaml = "ParserName: vimX\nParserParams:\n  - Name: starttime\n    Type: datetime\n    Default: datetime(null)\n  - {Name: 'T:(TimeGenerated:datetime)', Type: table}\nFunctionParams: [{\"Name\": \"é\", Type: string}]\nkind: NRT\nqueryPeriod: 14d\nParserQuery: |\n  T\n  | where TimeGenerated >= starttime\n";
        for (end, _) in yaml.char_indices() {
            let extraction = extract(&yaml[..end]);
            for query in &extraction.queries {
                for parameter in query.facts.declared_parameters() {
                    if let Some(span) = parameter.declared_at {
                        assert_eq!(&yaml[span.start as usize..span.end as usize], parameter.name);
                    }
                }
            }
        }
    }

    #[test]
    fn garbled_parameters_are_no_facts_and_keep_the_query() {
        for garbled in [
            "FunctionParams: starttime\n",
            "FunctionParams: {Name: x}\n",
            "FunctionParams: 7\n",
            "FunctionParams:\n",
        ] {
            let yaml = format!("{garbled}FunctionQuery: |\n  Syslog\n");
            let query = only_query(&yaml);
            assert_eq!(query.text, "Syslog\n");
            assert_eq!(query.facts.parameters, None, "{yaml}");
        }
        // A list keeps its well-formed entries only.
        let yaml = "FunctionParams:\n  - 12\n  - Type: string\n  - Name: [a]\n  - Name: 'bad name'\n  - Name: ok\n    Type: unheard-of\nFunctionQuery: Syslog\n";
        let parameters = only_query(yaml).facts.parameters.unwrap();
        assert_eq!(parameters.len(), 1, "{parameters:?}");
        assert_eq!(parameters[0].name, "ok");
        assert_eq!(parameters[0].ty, qlint_linter::ParameterType::Scalar(None));
    }

    #[test]
    fn catalog_rules_name_their_language_in_logic_format() {
        let yaml = "id: '5343.18043'\ntitle: 'Remote Admin Tools'\nlogic_format: Splunk\nlogic: '`get_endpoint_data` | regex process=\"(?i)x\" | table _time, host'\n";
        let query = only_query(yaml);
        assert_eq!(query.language, Language::Spl);
        assert!(query.exact);
        assert_eq!(file_slice_of(yaml, &query, "table"), "table");
        let kql = only_query("logic_format: KQL\nlogic: |\n  SigninLogs\n  | take 1\n");
        assert_eq!(kql.language, Language::Kql);
        assert!(extract("logic_format: YARA\nlogic: rule x {}\n").queries.is_empty());
        assert!(extract("logic: 'index=main'\n").queries.is_empty());
    }

    #[test]
    fn sigma_documents_are_one_text_each() {
        let yaml = "title: a\nlogsource:\n  product: windows\ndetection:\n  sel:\n    EventID: 1\n  condition: sel\n---\ntitle: b\nlogsource:\n  product: linux\ndetection:\n  sel:\n    x: 1\n  condition: sel\n";
        let extraction = extract(yaml);
        assert!(extraction.errors.is_empty());
        let texts: Vec<(&str, Option<&str>)> =
            extraction.queries.iter().map(|q| (q.text.as_str(), q.name.as_deref())).collect();
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[0].0.starts_with("title: a") && texts[0].0.ends_with("condition: sel\n"));
        assert!(texts[1].0.starts_with("---\ntitle: b"));
        assert_eq!(texts[1].1, Some("b"));
        let second = &extraction.queries[1];
        let at = second.text.find("linux").unwrap() as u32;
        let span = second.map.to_file_span(qlint_grammar::Span::new(at, at + 5));
        assert_eq!(&yaml[span.start as usize..span.end as usize], "linux");
        assert!(extraction.queries.iter().all(|q| q.language == Language::Sigma));
    }

    #[test]
    fn collection_documents_inherit_the_global_document() {
        let yaml = "action: global\ntitle: shared\nlogsource:\n  product: windows\ndetection:\n  condition: sel\n---\ndetection:\n  sel:\n    EventID: 1\n---\ndetection:\n  sel:\n    EventID: 2\n";
        let extraction = extract(yaml);
        assert_eq!(extraction.queries.len(), 2, "{:?}", extraction.queries);
        let second = &extraction.queries[1];
        assert_eq!(second.name.as_deref(), Some("shared"));
        assert!(second.text.starts_with("action: global"));
        let at = second.text.rfind("EventID: 2").unwrap() as u32;
        let span = second.map.to_file_span(qlint_grammar::Span::new(at, at + 10));
        assert_eq!(&yaml[span.start as usize..span.end as usize], "EventID: 2");
        let at = second.text.find("windows").unwrap() as u32;
        let span = second.map.to_file_span(qlint_grammar::Span::new(at, at + 7));
        assert_eq!(&yaml[span.start as usize..span.end as usize], "windows");
    }

    #[test]
    fn not_a_rule_is_skipped_and_broken_yaml_is_an_error() {
        assert!(extract("- a\n- b\n").queries.is_empty());
        assert!(extract("- a\n- b\n").errors.is_empty());
        assert!(extract("title: readme\n").queries.is_empty());
        let broken = extract("query: |\n  T\nkey: [unclosed\n");
        assert_eq!(broken.errors.len(), 1);
        assert!(broken.errors[0].message.starts_with("malformed YAML"));
        let bracket = extract("a: 1\nquery: [\n");
        assert_eq!(bracket.errors[0].span.start, 12, "{:?}", bracket.errors);
    }
}
