//! `qlint fmt` as a user runs it: in place, `--check`, `--diff`, stdin, containers, broken
//! queries and `[format]` in qlint.toml.

#[path = "support/cli.rs"]
mod cli;

use std::fs;

fn qlint(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    cli::run(dir, args, stdin, true)
}

const MESSY: &str = "SecurityEvent | where EventID == 4688 | take 10\n";
const TIDY: &str = "SecurityEvent\n| where EventID == 4688\n| take 10\n";

#[test]
fn formats_in_place_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.kql"), MESSY).unwrap();
    fs::write(dir.path().join("b.spl"), "index=w EventCode=1 | stats count by host\n").unwrap();
    fs::write(dir.path().join("notes.txt"), "T | take 1\n").unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "."], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("2 files, 2 reformatted"), "{stderr}");
    assert_eq!(fs::read_to_string(dir.path().join("a.kql")).unwrap(), TIDY);
    assert_eq!(
        fs::read_to_string(dir.path().join("b.spl")).unwrap(),
        "index=w EventCode=1\n| stats count by host\n"
    );
    assert_eq!(fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "T | take 1\n");
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "--check", "."], None);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn check_and_diff_write_nothing_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.kql"), MESSY).unwrap();
    let (code, stdout, _) = qlint(dir.path(), &["fmt", "--check", "a.kql"], None);
    assert_eq!((code, stdout.as_str()), (1, "would reformat: a.kql\n"));
    let (code, stdout, _) = qlint(dir.path(), &["fmt", "--diff", "a.kql"], None);
    assert_eq!(code, 1);
    assert!(stdout.contains("-SecurityEvent | where EventID == 4688 | take 10"), "{stdout}");
    assert!(stdout.contains("+| where EventID == 4688"), "{stdout}");
    assert_eq!(fs::read_to_string(dir.path().join("a.kql")).unwrap(), MESSY);
}

#[test]
fn stdin_goes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = qlint(dir.path(), &["fmt", "-"], Some(MESSY));
    assert_eq!((code, stdout.as_str()), (0, TIDY));
    let (code, stdout, _) =
        qlint(dir.path(), &["fmt", "--lang", "spl", "-"], Some("index=a|table x\n"));
    assert_eq!((code, stdout.as_str()), (0, "index=a\n| table x\n"));
}

#[test]
fn a_broken_query_is_left_as_it_is_with_its_position_and_the_rest_is_formatted() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.kql"), "T\n| where (a ==\n").unwrap();
    fs::write(dir.path().join("good.kql"), MESSY).unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "."], None);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad.kql:2:"), "{stderr}");
    assert!(stderr.contains("not formatted"), "{stderr}");
    assert_eq!(fs::read_to_string(dir.path().join("bad.kql")).unwrap(), "T\n| where (a ==\n");
    assert_eq!(fs::read_to_string(dir.path().join("good.kql")).unwrap(), TIDY);
}

#[test]
fn a_sentinel_rule_changes_only_inside_its_query() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "id: 7\nname: x\nkind: Scheduled\nquery: |\n  SigninLogs | where ResultType != \"0\" | summarize count() by UserPrincipalName\nqueryPeriod: 1d\n";
    fs::write(dir.path().join("r.yaml"), rule).unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "r.yaml"], None);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("r.yaml")).unwrap(),
        "id: 7\nname: x\nkind: Scheduled\nquery: |\n  SigninLogs\n  | where ResultType != \"0\"\n  | summarize count() by UserPrincipalName\nqueryPeriod: 1d\n"
    );
}

#[test]
fn line_width_comes_from_qlint_toml_or_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("qlint.toml"), "[format]\nline-width = 40\n").unwrap();
    let query = "T\n| where FileName in~ (\"aaaa.exe\", \"bbbb.exe\", \"cccc.exe\")\n";
    fs::write(dir.path().join("a.kql"), query).unwrap();
    let (_, stdout, _) = qlint(dir.path(), &["fmt", "--diff", "a.kql"], None);
    assert!(stdout.contains("+    \"bbbb.exe\", \"cccc.exe\")"), "{stdout}");
    let (code, _, _) = qlint(dir.path(), &["fmt", "--check", "--line-width", "120", "a.kql"], None);
    assert_eq!(code, 0);
    fs::write(dir.path().join("qlint.toml"), "[format]\nwidth = 40\n").unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "a.kql"], None);
    assert_eq!(code, 2);
    assert!(stderr.contains("qlint.toml:2:1"), "{stderr}");
}

