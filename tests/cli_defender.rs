//! Microsoft Defender XDR custom detections (the Graph `detectionRule` resource) in JSON and
//! YAML, end to end through `qlint check` on `tests/fixtures/defender`: the query is found and
//! mapped to the file, the rule is an alerting rule (so a missing exclusion, KQL403, is a
//! warning there and a note in the same query as a hunt), its ATT&CK ids are checked, and
//! `--fix` writes into the JSON string with JSON escapes.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/defender")
}

/// `(path, code, severity, line, column, message)` of every finding of `select` in `dir`.
fn findings(dir: &Path, select: &str) -> Vec<(String, String, String, u64, u64, String)> {
    let mut found: Vec<_> = cli::json_diagnostics(dir, select)
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().trim_start_matches("./").to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["severity"].as_str().unwrap().to_owned(),
                d["start"]["line"].as_u64().unwrap(),
                d["start"]["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_missing_exclusion_is_a_warning_in_a_custom_detection_and_a_note_in_a_hunt() {
    let found = findings(&fixtures(), "KQL403");
    let seen: Vec<(&str, &str, u64, u64)> =
        found.iter().map(|f| (f.0.as_str(), f.2.as_str(), f.3, f.4)).collect();
    // JSON: line 5 holds the whole query string; `FileName` is at column 48 after the
    // `\n` escape. YAML: the block scalar's second line.
    assert_eq!(
        seen,
        [
            ("psexec_detection.json", "warning", 5, 48),
            ("psexec_detection.yaml", "warning", 6, 13),
            ("psexec_hunt.kql", "info", 2, 9),
        ],
        "{found:#?}"
    );
    let json = std::fs::read_to_string(fixtures().join("psexec_detection.json")).unwrap();
    let line = json.lines().nth(4).unwrap();
    assert!(line[47..].starts_with("FileName startswith"), "{line}");
    // The tuned rule excludes something, and package.json is no rule.
    assert!(found.iter().all(|f| !f.0.starts_with("exclusion") && f.0 != "package.json"));
}

#[test]
fn attack_ids_of_the_alert_template_are_checked() {
    let found = findings(&fixtures(), "KQL115,KQL116");
    assert_eq!(found.len(), 2, "{found:#?}");
    // The YAML detection writes one id in lower case: KQL115, naming the Defender key.
    assert_eq!((found[1].0.as_str(), found[1].1.as_str()), ("psexec_detection.yaml", "KQL115"));
    assert!(
        found[1].5.starts_with("mitreTechniques has 1 malformed entry: `t1021.002`"),
        "{}",
        found[1].5
    );
    assert_eq!((found[0].0.as_str(), found[0].1.as_str()), ("psexec_detection.json", "KQL116"));
    assert!(
        found[0].5.starts_with("mitreTechniques has 1 id")
            && found[0].5.contains(
                "`T1035` (Service Execution) was revoked; ATT&CK merged it into T1569.002"
            ),
        "{}",
        found[0].5
    );
}

#[test]
fn fixes_are_written_into_the_json_string_and_keep_it_valid() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(fixtures().join("exclusion_detection.json")).unwrap();
    cli::write(dir.path(), "rule.json", &original);
    let before = findings(dir.path(), "KQL402");
    assert_eq!(before.len(), 1, "{before:#?}");
    let args = ["check", "--fix", "--select", "KQL402", "rule.json"];
    let (code, _, stderr) = cli::run(dir.path(), &args, None, true);
    assert_eq!(code, 0, "{stderr}");
    let fixed = std::fs::read_to_string(dir.path().join("rule.json")).unwrap();
    let value: Value = serde_json::from_str(&fixed).expect("the fixed file is still JSON");
    let query = value["value"][0]["queryCondition"]["queryText"].as_str().unwrap();
    assert!(query.contains("| where DeviceName =~ \"Admin-Jump-01\""), "{query}");
    // Only the operator changed.
    assert_eq!(fixed.replace("DeviceName =~", "DeviceName =="), original);
    assert!(findings(dir.path(), "KQL402").is_empty());
}

#[test]
fn a_json_file_that_is_no_rule_gives_nothing_even_when_broken() {
    let dir = tempfile::tempdir().unwrap();
    cli::write(dir.path(), "package.json", "{\"name\": \"x\", \"queryCondition\": 3}");
    cli::write(dir.path(), "half-written.json", "{\"name\": \"x\", \"version\": ");
    cli::write(dir.path(), "deep.json", &"[".repeat(100_000));
    let (code, stdout, stderr) =
        cli::run(dir.path(), &["check", "--format", "concise", "."], None, true);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert!(stderr.contains("0 queries"), "{stderr}");
}

#[test]
fn a_broken_detection_rule_is_one_error_where_the_json_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "{\n  \"displayName\": \"x\",\n  \"queryCondition\": {\"queryText\": \"T | take 1\"";
    cli::write(dir.path(), "cut.json", rule);
    cli::write(dir.path(), "newline.json", &format!("{}\n| take 2\"}}}}", &rule[..rule.len() - 1]));
    let (code, stdout, stderr) =
        cli::run(dir.path(), &["check", "--format", "concise", "."], None, true);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "cut.json:3:46: QL002 malformed JSON: the file ends before the JSON is complete",
            "newline.json:3:46: QL002 malformed JSON: a raw control character (a line break or \
             tab) inside a string must be escaped",
        ]
    );
}
