//! The missing-exclusion check shared by KQL403 and SPL403: a query that selects events with
//! broad matches (`startswith`, `contains`, `has_any`, `in~`, regexes, SPL wildcards) and
//! excludes nothing anywhere.
//!
//! Both halves are read off the condition model. An *inclusion* is a positive test with a
//! literal on an entity field (process, file, path, command line, URL...); it is *broad* when
//! the operator matches more than the literal itself, and the query is left alone when an
//! exact test on an entity field pins it down or when it sweeps for published indicators. An *exclusion* is any negated test (`!=`, `!in~`, `not(...)`, SPL `NOT`), an
//! anti-join, an ESCU `*_filter` macro, or the allow-list pattern `lookup ... | where
//! isempty(x)`. Tests that only check the shape of a value (`contains "@"`, `!= ""`,
//! `isnotempty(x)`) are neither.

use qlint_grammar::Span;

use crate::analysis::logic::{Comparison, Condition, Literal, LiteralKind, LogicModel, OpKind};
use crate::rules::indicators::{
    is_indicator_literal, is_indicator_test, names_tool, regex_literal_words,
};

/// Words of field names that hold the things a detection is tuned on: processes, files,
/// paths, command lines, URLs, domains, registry keys, services, scripts
/// (`InitiatingProcessCommandLine`, `TargetFilename`, `RemoteUrl`, `registry_path`).
const ENTITY_WORDS: &[&str] = &[
    "process",
    "command",
    "cmdline",
    "file",
    "folder",
    "path",
    "image",
    "url",
    "uri",
    "domain",
    "registry",
    "useragent",
    "user_agent",
    "script",
    "service",
    "module",
    "dll",
    "parent",
    "subject",
];

/// Words of field names that describe what happened rather than who or what did it: a broad
/// match on them selects an event type (`UrlCategory`, `ProcessIntegrityLevel`,
/// `FileOperationType`), so it is no place for an exclusion.
const SELECTOR_WORDS: &[&str] = &[
    "category",
    "type",
    "action",
    "result",
    "status",
    "severity",
    "level",
    "tags",
    "operation",
    "reason",
    "description",
];

/// Fields named like entities that select the data source or the operation: Syslog's
/// `ProcessName` is the daemon that logged the line.
/// Graph activity logs' `RequestUri` names the API that was called: an operation, not an entity.
const SCOPING_FIELDS: &[&str] = &["processname", "process_name_s", "requesturi"];

/// A broad inclusion in a query that excludes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingExclusion {
    /// Where to report: the first broad inclusion, from its field to its first literal.
    pub span: Span,
    /// The field to tune, when the inclusion names one (`None` for SPL bare terms).
    pub field: Option<String>,
    /// The first broad inclusion as written (`FileName startswith "psexec"`), shortened.
    pub written: String,
    /// How many broad inclusions the query has.
    pub count: usize,
}

/// The first broad inclusion of a query that has no exclusion, if any.
pub fn missing_exclusion(logic: &LogicModel, text: &str) -> Option<MissingExclusion> {
    if is_template(text)
        || is_indicator_sweep(text)
        || excludes_something(logic, text)
        || reads_inventory(logic)
    {
        return None;
    }
    let positives = positive_tests(logic);
    let lists = let_lists(text);
    // `SHA256 in (hashes)`, `RemoteIP in (iocs)`, `cmdline contains "xmrig"`, a list of
    // COM class ids or an actor's command lines: a sweep for indicators, a tool or a
    // signature, whatever else it matches.
    let sweep = |c: &Comparison| {
        is_indicator_test(c)
            || c.values.iter().any(|v| names_tool(&v.value))
            || (c.op.kind == OpKind::Regex
                && c.values.iter().any(|v| names_tool(&regex_literal_words(&v.value).join(" "))))
            || is_signature_list(c, text)
            || lists_used_by(c, text, &lists).any(|(_, items)| {
                let items: Vec<&str> = items.iter().map(String::as_str).collect();
                items.iter().any(|i| has_guid(i) || is_hash(i))
            })
    };
    if logic.comparisons().iter().any(|(c, positive, _)| *positive && !c.op.negated && sweep(c)) {
        return None;
    }
    // Scoped to named hosts (`DeviceName in ("ws01")`, a `let` list of compromised devices)
    // or to a product's alert feed (a `Severity` test): an investigation, or alerts
    // already tuned where they were raised.
    if logic.comparisons().iter().any(|(c, positive, _)| {
        *positive && !c.op.negated && (is_host_scope(c, text, &lists) || is_severity_test(c))
    }) {
        return None;
    }
    // An exact value on an entity field (`FileName =~ "certutil.exe"`) already pins the
    // detection down; the broad matches only refine it.
    if positives.iter().any(|c| is_exact_entity_test(c, text)) {
        return None;
    }
    if logic.filters.iter().any(|filter| pins_one_file(&filter.condition, text)) {
        return None;
    }
    let broad: Vec<&Comparison> = positives.iter().copied().filter(|c| is_broad(c, text)).collect();
    let first = broad.first()?;
    let end = first.values.first().map_or(first.span.end, |v| v.span.end);
    let start = first.field.as_ref().map_or(first.span.start, |f| f.span.start.min(end));
    let span = Span::new(start, end);
    Some(MissingExclusion {
        span,
        field: first.field.as_ref().map(|f| f.name.clone()).or_else(|| subject_of(first, text)),
        written: shorten(text.get(span.start as usize..span.end as usize).unwrap_or("")),
        count: broad.len(),
    })
}

