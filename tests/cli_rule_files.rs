//! The checks on a rule file's own metadata, run through `qlint check` on the YAML files of
//! `tests/fixtures/rulefiles`: a Sentinel schedule whose runs leave gaps (KQL418), malformed
//! ATT&CK technique ids in Sentinel and ESCU files (KQL115, SPL114) and ids that ATT&CK does
//! not list as current (KQL116, SPL115); and the checks across the files of one run on
//! `tests/fixtures/duplicates` (QL101 id, QL102 name, QL103 query).

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

/// `(path, code, line, message)` of every finding of the rule-file checks.
fn findings() -> Vec<(String, String, u64, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rulefiles");
    run_json(&dir, "KQL115,KQL116,KQL418,SPL114,SPL115")
}

/// `(path, code, line, message)` of every finding of the `select`ed codes in `dir`.
fn run_json(dir: &Path, select: &str) -> Vec<(String, String, u64, String)> {
    let mut found: Vec<_> = cli::json_diagnostics(dir, select)
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
    let found: Vec<_> =
        findings().into_iter().filter(|f| f.1 == "KQL115" || f.1 == "SPL114").collect();
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

#[test]
fn technique_ids_attack_does_not_list_are_named_with_the_reason() {
    let found = findings();
    let unknown: Vec<_> = found.iter().filter(|f| f.1 == "KQL116" || f.1 == "SPL115").collect();
    assert_eq!(unknown.len(), 2, "{unknown:#?}");
    let sentinel = in_file(&found, "revoked_rule.yaml");
    assert_eq!(sentinel.len(), 1, "{found:#?}");
    assert_eq!((sentinel[0].1.as_str(), sentinel[0].2), ("KQL116", 15));
    let message = &sentinel[0].3;
    assert!(message.starts_with("relevantTechniques has 4 ids that ATT&CK Enterprise v18.1"));
    for part in [
        "`T1002` (Data Compressed) was revoked; ATT&CK merged it into T1560 (Archive Collected Data)",
        "`T1043` (Commonly Used Port) is deprecated",
        "`T1059.099`: T1059 (Command and Scripting Interpreter) has no sub-technique .099",
        "`T1999` is no ATT&CK Enterprise technique",
    ] {
        assert!(message.contains(part), "{part} in {message}");
    }
    // Current techniques and ICS ids are not named.
    assert!(!message.contains("T1560.001") && !message.contains("T0866"), "{message}");
    let escu = in_file(&found, "escu_unknown_technique.yml");
    assert_eq!((escu[0].1.as_str(), escu[0].2), ("SPL115", 5));
    assert!(
        escu[0].3.ends_with("`T1003.099`: T1003 (OS Credential Dumping) has no sub-technique .099")
    );
    // Malformed ids are KQL115's and SPL114's alone; current ones are fine.
    for quiet in ["gap_rule.yaml", "covered_rule.yaml", "escu_detection.yml"] {
        assert!(
            in_file(&found, quiet).iter().all(|f| f.1 != "KQL116" && f.1 != "SPL115"),
            "{quiet}: {found:#?}"
        );
    }
}

#[test]
fn repeated_ids_names_and_queries_are_reported_once_at_the_later_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/duplicates");
    let found = run_json(&dir, "QL101,QL102,QL103");
    let seen: Vec<(&str, &str, u64)> =
        found.iter().map(|f| (f.0.as_str(), f.1.as_str(), f.2)).collect();
    assert_eq!(
        seen,
        [
            ("Solutions/Identity/spray_copy.yaml", "QL101", 1),
            ("Solutions/Identity/spray_copy.yaml", "QL102", 2),
            ("Solutions/Identity/spray_copy.yaml", "QL103", 7),
            ("sigma/whoami_all.yml", "QL102", 1),
            ("yaral/whoami_copy.yaral", "QL102", 1),
        ],
        "{found:#?}"
    );
    // Each names the first definition, file and line.
    assert!(found[0].3.contains("`5A4B3C2D-1E0F-4A9B-8C7D-6E5F4A3B2C1D`"), "{}", found[0].3);
    assert!(found[0].3.contains("at Detections/spray.yaml:1"), "{}", found[0].3);
    assert!(found[1].3.contains("at Detections/spray.yaml:2"), "{}", found[1].3);
    assert!(found[2].3.contains("same as the one at Detections/spray.yaml:7"), "{}", found[2].3);
    assert!(found[3].3.contains("at sigma/whoami.yml:1"), "{}", found[3].3);
    assert!(
        found[4].3.contains("`whoami_execution`") && found[4].3.contains("yaral/whoami.yaral:1")
    );
    // Not reported: a variant with another name and threshold, short queries repeated
    // (`SigninLogs | take 10`), a Splunk stanza named like a Sentinel rule (names are
    // compared within one language), and a hunting query named like an analytic rule.
}

#[test]
fn duplicate_checks_follow_the_selection() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/duplicates");
    let found = run_json(&dir, "QL103");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].1, "QL103");
    // A single file has nothing to repeat.
    let args = ["check", "--format", "concise", "--select", "QL1", "Detections/spray.yaml"];
    let (code, stdout, _) = cli::run(&dir, &args, None, true);
    assert_eq!((code, stdout.as_str()), (0, ""));
}
