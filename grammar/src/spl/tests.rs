//! Parser tests: one per construct (tree shape and spans) and one per broken case (exact
//! message and span).

use super::ast::*;
use super::parser::SUBSEARCH_WEIGHT;
use super::visit::{all_commands, all_exprs, clause_leaves};
use super::*;
use crate::Span;

/// Parses `q`, asserting it has no syntax error.
fn ok(q: &str) -> Search {
    let p = parse(q);
    assert!(p.errors.is_empty(), "unexpected errors for {q:?}: {:?}", p.errors);
    p.tree
}

/// The errors of `q` as (message, the text the span covers).
fn errors(q: &str) -> Vec<(String, String)> {
    parse(q).errors.into_iter().map(|e| (e.message, e.span.text(q).to_string())).collect()
}

fn one_error(q: &str) -> (String, String) {
    let errs = errors(q);
    assert_eq!(errs.len(), 1, "expected one error for {q:?}, got {errs:?}");
    errs.into_iter().next().unwrap_or_default()
}

fn cmd(s: &Search, i: usize) -> &CommandKind {
    &s.commands[i].kind
}

fn clause(s: &Search, i: usize) -> &SearchExpr {
    match cmd(s, i) {
        CommandKind::Search(SearchCommand { clause: Some(c) }) => c,
        other => panic!("command {i} is not a search: {other:?}"),
    }
}

fn text(q: &str, span: Span) -> &str {
    span.text(q)
}

// ------------------------------------------------------------------ search clause

#[test]
fn simple_search_then_stats() {
    let q = "index=x sourcetype=y | stats count by host";
    let s = ok(q);
    assert_eq!(s.span, Span::new(0, q.len() as u32));
    assert!(!s.leading_pipe);
    assert_eq!(s.commands.len(), 2);
    let first = &s.commands[0];
    assert!(first.implicit);
    assert_eq!(first.name.text, "search");
    assert_eq!(text(q, first.span), "index=x sourcetype=y");
    let SearchExpr::And { operands, span } = clause(&s, 0) else { panic!("not an AND") };
    assert_eq!(text(q, *span), "index=x sourcetype=y");
    let SearchExpr::Compare(c) = &operands[0] else { panic!() };
    assert_eq!((c.field.text.as_str(), c.op, c.value.text.as_str()), ("index", CompareOp::Eq, "x"));
    assert_eq!(text(q, c.op_span), "=");
    assert_eq!(text(q, c.span), "index=x");
    let stats = &s.commands[1];
    assert_eq!(stats.name.text, "stats");
    assert_eq!(text(q, stats.span), "stats count by host");
    let CommandKind::Stats(st) = &stats.kind else { panic!() };
    assert_eq!(st.aggregations[0].function.text, "count");
    assert!(st.aggregations[0].args.is_empty());
    assert_eq!(st.by[0].text, "host");
    assert_eq!(text(q, st.by[0].span), "host");
    assert_eq!(st.by_span.map(|b| text(q, b)), Some("by"));
}

#[test]
fn wildcards_backslashes_and_dollars_stay_in_terms() {
    let q = r"*\\IPC$ process_* path=C:\Windows\*\evil.exe";
    let s = ok(q);
    let leaves = clause_leaves(clause(&s, 0));
    let SearchExpr::Term(t) = leaves[0] else { panic!() };
    assert_eq!(t.text, r"*\\IPC$");
    assert!(t.has_wildcard());
    let SearchExpr::Term(t) = leaves[1] else { panic!() };
    assert_eq!(t.text, "process_*");
    let SearchExpr::Compare(c) = leaves[2] else { panic!() };
    assert_eq!(c.value.text, r"C:\Windows\*\evil.exe");
    assert_eq!(text(q, c.value.span), r"C:\Windows\*\evil.exe");
}

#[test]
fn comparison_operators() {
    let q = "a!=1 b<2 c>3 d<=4 e>=5 f==6";
    let s = ok(q);
    let ops: Vec<(String, CompareOp)> = clause_leaves(clause(&s, 0))
        .into_iter()
        .map(|l| match l {
            SearchExpr::Compare(c) => (c.field.text.clone(), c.op),
            other => panic!("{other:?}"),
        })
        .collect();
    use CompareOp::*;
    let want = [("a", Ne), ("b", Lt), ("c", Gt), ("d", Le), ("e", Ge), ("f", EqEq)];
    assert_eq!(ops, want.map(|(f, o)| (f.to_string(), o)).to_vec());
}