/// The lines of `after` that are not lines of `before`, and the other way round, as a pair of
/// sorted lists: what formatting added and removed.
fn changed_lines(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let count = |text: &str| {
        let mut map = std::collections::BTreeMap::<String, i32>::new();
        for line in text.lines() {
            *map.entry(line.to_owned()).or_default() += 1;
        }
        map
    };
    let (b, a) = (count(before), count(after));
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for line in a.keys().chain(b.keys()).collect::<std::collections::BTreeSet<_>>() {
        let diff = a.get(line).copied().unwrap_or(0) - b.get(line).copied().unwrap_or(0);
        let target = if diff > 0 { &mut added } else { &mut removed };
        target.extend(std::iter::repeat_n(line.clone(), diff.unsigned_abs() as usize));
    }
    (added, removed)
}

const SENTINEL_RULE: &str = r#"id: 4d8b4a8f-1d2e-4c55-9f0e-6c7b1d2f3a11
name: Rare process launched by Office
description: |
  An Office application | started a process that is rarely seen.
severity: Medium
requiredDataConnectors:
  - connectorId: MicrosoftThreatProtection
    dataTypes:
      - DeviceProcessEvents
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
kind: Scheduled
query: |
  let office = dynamic(["winword.exe", "excel.exe"]); DeviceProcessEvents | where Timestamp > ago(1h)
  | where InitiatingProcessFileName in~ (office) and FileName !in~ ("splwow64.exe", "msosync.exe") | summarize count() by DeviceName, FileName
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: DeviceName
version: 1.0.0
"#;

const ESCU_BLOCK: &str = r#"name: Windows Service Created With Suspicious Path
id: 429141be-8311-11eb-adb6-acde48001122
type: TTP
description: A service was created whose binary lives in a user-writable folder.
search: |-
  `wineventlog_system` EventCode=7045 ImagePath IN ("*\\Users\\*", "*\\Temp\\*") | stats count min(_time) as firstTime by Computer ServiceName ImagePath | `security_content_ctime(firstTime)` | `windows_service_created_with_suspicious_path_filter`
how_to_implement: Collect System event logs.
known_false_positives: Installers.
tags:
  analytic_story:
    - Active Directory Lateral Movement
"#;

const ESCU_QUOTED: &str = "name: Quoted\nid: 1\ntype: Hunting\nsearch: '| tstats count from datamodel=Endpoint.Processes where Processes.process_name=\"psexec.exe\" by Processes.dest | `quoted_filter`'\n";

const MARKDOWN_HUNT: &str = "# Psexec hunt\n\nLook for | pipes in prose, they stay.\n\n```kql\nDeviceProcessEvents | where FileName =~ \"psexec.exe\" | project DeviceName\n```\n\n> ```spl\n> index=edr process_name=psexec.exe | stats count by host\n> ```\n\n```python\nprint('left alone')\n```\n";