/// The software and vulnerability inventory (`DeviceTvmSoftwareInventory`,
/// `DeviceTvmSoftwareVulnerabilities`, ...): a query that reads it asks what is installed or
/// exposed, not what happened, so it has no benign events to exclude.
fn reads_inventory(logic: &LogicModel) -> bool {
    logic.event_sources.iter().any(|(name, _)| name.to_ascii_lowercase().starts_with("devicetvm"))
}

/// `let name = dynamic([...])` / `pack_array(...)` lists of a text with their string items.
fn let_lists(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(at) = rest.find("let ") {
        let start = offset + at;
        let before_ok = start == 0
            || !text[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = &text[start + 4..];
        rest = after;
        offset = start + 4;
        if !before_ok {
            continue;
        }
        let after = after.trim_start();
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        let Some(body) = after[name.len()..].trim_start().strip_prefix('=') else { continue };
        let body = body.trim_start();
        // Compares only the head of the body: lowercasing the rest of the text at each `let`
        // made a query of many `let`s quadratic.
        let Some(open) = ["dynamic", "pack_array"]
            .iter()
            .find(|f| {
                body.as_bytes().get(..f.len()).is_some_and(|b| b.eq_ignore_ascii_case(f.as_bytes()))
            })
            .and_then(|f| body[f.len()..].trim_start().starts_with('(').then_some(f.len()))
        else {
            continue;
        };
        let inner = &body[open..];
        let end = inner.find(';').unwrap_or(inner.len());
        out.push((name, string_items(&inner[..end])));
    }
    out
}

/// The quoted strings of a list text (`["a", 'b']`).
fn string_items(list: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut chars = list.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let item: String = chars.by_ref().take_while(|&d| d != c).collect();
            items.push(item);
        }
    }
    items
}

/// The `let` lists the right side of a test names: `DeviceName has_any (CompromisedDevices)`.
fn lists_used_by<'a>(
    c: &Comparison,
    text: &str,
    lists: &'a [(String, Vec<String>)],
) -> impl Iterator<Item = &'a (String, Vec<String>)> {
    let right = if c.values.is_empty() && c.op.span.end <= c.span.end {
        text.get(c.op.span.end as usize..c.span.end as usize).unwrap_or("")
    } else {
        ""
    };
    let words: Vec<&str> = right
        .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    lists.iter().filter(move |(name, _)| words.contains(&name.as_str()))
}

