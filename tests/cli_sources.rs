//! `qlint check` finds queries where they live and reports file lines and columns through
//! every container. Runs the real binary on files written to a temp folder.

#[path = "support/cli.rs"]
mod cli;

use cli::write;

use std::path::Path;

use serde_json::Value;

fn qlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    cli::run(dir, &cli::with_mechanics_selection(args), None, true)
}

/// `(path, code, line, column, end line, end column)` of every diagnostic.
fn json_positions(stdout: &str) -> Vec<(String, String, u64, u64, u64, u64)> {
    let value: Value = serde_json::from_str(stdout).expect("json output");
    value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["start"]["line"].as_u64().unwrap(),
                d["start"]["column"].as_u64().unwrap(),
                d["end"]["line"].as_u64().unwrap(),
                d["end"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn check_json(dir: &Path, target: &str) -> Vec<(String, String, u64, u64, u64, u64)> {
    let (_, stdout, stderr) = qlint(dir, &["check", "--format", "json", target]);
    assert!(!stdout.is_empty(), "no output; stderr: {stderr}");
    json_positions(&stdout)
}

#[test]
fn markdown_fences_of_every_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let md = "# Hunts\n\nText `inline`.\n\n```KQL\nDeviceProcessEvents\n| take 10 // qlint: ignore KQL001\n```\n\n\
```kusto\nSigninLogs // qlint: ignore KQL002\n```\n\n```Kusto\nT // qlint: ignore KQL003\n```\n\n\
```splunk\nindex=main ```qlint: ignore SPL001``` | stats count\n```\n\n```spl\nindex=x ```qlint: ignore SPL002```\n```\n\n\
```python\n# qlint: ignore X\n```\n";
    write(dir.path(), "hunts.md", md);
    let found = check_json(dir.path(), "hunts.md");
    let codes: Vec<_> = found.iter().map(|f| (f.1.as_str(), f.2, f.3)).collect();
    assert_eq!(
        codes,
        [
            ("QL003", 7, 11),
            ("QL003", 11, 12),
            ("QL003", 15, 3),
            ("QL003", 19, 12),
            ("QL003", 23, 9)
        ]
    );
}

#[test]
fn sentinel_yaml_block_scalars_map_to_file_positions() {
    let dir = tempfile::tempdir().unwrap();
    // `|2` with an explicit indent: the first content line is more indented than the rest.
    write(
        dir.path(),
        "rules/explicit.yaml",
        "id: 1\nname: Explicit indent\nquery: |2\n    let threshold = 5;\n  SigninLogs\n  | where x > threshold // qlint: ignore KQL001\nseverity: High\n",
    );
    write(
        dir.path(),
        "rules/folded.yaml",
        "name: Folded\nqueryFrequency: 1h\nquery: >-\n  SecurityEvent\n  | take 1\n\n  // qlint: ignore-query KQL002\n  | project A\n",
    );
    write(
        dir.path(),
        "parsers/parser.yaml",
        "Parser:\n  Title: x\nParserQuery: |\n  let f = () { T };\n  f() // qlint: ignore KQL003\n",
    );
    write(
        dir.path(),
        "parsers/function.yaml",
        "FunctionName: y\nFunctionQuery: |-\n    T\n    // qlint: ignore KQL004\n    | take 1\n",
    );
    let found = check_json(dir.path(), ".");
    // End positions are exclusive (the column after the last character).
    let codes: Vec<_> =
        found.iter().map(|f| (f.0.as_str(), f.1.as_str(), f.2, f.3, f.4, f.5)).collect();
    assert_eq!(
        codes,
        [
            ("parsers/function.yaml", "QL003", 4, 5, 4, 28),
            ("parsers/parser.yaml", "QL003", 5, 7, 5, 30),
            ("rules/explicit.yaml", "QL003", 6, 25, 6, 48),
            // `>-` folds the next line into the comment, so the comment runs to line 8.
            ("rules/folded.yaml", "QL003", 7, 3, 8, 14),
        ]
    );
}

#[test]
fn quoted_scalars_with_escapes_map_to_file_positions() {
    let dir = tempfile::tempdir().unwrap();
    // A Splunk security-content detection with a double-quoted search full of `\"` escapes.
    write(
        dir.path(),
        "detections/escu.yml",
        "name: Suspicious cmd\nid: 1\nsearch: \"`sysmon` process_name=\\\"cmd.exe\\\" CommandLine=\\\"*\\\\\\\\temp*\\\" ```qlint: ignore SPL001``` | stats count\"\nhow_to_implement: x\n",
    );
    write(
        dir.path(),
        "detections/single.yml",
        "name: Single\nsearch: '`x` user=''admin'' ```qlint: ignore SPL002```\n  | table user'\n",
    );
    let found = check_json(dir.path(), ".");
    let codes: Vec<_> = found.iter().map(|f| (f.0.as_str(), f.2, f.3, f.5)).collect();
    // Line 3: `search: "` is 9 characters; the comment starts after the escaped text.
    let line3 =
        "search: \"`sysmon` process_name=\\\"cmd.exe\\\" CommandLine=\\\"*\\\\\\\\temp*\\\" ";
    let col = line3.chars().count() as u64 + 1;
    assert_eq!(
        codes,
        [("detections/escu.yml", 3, col, col + 26), ("detections/single.yml", 2, 29, 55),]
    );
}

#[test]
fn splunk_conf_files_with_continuations() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "default/savedsearches.conf",
        "[Detect A]\ncron_schedule = */5 * * * *\nsearch = index=main \\\n| stats count \\\n```qlint: ignore SPL001``` | where count > 5\n\n[Detect B]\nsearch = index=x\n",
    );
    write(
        dir.path(),
        "default/macros.conf",
        "[my_macro(1)]\nargs = a\ndefinition = index=$a$ ```qlint: ignore SPL002```\n",
    );
    write(dir.path(), "default/props.conf", "[x]\nsearch = ```qlint: ignore SPL003```\n");
    let found = check_json(dir.path(), ".");
    let codes: Vec<_> = found.iter().map(|f| (f.0.as_str(), f.2, f.3)).collect();
    assert_eq!(codes, [("default/macros.conf", 3, 24), ("default/savedsearches.conf", 5, 1)]);
}

