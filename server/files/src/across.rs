//! Checks across the files of one run: the same rule id (QL101), the same rule name (QL102)
//! or the same query (QL103) in two rule files.
//!
//! The per-file check records what identifies each rule of a file ([`RuleIdentity`]: its id,
//! its name, its query normalised) with the file line where it is written; [`report`] then
//! walks the files in path order and reports each repeat once, at the later file, naming the
//! file and line of the first definition. Only rule files take part (Sentinel, ESCU, Sigma,
//! Defender custom detections, YARA-L rules, `savedsearches.conf` stanzas): a query in a
//! `.kql` file or a Markdown fence has no identity, and hunting notes repeat queries by design.

use std::collections::HashMap;
use std::path::Path;

use qlint_grammar::Span;

use crate::check::FileReport;
use crate::config::RuleSelection;
use crate::sources::{EmbeddedQuery, SourceKind};
use qlint_linter::diagnostic::{Category, Diagnostic, Severity};
use qlint_linter::{Language, QueryRole};

/// Queries shorter than this (in non-blank characters, comments removed) are not compared:
/// `SecurityEvent | take 10` in two files is no copied rule.
const MIN_QUERY_CHARS: usize = 60;

/// What a rule is identified by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// Its id (`id:` of Sentinel, ESCU and Sigma rules, `detectorId`).
    Id,
    /// Its name (`name:`, Sigma `title:`, `displayName`, `rule <name>`, a stanza name).
    Name,
    /// Its query, normalised.
    Query,
}

impl IdentityKind {
    /// The code that reports a repeat of this kind.
    pub fn code(self) -> &'static str {
        match self {
            IdentityKind::Id => "QL101",
            IdentityKind::Name => "QL102",
            IdentityKind::Query => "QL103",
        }
    }
}

/// One thing that identifies a rule of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleIdentity {
    /// Id, name or query.
    pub kind: IdentityKind,
    /// The language of the rule; names and queries are compared within one language.
    pub language: Language,
    /// The value compared (ids and names folded to lower case, queries normalised).
    pub key: String,
    /// The value as written, for messages (empty for queries).
    pub shown: String,
    /// Where it is written, in file bytes.
    pub span: Span,
    /// Its 1-based line.
    pub line: usize,
    /// The severity of the finding in this file, or `None` when its code is not selected here.
    pub severity: Option<Severity>,
    /// True for an alerting rule. Sentinel keeps analytic rules and hunting queries apart, so
    /// a KQL hunt may share its name with a rule (the hunt that led to it).
    pub alerting: bool,
}

/// The identities of the rules in `queries` (extracted from `text`, of kind `kind`).
pub fn identities(
    kind: SourceKind,
    text: &str,
    queries: &[EmbeddedQuery],
    selection: &RuleSelection,
) -> Vec<RuleIdentity> {
    let severity = |kind: IdentityKind| {
        let code = kind.code();
        let default =
            qlint_linter::rules::find(code).map_or(Severity::Warning, |m| m.default_severity);
        selection.is_enabled(code).then(|| selection.severity(code, default))
    };
    let mut out = Vec::new();
    let mut push =
        |kind: IdentityKind, language: Language, key: String, shown: &str, span: Span, alerting| {
            if key.is_empty() {
                return;
            }
            out.push(RuleIdentity {
                kind,
                language,
                key,
                shown: shown.to_owned(),
                span,
                line: line_of(text, span.start as usize),
                severity: severity(kind),
                alerting,
            });
        };
    if kind == SourceKind::Query(Language::Yaral) {
        for (name, span) in yaral_rule_names(text) {
            push(IdentityKind::Name, Language::Yaral, fold(name), name, span, false);
        }
        return out;
    }
    for query in queries {
        let facts = &query.facts;
        let is_rule = facts.rule_id.is_some() || facts.rule_name.is_some();
        // Parser and macro bodies are building blocks, shared on purpose.
        if !is_rule || facts.role == QueryRole::Function {
            continue;
        }
        let region = rule_region(text, query);
        let alerting = facts.role == QueryRole::Alert;
        if let Some(id) = &facts.rule_id {
            let span = locate(text, region, id, kind);
            push(IdentityKind::Id, query.language, fold(id), id, span, alerting);
        }
        if let Some(name) = &facts.rule_name {
            let span = locate(text, region, name, kind);
            push(IdentityKind::Name, query.language, fold(name), name, span, alerting);
        }
        if let Some(normal) = normalise(query.language, &query.text) {
            push(IdentityKind::Query, query.language, normal, "", query.span_in_file, alerting);
        }
    }
    out
}

