//! The evaluator against Kusto's documented semantics, one test per operator or function
//! family. `print v = expr` evaluates scalars; small JSON tables feed the tabular operators.

use serde_json::json;

use super::testing::{column, run, scalar};
use crate::Value;

fn yes(expr: &str) -> bool {
    match scalar(expr) {
        Ok(Value::Bool(b)) => b,
        other => panic!("{expr}: {other:?}"),
    }
}

fn text(expr: &str) -> String {
    scalar(expr).unwrap_or_else(|e| panic!("{expr}: {e:?}")).to_string()
}

#[test]
fn equality_is_case_sensitive_and_tilde_operators_are_not() {
    assert!(yes(r#""abc" == "abc""#));
    assert!(!yes(r#""ABC" == "abc""#));
    assert!(yes(r#""ABC" =~ "abc""#));
    assert!(yes(r#""ABC" !~ "abd""#));
    assert!(yes(r#""ABC" != "abc""#));
    assert!(yes(r#""PowerShell.EXE" in~ ("powershell.exe", "pwsh.exe")"#));
    assert!(!yes(r#""PowerShell.EXE" in ("powershell.exe", "pwsh.exe")"#));
    assert!(yes(r#""svchost.exe" !in~ ("MsMpEng.exe", "csrss.exe")"#));
    assert!(yes(r#""b" in (dynamic(["a", "b"]))"#));
}

#[test]
fn has_matches_whole_terms_and_contains_matches_substrings() {
    assert!(yes(r#""C:\\Tools\\PsExec.exe -s" has "psexec""#));
    assert!(!yes(r#""psexecsvc.exe" has "psexec""#));
    assert!(!yes(r#""KustoExplorerQueryRun" has "Explorer""#));
    assert!(yes(r#""Kusto: ad67d136-c1db-4f9f;KustoExplorerQueryRun" has "c1db""#));
    assert!(yes(r#""psexecsvc.exe" contains "PSEXEC""#));
    assert!(!yes(r#""psexecsvc.exe" contains_cs "PSEXEC""#));
    assert!(!yes(r#""a PsExec b" has_cs "psexec""#));
    assert!(yes(r#""a PsExec b" !has_cs "psexec""#));
    assert!(yes(r#""North America" hasprefix "amer""#));
    assert!(yes(r#""North America" hassuffix "RICA""#));
    assert!(yes(r#""ForwardTo: x@y" has_any ("RedirectTo", "ForwardTo")"#));
    assert!(!yes(r#""ForwardTo: x@y" has_all ("RedirectTo", "ForwardTo")"#));
    assert!(yes(r#""Invoke-Mimikatz" startswith "invoke""#));
    assert!(!yes(r#""Invoke-Mimikatz" startswith_cs "invoke""#));
    assert!(yes(r#""lsass.DMP" endswith ".dmp""#));
    assert!(yes(r#""lsass.DMP" !endswith_cs ".dmp""#));
}

#[test]
fn matches_regex_uses_re2_syntax() {
    assert!(yes(r#""user@contoso.com" matches regex @"^[a-z]+@contoso\.com$""#));
    assert!(!yes(r#""USER@contoso.com" matches regex @"^[a-z]+@""#));
    assert!(yes(r#""USER@contoso.com" matches regex @"(?i)^[a-z]+@""#));
    assert!(run(r#"print v = "a" matches regex "(""#, &[]).is_err());
}

#[test]
fn logic_and_null_follow_three_valued_rules() {
    assert!(yes("true and not(false)"));
    assert!(yes("false or 1 < 2"));
    assert!(yes("isnull(long(null) + 1)"));
    assert!(yes(r#"isempty("") and isempty(long(null)) and isnotempty("x")"#));
    assert!(yes(r#"not(isnull(""))"#));
    assert_eq!(text(r#"iff(1 > 2, "a", "b")"#), "b");
    assert_eq!(text(r#"case(1 > 2, "a", 2 > 1, "b", "c")"#), "b");
    assert_eq!(text(r#"coalesce("", "x", "y")"#), "x");
}

#[test]
fn arithmetic_over_numbers_datetimes_and_timespans() {
    assert_eq!(text("7 / 2"), "3");
    assert_eq!(text("7.0 / 2"), "3.5");
    assert_eq!(text("7 % 3"), "1");
    assert_eq!(text("datetime(2024-07-15) + 1d"), "2024-07-16T00:00:00Z");
    assert_eq!(text("datetime(2024-07-15 12:00) - datetime(2024-07-15)"), "12:00:00");
    assert_eq!(text("2h * 3"), "06:00:00");
    assert_eq!(text("1d / 1h"), "24");
    assert_eq!(text("-(5m)"), "-00:05:00");
    assert!(yes(
        "datetime(2024-07-15 11:30) between (datetime(2024-07-15 11:00) .. 1h + datetime(2024-07-15 11:00))"
    ));
    assert!(yes("5 !between (1 .. 4)"));
    assert!(yes("datetime(2024-07-15 11:30) between (datetime(2024-07-15 11:00) .. 1h)"));
    assert!(!yes("datetime(2024-07-15 12:30) between (datetime(2024-07-15 11:00) .. 1h)"));
}

#[test]
fn now_and_ago_use_the_test_clock() {
    assert_eq!(text("now()"), "2024-07-15T12:00:00Z");
    assert_eq!(text("ago(1d)"), "2024-07-14T12:00:00Z");
    assert_eq!(text("now(-1h)"), "2024-07-15T11:00:00Z");
}

#[test]
fn bin_rounds_down_and_aligns_weeks_to_year_one() {
    assert_eq!(text("bin(datetime(2024-07-15 11:47), 10m)"), "2024-07-15T11:40:00Z");
    assert_eq!(text("bin(datetime(2024-07-17 11:47), 7d)"), "2024-07-15T00:00:00Z");
    assert_eq!(text("bin(17, 5)"), "15");
    assert_eq!(text("bin(-1, 5)"), "-5");
    assert_eq!(text("floor(4.7, 1)"), "4");
    assert_eq!(text("startofday(datetime(2024-07-15 11:47))"), "2024-07-15T00:00:00Z");
    assert_eq!(text("startofweek(datetime(2024-07-17))"), "2024-07-14T00:00:00Z");
    assert_eq!(text("dayofweek(datetime(2024-07-17))"), "3.00:00:00");
    assert_eq!(text("hourofday(datetime(2024-07-17 13:05))"), "13");
}

#[test]
fn string_functions() {
    assert_eq!(text(r#"tolower("ABC")"#), "abc");
    assert_eq!(text(r#"toupper("abc")"#), "ABC");
    assert_eq!(text(r#"strcat("a", 1, "b")"#), "a1b");
    assert_eq!(text(r#"strcat_delim("-", "a", "b")"#), "a-b");
    assert_eq!(text(r#"strlen("héllo")"#), "5");
    assert_eq!(text(r#"substring("abcdef", 2, 3)"#), "cde");
    assert_eq!(text(r#"split("a,b,c", ",")"#), r#"["a","b","c"]"#);
    assert_eq!(text(r#"split("a,b,c", ",", 1)"#), r#"["b"]"#);
    assert_eq!(text(r#"tostring(split("a,b,c", ",")[2])"#), "c");
    assert_eq!(text(r#"indexof("abc", "c")"#), "2");
    assert_eq!(text(r#"replace_string("a.b.c", ".", "/")"#), "a/b/c");
    assert_eq!(text(r#"replace_regex("user=bob", @"user=(\w+)", @"name:\1")"#), "name:bob");
    assert_eq!(text(r#"trim(@"\s+", "  x  ")"#), "x");
    assert_eq!(text(r#"base64_decode_tostring("aGVsbG8=")"#), "hello");
}

#[test]
fn arrays_sets_counts_and_date_differences() {
    assert_eq!(text(r#"strcat_array(dynamic(["a", "b"]), "-")"#), "a-b");
    assert_eq!(text(r#"array_slice(dynamic([1, 2, 3, 4]), 1, -2)"#), "[2,3]");
    assert_eq!(text(r#"array_concat(dynamic([1]), dynamic([2]))"#), "[1,2]");
    assert_eq!(text(r#"set_union(dynamic([1, 2]), dynamic([2, 3]))"#), "[1,2,3]");
    assert_eq!(text(r#"set_difference(dynamic([1, 2, 3]), dynamic([2]))"#), "[1,3]");
    assert_eq!(text(r#"countof("The cat sat on the mat", "at")"#), "3");
    assert_eq!(text(r#"countof("aaaa", "aa")"#), "3");
    assert_eq!(text(r#"countof("aaaa", "aa", "regex")"#), "2");
    assert_eq!(text("tohex(255)"), "ff");
    assert_eq!(text("datetime_diff('year', datetime(2017-01-01), datetime(2000-12-31))"), "17");
    assert_eq!(text("datetime_diff('month', datetime(2017-01-01), datetime(2016-12-31))"), "1");
    assert_eq!(
        text("datetime_diff('hour', datetime(2017-10-31 01:00), datetime(2017-10-30 23:59))"),
        "2"
    );
    assert_eq!(
        text(
            "datetime_diff('minute', datetime(2017-10-30 23:05:01), datetime(2017-10-30 23:00:59))"
        ),
        "5"
    );
}

#[test]
fn extract_and_extract_all() {
    assert_eq!(text(r#"extract(@"([a-z]+)@([a-z.]+)", 2, "mail bob@evil.com now")"#), "evil.com");
    assert_eq!(text(r#"extract(@"(\d+)", 1, "no digits")"#), "");
    assert!(matches!(
        scalar(r#"extract(@"(\d+)", 1, "port 445", typeof(long))"#),
        Ok(Value::Long(445))
    ));
    assert_eq!(text(r#"extract_all(@"(\d+)", "a1b22c333")"#), r#"["1","22","333"]"#);
    assert_eq!(text(r#"extract_all(@"(\w)=(\d)", "a=1 b=2")"#), r#"[["a","1"],["b","2"]]"#);
    assert!(matches!(scalar(r#"extract_all(@"(\d)", "none")"#), Ok(Value::Null)));
}

#[test]
fn dynamic_values_and_conversions() {
    assert_eq!(text(r#"parse_json('{"a": {"b": [10, 20]}}').a.b[1]"#), "20");
    assert_eq!(text(r#"parse_json('{"a": {"b": [10, 20]}}')["a"]["b"][-1]"#), "20");
    assert!(matches!(scalar(r#"parse_json('{"a": 1}').missing"#), Ok(Value::Null)));
    assert_eq!(text(r#"tostring(parse_json('{"a": "x"}').a)"#), "x");
    assert!(yes(r#"parse_json('{"a": "x"}').a == "x""#));
    assert_eq!(text(r#"array_length(dynamic([1, 2, 3]))"#), "3");
    assert_eq!(text(r#"pack_array(1, "a")"#), r#"[1,"a"]"#);
    assert_eq!(text(r#"bag_pack("k", 1)"#), r#"{"k":1}"#);
    assert_eq!(text(r#"tolong("42")"#), "42");
    assert_eq!(text(r#"toint(4.9)"#), "4");
    assert!(matches!(scalar(r#"tolong("x")"#), Ok(Value::Null)));
    assert_eq!(text(r#"todatetime("2024-07-15 10:00")"#), "2024-07-15T10:00:00Z");
    assert!(yes(r#"set_has_element(dynamic(["a", "b"]), "b")"#));
    assert!(yes(r#"ipv4_is_private("192.168.1.10") and not(ipv4_is_private("8.8.8.8"))"#));
    assert!(yes(r#"ipv4_is_in_range("10.1.2.3", "10.1.0.0/16")"#));
}

#[test]
fn unsupported_functions_and_operators_are_errors_with_spans() {
    let err = run("print v = geo_distance_2points(1, 2, 3, 4)", &[]).unwrap_err();
    assert!(err.message.contains("`geo_distance_2points`"), "{err:?}");
    assert_eq!(err.span, Some(10..30));
    let err = run("print v = 1 | evaluate bag_unpack(x)", &[]).unwrap_err();
    assert!(err.message.contains("`evaluate`"), "{err:?}");
    assert_eq!(err.span, Some(14..36));
    let err = run("print v = 1 | where", &[]).unwrap_err();
    assert!(err.message.starts_with("syntax error"), "{err:?}");
    let err = run("Nope | take 1", &[]).unwrap_err();
    assert!(err.message.contains("`Nope`"), "{err:?}");
}

fn events() -> serde_json::Value {
    json!([
        {"Timestamp": "2024-07-15T11:00:00Z", "DeviceName": "h1", "FileName": "powershell.exe", "InitiatingProcessFileName": "winword.exe", "ProcessCommandLine": "powershell -enc AAA"},
        {"Timestamp": "2024-07-15T11:05:00Z", "DeviceName": "h1", "FileName": "PowerShell.exe", "InitiatingProcessFileName": "explorer.exe", "ProcessCommandLine": "powershell"},
        {"Timestamp": "2024-07-15T11:10:00Z", "DeviceName": "h2", "FileName": "cmd.exe", "InitiatingProcessFileName": "explorer.exe", "ProcessCommandLine": "cmd /c whoami"},
        {"Timestamp": "2024-07-13T11:10:00Z", "DeviceName": "h3", "FileName": "pwsh.exe", "InitiatingProcessFileName": "explorer.exe", "ProcessCommandLine": "pwsh"}
    ])
}

fn procs(query: &str) -> crate::Table {
    run(query, &[("DeviceProcessEvents", events())]).unwrap_or_else(|e| panic!("{query}: {e:?}"))
}

#[test]
fn where_extend_project_family() {
    let t = procs(
        "DeviceProcessEvents | where Timestamp > ago(1d) and FileName =~ 'powershell.exe' | extend Cmd = tolower(ProcessCommandLine), N = strlen(Cmd) | project DeviceName, Cmd, N",
    );
    assert_eq!(t.column_names().collect::<Vec<_>>(), ["DeviceName", "Cmd", "N"]);
    assert_eq!(column(&t, "Cmd"), ["powershell -enc aaa", "powershell"]);
    assert_eq!(column(&t, "N"), ["19", "10"]);
    let t = procs(
        "DeviceProcessEvents | take 1 | project-away Process*, Initiating* | project-rename Host = DeviceName | project-keep Host, FileN*",
    );
    assert_eq!(t.column_names().collect::<Vec<_>>(), ["Host", "FileName"]);
    let t = procs(
        "DeviceProcessEvents | take 1 | project DeviceName, FileName | project-reorder FileName",
    );
    assert_eq!(t.column_names().collect::<Vec<_>>(), ["FileName", "DeviceName"]);
}

#[test]
fn sort_top_take_distinct_count() {
    let t = procs("DeviceProcessEvents | sort by Timestamp | project DeviceName");
    assert_eq!(column(&t, "DeviceName"), ["h2", "h1", "h1", "h3"]);
    let t =
        procs("DeviceProcessEvents | order by DeviceName asc, Timestamp desc | project FileName");
    assert_eq!(column(&t, "FileName"), ["PowerShell.exe", "powershell.exe", "cmd.exe", "pwsh.exe"]);
    let t = procs("DeviceProcessEvents | top 2 by Timestamp asc | project DeviceName");
    assert_eq!(column(&t, "DeviceName"), ["h3", "h1"]);
    assert_eq!(procs("DeviceProcessEvents | take 3").rows.len(), 3);
    let t = procs("DeviceProcessEvents | distinct DeviceName | sort by DeviceName asc");
    assert_eq!(column(&t, "DeviceName"), ["h1", "h2", "h3"]);
    assert_eq!(column(&procs("DeviceProcessEvents | count"), "Count"), ["4"]);
}

#[test]
fn summarize_aggregations_and_bins() {
    let t = procs(
        "DeviceProcessEvents | summarize count(), Devices = dcount(DeviceName), Shells = countif(FileName has 'powershell'), Names = make_set(tolower(FileName)), First = min(Timestamp), Last = max(Timestamp) by InitiatingProcessFileName | sort by InitiatingProcessFileName asc",
    );
    assert_eq!(
        t.column_names().collect::<Vec<_>>(),
        ["InitiatingProcessFileName", "count_", "Devices", "Shells", "Names", "First", "Last"]
    );
    assert_eq!(column(&t, "count_"), ["3", "1"]);
    assert_eq!(column(&t, "Devices"), ["3", "1"]);
    assert_eq!(column(&t, "Shells"), ["1", "1"]);
    assert_eq!(
        column(&t, "Names"),
        [r#"["powershell.exe","cmd.exe","pwsh.exe"]"#, r#"["powershell.exe"]"#]
    );
    assert_eq!(column(&t, "First"), ["2024-07-13T11:10:00Z", "2024-07-15T11:00:00Z"]);
    let t = procs(
        "DeviceProcessEvents | summarize n = count() by bin(Timestamp, 1d) | sort by Timestamp asc",
    );
    assert_eq!(column(&t, "Timestamp"), ["2024-07-13T00:00:00Z", "2024-07-15T00:00:00Z"]);
    assert_eq!(column(&t, "n"), ["1", "3"]);
    let t = procs("DeviceProcessEvents | where FileName == 'none' | summarize count()");
    assert_eq!(column(&t, "count_"), ["0"]);
    let t = procs(
        "DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceName | sort by DeviceName asc",
    );
    assert_eq!(column(&t, "FileName"), ["PowerShell.exe", "cmd.exe", "pwsh.exe"]);
    let t = procs(
        "DeviceProcessEvents | summarize arg_min(Timestamp, FileName), take_any(DeviceName), make_list(DeviceName, 2), sum(1), avg(2)",
    );
    assert_eq!(column(&t, "FileName"), ["pwsh.exe"]);
    assert_eq!(column(&t, "list_DeviceName"), [r#"["h1","h1"]"#]);
    assert_eq!(column(&t, "sum_"), ["4"]);
    let t = procs(
        "DeviceProcessEvents | summarize Ratio = round(1.0 * countif(DeviceName == 'h1') / count(), 2), Hosts = dcountif(DeviceName, FileName != 'cmd.exe')",
    );
    assert_eq!(column(&t, "Ratio"), ["0.5"]);
    assert_eq!(column(&t, "Hosts"), ["2"]);
}

fn left() -> serde_json::Value {
    json!([{"K": "a", "L": 1}, {"K": "a", "L": 2}, {"K": "b", "L": 3}, {"K": "c", "L": 4}])
}

fn right() -> serde_json::Value {
    json!([{"K": "a", "R": 10}, {"K": "a", "R": 11}, {"K": "b", "R": 20}, {"K": "d", "R": 40}])
}

fn joined(kind: &str) -> crate::Table {
    let sort =
        if kind.contains("semi") || kind.contains("anti") { "L asc" } else { "L asc, R asc" };
    let q = format!("Left | join {kind} (Right) on K | sort by {sort}");
    run(&q, &[("Left", left()), ("Right", right())]).unwrap_or_else(|e| panic!("{q}: {e:?}"))
}

#[test]
fn join_kinds() {
    let t = joined("");
    assert_eq!(t.column_names().collect::<Vec<_>>(), ["K", "L", "K1", "R"]);
    assert_eq!(column(&t, "L"), ["1", "1", "3"], "innerunique keeps the first left row per key");
    assert_eq!(column(&joined("kind=inner"), "L"), ["1", "1", "2", "2", "3"]);
    assert_eq!(column(&joined("kind=leftouter"), "R"), ["10", "11", "10", "11", "20", ""]);
    assert_eq!(column(&joined("kind=leftanti"), "L"), ["4"]);
    assert_eq!(column(&joined("kind=leftsemi"), "L"), ["1", "2", "3"]);
    assert_eq!(joined("kind=leftsemi").column_names().collect::<Vec<_>>(), ["K", "L"]);
    let t = run("Left | join kind=rightanti Right on K", &[("Left", left()), ("Right", right())])
        .unwrap();
    assert_eq!(column(&t, "R"), ["40"]);
    assert_eq!(joined("kind=fullouter").rows.len(), 7);
    let t = run(
        "Left | join kind=inner (Right | project K2 = K, R) on $left.K == $right.K2 | where R > 15",
        &[("Left", left()), ("Right", right())],
    )
    .unwrap();
    assert_eq!(column(&t, "L"), ["3"]);
}

#[test]
fn lookup_union_and_datatable() {
    let t = run(
        "Left | lookup (Right | summarize R = max(R) by K) on K | sort by L asc",
        &[("Left", left()), ("Right", right())],
    )
    .unwrap();
    assert_eq!(t.column_names().collect::<Vec<_>>(), ["K", "L", "R"]);
    assert_eq!(column(&t, "R"), ["11", "11", "20", ""]);
    let t = run(
        "union withsource=Src Left, Right | summarize count() by Src",
        &[("Left", left()), ("Right", right())],
    )
    .unwrap();
    assert_eq!(column(&t, "count_"), ["4", "4"]);
    assert_eq!(column(&t, "Src"), ["Left", "Right"]);
    let t =
        run("Left | union (Right | where R > 15) | count", &[("Left", left()), ("Right", right())])
            .unwrap();
    assert_eq!(column(&t, "Count"), ["6"]);
    let t = run("let Allow = datatable(Name: string, Level: long) ['svchost.exe', 1, 'csrss.exe', 2]; Allow | where Level > 1", &[]).unwrap();
    assert_eq!(column(&t, "Name"), ["csrss.exe"]);
}

#[test]
fn let_scalars_tables_lists_and_functions() {
    let q = "let threshold = 1; let shells = dynamic(['powershell.exe', 'pwsh.exe']); \
             let IsShell = (name: string) { tolower(name) in (shells) }; \
             let hosts = DeviceProcessEvents | where IsShell(FileName) | summarize n = count() by DeviceName; \
             hosts | where n > threshold";
    assert_eq!(column(&procs(q), "DeviceName"), ["h1"]);
    let q = "let lookback = 14d; let Recent = (T: (Timestamp: datetime)) { T | where Timestamp > ago(lookback) }; \
             Recent(DeviceProcessEvents) | count";
    assert_eq!(column(&procs(q), "Count"), ["4"]);
    let q = "let names = DeviceProcessEvents | where DeviceName == 'h2' | project FileName; \
             DeviceProcessEvents | where FileName in (names) | project DeviceName";
    assert_eq!(column(&procs(q), "DeviceName"), ["h2"]);
    let q = "let last = toscalar(DeviceProcessEvents | summarize max(Timestamp)); print v = last";
    assert_eq!(column(&procs(q), "v"), ["2024-07-15T11:10:00Z"]);
}

#[test]
fn mv_expand_and_parse() {
    let t = run("print a = dynamic([1, 2, 3]), b = 'x' | mv-expand a | project a, b", &[]).unwrap();
    assert_eq!(column(&t, "a"), ["1", "2", "3"]);
    let t = run("print a = dynamic({'k1': 1, 'k2': 2}) | mv-expand a", &[]).unwrap();
    assert_eq!(column(&t, "a"), [r#"{"k1":1}"#, r#"{"k2":2}"#]);
    let t = run("print a = dynamic([1, 2, 3]) | mv-expand x = a limit 2", &[]).unwrap();
    assert_eq!(column(&t, "x"), ["1", "2"]);
    let data = json!([{"EventData": r#"<Data Name="ImagePath">C:\Temp\x.exe</Data>"#}, {"EventData": "nothing"}]);
    let t = run(
        r#"Ev | parse EventData with * 'ImagePath">' ImagePath '<' *"#,
        &[("Ev", data.clone())],
    )
    .unwrap();
    assert_eq!(column(&t, "ImagePath"), [r"C:\Temp\x.exe", ""]);
    let t = run(r#"Ev | parse-where EventData with * '>' Drive ':' Rest"#, &[("Ev", data.clone())])
        .unwrap();
    assert_eq!(column(&t, "Drive"), ["C"]);
    assert_eq!(column(&t, "Rest"), [r"\Temp\x.exe</Data>"]);
    let t =
        run(r#"print s = "port=445 user=bob" | parse s with "port=" Port:long " user=" User"#, &[])
            .unwrap();
    assert_eq!(column(&t, "Port"), ["445"]);
    assert!(matches!(t.rows[0].get("Port"), Some(Value::Long(445))));
    let t = run(r#"print s = "id: 42" | parse kind=regex s with @"id:\s*" Id:long"#, &[]).unwrap();
    assert_eq!(column(&t, "Id"), ["42"]);
}