#[test]
fn in_lists() {
    let q = r#"process_name IN ("cmd.exe", powershell.exe, "*\\rundll32.exe")"#;
    let s = ok(q);
    let SearchExpr::In(i) = clause(&s, 0) else { panic!() };
    assert_eq!(i.field.text, "process_name");
    let values: Vec<&str> = i.values.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(values, ["cmd.exe", "powershell.exe", r"*\rundll32.exe"]);
    assert!(i.values[0].quoted && !i.values[1].quoted);
    assert_eq!(text(q, i.span), q);
}

#[test]
fn or_binds_tighter_than_and_and_not_tightest() {
    // Splunk evaluates OR before AND in the search command.
    let q = "a b OR c NOT d";
    let s = ok(q);
    let SearchExpr::And { operands, .. } = clause(&s, 0) else { panic!() };
    assert_eq!(operands.len(), 3);
    assert!(matches!(&operands[0], SearchExpr::Term(t) if t.text == "a"));
    let SearchExpr::Or { operands: or, span } = &operands[1] else { panic!("{:?}", operands[1]) };
    assert_eq!(text(q, *span), "b OR c");
    assert_eq!(or.len(), 2);
    let SearchExpr::Not { operand, span } = &operands[2] else { panic!() };
    assert_eq!(text(q, *span), "NOT d");
    assert!(matches!(&**operand, SearchExpr::Term(t) if t.text == "d"));
}

#[test]
fn explicit_and_groups_and_lowercase_keywords_are_terms() {
    let q = "(a=1 OR b=2) AND not";
    let s = ok(q);
    let SearchExpr::And { operands, .. } = clause(&s, 0) else { panic!() };
    let SearchExpr::Group { inner, span } = &operands[0] else { panic!() };
    assert_eq!(text(q, *span), "(a=1 OR b=2)");
    assert!(matches!(&**inner, SearchExpr::Or { .. }));
    assert!(matches!(&operands[1], SearchExpr::Term(t) if t.text == "not"));
}

#[test]
fn term_and_case_functions() {
    let q = "TERM(10.0.0.1) CASE(Admin)";
    let s = ok(q);
    let leaves = clause_leaves(clause(&s, 0));
    let SearchExpr::Function { name, arg, span } = leaves[0] else { panic!() };
    assert_eq!(
        (name.text.as_str(), arg.text.as_str(), text(q, *span)),
        ("TERM", "10.0.0.1", "TERM(10.0.0.1)")
    );
    let SearchExpr::Function { name, arg, .. } = leaves[1] else { panic!() };
    assert_eq!((name.text.as_str(), arg.text.as_str()), ("CASE", "Admin"));
}

#[test]
fn time_modifiers() {
    let s = ok("index=main earliest=-24h@h latest=now");
    let leaves = clause_leaves(clause(&s, 0));
    let SearchExpr::Compare(c) = leaves[1] else { panic!() };
    assert_eq!(c.value.text, "-24h@h");
    assert!(c.is_time_modifier());
    let SearchExpr::Compare(c) = leaves[0] else { panic!() };
    assert!(!c.is_time_modifier());
}

