//! Splunk `.conf` files: `savedsearches.conf` (`search = ...`) and `macros.conf`
//! (`definition = ...`), with `\` line continuations.
//!
//! A stanza's `dispatch.earliest_time` (or the one of `[default]` and of the lines before
//! the first stanza, which every stanza inherits) becomes the time window of its search.
//! A stanza with an enabled alert action (`action.email = 1`) or any `alert.*` / `alert_*`
//! setting is an alerting rule; a macro definition is a building block.

use qlint_grammar::Span;

use super::facts::splunk_window;
use super::{Decoder, EmbeddedQuery, Encoding, lines_in};
use qlint_linter::{Language, QueryFacts, QueryRole};

/// The setting that gives a saved search its time window.
const EARLIEST: &str = "dispatch.earliest_time";

/// Extracts the value of `key` in every stanza as an SPL query named after the stanza.
pub(super) fn extract(text: &str, key: &str) -> Vec<EmbeddedQuery> {
    let lines = lines_in(text, 0, text.len());
    let mut queries = Vec::new();
    let mut stanza: Option<String> = None;
    // `dispatch.earliest_time` of the global section and of each stanza, by stanza name.
    let mut default_earliest: Option<String> = None;
    let mut earliest: Vec<(Option<String>, String)> = Vec::new();
    // Stanzas with alerting settings.
    let mut alerting: Vec<String> = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let (start, end, _) = lines[index];
        let line = &text[start..end];
        let trimmed = line.trim_start();
        index += 1;
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.starts_with('[') {
            let name = trimmed.trim_end().trim_start_matches('[').trim_end_matches(']');
            stanza = Some(name.to_owned());
            continue;
        }
        let Some((name, value)) = trimmed.split_once('=') else { continue };
        if let Some(stanza) = stanza.as_ref().filter(|s| *s != "default")
            && is_alert_setting(name.trim(), value.trim())
        {
            alerting.push(stanza.clone());
        }
        if name.trim() == EARLIEST {
            let value = value.trim().to_owned();
            match stanza.as_deref() {
                None | Some("default") => default_earliest = Some(value),
                Some(_) => earliest.push((stanza.clone(), value)),
            }
            continue;
        }
        if name.trim() != key {
            continue;
        }
        // The value starts after `=` and the spaces that follow it.
        let eq = start + (line.len() - trimmed.len()) + trimmed.find('=').unwrap_or(0);
        let mut value_start = eq + 1;
        while value_start < end && matches!(text.as_bytes()[value_start], b' ' | b'\t') {
            value_start += 1;
        }
        let mut decoder = Decoder::default();
        let mut segment = (value_start, end);
        loop {
            let (seg_start, seg_end) = segment;
            let continued = seg_end > seg_start && text.as_bytes()[seg_end - 1] == b'\\';
            if !continued || index >= lines.len() {
                let trimmed_end = seg_start + text[seg_start..seg_end].trim_end().len();
                decoder.copy(text, seg_start, trimmed_end);
                break;
            }
            decoder.copy(text, seg_start, seg_end - 1);
            let next_start = lines[index].0;
            decoder.emit("\n", seg_end - 1, next_start);
            segment = (lines[index].0, lines[index].1);
            index += 1;
        }
        let file_end = decoder.map.to_file_end(decoder.out.len() as u32) as usize;
        let (query, map) = decoder.finish(file_end.max(value_start));
        queries.push(EmbeddedQuery {
            language: Language::Spl,
            span_in_file: Span::new(value_start as u32, file_end.max(value_start) as u32),
            text: query,
            name: stanza.clone(),
            map,
            encoding: Encoding::ConfValue,
            exact: true,
            facts: QueryFacts::default(),
        });
    }
    for query in &mut queries {
        if key == "search" {
            query.facts.rule_name = query.name.clone();
        }
        // The last setting in the stanza wins, as in Splunk; then the inherited one.
        let own = earliest.iter().rev().find(|(name, _)| *name == query.name);
        let value = own.map(|(_, v)| v).or(default_earliest.as_ref());
        query.facts.time_window = value.and_then(|v| splunk_window(v));
        query.facts.role = if key == "definition" {
            QueryRole::Function
        } else if query.name.as_ref().is_some_and(|name| alerting.contains(name)) {
            QueryRole::Alert
        } else {
            QueryRole::Hunt
        };
    }
    queries
}

/// `alert.track = 1`, `alert_type = number of events`, or an enabled action
/// (`action.notable = 1`; `action.email.to = ...` configures, it does not enable).
fn is_alert_setting(name: &str, value: &str) -> bool {
    if name.starts_with("alert.") || name.starts_with("alert_") {
        return true;
    }
    name.strip_prefix("action.").is_some_and(|action| {
        !action.contains('.') && matches!(value.to_ascii_lowercase().as_str(), "1" | "true")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_join_with_newlines() {
        let conf = "# comment\n[Detect things]\ndescription = x\nsearch = index=main \\\n| stats count \\\n| where count > 5\n\n[Other]\nsearch=foo\n";
        let queries = extract(conf, "search");
        assert_eq!(queries.len(), 2);
        assert_eq!(queries[0].text, "index=main \n| stats count \n| where count > 5");
        assert_eq!(queries[0].name.as_deref(), Some("Detect things"));
        let at = queries[0].text.find("where").unwrap() as u32;
        let file_at = queries[0].map.to_file_start(at) as usize;
        assert_eq!(&conf[file_at..file_at + 5], "where");
        assert_eq!(queries[1].text, "foo");
        assert!(
            queries
                .iter()
                .all(|q| q.facts.time_window.is_none() && q.facts.role == QueryRole::Hunt)
        );
    }

    #[test]
    fn stanzas_with_alert_settings_are_alerting_rules() {
        let conf = "[A]\nsearch = index=a\naction.notable = 1\n\n[B]\nsearch = index=b\naction.email = 0\naction.email.to = x@y\n\n[C]\nalert.severity = 3\nsearch = index=c\n\n[D]\nsearch = index=d\nalert_type = number of events\n";
        let roles: Vec<QueryRole> = extract(conf, "search").iter().map(|q| q.facts.role).collect();
        assert_eq!(roles, [QueryRole::Alert, QueryRole::Hunt, QueryRole::Alert, QueryRole::Alert]);
        let macros = extract("[m]\ndefinition = index=a\n", "definition");
        assert_eq!(macros[0].facts.role, QueryRole::Function);
    }

    #[test]
    fn dispatch_earliest_time_is_the_window_of_its_stanza() {
        let conf = "[default]\ndispatch.earliest_time = -7d\n\n[A]\nsearch = index=a\ndispatch.earliest_time = -24h@h\n\n[B]\nsearch = index=b\n\n[C]\ndispatch.earliest_time = 0\nsearch = index=c\n";
        let queries = extract(conf, "search");
        let windows: Vec<String> = queries
            .iter()
            .map(|q| q.facts.time_window.as_ref().map_or("-".to_owned(), ToString::to_string))
            .collect();
        assert_eq!(
            windows,
            ["dispatch.earliest_time -24h@h", "dispatch.earliest_time -7d", "-"],
            "{queries:?}"
        );
        let plain = extract("[A]\nsearch = index=a\n", "search");
        assert_eq!(plain[0].facts.time_window, None);
    }
}
