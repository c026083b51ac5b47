//! Microsoft Defender XDR custom detection rules in JSON: the Microsoft Graph `detectionRule`
//! resource (`displayName`, `queryCondition.queryText`, `schedule`, `detectionAction`), one
//! rule per file, a list of rules, or a Graph list response (`{"value": [...]}`).
//!
//! serde_json gives no positions, so the file is read here by a small JSON reader that keeps
//! the byte span of every string; the query string is then decoded escape by escape with a
//! map back to the file. JSON that holds no detection rule gives no query and no error: a
//! repository has many JSON files that are not rules. Broken JSON is reported (QL002, where
//! reading stopped) only when it mentions `queryCondition`, i.e. was meant as a rule.

use qlint_grammar::Span;

use super::defender::{DefenderRule, defender_facts};
use super::{ContainerError, Decoder, EmbeddedQuery, Encoding, Extraction};
use qlint_linter::Language;

/// Nesting deeper than this is not a rule file; reading stops there (and never overflows).
const MAX_DEPTH: usize = 64;

/// A JSON value with the byte span of each string.
#[derive(Debug)]
pub(super) enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    /// A string: its decoded value and the span of its content (inside the quotes).
    String(String, Span),
    Other,
}

impl Json {
    pub(super) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(value, _) => Some(value),
            _ => None,
        }
    }
}

/// Where and why reading stopped, for a file that is not well-formed JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Broken {
    pub(super) at: usize,
    pub(super) why: &'static str,
}

type Read<T> = Result<T, Broken>;

const ENDS_EARLY: &str = "the file ends before the JSON is complete";

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() && matches!(bytes[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn broken<T>(&self, why: &'static str) -> Read<T> {
        Err(Broken { at: self.at, why })
    }

    /// The next byte; the end of the text is an error, since every caller expects more.
    fn peek(&self) -> Read<u8> {
        match self.text.as_bytes().get(self.at) {
            Some(&byte) => Ok(byte),
            None => self.broken(ENDS_EARLY),
        }
    }

    fn value(&mut self, depth: usize) -> Read<Json> {
        if depth > MAX_DEPTH {
            return self.broken("nested more than 64 levels deep");
        }
        self.skip_space();
        match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_space();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.skip_space();
                    if self.peek()? != b'"' {
                        return self.broken("expected a quoted key");
                    }
                    let Json::String(key, _) = self.string()? else { unreachable!() };
                    self.skip_space();
                    if self.peek()? != b':' {
                        return self.broken("expected `:` after the key");
                    }
                    self.at += 1;
                    let value = self.value(depth + 1)?;
                    members.push((key, value));
                    self.skip_space();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b'}' => {
                            self.at += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return self.broken("expected `,` or `}` after a member"),
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_space();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return self.broken("expected `,` or `]` after an item"),
                    }
                }
            }
            b'"' => self.string(),
            _ => {
                let start = self.at;
                let bytes = self.text.as_bytes();
                while self.at < bytes.len()
                    && (bytes[self.at].is_ascii_alphanumeric()
                        || matches!(bytes[self.at], b'-' | b'+' | b'.'))
                {
                    self.at += 1;
                }
                if self.at == start {
                    return self.broken("expected a value");
                }
                Ok(Json::Other)
            }
        }
    }

    /// The string at `self.at` (which is a `"`), decoded.
    fn string(&mut self) -> Read<Json> {
        let start = self.at + 1;
        let mut decoder = Decoder::default();
        let end = decode_into(self.text, start, &mut decoder)?;
        self.at = end + 1;
        Ok(Json::String(decoder.out, Span::new(start as u32, end as u32)))
    }
}

