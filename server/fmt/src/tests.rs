use super::*;

fn kql(text: &str) -> String {
    format(Dialect::Kql, text, &Options::default()).unwrap()
}

fn spl(text: &str) -> String {
    format(Dialect::Spl, text, &Options::default()).unwrap()
}

fn narrow(dialect: Dialect, text: &str) -> String {
    format(dialect, text, &Options { line_width: 60, ..Options::default() }).unwrap()
}

#[test]
fn kql_one_operator_per_line() {
    assert_eq!(
        kql("SecurityEvent | where EventID == 4688   | summarize count() by Account\n"),
        "SecurityEvent\n| where EventID == 4688\n| summarize count() by Account\n"
    );
}

#[test]
fn kql_lets_subqueries_and_comments() {
    let text = "// Hosts that ran psexec\nlet window = 1d;  let hosts = DeviceProcessEvents | where FileName =~ \"psexec.exe\" | distinct DeviceId; // the set\n\n\nDeviceNetworkEvents | where Timestamp > ago(window)\n  // only those hosts\n  | where DeviceId in (hosts) | join kind=leftanti (DeviceInfo | where IsExcluded) on DeviceId";
    insta::assert_snapshot!(kql(text), @r#"
    // Hosts that ran psexec
    let window = 1d;
    let hosts = DeviceProcessEvents
        | where FileName =~ "psexec.exe"
        | distinct DeviceId; // the set

    DeviceNetworkEvents
    | where Timestamp > ago(window)
    // only those hosts
    | where DeviceId in (hosts)
    | join kind=leftanti (
        DeviceInfo
        | where IsExcluded
    ) on DeviceId
    "#);
}

#[test]
fn kql_long_conditions_break_before_and_or_and_lists_fill() {
    let text = "DeviceProcessEvents | where FileName in~ (\"psexec.exe\", \"psexesvc.exe\", \"paexec.exe\", \"remcom.exe\") and ProcessCommandLine has \"accepteula\" or InitiatingProcessFileName =~ \"cmd.exe\"";
    insta::assert_snapshot!(narrow(Dialect::Kql, text), @r#"
    DeviceProcessEvents
    | where FileName in~ ("psexec.exe", "psexesvc.exe",
        "paexec.exe", "remcom.exe")
        and ProcessCommandLine has "accepteula"
        or InitiatingProcessFileName =~ "cmd.exe"
    "#);
}

#[test]
fn spl_one_command_per_line_and_indented_subsearch() {
    let text = "index=windows EventCode=4688 [| inputlookup admins.csv | fields user] | stats count by user, host | where count > 5";
    insta::assert_snapshot!(spl(text), @r"
    index=windows EventCode=4688 [
        | inputlookup admins.csv
        | fields user
    ]
    | stats count by user, host
    | where count > 5
    ");
}

#[test]
fn spl_touching_tokens_stay_touching() {
    // `process_name=psexec*` is one search term; a space would change it.
    let text = "index=w process_name=psexec* NOT user=\"SYSTEM\"|table _time,host";
    assert_eq!(spl(text), "index=w process_name=psexec* NOT user=\"SYSTEM\"\n| table _time,host");
}

#[test]
fn spl_long_base_search_breaks_before_or() {
    let text = "| tstats summariesonly=true count from datamodel=Endpoint.Processes where Processes.process_name=psexec.exe OR Processes.process_name=paexec.exe by Processes.dest Processes.user";
    insta::assert_snapshot!(narrow(Dialect::Spl, text), @r"
    | tstats summariesonly=true count from
        datamodel=Endpoint.Processes where
        Processes.process_name=psexec.exe
        OR Processes.process_name=paexec.exe
        by Processes.dest Processes.user
    ");
}

#[test]
fn surrounding_whitespace_and_line_endings_are_kept() {
    assert_eq!(kql("\n\nT | take 1\n\n"), "\n\nT\n| take 1\n\n");
    assert_eq!(kql("T | take 1"), "T\n| take 1");
    assert_eq!(kql("T\r\n| where a == 1 | take 1\r\n"), "T\r\n| where a == 1\r\n| take 1\r\n");
}

#[test]
fn broken_queries_are_refused_with_the_parser_message() {
    let error = format(Dialect::Kql, "T | where (a ==", &Options::default()).unwrap_err();
    assert!(error.message.contains("expected"), "{error:?}");
    assert!(format(Dialect::Spl, "index=x | stats count(", &Options::default()).is_err());
}

#[test]
fn formatting_twice_changes_nothing() {
    for text in [
        "let a = 1; // one\nlet b = (T | where x | take 1); b | count",
        "T | where a // first\n and b\n | project x, // why\n y",
        "search a [search b | head 1] | eval x=if(a, \"|\", \"b\") ```note``` | table x",
    ] {
        for dialect in [Dialect::Kql, Dialect::Spl] {
            let Ok(once) = format(dialect, text, &Options::default()) else { continue };
            assert_eq!(format(dialect, &once, &Options::default()).unwrap(), once, "{text}");
        }
    }
}

#[test]
fn spl_command_names_are_lowered_only_when_asked() {
    let text =
        "index=edr Image=\"*\\\\Psexec.exe\" | STATS count BY Host | `My_Macro` | Table Host";
    assert_eq!(
        spl(text),
        "index=edr Image=\"*\\\\Psexec.exe\"\n| STATS count BY Host\n| `My_Macro`\n| Table Host"
    );
    let lower = Options { spl_command_case: CommandCase::Lower, ..Options::default() };
    let once = format(Dialect::Spl, text, &lower).unwrap();
    // Only the command names: field names, values, `BY` and macros stay as written.
    assert_eq!(
        once,
        "index=edr Image=\"*\\\\Psexec.exe\"\n| stats count BY Host\n| `My_Macro`\n| table Host"
    );
    assert_eq!(format(Dialect::Spl, &once, &lower).unwrap(), once);
    // KQL is case-sensitive: the option does not touch it.
    let kql = "T | where X == 1 | invoke MyFunc()";
    assert_eq!(format(Dialect::Kql, kql, &lower), format(Dialect::Kql, kql, &Options::default()));
}

fn yaral(text: &str) -> String {
    format(Dialect::Yaral, text, &Options::default()).unwrap()
}

#[test]
fn yaral_sections_and_event_lines_are_indented_consistently() {
    let text = "/* header\n   kept as written */\nrule  rare_child\n{\nmeta:\n      author = \"qlint\"\n  events:\n$e.metadata.event_type = \"PROCESS_LAUNCH\"   // launches\n        $e.principal.hostname=$host\n   re.regex($e.target.process.command_line,`-enc`) nocase\n  ($e.target.process.file.full_path = /cmd\\.exe$/ or\n $e.target.process.file.full_path = /powershell\\.exe$/)\n\n\n  match:   $host over 10m\n outcome:\n$n = count_distinct(\n$e.target.process.pid\n)\n  condition: $e and $n > 2 }\n";
    insta::assert_snapshot!(yaral(text), @r#"
    /* header
       kept as written */
    rule rare_child {
      meta:
        author = "qlint"

      events:
        $e.metadata.event_type = "PROCESS_LAUNCH" // launches
        $e.principal.hostname=$host
        re.regex($e.target.process.command_line, `-enc`) nocase
        ($e.target.process.file.full_path = /cmd\.exe$/ or
          $e.target.process.file.full_path = /powershell\.exe$/)

      match:
        $host over 10m

      outcome:
        $n = count_distinct(
          $e.target.process.pid
        )

      condition:
        $e and $n > 2
    }
    "#);
}

#[test]
fn yaral_is_idempotent_and_refuses_broken_rules() {
    let text = "rule a {\n  events:\n    $e.principal.hostname = \"h\"\n  condition:\n    $e\n}\n\n\n\nrule b { events: $f.target.ip = \"1.2.3.4\" condition: $f }";
    let once = yaral(text);
    assert_eq!(yaral(&once), once);
    assert!(once.contains("}\n\nrule b {\n  events:\n    $f.target.ip"), "{once}");
    let broken =
        "rule a {\n  events:\n    $e.principal.hostname = (\"h\"\n  condition:\n    $e\n}\n";
    assert!(format(Dialect::Yaral, broken, &Options::default()).is_err());
}
