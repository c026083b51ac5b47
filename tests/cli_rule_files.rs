//! The checks on a rule file's own metadata, run through `qlint check` on the YAML files of
//! `tests/fixtures/rulefiles`: a Sentinel schedule whose runs leave gaps (KQL418) and
//! malformed ATT&CK technique ids in Sentinel and ESCU files (KQL115, SPL114).

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use serde_json::Value;

/// `(path, code, line, message)` of every finding of the rule-file checks.
fn findings() -> Vec<(String, String, u64, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rulefiles");
    let args = ["check", "--format", "json", "--select", "KQL115,KQL418,SPL114", "."];
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
                d["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn in_file<'a>(
    found: &'a [(String, String, u64, String)],
    path: &str,
) -> Vec<&'a (String, String, u64, String)> {
    found.iter().filter(|f| f.0 == path).collect()
}

#[test]
fn a_run_frequency_longer_than_the_period_is_reported_on_the_query() {
    let found = findings();
    let gap = in_file(&found, "gap_rule.yaml");
    let schedule: Vec<_> = gap.iter().filter(|f| f.1 == "KQL418").collect();
    assert_eq!(schedule.len(), 1, "{found:#?}");
    // Line 16 is `SigninLogs`, the first line of the query after its comment.
    assert_eq!(schedule[0].2, 16);
    assert!(schedule[0].3.contains("every 1d") && schedule[0].3.contains("last 5h"));
    let iso = in_file(&found, "iso_gap_rule.yaml");
    assert_eq!(iso.len(), 1, "{found:#?}");
    assert_eq!((iso[0].1.as_str(), iso[0].2), ("KQL418", 8));
    assert!(iso[0].3.contains("every P1D") && iso[0].3.contains("last PT5H"));
    assert!(in_file(&found, "covered_rule.yaml").is_empty(), "{found:#?}");
}

#[test]
fn malformed_technique_ids_are_named_once_per_query() {
    let found = findings();
    let sentinel: Vec<_> =
        in_file(&found, "gap_rule.yaml").into_iter().filter(|f| f.1 == "KQL115").collect();
    assert_eq!(sentinel.len(), 1, "{found:#?}");
    let message = &sentinel[0].3;
    assert!(message.starts_with("relevantTechniques has 4 malformed entries"), "{message}");
    for part in ["`t1110`", "`TA0001` (a tactic id", "`T1078.01`", "an empty entry"] {
        assert!(message.contains(part), "{part} in {message}");
    }
    assert!(!message.contains("T1078.004"), "{message}");
    let escu = in_file(&found, "escu_detection.yml");
    assert_eq!(escu.len(), 1, "{found:#?}");
    assert_eq!((escu[0].1.as_str(), escu[0].2), ("SPL114", 5));
    assert!(escu[0].3.starts_with("mitre_attack_id has 1 malformed entry: `T1027.10`"));
}