/// A file hash: 32, 40 or 64 hex digits.
fn is_hash(value: &str) -> bool {
    let value = value.trim();
    matches!(value.len(), 32 | 40 | 64) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Fields naming one machine: `DeviceName`, `DeviceId`, `Computer`, `HostName`.
const HOST_FIELDS: &[&str] = &[
    "devicename",
    "deviceid",
    "computer",
    "computername",
    "hostname",
    "host",
    "machinename",
    "machineid",
    "dvchostname",
];

/// A positive test of exact host names, written out or from a `let` list of literals
/// (`DeviceName =~ "ws01"`, `DeviceName has_any (CompromisedDevices)`): the query looks at
/// machines an investigation named. A list computed by a sub-query (`DeviceId in
/// (DomainControllers)`) is a class of hosts and does not count.
fn is_host_scope(c: &Comparison, text: &str, lists: &[(String, Vec<String>)]) -> bool {
    let Some(field) = &c.field else { return false };
    if !HOST_FIELDS.contains(&field.base_name().to_ascii_lowercase().as_str()) {
        return false;
    }
    let named = |v: &str| {
        let v = v.trim();
        !v.is_empty() && !v.contains('*') && v.chars().any(char::is_alphanumeric)
    };
    match c.op.kind {
        OpKind::Equal | OpKind::In | OpKind::Has | OpKind::HasAny => {
            if c.values.is_empty() {
                lists_used_by(c, text, lists)
                    .any(|(_, items)| !items.is_empty() && items.iter().all(|i| named(i)))
            } else {
                !c.op.wildcards && c.values.iter().all(|v| named(&v.value))
            }
        }
        _ => false,
    }
}

/// `Severity =~ "High"`, `AlertSeverity == "High"`: rows that carry a severity are a
/// product's alerts; the broad matches pick which of them to forward.
fn is_severity_test(c: &Comparison) -> bool {
    c.field.as_ref().is_some_and(|f| {
        let name = f.base_name().to_ascii_lowercase();
        name == "severity" || name == "alertseverity"
    }) && !c.values.is_empty()
}

/// A list most of whose values are signatures a report publishes (command-line fragments,
/// code, GUIDs, exploit strings): `has_any ("Net.We$()bClient", "$b,15,$b.Length-15", ...)`.
fn is_signature_list(c: &Comparison, text: &str) -> bool {
    // An exact test (`Activity =~ "Deny List updated"`) selects events; it is no signature.
    if matches!(
        c.op.kind,
        OpKind::Equal | OpKind::In | OpKind::Term | OpKind::Order | OpKind::Between
    ) || !subject_of(c, text).is_some_and(|name| is_entity_field(&name))
    {
        return false;
    }
    let specific = c.values.iter().filter(|v| is_specific(v)).count();
    specific > 0 && specific * 2 >= c.values.len()
}

/// A file described by its folder, a piece of its name and its extension together, in one
/// `and` (`FolderPath contains @"Windows\Temp" and FileName contains "output" and FileName
/// endswith "dmp"`): one naming convention, a tool's output file, as narrow as an exact
/// name. Folder and extension alone (`\Temp\` and `.exe`) are still broad.
fn pins_one_file(condition: &Condition, text: &str) -> bool {
    let mut found = false;
    condition.walk(&mut |node| {
        let Condition::And(items, _) = node else { return };
        let tests: Vec<&Comparison> = items
            .iter()
            .filter_map(|item| match item {
                Condition::Compare(c) if !c.op.negated && !c.values.is_empty() => Some(c),
                _ => None,
            })
            .collect();
        let named = |c: &Comparison, words: &[&str]| {
            subject_of(c, text).is_some_and(|name| {
                let lower = name.to_ascii_lowercase();
                words.iter().any(|w| lower.contains(w))
            })
        };
        let on_name = |c: &Comparison| named(c, &["filename", "file_name"]);
        let folder =
            tests.iter().any(|c| !on_name(c) && named(c, &["folder", "path", "directory"]));
        let extension = tests.iter().any(|c| {
            on_name(c)
                && c.op.kind == OpKind::EndsWith
                && c.values.iter().all(|v| {
                    let ext = v.value.trim_start_matches('.');
                    (1..=5).contains(&ext.len()) && ext.chars().all(|ch| ch.is_ascii_alphanumeric())
                })
        });
        let stem = tests.iter().any(|c| {
            on_name(c)
                && matches!(
                    c.op.kind,
                    OpKind::Contains | OpKind::StartsWith | OpKind::Has | OpKind::HasPrefix
                )
                && c.values.iter().all(|v| is_meaningful(v, c.op.kind) && !v.value.starts_with('.'))
        });
        found |= folder && extension && stem;
    });
    found
}

/// A text with `$name$` tokens is a template (a drilldown, a macro body): a fragment of the
/// search that will run, whose exclusions live elsewhere.
fn is_template(text: &str) -> bool {
    let pieces: Vec<&str> = text.split('$').collect();
    // The pieces between two `$` are those at odd positions that have a `$` after them.
    pieces.iter().enumerate().skip(1).step_by(2).any(|(i, piece)| {
        i + 1 < pieces.len()
            && !piece.is_empty()
            && piece.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    })
}

/// One line of at most 60 characters.
fn shorten(written: &str) -> String {
    let line = written.lines().next().unwrap_or("").trim_end();
    if line.chars().count() > 60 || line.len() < written.trim_end().len() {
        let cut: String = line.chars().take(57).collect();
        format!("{}...", cut.trim_end())
    } else {
        line.to_owned()
    }
}

/// Positive, non-negated comparisons with at least one literal, in text order.
fn positive_tests(logic: &LogicModel) -> Vec<&Comparison> {
    logic
        .comparisons()
        .into_iter()
        .filter(|(c, positive, _)| *positive && !c.op.negated && !c.values.is_empty())
        .map(|(c, _, _)| c)
        .collect()
}

/// The field a test is on: its name, or the column inside an expression
/// (`tolower(ProcessCommandLine)`, `tostring(AdditionalFields)`).
fn subject_of(c: &Comparison, text: &str) -> Option<String> {
    if let Some(field) = &c.field {
        return Some(field.base_name().to_owned());
    }
    if c.op.span.is_empty() || c.op.span.start < c.span.start {
        return None;
    }
    let left = text.get(c.span.start as usize..c.op.span.start as usize)?.trim();
    let inner = left.rsplit('(').next()?.split([')', ',']).next()?.trim();
    let name = inner.rsplit('.').next()?;
    (!name.is_empty() && name.chars().all(|ch| ch.is_alphanumeric() || ch == '_'))
        .then(|| name.to_owned())
}

/// A field a detection is tuned on: named like an entity and not like an event selector.
fn is_entity_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // `ProcessId`, `parent_process_id`, `ProcessGuid`: numbers, not names.
    let identifier = ["id", "guid", "pid"].iter().any(|suffix| lower.ends_with(suffix));
    // `NewDomainValue`, `OldValue`: a setting's value in an audit record (registry values
    // excepted: `RegistryValue` names the value of a key).
    let setting = lower.ends_with("value") && !lower.contains("registry");
    !identifier
        && !setting
        && !SCOPING_FIELDS.contains(&lower.as_str())
        && (ENTITY_WORDS.iter().any(|w| lower.contains(w)) || is_dns_query_field(&lower))
        && !SELECTOR_WORDS.iter().any(|w| lower.contains(w))
}

/// `Query`, `DnsQuery`, `QueryName`, `query_name`: the name a DNS lookup asked for (not the
/// text of an SQL or API query, `QUERY_TEXT_s`).
fn is_dns_query_field(lower: &str) -> bool {
    matches!(
        lower,
        "query" | "dnsquery" | "queryname" | "query_name" | "dns_query" | "dnsqueryname"
    )
}