/// Adds the QL101–QL103 findings to `reports` (sorted by path first): each repeat is
/// reported once, at the later file, naming the first file and line.
pub fn report(reports: &mut [FileReport]) {
    let mut order: Vec<usize> = (0..reports.len()).collect();
    order.sort_by(|&a, &b| reports[a].path.cmp(&reports[b].path));
    type Key = (IdentityKind, Option<Language>, bool, String);
    let mut first: HashMap<Key, (usize, usize)> = HashMap::new();
    let mut found: Vec<(usize, Diagnostic)> = Vec::new();
    for &file in &order {
        for (index, identity) in reports[file].identities.iter().enumerate() {
            // Ids are unique across languages (GUIDs); names and queries within one.
            let language = (identity.kind != IdentityKind::Id).then_some(identity.language);
            // KQL names: analytic rules and hunting queries are separate namespaces.
            let namespace = identity.kind == IdentityKind::Name
                && identity.language == Language::Kql
                && identity.alerting;
            let key = (identity.kind, language, namespace, identity.key.clone());
            let Some(&(first_file, first_index)) = first.get(&key) else {
                first.insert(key, (file, index));
                continue;
            };
            // A file repeating itself (a Sigma collection's shared title) is not a copy.
            if first_file == file {
                continue;
            }
            let Some(severity) = identity.severity else { continue };
            let original = &reports[first_file].identities[first_index];
            let place = format!("{}:{}", display(&reports[first_file].path), original.line);
            let message = match identity.kind {
                IdentityKind::Id => format!(
                    "rule id `{}` is also the id of the rule at {place}; importing both keeps \
                     only one of them",
                    identity.shown
                ),
                IdentityKind::Name => format!(
                    "rule name `{}` is also the name of the rule at {place}; alerts, reports \
                     and searches cannot tell the two apart",
                    identity.shown
                ),
                IdentityKind::Query => format!(
                    "this query is the same as the one at {place} (ignoring whitespace and \
                     comments); a change made to one copy will be missing from the other"
                ),
            };
            let category = Category::Correctness;
            found.push((
                file,
                Diagnostic::new(identity.kind.code(), category, severity, identity.span, message),
            ));
        }
    }
    for (file, diagnostic) in found {
        reports[file].diagnostics.push(diagnostic);
    }
    for report in reports.iter_mut() {
        crate::check::sort_diagnostics(&mut report.diagnostics);
    }
}

fn display(path: &Path) -> String {
    let shown = path.display().to_string();
    shown.strip_prefix("./").map(str::to_owned).unwrap_or(shown)
}

fn fold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The bytes of the file that belong to the rule of `query`: its Sigma document, its
/// `.conf` stanza (from the header), or the whole file.
fn rule_region(text: &str, query: &EmbeddedQuery) -> (usize, usize) {
    match query.language {
        Language::Sigma => (query.span_in_file.start as usize, query.span_in_file.end as usize),
        _ => (0, text.len()),
    }
}

/// Where `value` is written as the value of an identifying key in `region` of the file: the
/// first occurrence after a `:` or `=` on a line (YAML keys, JSON members), or a stanza
/// header; the start of the region when it cannot be found.
fn locate(text: &str, (start, end): (usize, usize), value: &str, kind: SourceKind) -> Span {
    let region = &text[start.min(text.len())..end.min(text.len())];
    if kind == SourceKind::SavedSearches {
        let header = format!("[{value}]");
        if let Some(at) = region.find(&header) {
            let at = start + at + 1;
            return Span::new(at as u32, (at + value.len()) as u32);
        }
    }
    // A top-level key first (YAML), then any key (JSON members, nested YAML keys).
    for top_level in [true, false] {
        for (at, _) in region.match_indices(value) {
            let line_start = region[..at].rfind('\n').map_or(0, |i| i + 1);
            let before = region[line_start..at].trim_end_matches([' ', '\t', '"', '\'']);
            let indented = region[line_start..].starts_with([' ', '\t']);
            if before.ends_with(':') && (!top_level || !indented) {
                let at = start + at;
                return Span::new(at as u32, (at + value.len()) as u32);
            }
        }
    }
    Span::new(start as u32, start as u32).widen_empty(text)
}

/// The `rule <name> {` headers of a YARA-L file, with the span of each name.
fn yaral_rule_names(text: &str) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("rule")
            && rest.starts_with([' ', '\t'])
        {
            let name_start = line.len() - rest.trim_start().len();
            let rest = rest.trim_start();
            let name_len =
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            if name_len > 0 {
                let at = offset + name_start;
                out.push((&rest[..name_len], Span::new(at as u32, (at + name_len) as u32)));
            }
        }
        offset += line.len();
    }
    out
}