#[test]
fn containers_round_trip_and_change_only_query_lines() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("rule.yaml", SENTINEL_RULE),
        ("escu.yml", ESCU_BLOCK),
        ("quoted.yml", ESCU_QUOTED),
        ("hunt.md", MARKDOWN_HUNT),
    ];
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "."], None);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("4 files, 3 reformatted"), "{stderr}");
    assert!(
        stderr.contains("1 queries in quoted or plain YAML strings keep their layout"),
        "{stderr}"
    );
    for (name, before) in files {
        let after = fs::read_to_string(dir.path().join(name)).unwrap();
        let (added, removed) = changed_lines(before, &after);
        // Only lines that hold query text change: every removed line held a pipe, and every
        // added line is a query line (indented like the block, or a fenced/quoted line).
        assert!(removed.iter().all(|l| l.contains(" | ")), "{name}: {removed:#?}");
        let non_query: Vec<_> = added
            .iter()
            .filter(|l| !(l.starts_with("  ") || l.starts_with("> ") || !l.contains(": ")))
            .collect();
        assert!(non_query.is_empty(), "{name}: {non_query:#?}");
        // The same non-whitespace characters, in the same order (a Markdown quote's `>`
        // starts each new line of a quoted fence).
        let squeeze = |t: &str| {
            t.lines()
                .flat_map(|l| l.trim_start_matches(['>', ' ']).chars())
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        };
        assert_eq!(squeeze(before), squeeze(&after), "{name}");
        if name == "quoted.yml" {
            assert_eq!(after, before);
        } else {
            assert_ne!(after, before, "{name}");
        }
    }
    // Everything still parses (no syntax finding anywhere) and formatting again changes nothing.
    let (_, stdout, stderr) =
        qlint(dir.path(), &["check", "--select", "KQL001,SPL001,QL", "."], None);
    assert!(!stdout.contains("001") && !stdout.contains("QL00"), "{stdout}{stderr}");
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "--check", "."], None);
    assert_eq!(code, 0, "{stderr}");
    let rule = fs::read_to_string(dir.path().join("rule.yaml")).unwrap();
    assert!(rule.contains(
        "query: |\n  let office = dynamic([\"winword.exe\", \"excel.exe\"]);\n  DeviceProcessEvents\n  | where Timestamp > ago(1h)\n"
    ), "{rule}");
    let hunt = fs::read_to_string(dir.path().join("hunt.md")).unwrap();
    assert!(
        hunt.contains("> index=edr process_name=psexec.exe\n> | stats count by host\n"),
        "{hunt}"
    );
}

#[test]
fn spl_command_case_comes_from_qlint_toml() {
    let dir = tempfile::tempdir().unwrap();
    let search = "index=edr Image=\"*\\\\PsExec.exe\" | STATS count BY Host | Table Host\n";
    fs::write(dir.path().join("a.spl"), search).unwrap();
    let (_, stdout, _) = qlint(dir.path(), &["fmt", "-", "--lang", "spl"], Some(search));
    assert!(stdout.contains("| STATS count BY Host\n| Table Host"), "{stdout}");
    fs::write(dir.path().join("qlint.toml"), "[format]\nspl-command-case = \"lower\"\n").unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "a.spl"], None);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("a.spl")).unwrap(),
        "index=edr Image=\"*\\\\PsExec.exe\"\n| stats count BY Host\n| table Host\n"
    );
    fs::write(dir.path().join("qlint.toml"), "[format]\nspl-command-case = \"upper\"\n").unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "a.spl"], None);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn a_savedsearches_conf_keeps_its_continuations() {
    let dir = tempfile::tempdir().unwrap();
    let conf = "[Psexec]\nsearch = index=edr process_name=psexec.exe | stats count by host \\\n| where count > 5\ncron_schedule = */5 * * * *\n";
    fs::write(dir.path().join("savedsearches.conf"), conf).unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "."], None);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("savedsearches.conf")).unwrap(),
        "[Psexec]\nsearch = index=edr process_name=psexec.exe\\\n| stats count by host\\\n| where count > 5\ncron_schedule = */5 * * * *\n"
    );
    let (_, stdout, _) = qlint(dir.path(), &["check", "--select", "SPL001", "."], None);
    assert!(!stdout.contains("SPL001"), "{stdout}");
}

#[test]
fn yaral_files_and_fences_are_laid_out() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "rule r\n{\nevents:\n$e.metadata.event_type = \"PROCESS_LAUNCH\"\n      $e.principal.hostname = $host\nmatch: $host over 5m\ncondition:\n$e }\n";
    let tidy = "rule r {\n  events:\n    $e.metadata.event_type = \"PROCESS_LAUNCH\"\n    $e.principal.hostname = $host\n\n  match:\n    $host over 5m\n\n  condition:\n    $e\n}\n";
    fs::write(dir.path().join("r.yaral"), messy).unwrap();
    fs::write(dir.path().join("notes.md"), format!("# Hunt\n\n```yara-l\n{messy}```\n")).unwrap();
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "."], None);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(fs::read_to_string(dir.path().join("r.yaral")).unwrap(), tidy);
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.md")).unwrap(),
        format!("# Hunt\n\n```yara-l\n{tidy}```\n")
    );
    let (code, stdout, _) = qlint(dir.path(), &["fmt", "--lang", "yaral", "-"], Some(messy));
    assert_eq!((code, stdout.as_str()), (0, tidy));
    let (code, _, stderr) = qlint(dir.path(), &["fmt", "--check", "."], None);
    assert_eq!(code, 0, "{stderr}");
}