/// A literal that names something worth excluding around: at least two letters or digits
/// besides wildcards. Single characters, emoji and homoglyph lists (`has_any ("а", "е")`),
/// UNC and path markers (`startswith @"\\"`) and shape checks (`contains "@"`) are not.
/// A regular expression must match at least two letters literally, besides `http`: the
/// shape checks `\d{1,3}\.\d{1,3}` (an IP address) or `[a-z0-9]{1,3}\.\w+` name nothing.
fn is_meaningful(literal: &Literal, op: OpKind) -> bool {
    if literal.kind != LiteralKind::String {
        return false;
    }
    if op == OpKind::Regex {
        return regex_literal_words(&literal.value).iter().any(|word| {
            word.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && !matches!(word.to_ascii_lowercase().as_str(), "http" | "https")
        });
    }
    literal.value.chars().filter(|c| c.is_alphanumeric()).count() >= 2
}

/// A positive test on an entity field (or an SPL term on the raw event) that matches more
/// than its literal: substring, prefix, suffix, term and regex operators, SPL values with `*`.
/// `in~` is a list of exact values: no broader than `=~`.
fn is_broad(c: &Comparison, text: &str) -> bool {
    let on_entity = match subject_of(c, text) {
        // `Query contains "sAMAccountType=805306369"`: an LDAP filter, not a DNS name.
        Some(name) if is_dns_query_field(&name.to_ascii_lowercase()) => c
            .values
            .iter()
            .any(|v| v.value.chars().all(|ch| ch.is_alphanumeric() || "*.-_".contains(ch))),
        Some(name) => is_entity_field(&name),
        // An SPL bare term searches the whole raw event.
        None => c.op.kind == OpKind::Term,
    };
    if !on_entity {
        return false;
    }
    let broad_operator = match c.op.kind {
        OpKind::StartsWith
        | OpKind::EndsWith
        | OpKind::Contains
        | OpKind::Has
        | OpKind::HasPrefix
        | OpKind::HasSuffix
        | OpKind::HasAny
        | OpKind::HasAll
        | OpKind::Regex
        | OpKind::Like => true,
        OpKind::Equal | OpKind::Term | OpKind::In if c.op.wildcards => {
            c.values.iter().any(|v| v.value.contains('*'))
        }
        OpKind::Equal | OpKind::Term | OpKind::In | OpKind::Order | OpKind::Between => false,
    };
    let exact_regex = c.op.kind == OpKind::Regex && c.values.iter().all(is_exact_pattern);
    // A list that is mostly domains, addresses or exploit strings is an indicator list, odd
    // entries and all.
    let indicators =
        c.values.iter().filter(|v| is_indicator_literal(v) || is_attack_string(&v.value)).count();
    let indicator_list = indicators > 0 && indicators * 2 >= c.values.len();
    broad_operator && !exact_regex && !indicator_list && values_are_broad(c) && !is_sanity_match(c)
}

/// Whether the values leave the match broad: one broad value is enough in a list of
/// alternatives, while `has_all` is as narrow as its most specific value.
fn values_are_broad(c: &Comparison) -> bool {
    let broad = |v: &Literal| is_meaningful(v, c.op.kind) && !is_specific(v);
    if c.op.kind == OpKind::HasAll {
        c.values.iter().any(broad)
            && !c.values.iter().any(|v| is_specific(v) || is_indicator_literal(v))
    } else {
        c.values.iter().any(broad)
    }
}

/// `^PowerShell\.exe$`, `(?i)^winword\.exe$`: a regex anchored at both ends with no
/// repetition, class or alternative matches one value (up to case).
fn is_exact_pattern(literal: &Literal) -> bool {
    let pattern = literal.value.strip_prefix("(?i)").unwrap_or(&literal.value);
    let Some(body) = pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$')) else {
        return false;
    };
    let mut escaped = false;
    for c in body.chars() {
        if escaped {
            // `\.` and `\\` are literal characters; `\d`, `\w`, `\s` are classes.
            if c.is_ascii_alphabetic() {
                return false;
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if "*+?{}[]()|.".contains(c) {
            return false;
        }
    }
    true
}

/// A literal so specific that benign look-alikes are not expected, as threat reports publish
/// them: a command-line fragment of three words or more, a GUID (a COM class id), an exploit
/// string (`${jndi:`).
fn is_specific(literal: &Literal) -> bool {
    let value = &literal.value;
    let multi_word = value.split_whitespace().count() >= 3
        && value.chars().filter(|c| c.is_alphanumeric()).count() >= 15;
    multi_word
        || value.contains("${")
        || has_guid(value)
        || is_attack_string(value)
        || is_code(value)
}

/// Script code as an actor wrote it: a `$(...)` subexpression or two variables
/// (`Net.We$()bClient`, `$b,15,$b.Length-15`). An option or a word (`$env`) is not.
fn is_code(value: &str) -> bool {
    let variables = value
        .as_bytes()
        .windows(2)
        .filter(|w| w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'('))
        .count();
    value.contains("$(") || variables >= 2
}

/// Exploit payloads as they appear in requests and command lines: percent-encoded bytes
/// (`/%2e%2e/`), path traversal, `/etc/passwd`, script injection, and a base64-encoded PE
/// header (`TVqQAAMAAAAEAAA`). Benign traffic does not carry them.
fn is_attack_string(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let percent_encoded = lower
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    let markers =
        ["../", "..\\", "/etc/passwd", "/etc/shadow", "<script", "alert(", "union select"];
    percent_encoded
        || markers.iter().any(|m| lower.contains(m))
        || (value.len() >= 8
            && ["TVqQ", "TVpQ", "TVoA", "TVro"].iter().any(|p| value.starts_with(p)))
}