/// Decodes a JSON string's content into `decoder`, with the map; returns the offset of the
/// closing quote.
fn decode_into(text: &str, start: usize, decoder: &mut Decoder) -> Read<usize> {
    let bytes = text.as_bytes();
    let mut at = start;
    let mut run = start;
    let broken = |at: usize, why: &'static str| Err(Broken { at, why });
    loop {
        let Some(&byte) = bytes.get(at) else {
            return broken(start.saturating_sub(1), "this string is not closed");
        };
        match byte {
            b'"' => {
                decoder.copy(text, run, at);
                return Ok(at);
            }
            b'\\' => {
                decoder.copy(text, run, at);
                let Some(&escape) = bytes.get(at + 1) else {
                    return broken(start.saturating_sub(1), "this string is not closed");
                };
                let bad_unicode = "`\\u` must be followed by four hex digits (a surrogate pair by a second `\\u`)";
                let (decoded, len) = match escape {
                    b'"' => ('"', 2),
                    b'\\' => ('\\', 2),
                    b'/' => ('/', 2),
                    b'b' => ('\u{8}', 2),
                    b'f' => ('\u{c}', 2),
                    b'n' => ('\n', 2),
                    b'r' => ('\r', 2),
                    b't' => ('\t', 2),
                    b'u' => {
                        let Some(unit) = hex4(text, at + 2) else { return broken(at, bad_unicode) };
                        if (0xD800..0xDC00).contains(&unit) {
                            // A surrogate pair: `\ud83d\ude00`.
                            let low = (text.get(at + 6..at + 8) == Some("\\u"))
                                .then(|| hex4(text, at + 8))
                                .flatten()
                                .filter(|low| (0xDC00..0xE000).contains(low));
                            let Some(low) = low else { return broken(at, bad_unicode) };
                            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            match char::from_u32(code) {
                                Some(c) => (c, 12),
                                None => return broken(at, bad_unicode),
                            }
                        } else {
                            match char::from_u32(unit) {
                                Some(c) => (c, 6),
                                None => {
                                    return broken(at, "a lone low surrogate is not a character");
                                }
                            }
                        }
                    }
                    _ => {
                        return broken(
                            at,
                            "unknown escape: JSON allows `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`",
                        );
                    }
                };
                let mut buffer = [0u8; 4];
                decoder.emit(decoded.encode_utf8(&mut buffer), at, at + len);
                at += len;
                run = at;
            }
            // Raw control characters are not allowed in JSON strings.
            b if b < 0x20 => {
                return broken(
                    at,
                    "a raw control character (a line break or tab) inside a string must be escaped",
                );
            }
            _ => at += 1,
        }
    }
}