/// The query with comments removed and every run of whitespace made one space, or `None`
/// when it is too short to compare (or the language's query is a whole document).
pub fn normalise(language: Language, query: &str) -> Option<String> {
    let line_comment = match language {
        Language::Kql => Some("//"),
        Language::Spl => None,
        // A Sigma or YARA-L text holds the rule's own title and name: never identical.
        Language::Sigma | Language::Yaral => return None,
    };
    let mut out = String::with_capacity(query.len());
    let mut chars = query.char_indices().peekable();
    let mut quote: Option<char> = None;
    let mut verbatim = false;
    let mut pending_space = false;
    while let Some((at, c)) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            // KQL verbatim strings (`@"C:\"`) have no escapes.
            if c == '\\' && !verbatim {
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if let Some(marker) = line_comment
            && query[at..].starts_with(marker)
        {
            while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                chars.next();
            }
            pending_space = true;
            continue;
        }
        if language == Language::Spl && query[at..].starts_with("```") {
            let rest = &query[at + 3..];
            let skip = rest.find("```").map_or(rest.len(), |i| i + 3) + 3;
            let until = at + skip;
            while chars.peek().is_some_and(|&(i, _)| i < until) {
                chars.next();
            }
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        if c == '"' || c == '\'' {
            quote = Some(c);
            verbatim = language == Language::Kql && out.ends_with('@');
        }
        out.push(c);
    }
    let significant = out.chars().filter(|c| !c.is_whitespace()).count();
    (significant >= MIN_QUERY_CHARS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_drops_comments_and_spacing_but_keeps_strings() {
        let a = "// Detects x\nDeviceProcessEvents\n| where FileName =~ \"a  b.exe\" // the tool\n| project Timestamp, DeviceName, FileName, ProcessCommandLine";
        let b = "DeviceProcessEvents | where FileName =~ \"a  b.exe\"\n    | project Timestamp, DeviceName, FileName, ProcessCommandLine\n";
        assert_eq!(normalise(Language::Kql, a), normalise(Language::Kql, b));
        assert!(normalise(Language::Kql, a).unwrap().contains("\"a  b.exe\""));
        let url = "DeviceNetworkEvents | where RemoteUrl == \"http://x.test/a\" | project Timestamp, DeviceName";
        assert!(normalise(Language::Kql, url).unwrap().contains("http://x.test/a"));
        let other = b.replace("a  b.exe", "a b.exe");
        assert_ne!(normalise(Language::Kql, a), normalise(Language::Kql, &other));
        assert_eq!(normalise(Language::Kql, "SecurityEvent | take 10"), None);
        let spl = "```comment``` index=windows EventCode=4688 | stats count by host, user, process_name | where count > 5";
        let spl2 = "index=windows   EventCode=4688\n| stats count by host, user, process_name | where count > 5";
        assert_eq!(normalise(Language::Spl, spl), normalise(Language::Spl, spl2));
        assert_eq!(normalise(Language::Sigma, "title: x"), None);
        // A verbatim string ending in `\` ends there: the comment after it goes.
        let verbatim = "DeviceFileEvents | where FolderPath startswith @\"C:\\Temp\\\" // tmp\n| project Timestamp, DeviceName, FolderPath";
        let plain = "DeviceFileEvents | where FolderPath startswith @\"C:\\Temp\\\" | project Timestamp, DeviceName, FolderPath";
        assert_eq!(normalise(Language::Kql, verbatim), normalise(Language::Kql, plain));
    }

    #[test]
    fn yaral_rule_names_are_found_at_line_starts() {
        let text = "rule first_rule {\n  meta:\n    x = \"rule y\"\n}\n\nrule second {\n}\n";
        let names: Vec<&str> = yaral_rule_names(text).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["first_rule", "second"]);
        let (_, span) = yaral_rule_names(text)[1];
        assert_eq!(&text[span.start as usize..span.end as usize], "second");
    }

    #[test]
    fn values_are_located_at_their_key() {
        let text = "name: Brute force\ndescription: Brute force against x\nid: abc\n";
        let span = locate(text, (0, text.len()), "abc", SourceKind::Yaml);
        assert_eq!(&text[span.start as usize..span.end as usize], "abc");
        assert_eq!(line_of(text, span.start as usize), 3);
        let conf = "[a]\nsearch = x\n[Brute force]\nsearch = y\n";
        let span = locate(conf, (0, conf.len()), "Brute force", SourceKind::SavedSearches);
        assert_eq!(line_of(conf, span.start as usize), 3);
    }
}