/// `c08afd90-f2a1-11d1-8455-00a0c91f3880`: hex groups of 8-4-4-4-12.
fn has_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split(|c: char| !c.is_ascii_hexdigit() && c != '-').collect();
    groups.iter().any(|run| {
        let parts: Vec<usize> = run.split('-').map(str::len).collect();
        parts.windows(5).any(|w| w == [8, 4, 4, 4, 12])
    })
}

/// A sweep for published indicators: the text holds a file hash (32, 40 or 64 hex digits) or
/// reads an IoC feed with `externaldata`.
/// Such a query matches what a report named; there is nothing benign to exclude.
fn is_indicator_sweep(text: &str) -> bool {
    // `externaldata(...)` of an IoC feed (`let iocs = externaldata(IoC: string, ...)`).
    let lower = text.to_ascii_lowercase();
    if lower.contains("externaldata") && lower.contains("ioc") {
        return true;
    }
    // A hunt for an exploit's payload (`${jndi:`): what it refines is attack traffic.
    if lower.contains("${jndi") {
        return true;
    }
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
        matches!(word.len(), 32 | 40 | 64)
            && word.bytes().all(|b| b.is_ascii_hexdigit())
            && word.bytes().any(|b| b.is_ascii_digit())
    })
}

/// `FileName =~ "certutil.exe"`, `Image in ("...")`: a positive test of exact values on an
/// entity field. On a process or file field (not a command line), `has "rundll32.exe"`,
/// `has_any ("cmd.exe", "powershell.exe")` and `endswith @"\certutil.exe"` name whole
/// files: as good as `=~` for pinning the detection down.
fn is_exact_entity_test(c: &Comparison, text: &str) -> bool {
    let Some(subject) = subject_of(c, text) else { return false };
    let exact = match c.op.kind {
        OpKind::Equal | OpKind::Term | OpKind::In => {
            !c.op.wildcards || c.values.iter().all(|v| !v.value.contains('*'))
        }
        OpKind::Has | OpKind::HasAny | OpKind::HasSuffix | OpKind::Contains | OpKind::EndsWith => {
            !is_command_line(&subject)
                && c.values.iter().all(|v| is_file_name(v.value.trim_start_matches(['\\', '/'])))
        }
        _ => false,
    };
    exact && c.values.iter().any(|v| !v.value.trim().is_empty()) && is_entity_field(&subject)
}

/// `ProcessCommandLine`, `cmdline`, `CommandLine`: where a file name is only an argument.
fn is_command_line(field: &str) -> bool {
    let lower = field.to_ascii_lowercase();
    lower.contains("command") || lower.contains("cmdline") || lower.contains("url")
}