fn hex4(text: &str, at: usize) -> Option<u32> {
    let digits = text.get(at..at + 4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// Reads `text` as JSON.
pub(super) fn parse(text: &str) -> Read<Json> {
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut reader = Reader { text, at: skip };
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.at != text.len() {
        return reader.broken("unexpected text after the JSON value");
    }
    Ok(value)
}

/// The detection rules of a JSON file: the file itself, the items of a top-level list, or
/// those of a Graph list response's `value`. A file that is not well-formed JSON is an error
/// only when it names `queryCondition` (it is meant as a detection rule); other broken JSON is
/// none of qlint's business.
pub(super) fn extract(text: &str) -> Extraction {
    let root = match parse(text) {
        Ok(root) => root,
        Err(broken) if text.contains("\"queryCondition\"") => {
            let at = broken.at.min(text.len()) as u32;
            return Extraction {
                queries: Vec::new(),
                errors: vec![ContainerError {
                    span: Span::new(at, at).widen_empty(text),
                    message: format!("malformed JSON: {}", broken.why),
                }],
            };
        }
        Err(_) => return Extraction::default(),
    };
    let candidates: Vec<&Json> = match &root {
        Json::Array(items) => items.iter().collect(),
        Json::Object(_) => match root.get("value") {
            Some(Json::Array(items)) => items.iter().collect(),
            _ => vec![&root],
        },
        _ => Vec::new(),
    };
    let queries = candidates.into_iter().filter_map(|rule| query_of(text, rule)).collect();
    Extraction { queries, errors: Vec::new() }
}

/// The query of one `detectionRule` object, if it is one.
fn query_of(text: &str, rule: &Json) -> Option<EmbeddedQuery> {
    let query = rule.get("queryCondition")?.get("queryText")?;
    let Json::String(value, span) = query else { return None };
    let str_of = |json: Option<&Json>| json.and_then(Json::as_str).map(str::to_owned);
    let schedule = rule.get("schedule");
    let alert = rule.get("detectionAction").and_then(|a| a.get("alertTemplate"));
    let techniques = match alert.and_then(|a| a.get("mitreTechniques")) {
        Some(Json::Array(items)) => {
            Some(items.iter().map(|t| t.as_str().unwrap_or_default().to_owned()).collect())
        }
        _ => None,
    };
    let facts = defender_facts(DefenderRule {
        name: str_of(rule.get("displayName")),
        id: str_of(rule.get("detectorId")).or_else(|| str_of(rule.get("id"))),
        period: str_of(schedule.and_then(|s| s.get("period"))),
        frequency: str_of(schedule.and_then(|s| s.get("frequency"))),
        lookback: str_of(schedule.and_then(|s| s.get("lookback"))),
        techniques,
    });
    let mut decoder = Decoder::default();
    let start = span.start as usize;
    let end = decode_into(text, start, &mut decoder).ok()?;
    let (decoded, map) = decoder.finish(end);
    if decoded != *value {
        return None;
    }
    Some(EmbeddedQuery {
        language: Language::Kql,
        text: decoded,
        name: facts.rule_name.clone().or_else(|| Some("queryText".to_owned())),
        span_in_file: *span,
        map,
        encoding: Encoding::JsonString,
        exact: true,
        facts,
    })
}

/// `replacement` written as the content of a JSON string.
pub(super) fn escape(replacement: &str) -> String {
    let mut out = String::with_capacity(replacement.len());
    for c in replacement.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use qlint_linter::{QueryRole, TimeWindow};

    const RULE: &str = r#"{
  "displayName": "Encoded PowerShell",
  "isEnabled": true,
  "queryCondition": {
    "queryText": "DeviceProcessEvents\n| where FileName =~ \"powershell.exe\"\n| where ProcessCommandLine contains \"-enc\" // \u00e9t\u00e9 \ud83d\ude00\n| project Timestamp, DeviceId, ReportId"
  },
  "schedule": { "period": "1H" },
  "detectionAction": {
    "alertTemplate": { "title": "x", "severity": "medium", "mitreTechniques": ["T1059.001", "T1027.010"] }
  }
}"#;

    fn slice<'a>(text: &'a str, query: &EmbeddedQuery, needle: &str) -> &'a str {
        let at = query.text.find(needle).unwrap() as u32;
        let span = query.map.to_file_span(Span::new(at, at + needle.len() as u32));
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn the_query_of_a_graph_detection_rule_is_decoded_with_its_map() {
        let queries = extract(RULE).queries;
        assert_eq!(queries.len(), 1);
        let query = &queries[0];
        assert!(
            query.text.starts_with("DeviceProcessEvents\n| where FileName =~ \"powershell.exe\"\n")
        );
        assert!(query.text.contains("// été 😀\n"), "{}", query.text);
        assert_eq!(slice(RULE, query, "ProcessCommandLine"), "ProcessCommandLine");
        assert_eq!(slice(RULE, query, "\"powershell.exe\""), "\\\"powershell.exe\\\"");
        assert_eq!(slice(RULE, query, "é"), "\\u00e9");
        assert_eq!(slice(RULE, query, "😀"), "\\ud83d\\ude00");
        assert_eq!(slice(RULE, query, "\n| where F"), "\\n| where F");
        assert_eq!(query.encoding, Encoding::JsonString);
        assert_eq!(query.facts.role, QueryRole::Alert);
        assert_eq!(query.facts.rule_name.as_deref(), Some("Encoded PowerShell"));
        assert_eq!(query.facts.techniques, ["T1059.001", "T1027.010"]);
        assert_eq!(query.facts.techniques_key, Some("mitreTechniques"));
    }

    #[test]
    fn lists_and_graph_responses_hold_several_rules() {
        let one = RULE.replace("Encoded PowerShell", "Second");
        let list = format!("[{RULE}, {one}]");
        assert_eq!(extract(&list).queries.len(), 2);
        let response = format!("{{\"@odata.context\": \"x\", \"value\": [{RULE}, {one}]}}");
        let names: Vec<_> =
            extract(&response).queries.into_iter().map(|q| q.facts.rule_name.unwrap()).collect();
        assert_eq!(names, ["Encoded PowerShell", "Second"]);
    }

    #[test]
    fn near_real_time_and_lookback_schedules() {
        let nrt = RULE.replace("\"period\": \"1H\"", "\"period\": \"0\"");
        assert_eq!(extract(&nrt).queries[0].facts.time_window, Some(TimeWindow::NearRealTime));
        let lookback =
            RULE.replace("\"period\": \"1H\"", "\"frequency\": \"PT1H\", \"lookback\": \"PT4H\"");
        assert_eq!(
            extract(&lookback).queries[0].facts.time_window,
            Some(TimeWindow::Lookback { setting: "schedule.lookback", value: "PT4H".into() })
        );
    }

    #[test]
    fn other_json_and_broken_json_hold_no_query() {
        for text in [
            "{\"name\": \"package\", \"version\": \"1.0.0\"}",
            "[1, 2, 3]",
            "{\"queryCondition\": {\"queryText\": 5}}",
            "{\"queryCondition\": {\"queryText\": \"T\\q\"}}",
            "{\"queryCondition\": {\"queryText\": \"T | take 1\"}",
            "// a comment\n{}",
            "{\"name\": \"package\",",
            "",
            &"[".repeat(10_000),
        ] {
            assert!(extract(text).queries.is_empty(), "{text:.40}");
        }
    }

    /// Broken JSON that was meant as a detection rule is reported where reading stopped;
    /// other broken JSON (a half-written `package.json`) is not qlint's business.
    #[test]
    fn broken_detection_rules_are_reported_where_reading_stopped() {
        let error = |text: &str| {
            let extraction = extract(text);
            assert!(extraction.queries.is_empty());
            extraction.errors.into_iter().next().map(|e| (e.span.start as usize, e.message))
        };
        let truncated = &RULE[..RULE.find("\"schedule\"").unwrap()];
        assert_eq!(
            error(truncated),
            Some((
                truncated.len() - 1,
                "malformed JSON: the file ends before the JSON is complete".into()
            ))
        );
        let bad_escape = "{\"queryCondition\": {\"queryText\": \"T\\q\"}}";
        assert_eq!(error(bad_escape).map(|(at, _)| &bad_escape[at..at + 2]), Some("\\q"));
        let unclosed = "{\"queryCondition\": {\"queryText\": \"T | take 1}}";
        let (at, message) = error(unclosed).unwrap();
        assert_eq!(
            (&unclosed[at..at + 3], message.as_str()),
            ("\"T ", "malformed JSON: this string is not closed")
        );
        let missing_comma = "{\"queryCondition\": {\"queryText\": \"T\"} \"schedule\": {}}";
        let (at, message) = error(missing_comma).unwrap();
        assert_eq!(&missing_comma[at..at + 9], "\"schedule");
        assert!(message.contains("expected `,` or `}`"), "{message}");
        assert_eq!(error("{\"queryCondition\": {\"queryText\": 5}}"), None);
        assert_eq!(error("{\"name\": \"package\","), None);
        assert_eq!(
            error(&format!("{{\"queryCondition\": {}", "[".repeat(100))).map(|e| e.1),
            Some("malformed JSON: nested more than 64 levels deep".into())
        );
    }

    #[test]
    fn every_truncation_extracts_without_panic() {
        for (end, _) in RULE.char_indices() {
            let extraction = extract(&RULE[..end]);
            for error in &extraction.errors {
                assert!(
                    error.span.end as usize <= end
                        && RULE.is_char_boundary(error.span.start as usize)
                );
            }
            for query in extraction.queries {
                assert!(query.span_in_file.end as usize <= end);
            }
        }
    }

    #[test]
    fn escaping_round_trips() {
        let text = "a \"b\" \\ c\n\td\u{1}";
        let json = format!("\"{}\"", escape(text));
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
    }
}
