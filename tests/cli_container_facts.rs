//! What the file around a query says reaches the rules: `qlint check` over
//! `tests/fixtures/containers`, whose Sentinel rules, parsers, Markdown hunt and
//! `savedsearches.conf` state time windows and parameters outside the query text.

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use serde_json::Value;

/// `(path, code, line, message)` of every finding of the rules that container facts affect.
fn findings() -> Vec<(String, String, u64, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/containers");
    cli::json_diagnostics(&dir, "KQL201,KQL202,KQL204,KQL404,SPL404")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().trim_start_matches("./").to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn codes_in(found: &[(String, String, u64, String)], path: &str) -> Vec<(String, u64)> {
    found.iter().filter(|f| f.0 == path).map(|f| (f.1.clone(), f.2)).collect()
}

#[test]
fn a_window_set_by_the_container_silences_the_time_range_rules() {
    let found = findings();
    // Scheduled (`queryPeriod: 14d`) and NRT rules take their window from the rule.
    assert_eq!(codes_in(&found, "sentinel/scheduled_rule.yaml"), []);
    assert_eq!(codes_in(&found, "sentinel/nrt_rule.yaml"), []);
    // The same kind of query as a Markdown hunt has no window.
    assert_eq!(codes_in(&found, "hunts/unbounded_hunt.md"), [("KQL404".to_owned(), 6)]);
    // The stanza with `dispatch.earliest_time` is silent, the one without is reported.
    assert_eq!(codes_in(&found, "splunk/savedsearches.conf"), [("SPL404".to_owned(), 8)]);
}

#[test]
fn declared_parameters_are_in_scope_and_typos_are_not() {
    let found = findings();
    // `starttime`, `endtime`, `disabled`, `hostname_has_any` come from `ParserParams`; the
    // misspelt `hostnames_has_any` does not.
    let parser: Vec<_> = found.iter().filter(|f| f.0 == "parsers/vimSyslogExample.yaml").collect();
    assert_eq!(parser.len(), 1, "{found:?}");
    // No column resembles it, so it is KQL204 (KQL202 keeps near misses of columns).
    assert_eq!((parser[0].1.as_str(), parser[0].2), ("KQL204", 27));
    assert!(parser[0].3.contains("`hostnames_has_any`"), "{}", parser[0].3);
    // A tabular parameter (`T:(TimeGenerated:datetime)`) and a scalar one, in a flow sequence.
    assert_eq!(codes_in(&found, "parsers/ASIM_ResolveExample.yaml"), []);
    // A hunting query takes no parameters: a lowercase typo is not taken for one.
    let hunting = codes_in(&found, "sentinel/hunting_query.yaml");
    assert_eq!(hunting, [("KQL204".to_owned(), 9)]);
    // ... and the `.kql` hunt of `roles/` reads events with no time filter.
    assert_eq!(codes_in(&found, "roles/psexec_exact_hunt.kql"), [("KQL404".to_owned(), 1)]);
    assert_eq!(found.len(), 5, "{found:#?}");
}

/// `(path, code, severity, line)` of what the default rule set reports in `roles/`.
fn default_set_findings(extra: &[&str]) -> Vec<(String, String, String, u64)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/containers/roles");
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let (_, stdout, stderr) = cli::run(&dir, &args, None, true);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let mut found: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().trim_start_matches("./").to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["severity"].as_str().unwrap().to_owned(),
                d["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort_by(|a, b| (&a.0, a.3).cmp(&(&b.0, b.3)));
    found
}

#[test]
fn a_missing_exclusion_is_a_warning_in_alerting_rules_and_a_note_in_hunts() {
    assert_eq!(
        default_set_findings(&[]),
        [
            // A Markdown hunt, a Sentinel hunting query, an ESCU hunting search: info.
            row("psexec_hunt.md", "KQL403", "info", 6),
            row("psexec_hunting.yaml", "KQL403", "info", 8),
            row("psexec_hunting.yml", "SPL403", "info", 5),
            // A Sentinel scheduled rule, an ESCU TTP detection without its filter macro and
            // a saved search with an alert action: warning. A saved search without alerting
            // settings is a report: info. Silent: the NRT rule that excludes its deployment
            // accounts, the TTP detection with its `_filter` macro, the parser, and the
            // `.kql` hunt that matches one exact name.
            row("psexec_scheduled.yaml", "KQL403", "warning", 9),
            // The TTP detection's search is the hunting search's, word for word (QL103,
            // a check across the files of the run).
            row("psexec_ttp.yml", "QL103", "warning", 5),
            row("psexec_ttp.yml", "SPL403", "warning", 5),
            row("savedsearches.conf", "SPL403", "warning", 4),
            row("savedsearches.conf", "SPL403", "info", 8),
        ]
    );
}

fn row(path: &str, code: &str, severity: &str, line: u64) -> (String, String, String, u64) {
    (path.to_owned(), code.to_owned(), severity.to_owned(), line)
}

#[test]
fn rules_outside_the_default_set_run_when_selected() {
    // The scheduled rule has no time filter but its schedule sets the window; the Markdown
    // hunt's `Timestamp` test bounds it; the parser's caller sets its range: KQL404 stays
    // silent even when selected. The `.kql` hunt reads events with no time filter at all.
    let found = default_set_findings(&["--extend-select", "KQL404"]);
    let kql404: Vec<_> = found.iter().filter(|f| f.1 == "KQL404").collect();
    assert_eq!(kql404, [&row("psexec_exact_hunt.kql", "KQL404", "info", 1)], "{found:?}");
    assert_eq!(found.len(), 9, "the default set is still there: {found:?}");
    // `--select` replaces the default set.
    let found = default_set_findings(&["--select", "SPL"]);
    assert!(found.iter().all(|f| f.1.starts_with("SPL")), "{found:?}");
    assert_eq!(found.len(), 4, "{found:?}");
}