/// `certutil.exe`, `MsMpEng.exe`: one file name with an extension, nothing else.
fn is_file_name(value: &str) -> bool {
    let Some((stem, extension)) = value.rsplit_once('.') else { return false };
    !stem.is_empty()
        && stem.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && (2..=4).contains(&extension.len())
        && extension.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Matches that check a value is well formed rather than select events: `startswith "http"`,
/// SPL `field=*`.
fn is_sanity_match(c: &Comparison) -> bool {
    c.values.iter().all(|v| {
        let core = v.value.trim_matches('*').to_ascii_lowercase();
        core.is_empty() || matches!(core.as_str(), "http" | "https" | "http://" | "https://")
    })
}

/// True when the query excludes anything: a negated test on a value, a `not(...)` around a
/// test, an anti-join or filter macro (`exclusion_elsewhere`), or an emptiness test that
/// keeps what a lookup did not find.
fn excludes_something(logic: &LogicModel, text: &str) -> bool {
    logic.exclusion_elsewhere
        || logic.filters.iter().any(|filter| excludes(&filter.condition, true, text))
}

fn excludes(condition: &Condition, positive: bool, text: &str) -> bool {
    match condition {
        Condition::And(items, _) | Condition::Or(items, _) => {
            items.iter().any(|item| excludes(item, positive, text))
        }
        Condition::Not(inner, _) => excludes(inner, !positive, text),
        Condition::Compare(c) => c.op.negated == positive && !is_shape_test(c),
        Condition::Opaque(span) => {
            let call = span_text(text, *span);
            match emptiness_test(&call) {
                // `isempty(x)` keeps what a lookup left empty; `not(isempty(x))` is a sanity check.
                Some(empty) => empty == positive,
                // `not(ipv4_is_private(ip))`, `not(my_allowlist(x))`.
                None => !positive,
            }
        }
        Condition::Constant(..) => false,
    }
}

/// `x != ""`, `x != "-"`, `x!=*`... only drop empty values.
fn is_shape_test(c: &Comparison) -> bool {
    !c.values.is_empty()
        && c.values.iter().all(|v| {
            let core = v.value.trim_matches(|ch: char| ch == '*' || ch.is_whitespace());
            core.is_empty() || core == "-"
        })
        && !c.values.iter().any(|v| v.value.trim() == "*")
}

fn span_text(text: &str, span: Span) -> String {
    text.get(span.start as usize..span.end as usize).unwrap_or("").trim().to_ascii_lowercase()
}

/// `Some(true)` for `isempty(...)` / `isnull(...)`, `Some(false)` for their `isnot` forms.
fn emptiness_test(call: &str) -> Option<bool> {
    let name = call.split('(').next()?.trim();
    match name {
        "isempty" | "isnull" => Some(true),
        "isnotempty" | "isnotnull" => Some(false),
        _ => None,
    }
}

/// How a language words the missing-exclusion finding.
pub struct Wording {
    /// What the text is called: "query", "search".
    pub noun: &'static str,
    /// The advice when no single field can be named.
    pub without_field: &'static str,
}

/// Reports the first broad match of a text that excludes nothing, once, as `meta`: a warning
/// in an alerting rule, the rule's own severity elsewhere; never in a function body.
pub fn report(
    cx: &crate::rules::Context<'_>,
    meta: &crate::rules::RuleMeta,
    wording: &Wording,
    out: &mut Vec<crate::diagnostic::Diagnostic>,
) {
    use crate::query::QueryRole;
    if cx.facts.role == QueryRole::Function {
        return;
    }
    let Some(found) = missing_exclusion(cx.analysis.logic(), cx.text) else { return };
    if cx.facts.role != QueryRole::Alert && is_listing(cx, &found) {
        return;
    }
    let tune = match &found.field {
        Some(field) => format!("exclude the known-good values of `{field}`"),
        None => wording.without_field.to_owned(),
    };
    let more = match found.count {
        1 => String::new(),
        n => format!(" ({n} broad matches)"),
    };
    let mut diagnostic = meta.diagnostic(
        found.span,
        format!(
            "`{}` is a broad match and the {} excludes nothing: {tune}{more}",
            found.written, wording.noun
        ),
    );
    if cx.facts.role == QueryRole::Alert {
        diagnostic.severity = crate::diagnostic::Severity::Warning;
    }
    if let Some(fix) = exclusion_skeleton(cx, &found) {
        diagnostic = diagnostic.with_fix(fix);
    }
    out.push(diagnostic);
}

/// A hunt whose pipeline, after the broad match, ends in a listing with no threshold after
/// it: `distinct`, a `summarize ... by` without aggregates, a `summarize` grouped by the
/// matched field (or a column computed from it), or a `project` of only the fields the
/// query tests. The analyst reads each distinct value once:
/// that review is the tuning, and there are no events left to exclude.
fn is_listing(cx: &crate::rules::Context<'_>, found: &MissingExclusion) -> bool {
    use qlint_grammar::kql::ast::walk_pipelines;
    let Some(query) = cx.kql() else { return false };
    let Some(field) = &found.field else { return false };
    // The innermost pipeline holding the broad match: (its length, whether it lists).
    let tested: Vec<String> = cx
        .analysis
        .logic()
        .comparisons()
        .iter()
        .filter(|(c, positive, _)| *positive && !c.op.negated)
        .filter_map(|(c, _, _)| subject_of(c, cx.text))
        .collect();
    let mut best: Option<(u32, bool)> = None;
    walk_pipelines(query, &mut |p| {
        let inside = p.span.start <= found.span.start && found.span.end <= p.span.end;
        let length = p.span.end - p.span.start;
        if inside && best.is_none_or(|(l, _)| length <= l) {
            best = Some((length, lists_after(p, found.span.end, field, &tested, cx.text)));
        }
    });
    best.is_some_and(|(_, listing)| listing)
}

/// Whether the stages of `pipeline` after `offset` end in a listing of `field`'s values.
fn lists_after(
    pipeline: &qlint_grammar::kql::ast::Pipeline,
    offset: u32,
    field: &str,
    tested: &[String],
    text: &str,
) -> bool {
    use qlint_grammar::kql::ast::TabularOperator as Op;
    let piece = |span: Span| text.get(span.start as usize..span.end as usize).unwrap_or("");
    let mut names = vec![field.to_owned()];
    let mut listing = false;
    for op in pipeline.operators.iter().filter(|op| op.span().start >= offset) {
        match op {
            Op::Extend { columns, .. } => {
                for column in columns {
                    if names.iter().any(|n| mentions(piece(column.expr.span()), n)) {
                        names.extend(column.names.iter().map(|i| i.name.clone()));
                    }
                }
            }
            // `project RegistryValueData, RegistryKey`: the output is only the values the
            // query matched on, a listing of them.
            Op::Project { columns, .. } => {
                listing |= !columns.is_empty()
                    && columns.iter().all(|column| {
                        column.names.is_empty()
                            && tested.iter().any(|t| piece(column.expr.span()).trim() == t)
                    });
            }
            Op::Distinct { .. } => listing = true,
            Op::Summarize { aggregates, by, .. } => {
                let grouped_by_field =
                    by.iter().any(|b| names.iter().any(|n| mentions(piece(b.span), n)));
                listing = !by.is_empty() && (aggregates.is_empty() || grouped_by_field);
            }
            Op::Where { .. } => listing = false,
            _ => {}
        }
    }
    listing
}

/// Whether `text` names `name` as a whole word.
fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        !text[..at].chars().next_back().is_some_and(word)
            && !text[at + name.len()..].chars().next().is_some_and(word)
    })
}

/// The placeholder the skeleton puts where the known-good values go.
const PLACEHOLDER: &str = "known-good value";

