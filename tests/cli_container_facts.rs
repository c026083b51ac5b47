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
    let args = ["check", "--format", "json", "--select", "KQL201,KQL202,KQL404,SPL404", "."];
    let (_, stdout, stderr) = cli::run(&dir, &args, None, true);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    report["diagnostics"]
        .as_array()
        .unwrap()
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
    assert_eq!((parser[0].1.as_str(), parser[0].2), ("KQL202", 27));
    assert!(parser[0].3.contains("`hostnames_has_any`"), "{}", parser[0].3);
    // A tabular parameter (`T:(TimeGenerated:datetime)`) and a scalar one, in a flow sequence.
    assert_eq!(codes_in(&found, "parsers/ASIM_ResolveExample.yaml"), []);
    // A hunting query takes no parameters: a lowercase typo is not taken for one.
    let hunting = codes_in(&found, "sentinel/hunting_query.yaml");
    assert_eq!(hunting, [("KQL202".to_owned(), 9)]);
    assert_eq!(found.len(), 4, "{found:#?}");
}
