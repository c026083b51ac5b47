//! Whole pipelines through [`super::run`]: what a test author sees.

use std::collections::BTreeMap;

use qlint_knowledge::Knowledge;
use serde_json::json;

use crate::table::{Row, Table};
use crate::value::{Value, parse_datetime};
use crate::{EvalContext, EvalError, TestData};

fn row(fields: serde_json::Value) -> Row {
    let serde_json::Value::Object(map) = fields else { panic!("a row is an object") };
    map.iter()
        .map(|(k, v)| {
            let value = match (k.as_str(), v.as_str().and_then(parse_datetime)) {
                ("_time", Some(t)) => Value::DateTime(t),
                _ => Value::from_json(v),
            };
            (k.clone(), value)
        })
        .collect()
}

fn events(rows: serde_json::Value) -> TestData {
    let serde_json::Value::Array(items) = rows else { panic!("events are a list") };
    TestData { events: items.into_iter().map(row).collect(), ..TestData::default() }
}

fn knowledge() -> Knowledge {
    let mut k = Knowledge::builtin();
    let conf = "[sysmon]\ndefinition = index=endpoint sourcetype=sysmon\n\n\
                [image_is(1)]\nargs = name\ndefinition = Image=\"*\\\\$name$\"\n";
    for def in
        qlint_knowledge::parse_macros_conf(conf, std::path::Path::new("macros.conf")).unwrap()
    {
        k.add_macro(def);
    }
    k
}

fn now() -> i64 {
    parse_datetime("2024-07-15T12:00:00Z").unwrap()
}

fn run(query: &str, data: &TestData) -> Result<Table, EvalError> {
    let k = knowledge();
    super::run(query, &EvalContext { data, now: now(), knowledge: &k })
}

fn ok(query: &str, data: &TestData) -> Table {
    run(query, data).unwrap_or_else(|e| panic!("{query}: {e} at {:?}", e.span))
}