/// An editor-only fix: a new pipeline stage right after the stage that holds the broad match,
/// excluding placeholder values of its field without regard to case (KQL `!in~`, SPL `search`,
/// whose value matches ignore case). Unsafe: it changes what the query returns.
fn exclusion_skeleton(
    cx: &crate::rules::Context<'_>,
    found: &MissingExclusion,
) -> Option<crate::diagnostic::Fix> {
    use crate::diagnostic::{Applicability, Edit, Fix};
    use crate::rules::Syntax;
    let (stage, title) = match (&cx.syntax, &found.field) {
        (Syntax::Kql(_), Some(field)) => (
            format!("| where {field} !in~ (\"{PLACEHOLDER}\")"),
            format!("Add a case-insensitive exclusion of `{field}` values"),
        ),
        (Syntax::Spl(_), Some(field)) => (
            format!("| search NOT {field} IN (\"{PLACEHOLDER}\")"),
            format!("Add a case-insensitive exclusion of `{field}` values"),
        ),
        (Syntax::Spl(_), None) => (
            format!("| search NOT \"{PLACEHOLDER}\""),
            "Add a case-insensitive exclusion of known-good terms".to_owned(),
        ),
        _ => return None,
    };
    let at = stage_end(cx, found.span.end)?;
    let line_start = cx.text[..at as usize].rfind('\n').map_or(0, |i| i + 1);
    // Line the new stage up with the stage it follows when that one starts its line.
    let indent: String =
        cx.text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    Some(Fix {
        title,
        applicability: Applicability::Unsafe,
        edits: vec![Edit { span: Span::new(at, at), replacement: format!("\n{indent}{stage}") }],
    })
}