#[test]
fn csl_and_kusto_files_are_kql_and_spl_files_are_spl() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csl", "T // qlint: ignore KQL001\n");
    write(dir.path(), "b.kusto", "T // qlint: ignore KQL002\n");
    write(dir.path(), "c.spl", "index=main // qlint: ignore SPL0\n");
    write(dir.path(), "d.txt", "T // qlint: ignore KQL003\n");
    let found = check_json(dir.path(), ".");
    let codes: Vec<_> = found.iter().map(|f| f.0.as_str()).collect();
    // `//` is not a comment in SPL, and .txt files are not read.
    assert_eq!(codes, ["a.csl", "b.kusto"]);
}

#[test]
fn non_rule_yaml_is_skipped_and_malformed_yaml_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n");
    write(dir.path(), "list.yaml", "- a\n- b\n");
    write(dir.path(), "weird.yaml", "query: 42\n");
    let (code, stdout, _) = qlint(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(json_positions(&stdout), []);

    write(dir.path(), "broken.yaml", "name: x\nquery: |\n  T\nseverity: [High\n");
    let (code, stdout, _) = qlint(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(code, 1);
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].starts_with("broken.yaml:4:"), "{stdout}");
    assert!(lines[0].contains("QL002 malformed YAML"), "{stdout}");
}

#[test]
fn unreadable_file_is_an_error_for_that_file_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.kql"), b"T | where x == \"\xff\xfe\"\n").unwrap();
    write(dir.path(), "good.kql", "T // qlint: ignore KQL001\n");
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(code, 2, "an unreadable file makes the run exit 2");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "bad.kql:1:1: QL001 not valid UTF-8 (first bad byte at offset 16)",
            "good.kql:1:3: QL003 unused suppression of `KQL001`: no such diagnostic here",
        ]
    );
    assert!(stderr.contains("2 files checked"), "{stderr}");
}

#[test]
fn syntax_errors_inside_yaml_scalars_land_on_the_file_position() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "block.yaml",
        "name: x\nquery: |\n  SecurityEvent\n  | where TimeGenerated > ago(1d)\n  | where EventID == \n  | take 10\n",
    );
    let quoted = "query: \"SecurityEvent | where Account != \\\"x\\\" and EventID == | take 1\"";
    write(dir.path(), "quoted.yaml", &format!("name: quoted\n{quoted}\n"));
    write(
        dir.path(),
        "escu.yml",
        "name: y\nsearch: \"index=main earliest=-1h process=\\\"cmd.exe\\\" | stats count by\"\n",
    );
    let found = check_json(dir.path(), ".");
    let codes: Vec<_> = found.iter().map(|f| (f.0.as_str(), f.1.as_str(), f.2, f.3)).collect();
    let quoted_column = quoted.find("==").unwrap() as u64 + 1;
    assert_eq!(
        codes,
        [
            ("block.yaml", "KQL001", 5, 19),
            // "found end of input": the last character, the `y` of `by`.
            ("escu.yml", "SPL001", 2, 69),
            ("quoted.yaml", "KQL001", 2, quoted_column),
        ]
    );
}