#[test]
fn escaped_quotes_and_backslashes_in_strings() {
    let q = r#"CommandLine="*\"C:\\Temp\\*" x=a\"b"#;
    let s = ok(q);
    let leaves = clause_leaves(clause(&s, 0));
    let SearchExpr::Compare(c) = leaves[0] else { panic!() };
    assert_eq!(c.value.text, r#"*"C:\Temp\*"#);
    assert!(c.value.quoted);
    let SearchExpr::Compare(c) = leaves[1] else { panic!() };
    assert_eq!(c.value.text, r#"a\"b"#);
}

#[test]
fn comments_are_ignored() {
    let q = "index=x ```a `macro` in a comment``` | stats count ```trailing```";
    let s = ok(q);
    assert_eq!(s.commands.len(), 2);
    assert!(lex(q).iter().any(|t| t.kind == lexer::TokenKind::Comment));
}

// ------------------------------------------------------------------ macros and subsearches

#[test]
fn macros_as_term_command_and_expression() {
    let q = r#"`sysmon` EventCode=1 | `filter(a, "x, y")` | eval v=`double(x)`"#;
    let s = ok(q);
    let macros = walk_macros(&s);
    assert_eq!(macros.len(), 3);
    assert_eq!(macros[0].name, "sysmon");
    assert_eq!(text(q, macros[0].name_span), "sysmon");
    assert_eq!(text(q, macros[0].span), "`sysmon`");
    assert!(!macros[0].has_parens);
    assert_eq!(macros[0].definition_name(), "sysmon");
    let m = macros[1];
    assert_eq!(m.name, "filter");
    assert_eq!(m.definition_name(), "filter(2)");
    let args: Vec<(&str, &str)> =
        m.args.iter().map(|a| (a.text.as_str(), text(q, a.span))).collect();
    assert_eq!(args, [("a", "a"), (r#""x, y""#, r#""x, y""#)]);
    assert!(matches!(cmd(&s, 1), CommandKind::Macro(_)));
    assert_eq!(s.commands[1].name.text, "filter");
    assert_eq!(macros[2].name, "double");
}

#[test]
fn subsearch_with_its_own_pipes() {
    let q = "index=a [search index=b | stats count by user | fields user] | table user";
    let s = ok(q);
    assert_eq!(s.commands.len(), 2);
    let SearchExpr::And { operands, .. } = clause(&s, 0) else { panic!() };
    let SearchExpr::Subsearch(sub) = &operands[1] else { panic!() };
    assert_eq!(text(q, sub.span), "[search index=b | stats count by user | fields user]");
    assert_eq!(sub.search.commands.len(), 3);
    assert_eq!(sub.search.commands[0].name.text, "search");
    assert_eq!(all_commands(&s).len(), 5);
}

#[test]
fn nested_subsearches_and_leading_pipe_inside() {
    let q = "index=a [| inputlookup x.csv | search [search index=c | fields h] | fields h]";
    let s = ok(q);
    let names: Vec<&str> = all_commands(&s).iter().map(|c| c.name.text.as_str()).collect();
    assert_eq!(names, ["search", "inputlookup", "search", "search", "fields", "fields"]);
}

// ------------------------------------------------------------------ generating commands

#[test]
fn tstats_with_datamodel_where_by_and_options() {
    let q = "| tstats `security_content_summariesonly` count min(_time) as firstTime values(Processes.process) as process from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe NOT Processes.user=SYSTEM by Processes.dest Processes.user span=1h | `drop_dm_object_name(Processes)`";
    let s = ok(q);
    assert!(s.leading_pipe);
    let CommandKind::Tstats(t) = cmd(&s, 0) else { panic!() };
    assert_eq!(t.macros[0].name, "security_content_summariesonly");
    let aggs: Vec<(&str, Option<&str>)> = t
        .aggregations
        .iter()
        .map(|a| (a.function.text.as_str(), a.alias.as_ref().map(|n| n.text.as_str())))
        .collect();
    assert_eq!(aggs, [("count", None), ("min", Some("firstTime")), ("values", Some("process"))]);
    assert_eq!(t.datamodel.as_ref().map(|v| v.text.as_str()), Some("Endpoint.Processes"));
    let leaves = clause_leaves(t.where_clause.as_ref().unwrap());
    assert_eq!(leaves.len(), 2);
    let by: Vec<&str> = t.by.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(by, ["Processes.dest", "Processes.user"]);
    assert_eq!(t.option("span").map(|v| v.text.as_str()), Some("1h"));
    assert!(matches!(cmd(&s, 1), CommandKind::Macro(_)));
}

#[test]
fn tstats_summariesonly_option() {
    let s = ok(
        "| tstats summariesonly=true allow_old_summaries=true count from datamodel=Network_Traffic by All_Traffic.src",
    );
    let CommandKind::Tstats(t) = cmd(&s, 0) else { panic!() };
    assert_eq!(t.option("summariesonly").map(|v| v.text.as_str()), Some("true"));
    assert_eq!(t.option("allow_old_summaries").map(|v| v.text.as_str()), Some("true"));
}

#[test]
fn inputlookup_with_where_and_outputlookup() {
    let s = ok("| inputlookup append=t baseline.csv where count>5 | outputlookup baseline.csv");
    let CommandKind::InputLookup(i) = cmd(&s, 0) else { panic!() };
    assert_eq!(i.table.as_ref().map(|n| n.text.as_str()), Some("baseline.csv"));
    assert_eq!(i.options[0].key.text, "append");
    assert!(i.where_clause.is_some());
    assert!(
        matches!(cmd(&s, 1), CommandKind::InputLookup(o) if o.table.as_ref().unwrap().text == "baseline.csv")
    );
}

#[test]
fn unknown_and_generic_commands_parse_generically() {
    let q = r#"| makeresults count=1 | rest /services/server/info splunk_server=local | frobnicate a=1 "b" (c d) [search x] | iplocation src"#;
    let s = ok(q);
    let CommandKind::Generic(g) = cmd(&s, 2) else { panic!() };
    assert_eq!(s.commands[2].name.text, "frobnicate");
    assert!(matches!(&g.args[0], Argument::Option { key, .. } if key.text == "a"));
    assert!(matches!(&g.args[1], Argument::Value(v) if v.text == "b" && v.quoted));
    assert!(matches!(&g.args[2], Argument::Group { args, .. } if args.len() == 2));
    assert!(matches!(&g.args[3], Argument::Subsearch(_)));
    let CommandKind::Generic(g) = cmd(&s, 1) else { panic!() };
    assert!(matches!(&g.args[0], Argument::Value(v) if v.text == "/services/server/info"));
}

// ------------------------------------------------------------------ eval and where

#[test]
fn eval_precedence_and_concatenation() {
    let q = r#"x | eval a=1+2*3, b="p" . 'user name' . Processes.dest, c=-x"#;
    let s = ok(q);
    let CommandKind::Eval(e) = cmd(&s, 1) else { panic!() };
    assert_eq!(e.assignments.len(), 3);
    let Expr::Binary { op: BinaryOp::Add, rhs, .. } = &e.assignments[0].expr else { panic!() };
    assert!(matches!(&**rhs, Expr::Binary { op: BinaryOp::Mul, .. }));
    let Expr::Binary { op: BinaryOp::Concat, lhs, rhs, .. } = &e.assignments[1].expr else {
        panic!()
    };
    assert!(matches!(&**rhs, Expr::Field(n) if n.text == "Processes.dest" && !n.quoted));
    let Expr::Binary { rhs: quoted, .. } = &**lhs else { panic!() };
    assert!(matches!(&**quoted, Expr::Field(n) if n.text == "user name" && n.quoted));
    assert!(matches!(&e.assignments[2].expr, Expr::Unary { op: UnaryOp::Neg, .. }));
    assert_eq!(text(q, e.assignments[1].span), r#"b="p" . 'user name' . Processes.dest"#);
}

#[test]
fn eval_functions_case_if_match_like() {
    let q = r#"x | eval r=case(match(p, "^a\\d"), "A", like(p, "%b%"), "B", true(), "C"), s=if(isnull(y) AND z!=1, 0, round(y/2, 1))"#;
    let s = ok(q);
    let CommandKind::Eval(e) = cmd(&s, 1) else { panic!() };
    let Expr::Call { name, args, span } = &e.assignments[0].expr else { panic!() };
    assert_eq!((name.text.as_str(), args.len()), ("case", 6));
    assert!(text(q, *span).starts_with("case("));
    assert!(matches!(&args[0], Expr::Call { name, .. } if name.text == "match"));
    assert!(matches!(&args[2], Expr::Call { name, .. } if name.text == "like"));
    let Expr::Call { name, args, .. } = &e.assignments[1].expr else { panic!() };
    assert_eq!(name.text, "if");
    assert!(matches!(&args[0], Expr::Binary { op: BinaryOp::And, .. }));
}

#[test]
fn where_with_like_operator_in_and_not() {
    let s = ok(r#"x | where NOT user LIKE "svc_%" AND dest IN ("a", "b") OR count >= 10"#);
    let CommandKind::Where(w) = cmd(&s, 1) else { panic!() };
    let Expr::Binary { op: BinaryOp::Or, lhs, .. } = &w.expr else { panic!("{:?}", w.expr) };
    let Expr::Binary { op: BinaryOp::And, lhs: not, rhs: inl, .. } = &**lhs else { panic!() };
    assert!(
        matches!(&**not, Expr::Unary { op: UnaryOp::Not, operand, .. } if matches!(&**operand, Expr::Binary { op: BinaryOp::Like, .. }))
    );
    assert!(matches!(&**inl, Expr::In { list, .. } if list.len() == 2));
    assert_eq!(all_exprs(&s).len(), 1);
}

// ------------------------------------------------------------------ transforming commands

#[test]
fn stats_family_with_eval_aggregations() {
    let q = r#"x | stats count(eval(action="failure")) as failures dc(user) AS users values(*) by src, dest | eventstats avg(c) as a by h | streamstats current=f last(t) as p by h | timechart span=1h count by host | chart count over host by user"#;
    let s = ok(q);
    let CommandKind::Stats(st) = cmd(&s, 1) else { panic!() };
    assert_eq!(st.aggregations.len(), 3);
    assert!(matches!(&st.aggregations[0].args[0], Expr::Call { name, .. } if name.text == "eval"));
    assert_eq!(st.aggregations[1].alias.as_ref().unwrap().text, "users");
    assert!(matches!(&st.aggregations[2].args[0], Expr::Field(n) if n.text == "*"));
    assert_eq!(st.by.len(), 2);
    let CommandKind::Stats(st) = cmd(&s, 3) else { panic!() };
    assert_eq!(st.options[0].key.text, "current");
    let CommandKind::Stats(st) = cmd(&s, 4) else { panic!() };
    assert_eq!(st.options[0].key.text, "span");
    let CommandKind::Stats(st) = cmd(&s, 5) else { panic!() };
    assert_eq!(st.over.as_ref().unwrap().text, "host");
    assert_eq!(st.by[0].text, "user");
}

#[test]
fn table_fields_rename() {
    let s = ok(
        r#"x | table _time, host user* | fields - _raw, junk | fields + a | rename Processes.* as *, "a b" AS c"#,
    );
    let CommandKind::Fields(f) = cmd(&s, 1) else { panic!() };
    let names: Vec<&str> = f.fields.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(names, ["_time", "host", "user*"]);
    assert!(!f.remove);
    assert!(matches!(cmd(&s, 2), CommandKind::Fields(f) if f.remove && f.fields.len() == 2));
    assert!(matches!(cmd(&s, 3), CommandKind::Fields(f) if !f.remove && f.fields.len() == 1));
    let CommandKind::Rename(r) = cmd(&s, 4) else { panic!() };
    assert_eq!(
        (r.renames[0].from.text.as_str(), r.renames[0].to.text.as_str()),
        ("Processes.*", "*")
    );
    assert!(r.renames[1].from.quoted);
}

#[test]
fn rex_and_regex() {
    let q = r#"x | rex field=_raw "user=(?<user>\w+)" max_match=0 | rex mode=sed field=x "s/a/b/g" | regex process!="\\temp\\" | regex "^a""#;
    let s = ok(q);
    let CommandKind::Rex(r) = cmd(&s, 1) else { panic!() };
    assert_eq!(r.regex.as_ref().unwrap().text, r"user=(?<user>\w+)");
    let keys: Vec<&str> = r.options.iter().map(|o| o.key.text.as_str()).collect();
    assert_eq!(keys, ["field", "max_match"]);
    let CommandKind::Rex(r) = cmd(&s, 2) else { panic!() };
    assert_eq!(r.options[0].value.text, "sed");
    let CommandKind::Regex(r) = cmd(&s, 3) else { panic!() };
    assert_eq!((r.field.as_ref().unwrap().text.as_str(), r.negated), ("process", true));
    assert_eq!(r.regex.as_ref().unwrap().text, r"\temp\");
    let CommandKind::Regex(r) = cmd(&s, 4) else { panic!() };
    assert!(r.field.is_none());
}

#[test]
fn bin_dedup_sort_head_tail() {
    let s = ok(
        "x | bin _time span=1h | bucket span=1d _time as day | dedup 2 host, user sortby -_time | sort 0 - count, +host | head 10 | tail 5",
    );
    let CommandKind::Bin(b) = cmd(&s, 1) else { panic!() };
    assert_eq!(
        (b.field.as_ref().unwrap().text.as_str(), b.options[0].value.text.as_str()),
        ("_time", "1h")
    );
    let CommandKind::Bin(b) = cmd(&s, 2) else { panic!() };
    assert_eq!(b.alias.as_ref().unwrap().text, "day");
    let CommandKind::Dedup(d) = cmd(&s, 3) else { panic!() };
    assert_eq!(d.count.as_ref().unwrap().text, "2");
    assert_eq!(d.fields.len(), 2);
    assert!(d.sort_by[0].descending);
    let CommandKind::Sort(so) = cmd(&s, 4) else { panic!() };
    assert_eq!(so.limit.as_ref().unwrap().text, "0");
    assert!(so.keys[0].descending && !so.keys[1].descending);
    assert!(matches!(cmd(&s, 5), CommandKind::Head(h) if h.count.as_ref().unwrap().text == "10"));
    assert!(matches!(cmd(&s, 6), CommandKind::Head(h) if h.count.as_ref().unwrap().text == "5"));
}

#[test]
fn lookup_join_append_fillnull_convert() {
    let q = "x | lookup local=true users.csv user AS src_user OUTPUTNEW dept AS department | join type=left host [search index=y | fields host] | append [| inputlookup z] | appendpipe [stats count] | fillnull value=0 a b | convert ctime(firstTime) AS t";
    let s = ok(q);
    let CommandKind::Lookup(l) = cmd(&s, 1) else { panic!() };
    assert_eq!(l.table.as_ref().unwrap().text, "users.csv");
    assert_eq!(l.inputs[0].alias.as_ref().unwrap().text, "src_user");
    assert_eq!(l.output_keyword.as_ref().unwrap().text, "OUTPUTNEW");
    assert_eq!(l.outputs[0].field.text, "dept");
    let CommandKind::Join(j) = cmd(&s, 2) else { panic!() };
    assert_eq!((j.options[0].key.text.as_str(), j.fields[0].text.as_str()), ("type", "host"));
    assert_eq!(j.subsearch.as_ref().unwrap().search.commands.len(), 2);
    assert!(
        matches!(cmd(&s, 3), CommandKind::Join(j) if j.subsearch.as_ref().unwrap().search.leading_pipe)
    );
    let CommandKind::Join(j) = cmd(&s, 4) else { panic!() };
    assert!(matches!(j.subsearch.as_ref().unwrap().search.commands[0].kind, CommandKind::Stats(_)));
    assert!(
        matches!(cmd(&s, 5), CommandKind::FillNull(f) if f.fields.len() == 2 && f.options[0].value.text == "0")
    );
    assert!(
        matches!(cmd(&s, 6), CommandKind::Convert(c) if c.conversions[0].function.text == "ctime")
    );
}

#[test]
fn spath_mvexpand_makemv_foreach_transaction() {
    let q = r#"x | spath input=j output=u path=a.b{}.c | spath "x.y" | mvexpand u limit=5 | makemv delim="," u | foreach *_count [eval <<FIELD>>='<<FIELD>>' * 2] | transaction host maxspan=5m startswith="login""#;
    let s = ok(q);
    assert!(matches!(cmd(&s, 1), CommandKind::Spath(p) if p.options.len() == 3));
    assert!(matches!(cmd(&s, 2), CommandKind::Spath(p) if p.path.as_ref().unwrap().text == "x.y"));
    assert!(
        matches!(cmd(&s, 3), CommandKind::MvExpand(m) if m.field.as_ref().unwrap().text == "u")
    );
    assert!(matches!(cmd(&s, 4), CommandKind::MvExpand(m) if m.options[0].key.text == "delim"));
    let CommandKind::Foreach(f) = cmd(&s, 5) else { panic!() };
    assert_eq!(f.fields[0].text, "*_count");
    assert!(matches!(f.template.as_ref().unwrap().search.commands[0].kind, CommandKind::Eval(_)));
    let CommandKind::Transaction(t) = cmd(&s, 6) else { panic!() };
    assert_eq!((t.fields[0].text.as_str(), t.options.len()), ("host", 2));
}

#[test]
fn top_rare_return_format_search() {
    let s = ok(
        r#"x | top limit=5 user by host | rare process | return 10 $src | format "(" "(" "AND" ")" "OR" ")" | search user=admin"#,
    );
    let CommandKind::Top(t) = cmd(&s, 1) else { panic!() };
    assert_eq!(
        (t.options[0].key.text.as_str(), t.fields[0].text.as_str(), t.by[0].text.as_str()),
        ("limit", "user", "host")
    );
    assert!(matches!(cmd(&s, 2), CommandKind::Top(t) if t.fields[0].text == "process"));
    assert!(matches!(cmd(&s, 3), CommandKind::Return(r) if r.count.as_ref().unwrap().text == "10"));
    assert!(matches!(cmd(&s, 4), CommandKind::Format(f) if f.args.len() == 6));
    assert!(matches!(cmd(&s, 5), CommandKind::Search(c) if c.clause.is_some()));
}

// ------------------------------------------------------------------ broken input

#[test]
fn unbalanced_quote() {
    let q = r#"index=x "abc | stats count"#;
    assert_eq!(
        one_error(q),
        ("unterminated string: expected closing `\"`".into(), r#""abc | stats count"#.into())
    );
    assert_eq!(parse(q).tree.commands.len(), 1);
}

#[test]
fn unbalanced_brackets() {
    let q = "index=x [search foo | head 1";
    assert_eq!(
        one_error(q),
        ("unclosed `[`: expected `]` to close the subsearch".into(), "[".into())
    );
    let s = parse(q).tree;
    assert_eq!(all_commands(&s).len(), 3, "the subsearch keeps its commands");
    assert_eq!(
        one_error("index=x ] | stats count"),
        ("unmatched `]`: no `[` to close".into(), "]".into())
    );
}

#[test]
fn unbalanced_parentheses() {
    let q = "index=x (a OR b | stats count";
    assert_eq!(one_error(q), ("unclosed `(`: expected `)`".into(), "(".into()));
    assert!(matches!(parse(q).tree.commands[1].kind, CommandKind::Stats(_)));
    assert_eq!(
        one_error("index=x a) | stats count"),
        ("unmatched `)`: no `(` to close".into(), ")".into())
    );
    assert_eq!(one_error("x | eval y=if(a, b"), ("unclosed `(`: expected `)`".into(), "(".into()));
}

#[test]
fn unbalanced_backtick() {
    assert_eq!(
        one_error("`sysmon EventCode=1 | stats count"),
        (
            "unterminated macro: expected closing backtick".into(),
            "`sysmon EventCode=1 | stats count".into()
        )
    );
    assert_eq!(
        one_error("x ```never closed"),
        ("unterminated comment: expected closing ```".into(), "```never closed".into())
    );
}

#[test]
fn eval_without_expression() {
    let q = "index=x | eval x=";
    assert_eq!(one_error(q), ("expected an expression, found end of input".into(), "=".into()));
    let s = parse(q).tree;
    let CommandKind::Eval(e) = cmd(&s, 1) else { panic!("partial eval kept") };
    assert!(matches!(e.assignments[0].expr, Expr::Error(_)));
    let q = "index=x | eval x= | stats count";
    assert_eq!(one_error(q), ("expected an expression, found `|`".into(), "|".into()));
    assert_eq!(
        one_error("x | eval y=1+"),
        ("expected an expression, found end of input".into(), "+".into())
    );
}

#[test]
fn stats_by_without_field() {
    let q = "index=x | stats count by";
    assert_eq!(
        one_error(q),
        ("expected a field name after `by`, found end of input".into(), "y".into())
    );
    let s = parse(q).tree;
    assert!(
        matches!(cmd(&s, 1), CommandKind::Stats(st) if st.by.is_empty() && st.by_span.is_some())
    );
    assert_eq!(
        one_error("x | stats count by | table a"),
        ("expected a field name after `by`, found `|`".into(), "|".into())
    );
}

#[test]
fn rex_without_regex() {
    let q = "index=x | rex";
    assert_eq!(
        one_error(q),
        ("expected a regular expression string, found end of input".into(), "x".into())
    );
    assert!(matches!(cmd(&parse(q).tree, 1), CommandKind::Rex(r) if r.regex.is_none()));
}

#[test]
fn empty_pipe_segment() {
    let q = "index=x | | stats count";
    assert_eq!(
        one_error(q),
        ("empty pipe segment: expected a command between `|` and `|`".into(), "|".into())
    );
    let s = parse(q).tree;
    assert_eq!(s.commands.len(), 3);
    assert!(matches!(cmd(&s, 1), CommandKind::Error));
    assert!(matches!(cmd(&s, 2), CommandKind::Stats(_)));
    assert_eq!(
        one_error("index=x |"),
        ("expected a command after `|`, found end of input".into(), "|".into())
    );
}

#[test]
fn tstats_datamodel_without_name() {
    let q = "| tstats count from datamodel=";
    assert_eq!(one_error(q), ("expected a data model name, found end of input".into(), "=".into()));
    assert!(matches!(cmd(&parse(q).tree, 0), CommandKind::Tstats(t) if t.datamodel.is_none()));
    assert_eq!(
        one_error("| tstats count from datamodel= where x=1 by h"),
        ("expected a data model name, found `where`".into(), "where".into())
    );
}

#[test]
fn leading_or_is_an_error() {
    let (msg, at) = one_error("x | search OR a=1");
    assert_eq!(at, "OR");
    assert!(msg.contains("a search term"), "{msg}");
}

#[test]
fn recovery_keeps_later_segments() {
    let q = "index=x | eval = | where a=1 | stats count by h";
    let p = parse(q);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert!(matches!(p.tree.commands[1].kind, CommandKind::Error));
    assert_eq!(p.tree.commands[1].name.text, "eval");
    assert!(matches!(p.tree.commands[2].kind, CommandKind::Where(_)));
    assert!(matches!(p.tree.commands[3].kind, CommandKind::Stats(_)));
}

// ------------------------------------------------------------------ limits and robustness

/// Runs `f` on a thread with a small stack, as the language server's worker threads have.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f).unwrap().join().unwrap();
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    on_small_stack(|| {
        for (open, close) in [("[", "]"), ("(", ")")] {
            let q = format!("x {}a{}", open.repeat(10_000), close.repeat(10_000));
            let p = parse(&q);
            assert_eq!(p.errors.len(), 1, "{:?}", &p.errors[..p.errors.len().min(3)]);
            assert_eq!(
                p.errors[0].message,
                format!("nesting deeper than {MAX_DEPTH} levels is not supported")
            );
        }
        let q = format!("x | eval y={}1{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(parse(&q).errors.len(), 1);
        let q = "[".repeat(100_000);
        assert!(!parse(&q).errors.is_empty());
    });
}

#[test]
fn nesting_at_the_limit_parses() {
    on_small_stack(|| {
        let depth = MAX_DEPTH - 1;
        let q = format!("x | eval y={}1{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse(&q).is_ok());
        let q = format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse(&q).is_ok());
        let mut q = String::from("a");
        for _ in 0..(MAX_DEPTH - 1) / SUBSEARCH_WEIGHT {
            q = format!("x [search {q} | fields a]");
        }
        assert!(parse(&q).is_ok());
    });
}

#[test]
fn long_chains_do_not_overflow() {
    on_small_stack(|| {
        let q = format!("x | eval y=1{}", "+1".repeat(100_000));
        let p = parse(&q);
        assert_eq!(p.errors.len(), 1);
        let q = format!("a{}", " OR a".repeat(100_000));
        assert!(parse(&q).is_ok());
        let q = format!("{}a", "NOT ".repeat(100_000));
        assert_eq!(parse(&q).errors.len(), 1);
        let q = format!("x | eval y={}1", "-".repeat(100_000));
        assert_eq!(parse(&q).errors.len(), 1);
    });
}

#[test]
fn never_panics_on_odd_input() {
    let samples = [
        "",
        " ",
        "|",
        "||",
        "[",
        "]",
        "(",
        ")",
        "`",
        "```",
        "\"",
        "'",
        "=",
        "!=",
        "<>",
        "| | |",
        "a=",
        "=a",
        "x | eval",
        "x | stats",
        "x | stats by",
        "x | tstats",
        "| tstats from",
        "x | rename a as",
        "x | lookup",
        "x | sort -",
        "x | head (",
        "[|]",
        "[ | ]",
        "a [",
        "a ]",
        "`a(`",
        "`(`",
        "`a(\"x`",
        "\u{a0}é日本",
        "x | eval a=\"é\" . 'ü'",
        "x | where",
        "| inputlookup where",
        "x | foreach",
        "x | join",
        "x | rex field=",
        "x|eval a=b c=d",
        "NOT",
        "AND",
        "a OR",
        "OR",
        "x | top by",
        "x | fields -",
        "x | dedup sortby",
    ];
    for q in samples {
        let p = parse(q);
        for e in &p.errors {
            assert!(e.span.end as usize <= q.len() && e.span.start <= e.span.end, "{q:?}: {e:?}");
            assert!(!e.message.is_empty());
        }
    }
    // Every prefix and suffix of a rich search: cut anywhere on a char boundary.
    let rich = r#"`m(a,"b")` x="y\"z" (a OR b) [search c | stats count by d] | eval e=if(f>1, "g", h.i) | tstats count from datamodel=A.B where c=1 by d span=1h"#;
    for (i, _) in rich.char_indices() {
        for part in [&rich[..i], &rich[i..]] {
            let p = parse(part);
            assert!(p.errors.iter().all(|e| e.span.end as usize <= part.len()), "{part:?}");
        }
    }
}

#[test]
fn error_spans_are_never_empty_and_sorted() {
    let q = "x | eval a= | stats count by | rex";
    let p = parse(q);
    assert_eq!(p.errors.len(), 3, "{:?}", p.errors);
    assert!(p.errors.iter().all(|e| !e.span.is_empty()));
    assert!(p.errors.windows(2).all(|w| w[0].span.start <= w[1].span.start));
}

