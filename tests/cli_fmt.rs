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
