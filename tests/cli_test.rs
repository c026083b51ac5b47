//! `qlint test` as a user runs it: the corpus test files pass, a failing expectation shows
//! expected and actual rows (exit 1), an unsupported operator is an error naming it (exit 2),
//! JSON and JUnit reports, `--show`.

#[path = "support/cli.rs"]
mod cli;

use std::fs;
use std::path::{Path, PathBuf};

fn qlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    cli::run(dir, args, None, true)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const RULE: &str = "DeviceProcessEvents\n| where FileName =~ \"psexec.exe\"\n| where InitiatingProcessFileName !in~ (\"admin_tool.exe\")\n| project DeviceName, InitiatingProcessFileName\n";

fn write_case(dir: &Path, expect: &str) {
    fs::write(dir.join("psexec.kql"), RULE).unwrap();
    let test = format!(
        "rule: psexec.kql\ntests:\n  - name: psexec fires\n    tables:\n      DeviceProcessEvents:\n        - {{Timestamp: 2024-07-15T11:00:00Z, DeviceName: h1, FileName: PsExec.exe, InitiatingProcessFileName: cmd.exe}}\n        - {{Timestamp: 2024-07-15T11:00:00Z, DeviceName: h2, FileName: psexec.exe, InitiatingProcessFileName: Admin_Tool.exe}}\n    expect:\n{expect}"
    );
    fs::write(dir.join("psexec.test.yaml"), test).unwrap();
}

#[test]
fn the_corpus_test_files_pass() {
    let (code, stdout, stderr) = qlint(&repo(), &["test", "corpus/tests"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("FAIL") && !stdout.contains("ERROR"), "{stdout}");
    assert!(stdout.contains("PASS  corpus/tests/hunts/rare_service_install.test.yaml"), "{stdout}");
}

#[test]
fn a_passing_test_prints_one_line_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path(), "      count: 1\n      rows:\n        - {DeviceName: h1}\n");
    let (code, stdout, _) = qlint(dir.path(), &["test"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        "PASS  psexec.test.yaml:3: psexec fires\n1 test: 1 passed, 0 failed, 0 errors\n"
    );
}

#[test]
fn a_failing_expectation_shows_expected_and_actual_rows() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path(), "      count: 2\n      rows:\n        - {DeviceName: h2}\n");
    let (code, stdout, _) = qlint(dir.path(), &["test", "psexec.test.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    let expected = "FAIL  psexec.test.yaml:9: psexec fires — expected 2 rows, got 1; 1 expected rows not in the result
  expected rows not found:
    DeviceName
    ----------
    h2
  actual rows (1):
    DeviceName | InitiatingProcessFileName
    ---------- | -------------------------
    h1         | cmd.exe
1 test: 0 passed, 1 failed, 0 errors
";
    assert_eq!(stdout, expected);
}

#[test]
fn unsupported_operators_are_errors_with_their_place_in_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("r.kql"), "DeviceEvents\n| evaluate bag_unpack(AdditionalFields)\n")
        .unwrap();
    fs::write(
        dir.path().join("r.test.yaml"),
        "rule: r.kql\ntests:\n  - name: n\n    expect: {count: 0}\n",
    )
    .unwrap();
    let (code, stdout, _) = qlint(dir.path(), &["test"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("ERROR r.test.yaml:3: n — the operator `evaluate` is not supported by qlint test (at r.kql:2:3)"), "{stdout}");
}

#[test]
fn malformed_test_files_are_errors_with_a_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("x.test.yml"), "rule: r.kql\ntests:\n  - name: n\n    expct: {}\n")
        .unwrap();
    let (code, stdout, _) = qlint(dir.path(), &["test"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.starts_with("ERROR x.test.yml:4: (test file) — "), "{stdout}");
}

#[test]
fn json_and_junit_reports() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path(), "      count: 1\n");
    let (code, stdout, _) = qlint(dir.path(), &["test", "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let test = &json["tests"][0];
    assert_eq!(test["file"], "psexec.test.yaml");
    assert_eq!(test["status"], "passed");
    assert_eq!(test["rows"][0]["DeviceName"], "h1");
    let (_, stdout, _) = qlint(dir.path(), &["test", "--format", "junit"]);
    assert!(
        stdout.contains(r#"<testsuite name="psexec.test.yaml" tests="1" failures="0" errors="0">"#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"<testcase name="psexec fires" classname="psexec.test.yaml"/>"#),
        "{stdout}"
    );
}

#[test]
fn show_prints_the_result_tables() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path(), "      count: 5\n");
    let (code, stdout, _) = qlint(dir.path(), &["test", "--show", "psexec.test.yaml"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        "── psexec fires ──\nDeviceName | InitiatingProcessFileName\n---------- | -------------------------\nh1         | cmd.exe\n"
    );
}

#[test]
fn inline_queries_and_picking_one_query_of_a_markdown_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("h.md"),
        "# Hunts\n\n```kql\nT | take 1\n```\n\n```kql\nT | where A == 2\n```\n",
    )
    .unwrap();
    let rows = "    tables:\n      T:\n        - {A: 1}\n        - {A: 2}\n";
    fs::write(dir.path().join("a.test.yaml"), format!("rule: h.md#2\ntests:\n  - name: second\n{rows}    expect: {{count: 1, rows: [{{A: 2}}]}}\n")).unwrap();
    fs::write(
        dir.path().join("b.test.yaml"),
        format!("rule: h.md\ntests:\n  - name: which\n{rows}"),
    )
    .unwrap();
    fs::write(dir.path().join("c.test.yaml"), format!("language: kql\nquery: T | summarize n = count()\ntests:\n  - name: inline\n{rows}    expect: {{rows: [{{n: 2}}]}}\n")).unwrap();
    let (code, stdout, _) = qlint(dir.path(), &["test"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("PASS  a.test.yaml:3: second"), "{stdout}");
    assert!(stdout.contains("`h.md` holds 2 queries; pick one with `rule: h.md#N`"), "{stdout}");
    assert!(stdout.contains("PASS  c.test.yaml:4: inline"), "{stdout}");
}