/// The rows as `field=value` texts, for compact assertions.
fn show(table: &Table) -> Vec<String> {
    table
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|(n, v)| {
                    format!("{n}={}", super::values::text(v).unwrap_or_default().replace('\n', "|"))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn sysmon() -> TestData {
    events(json!([
        {"_time": "2024-07-15T11:00:00Z", "index": "endpoint", "sourcetype": "sysmon", "EventCode": 1,
         "host": "h1", "User": "bob", "Image": "C:\\Windows\\System32\\cmd.exe", "CommandLine": "cmd /c whoami"},
        {"_time": "2024-07-15T11:05:00Z", "index": "endpoint", "sourcetype": "sysmon", "EventCode": 1,
         "host": "h1", "User": "bob", "Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
         "CommandLine": "powershell -enc SQBFAFgA"},
        {"_time": "2024-07-15T11:10:00Z", "index": "endpoint", "sourcetype": "sysmon", "EventCode": 3,
         "host": "h2", "User": "alice", "Image": "C:\\Windows\\System32\\cmd.exe", "DestinationIp": "10.0.0.5"},
        {"_time": "2024-07-15T09:00:00Z", "index": "other", "sourcetype": "sysmon", "EventCode": 1,
         "host": "h3", "User": "carol", "Image": "C:\\Windows\\System32\\cmd.exe"},
    ]))
}

#[test]
fn base_search_selects_index_and_fields() {
    let t = ok(r#"index=endpoint EventCode=1 Image="*\\cmd.exe" | table host User"#, &sysmon());
    assert_eq!(show(&t), ["host=h1 User=bob"]);
    assert_eq!(t.column_names().collect::<Vec<_>>(), ["host", "User"]);
}

#[test]
fn events_come_newest_first() {
    let t = ok("index=endpoint | head 1 | fields host _time", &sysmon());
    assert_eq!(show(&t), ["_time=1721041800 host=h2"]);
}

#[test]
fn macros_expand_with_arguments() {
    let t = ok("`sysmon` `image_is(powershell.exe)` | stats count by host", &sysmon());
    assert_eq!(show(&t), ["host=h1 count=1"]);
}

#[test]
fn unknown_macro_is_an_error_at_the_call() {
    let e = run("index=x | `nope(1)` | head 1", &sysmon()).unwrap_err();
    assert!(e.message.contains("`nope`"), "{}", e.message);
    assert_eq!(e.span, Some(10..19));
}

#[test]
fn errors_inside_a_macro_point_at_the_call() {
    let mut k = knowledge();
    let conf = "[bad]\ndefinition = eval x=sha1(y)\n";
    for def in qlint_knowledge::parse_macros_conf(conf, std::path::Path::new("m.conf")).unwrap() {
        k.add_macro(def);
    }
    let data = sysmon();
    let e = super::run(
        "index=endpoint | `bad`",
        &EvalContext { data: &data, now: now(), knowledge: &k },
    )
    .unwrap_err();
    assert!(e.message.contains("`sha1`"), "{}", e.message);
    assert_eq!(e.span, Some(17..22));
}

#[test]
fn missing_filter_macro_passes_everything() {
    let t = ok("index=endpoint | `my_rule_filter` | stats count", &sysmon());
    assert_eq!(show(&t), ["count=3"]);
}

#[test]
fn unsupported_commands_are_named() {
    let e = run("index=endpoint | transaction host", &sysmon()).unwrap_err();
    assert_eq!(e.message, "the command `transaction` is not supported by the SPL evaluator");
    assert_eq!(e.span, Some(17..28));
    let e = run("index=endpoint | makeresults", &sysmon()).unwrap_err();
    assert!(e.message.contains("`makeresults`"));
}

#[test]
fn syntax_errors_are_reported() {
    let e = run("index=endpoint | where (x=", &sysmon()).unwrap_err();
    assert!(e.message.starts_with("the query does not parse"), "{}", e.message);
}

#[test]
fn where_and_eval() {
    let q = r#"index=endpoint | eval img=lower(mvindex(split(Image, "\\"), -1)), long=if(len(CommandLine)>10, "yes", "no")
              | where img="powershell.exe" OR long="no" | table host img long"#;
    let t = ok(q, &sysmon());
    assert_eq!(show(&t), ["host=h2 img=cmd.exe long=no", "host=h1 img=powershell.exe long=yes"]);
}

#[test]
fn where_is_case_sensitive_unlike_search() {
    assert_eq!(ok(r#"index=endpoint | where User="BOB""#, &sysmon()).rows.len(), 0);
    assert_eq!(ok("index=endpoint User=BOB", &sysmon()).rows.len(), 2);
    assert_eq!(ok(r#"index=endpoint | search User=BOB"#, &sysmon()).rows.len(), 2);
}

#[test]
fn stats_by_sorted_and_missing_by_fields_dropped() {
    let t = ok(
        "index=endpoint | stats count dc(EventCode) as codes values(host) as hosts by User",
        &sysmon(),
    );
    assert_eq!(
        show(&t),
        ["User=alice count=1 codes=1 hosts=h2", "User=bob count=2 codes=1 hosts=h1"]
    );
    let t = ok("index=endpoint | stats count by DestinationIp", &sysmon());
    assert_eq!(show(&t), ["DestinationIp=10.0.0.5 count=1"]);
    let t = ok("index=nothing | stats count", &sysmon());
    assert_eq!(show(&t), ["count=0"]);
}

#[test]
fn eventstats_and_streamstats() {
    let t = ok(
        "index=endpoint | eventstats count as per_host by host | table host per_host",
        &sysmon(),
    );
    assert_eq!(show(&t), ["host=h2 per_host=1", "host=h1 per_host=2", "host=h1 per_host=2"]);
    let t = ok(
        "index=endpoint | sort _time | streamstats count as n by host | table host n",
        &sysmon(),
    );
    assert_eq!(show(&t), ["host=h1 n=1", "host=h1 n=2", "host=h2 n=1"]);
}

#[test]
fn rex_extracts_named_groups() {
    let t = ok(
        r#"index=endpoint EventCode=1 | rex field=Image "\\\\(?<exe>[^\\\\]+)$" | table exe"#,
        &sysmon(),
    );
    assert_eq!(show(&t), ["exe=powershell.exe", "exe=cmd.exe"]);
    let t = ok(
        r#"index=endpoint host=h2 | rex field=Image mode=sed "s/cmd/CMD/g" | table Image"#,
        &sysmon(),
    );
    assert_eq!(show(&t), [r"Image=C:\Windows\System32\CMD.exe"]);
}

#[test]
fn rename_dedup_sort_head() {
    let t = ok(
        "index=endpoint | rename User as user | dedup user | sort - host | table user host",
        &sysmon(),
    );
    assert_eq!(show(&t), ["user=alice host=h2", "user=bob host=h1"]);
    let t = ok("index=endpoint | sort 1 EventCode | table EventCode", &sysmon());
    assert_eq!(show(&t), ["EventCode=1"]);
}

#[test]
fn bin_and_convert() {
    let t = ok(
        "index=endpoint | bin _time span=1h | stats count by _time | convert ctime(_time) as t",
        &sysmon(),
    );
    assert_eq!(show(&t), ["_time=1721041200 count=3 t=07/15/2024 11:00:00"]);
}

#[test]
fn earliest_uses_now() {
    assert_eq!(ok("index=* earliest=-2h", &sysmon()).rows.len(), 3);
    assert_eq!(ok("index=* earliest=-4h", &sysmon()).rows.len(), 4);
}

#[test]
fn lookup_adds_outputs() {
    let mut data = sysmon();
    let mut table = Table::with_columns(["account", "role"]);
    table.rows.push(row(json!({"account": "bob", "role": "admin"})));
    data.lookups = BTreeMap::from([("roles.csv".to_string(), table)]);
    let t = ok(
        "index=endpoint | lookup roles account AS User OUTPUT role | stats count by User role",
        &data,
    );
    assert_eq!(show(&t), ["User=bob role=admin count=2"]);
    let t = ok("| inputlookup roles.csv where role=admin", &data);
    assert_eq!(show(&t), ["account=bob role=admin"]);
    let t = ok("index=endpoint EventCode=3 | table host | outputlookup seen_hosts.csv", &data);
    assert_eq!(show(&t), ["host=h2"]);
    let t = ok("index=endpoint EventCode=3 | table host | inputlookup append=t roles", &data);
    assert_eq!(show(&t), ["host=h2", "account=bob role=admin"]);
    let t = ok(
        "index=endpoint | lookup local=t roles account AS User OUTPUTNEW role | stats count by role",
        &data,
    );
    assert_eq!(show(&t), ["role=admin count=2"]);
    let e = run("index=endpoint | lookup missing x", &data).unwrap_err();
    assert!(e.message.contains("`missing`"));
}

#[test]
fn tstats_names_fields_as_the_query_does() {
    let data = TestData {
        datamodels: BTreeMap::from([(
            "Endpoint.Processes".to_string(),
            vec![
                row(
                    json!({"dest": "h1", "process_name": "wmic.exe", "process": "wmic process call create calc", "_time": "2024-07-15T11:00:00Z"}),
                ),
                row(
                    json!({"dest": "h1", "process_name": "wmic.exe", "process": "wmic os get", "_time": "2024-07-15T11:30:00Z"}),
                ),
                row(
                    json!({"dest": "h2", "process_name": "cmd.exe", "process": "cmd", "_time": "2024-07-15T11:00:00Z"}),
                ),
            ],
        )]),
        ..TestData::default()
    };
    let q = "| tstats summariesonly=true count min(_time) as firstTime from datamodel=Endpoint.Processes \
             where Processes.process_name=WMIC.exe Processes.process=\"*call create*\" by Processes.dest \
             | rename Processes.* as *";
    let t = ok(q, &data);
    assert_eq!(show(&t), ["dest=h1 count=1 firstTime=1721041200"]);
    let q = "| tstats values(Processes.process_name) from datamodel=Endpoint.Processes by _time span=1h";
    let t = ok(q, &data);
    assert_eq!(show(&t), ["_time=1721041200 values(Processes.process_name)=cmd.exe|wmic.exe"]);
    let e =
        run("| tstats count from datamodel=Endpoint.Processes where x=1 by y prestats=t", &data)
            .unwrap_err();
    assert!(e.message.contains("`prestats`"), "{}", e.message);
}

#[test]
fn unsupported_functions_are_errors_even_without_rows() {
    let e = run("index=nothing | eval h=sha256(x) | where isnull(h)", &sysmon()).unwrap_err();
    assert_eq!(e.message, "the eval function `sha256` is not supported by the SPL evaluator");
    let e = run(r#"index=nothing | where match(x, "(?<=a)b")"#, &sysmon()).unwrap_err();
    assert!(e.message.contains("is not supported here"), "{}", e.message);
    let e = run("index=nothing | stats count(eval(md5(x)))", &sysmon()).unwrap_err();
    assert!(e.message.contains("`md5`"), "{}", e.message);
}

#[test]
fn tstats_on_a_bare_model_reads_the_root_or_the_nodename() {
    let rows =
        vec![row(json!({"src": "10.0.0.1", "query": "a.example.com", "message_type": "QUERY"}))];
    let data = TestData {
        datamodels: BTreeMap::from([("Network_Resolution.DNS".to_string(), rows.clone())]),
        ..TestData::default()
    };
    let q = r#"| tstats dc("DNS.query") as count from datamodel=Network_Resolution
               where nodename=DNS "DNS.message_type"="QUERY" by DNS.src"#;
    assert_eq!(show(&ok(q, &data)), ["DNS.src=10.0.0.1 count=1"]);
    let data = TestData {
        datamodels: BTreeMap::from([(
            "Web.Web".to_string(),
            vec![row(json!({"url": "http://x", "status": 200}))],
        )]),
        ..TestData::default()
    };
    let q = "| tstats count from datamodel=Web where Web.status=200 by Web.url";
    assert_eq!(show(&ok(q, &data)), ["Web.url=http://x count=1"]);
}

#[test]
fn subsearch_rows_become_a_condition() {
    let q =
        "index=endpoint [search index=endpoint EventCode=3 | fields host] | table host EventCode";
    assert_eq!(show(&ok(q, &sysmon())), ["host=h2 EventCode=3"]);
    let q = "index=endpoint NOT [search index=endpoint EventCode=3 | fields User] | stats count";
    assert_eq!(show(&ok(q, &sysmon())), ["count=2"]);
    let q = "index=endpoint [search index=none | fields host] | stats count";
    assert_eq!(show(&ok(q, &sysmon())), ["count=0"]);
}

#[test]
fn join_append_and_appendpipe() {
    let q = "index=endpoint EventCode=1 | join host [search index=endpoint EventCode=3 | rename User as peer | fields host peer] | table host peer";
    assert_eq!(show(&ok(q, &sysmon())), Vec::<String>::new());
    let q = "index=endpoint EventCode=3 | join type=left host [search index=other | fields host User] | table host User";
    assert_eq!(show(&ok(q, &sysmon())), ["host=h2 User=alice"]);
    let q = "index=endpoint | stats count by host | join host [search index=endpoint EventCode=1 | stats dc(User) as users by host]";
    assert_eq!(show(&ok(q, &sysmon())), ["host=h1 count=2 users=1"]);
    let q = "index=endpoint EventCode=3 | append [search index=other] | stats count by index";
    assert_eq!(show(&ok(q, &sysmon())), ["index=endpoint count=1", "index=other count=1"]);
    let q = "index=endpoint | stats count by host | appendpipe [stats sum(count) as total]";
    assert_eq!(show(&ok(q, &sysmon())), ["host=h1 count=2", "host=h2 count=1", "total=3"]);
    let e = run("index=endpoint | join type=outer max=0 [search index=x]", &sysmon()).unwrap_err();
    assert!(e.message.contains("without join fields"), "{}", e.message);
}

#[test]
fn spath_reads_json() {
    let data = events(json!([
        {"_raw": r#"{"user": {"name": "bob", "roles": ["a", "b"]}, "items": [{"id": 1}, {"id": 2}]}"#}
    ]));
    let t = ok("* | spath | table user.name user.roles{} items{}.id", &data);
    assert_eq!(show(&t), ["user.name=bob user.roles{}=a|b items{}.id=1|2"]);
    let t = ok(
        "* | spath output=n path=user.name | spath input=_raw items{}.id | table n items{}.id",
        &data,
    );
    assert_eq!(show(&t), ["n=bob items{}.id=1|2"]);
}

#[test]
fn top_and_rare() {
    let t = ok("index=* | top Image", &sysmon());
    assert_eq!(
        show(&t),
        [
            r"Image=C:\Windows\System32\cmd.exe count=3 percent=75",
            r"Image=C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe count=1 percent=25",
        ]
    );
    let t = ok("index=* | top 1 User by host showperc=f", &sysmon());
    assert_eq!(
        show(&t),
        ["host=h2 User=alice count=1", "host=h1 User=bob count=2", "host=h3 User=carol count=1"]
    );
    let t = ok("index=* | rare limit=1 host countfield=n", &sysmon());
    assert_eq!(show(&t), ["host=h2 n=1 percent=25"]);
}

#[test]
fn case_directive_on_a_field_value() {
    assert_eq!(
        ok("index=* User=CASE(bob) | stats count", &sysmon()).rows[0].get("count"),
        Some(&Value::Long(2))
    );
    assert_eq!(
        ok("index=* User=CASE(BOB) | stats count", &sysmon()).rows[0].get("count"),
        Some(&Value::Long(0))
    );
    assert_eq!(
        ok("index=* host=TERM(h1) | stats count", &sysmon()).rows[0].get("count"),
        Some(&Value::Long(2))
    );
}

#[test]
fn foreach_runs_its_template_per_field() {
    let data = events(json!([{"index": "m", "bytes_in": 1, "bytes_out": 2, "name": "x"}]));
    let q = "index=m | foreach bytes_* [eval <<FIELD>>=<<FIELD>> * 10, last=\"<<MATCHSTR>>\"] | table bytes_in bytes_out last";
    assert_eq!(show(&ok(q, &data)), ["bytes_in=10 bytes_out=20 last=out"]);
}