/// The end of the last token of the pipeline stage that holds `offset`: before the next `|`
/// at the same bracket depth, the bracket that closes the stage's pipeline, a `;`, or the end.
fn stage_end(cx: &crate::rules::Context<'_>, offset: u32) -> Option<u32> {
    use crate::rules::Syntax;
    // Every token's span, its bracket step (+1 opens, -1 closes) and whether it separates stages.
    let tokens: Vec<(Span, i8, bool)> = match cx.syntax {
        Syntax::Kql(_) => {
            use qlint_grammar::kql::lexer::TokenKind as K;
            qlint_grammar::kql::lex(cx.text)
                .into_iter()
                .filter(|t| t.kind != K::Comment)
                .map(|t| {
                    let depth = match t.kind {
                        K::LParen | K::LBracket | K::LBrace => 1,
                        K::RParen | K::RBracket | K::RBrace => -1,
                        _ => 0,
                    };
                    (t.span, depth, matches!(t.kind, K::Pipe | K::Semi))
                })
                .collect()
        }
        Syntax::Spl(_) => {
            use qlint_grammar::spl::lexer::TokenKind as K;
            qlint_grammar::spl::lex(cx.text)
                .into_iter()
                .filter(|t| t.kind != K::Comment)
                .map(|t| {
                    let depth = match t.kind {
                        K::LParen | K::LBracket => 1,
                        K::RParen | K::RBracket => -1,
                        _ => 0,
                    };
                    (t.span, depth, t.kind == K::Pipe)
                })
                .collect()
        }
        _ => return None,
    };
    // Which bracket levels before `offset` hold a pipeline: the stage is in the innermost one.
    let mut levels = vec![false];
    let (before, after): (Vec<_>, Vec<_>) =
        tokens.into_iter().partition(|(s, ..)| s.start < offset);
    for (_, step, separator) in before {
        match step {
            1 => levels.push(false),
            -1 if levels.len() > 1 => {
                levels.pop();
            }
            _ if separator => *levels.last_mut()? = true,
            _ => {}
        }
    }
    let stage_level = levels.iter().rposition(|has_pipe| *has_pipe).unwrap_or(0);
    let mut depth = levels.len() - 1;
    let mut last_end = None;
    for (span, step, separator) in after {
        match step {
            1 => depth += 1,
            -1 if depth <= stage_level => break,
            -1 => depth -= 1,
            _ if separator && depth == stage_level => break,
            _ => {}
        }
        last_end = Some(span.end);
    }
    Some(last_end.unwrap_or(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_keeps_one_line() {
        assert_eq!(shorten("FileName startswith \"x\""), "FileName startswith \"x\"");
        assert_eq!(shorten("a has_any (\"x\",\n \"y\")"), "a has_any (\"x\",...");
        assert_eq!(shorten(&"x".repeat(80)).chars().count(), 60);
    }

    #[test]
    fn entity_fields() {
        for entity in [
            "ProcessCommandLine",
            "InitiatingProcessFileName",
            "FolderPath",
            "RemoteUrl",
            "process_name",
            "Image",
            "TargetFilename",
            "QueryName",
            "RegistryKey",
            "UserAgent",
        ] {
            assert!(is_entity_field(entity), "{entity}");
        }
        for selector in [
            "UrlCategory",
            "FileOperationType",
            "ProcessIntegrityLevel",
            "ProcessName",
            "SyslogMessage",
            "EventMessage",
            "DvcAction",
            "ActionType",
            "AccountName",
            "Computer",
            "RenderedDescription",
            "ProcessId",
            "InitiatingProcessParentId",
        ] {
            assert!(!is_entity_field(selector), "{selector}");
        }
    }

    #[test]
    fn indicators() {
        assert!(is_indicator_sweep(
            "let h = dynamic(['58a74dceb2022cd8a358b92acd1b48a5e01c524c3b0195d7033e4bd55eff4495']);"
        ));
        assert!(!is_indicator_sweep("DeviceProcessEvents | where FileName startswith 'psexec'"));
        let literal = |value: &str| Literal {
            value: value.into(),
            kind: LiteralKind::String,
            span: Span::default(),
        };
        assert!(is_specific(&literal("{c08afd90-f2a1-11d1-8455-00a0c91f3880}")));
        assert!(is_specific(&literal("schtasks /create /sc minute /mo 5")));
        assert!(is_specific(&literal("${jndi:ldap")));
        assert!(!is_specific(&literal("-ExecutionPolicy Bypass")));
        assert!(!is_specific(&literal("psexec")));
        assert!(is_exact_pattern(&literal(r"^PowerShell\.exe$")));
        assert!(is_exact_pattern(&literal(r"(?i)^winword\.exe$")));
        assert!(!is_exact_pattern(&literal(r"^.*\.exe$")));
        assert!(!is_exact_pattern(&literal(r"\d+\.EXE$")));
        assert!(!is_exact_pattern(&literal(r"^[0-9a-f]{32}$")));
    }

    /// A listing is a hunt's way of reviewing matches; in an alerting rule every row of it
    /// raises an alert, so the finding stays.
    #[test]
    fn listings_are_left_alone_in_hunts_only() {
        use crate::query::{QueryFacts, QueryRole};
        let knowledge = qlint_knowledge::Knowledge::builtin();
        let text = "DeviceProcessEvents\n| where Timestamp > ago(1d)\n| where ProcessCommandLine has \"curl\"\n| summarize count() by ProcessCommandLine";
        let found = |role| {
            let facts = QueryFacts { role, ..QueryFacts::default() };
            crate::lint::lint_query_with(crate::Language::Kql, text, &knowledge, &facts)
                .iter()
                .filter(|d| d.code == "KQL403")
                .count()
        };
        assert_eq!(found(QueryRole::Hunt), 0);
        assert_eq!(found(QueryRole::Alert), 1);
    }

    #[test]
    fn let_lists_and_code() {
        let lists = let_lists(
            "let a = dynamic(['x', \"y\"]);\nlet b=pack_array(\"z\"); let c = T | take 1;",
        );
        assert_eq!(
            lists,
            vec![
                ("a".to_owned(), vec!["x".to_owned(), "y".to_owned()]),
                ("b".to_owned(), vec!["z".to_owned()])
            ]
        );
        assert!(is_code("Net.We$()bClient"));
        assert!(is_code("$b,15,$b.Length-15"));
        assert!(!is_code("$env"));
        assert!(!is_code("-enc"));
        assert!(mentions("tolower(FolderPath)", "FolderPath"));
        assert!(!mentions("InitiatingProcessFolderPath", "FolderPath"));
    }

    #[test]
    fn templates() {
        assert!(is_template(r#"Image="*\\$name$""#));
        assert!(is_template("user=$user$ | stats count"));
        assert!(!is_template(r#"ShareName="\\*\\IPC$""#));
        assert!(!is_template("a=$5 b=1"));
    }

    #[test]
    fn emptiness_tests() {
        assert_eq!(emptiness_test("isempty(x)"), Some(true));
        assert_eq!(emptiness_test("isnotnull (x)"), Some(false));
        assert_eq!(emptiness_test("strlen(x) > 3"), None);
    }

    fn skeleton(language: crate::Language, text: &str) -> String {
        let knowledge = qlint_knowledge::Knowledge::builtin();
        let found = crate::lint::lint_query(language, text, &knowledge);
        let d = found.iter().find(|d| d.code.ends_with("403")).expect("a 403 finding");
        let fix = d.fix.as_ref().expect("a skeleton fix");
        assert_eq!(fix.applicability, crate::diagnostic::Applicability::Unsafe);
        let edit = &fix.edits[0];
        let mut out = text.to_owned();
        out.replace_range(edit.span.start as usize..edit.span.end as usize, &edit.replacement);
        assert!(
            crate::lint::lint_query(language, &out, &knowledge)
                .iter()
                .all(|d| !d.code.ends_with("403")),
            "{out}"
        );
        out
    }

    #[test]
    fn the_skeleton_follows_the_stage_with_the_broad_match() {
        assert_eq!(
            skeleton(
                crate::Language::Kql,
                "DeviceProcessEvents\n| where (FileName startswith \"psexec\")\n| take 10"
            ),
            "DeviceProcessEvents\n| where (FileName startswith \"psexec\")\n| where FileName !in~ (\"known-good value\")\n| take 10"
        );
        assert_eq!(
            skeleton(
                crate::Language::Kql,
                "T\n| join (DeviceProcessEvents | where FileName startswith \"psexec\") on DeviceId"
            ),
            "T\n| join (DeviceProcessEvents | where FileName startswith \"psexec\"\n| where FileName !in~ (\"known-good value\")) on DeviceId"
        );
        assert_eq!(
            skeleton(crate::Language::Spl, "index=edr process_name=*psexec* | stats count by host"),
            "index=edr process_name=*psexec*\n| search NOT process_name IN (\"known-good value\") | stats count by host"
        );
    }
}