#[test]
fn yaral_files_and_fences_report_file_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a_login.yaral",
        "rule r {\n  events:\n    $e.principal.hostnme = \"a\"\n  condition:\n    $e\n}\n",
    );
    write(dir.path(), "b_more.yl2", "rule s {\n  evnts:\n    $e.x = 1\n  condition:\n    $e\n}\n");
    write(
        dir.path(),
        "c_hunts.md",
        "# Hunt\n\n```yara-l\nrule t {\n  events:\n    $e.metadata.event_type = \"PROCESS_LAUNCHED\"\n  \
         condition:\n    $e\n}\n```\n",
    );
    let (_, stdout, stderr) =
        cli::run(dir.path(), &["check", "--format", "json", "--select", "YL", "."], None, true);
    assert!(!stdout.is_empty(), "no output; stderr: {stderr}");
    let found = json_positions(&stdout);
    let codes: Vec<_> = found.iter().map(|f| (f.0.as_str(), f.1.as_str(), f.2, f.3)).collect();
    assert_eq!(
        codes,
        [
            ("a_login.yaral", "YL201", 3, 18),
            ("b_more.yl2", "YL001", 2, 3),
            ("c_hunts.md", "YL202", 6, 30),
        ]
    );
}

/// What a user sees for a misspelt UDM field and enum value: the place, the source line with a
/// mark under the offending text, and the suggestion.
#[test]
fn yaral_misspellings_show_their_place_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "logins.yaral",
        "rule logins {\n  events:\n    $e.metadata.event_type = \"USER_LOGON\"\n    \
         $e.principal.hostnme = \"kiosk-01\"\n  condition:\n    $e\n}\n",
    );
    let (code, stdout, stderr) =
        cli::run(dir.path(), &["check", "--select", "YL", "logins.yaral"], None, true);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stdout.lines().map(str::trim_end).collect();
    for expected in [
        "  × `USER_LOGON` is not a value of `metadata.event_type`; did you mean `USER_LOGIN`?",
        "   ╭─[logins.yaral:3:30]",
        " 3 │     $e.metadata.event_type = \"USER_LOGON\"",
        "  × unknown UDM field `hostnme` in `noun`; did you mean `hostname`?",
        "   ╭─[logins.yaral:4:18]",
        " 4 │     $e.principal.hostnme = \"kiosk-01\"",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in:\n{stdout}");
    }
    let (_, concise, _) = cli::run(
        dir.path(),
        &["check", "--select", "YL", "--format", "concise", "logins.yaral"],
        None,
        true,
    );
    assert_eq!(
        concise.lines().collect::<Vec<_>>(),
        [
            "logins.yaral:3:30: YL202 `USER_LOGON` is not a value of `metadata.event_type`; did you \
             mean `USER_LOGIN`?",
            "logins.yaral:4:18: YL201 unknown UDM field `hostnme` in `noun`; did you mean \
             `hostname`?",
        ]
    );
}

#[test]
fn sigma_rules_catalog_logic_and_configured_keys() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "title: Whoami\nid: 502b42de-4306-40b4-9596-6f590c81f073\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection_img:\n        Image|endswith: '\\whoami.exe'\n    selection_cli:\n        Commandline|contians: '/priv'\n    condition: selection_image and selection_cli\nlevel: high\n";
    write(dir.path(), "rules/whoami.yml", rule);
    write(
        dir.path(),
        "catalog.yml",
        "id: '5343.18043'\ntitle: 'Remote Admin Tools'\nlogic_format: Splunk\nlogic: 'index=main | regex process=\"(?i)(anydesk\" | table _time, host'\n",
    );
    write(
        dir.path(),
        "team/hunt.yaml",
        "name: h\ndetect:\n  engine: sentinel\n  query: |\n    SigninLogs\n    | where ResultType ==\n",
    );
    write(
        dir.path(),
        "qlint.toml",
        "[[yaml-queries]]\nkey = \"detect.query\"\nlanguage = \"kql\"\nwhen = { key = \"engine\", equals = \"Sentinel\" }\n",
    );
    let (_, stdout, stderr) = cli::run(
        dir.path(),
        &["check", "--select", "SIG,SPL1,KQL0", "--format", "json", "."],
        None,
        true,
    );
    assert!(!stdout.is_empty(), "no output; stderr: {stderr}");
    let found: Vec<_> = json_positions(&stdout).into_iter().map(|f| (f.0, f.1, f.2, f.3)).collect();
    let path = |p: &str| p.to_owned();
    assert_eq!(
        found,
        [
            // The regex string of the catalog rule's `logic:`.
            (path("catalog.yml"), "SPL101".to_owned(), 4, 36),
            // `selection_img` is unused because the condition misspells it.
            (path("rules/whoami.yml"), "SIG103".to_owned(), 7, 5),
            (path("rules/whoami.yml"), "SIG201".to_owned(), 10, 9),
            (path("rules/whoami.yml"), "SIG104".to_owned(), 10, 21),
            (path("rules/whoami.yml"), "SIG101".to_owned(), 11, 16),
            // The `==` without a right operand, in the configured key's block scalar.
            (path("team/hunt.yaml"), "KQL001".to_owned(), 6, 24),
        ]
        .into_iter()
        .collect::<Vec<_>>(),
        "{stdout}"
    );
}
