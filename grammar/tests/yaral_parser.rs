//! Unit tests of the YARA-L parser: constructs with their spans, and broken rules with the
//! errors a user sees.

use qlint_grammar::yaral::ast::*;
use qlint_grammar::yaral::{MAX_DEPTH, parse};

/// Parses `text`, asserting it has no syntax error, and returns its only rule.
fn ok(text: &str) -> Rule {
    let p = parse(text);
    assert!(p.errors.is_empty(), "unexpected errors for {text:?}: {:?}", p.errors);
    assert_eq!(p.tree.rules.len(), 1, "one rule");
    p.tree.rules.into_iter().next().unwrap()
}

/// Errors as (message, spanned text).
fn errs(text: &str) -> Vec<(String, String)> {
    parse(text).errors.into_iter().map(|e| (e.message, e.span.text(text).to_string())).collect()
}

fn events(rule: &Rule) -> &[Expr] {
    match &rule.section(SectionKind::Events).expect("events").body {
        SectionBody::Events(stmts) => stmts,
        other => panic!("events body, got {other:?}"),
    }
}

fn wrap(events: &str) -> String {
    format!("rule r {{\n  events:\n    {events}\n  condition:\n    $e\n}}\n")
}

const FULL: &str = r#"/* header */
rule suspicious_login {
  meta:
    author = "me"
    severity = "High"
    version = 2
    enabled = true
  events:
    $e.metadata.event_type = "USER_LOGIN" // a comment
    $e.target.user.userid = $user
    $e.principal.ip != ""
    re.regex($e.principal.hostname, `^ws-\d+$`) nocase
  match:
    $user over 10m
  outcome:
    $risk_score = max(if($e.security_result.severity = "HIGH", 80, 40))
    $ips = array_distinct($e.principal.ip)
  condition:
    #e > 3 and $risk_score >= 40
  options:
    allow_zero_values = true
}
"#;

#[test]
fn a_full_rule_has_every_section_with_spans() {
    let rule = ok(FULL);
    assert_eq!(rule.name.text, "suspicious_login");
    assert_eq!(rule.name.span.text(FULL), "suspicious_login");
    assert!(rule.span.text(FULL).starts_with("rule suspicious_login {"));
    assert!(rule.span.text(FULL).ends_with('}'));
    let kinds: Vec<&str> = rule.sections.iter().map(|s| s.kind.keyword()).collect();
    assert_eq!(kinds, ["meta", "events", "match", "outcome", "condition", "options"]);
    for s in &rule.sections {
        assert_eq!(s.header.text(FULL), format!("{}:", s.kind.keyword()));
    }
    let SectionBody::Meta(meta) = &rule.section(SectionKind::Meta).unwrap().body else {
        panic!("meta")
    };
    assert_eq!(meta.len(), 4);
    assert_eq!(meta[1].span.text(FULL), "severity = \"High\"");
    assert!(matches!(&meta[1].value, Expr::String(l) if l.value == "High"));
    let stmts = events(&rule);
    assert_eq!(stmts.len(), 4);
    assert_eq!(stmts[0].span().text(FULL), "$e.metadata.event_type = \"USER_LOGIN\"");
    let Expr::Binary { op: BinaryOp::Eq, lhs, .. } = &stmts[0] else { panic!("comparison") };
    let Expr::Field(path) = lhs.as_ref() else { panic!("field path") };
    assert_eq!(path.var.text, "e");
    assert_eq!(path.var.span.text(FULL), "$e");
    assert_eq!(path.dotted(), "metadata.event_type");
    let Expr::Nocase { inner, nocase_span, .. } = &stmts[3] else { panic!("nocase") };
    assert_eq!(nocase_span.text(FULL), "nocase");
    assert!(matches!(inner.as_ref(), Expr::Call { name, args, .. }
        if name.text == "re.regex" && args.len() == 2
            && matches!(&args[1], Expr::RawString(l) if l.value == r"^ws-\d+$")));
    let SectionBody::Match(Some(m)) = &rule.section(SectionKind::Match).unwrap().body else {
        panic!("match")
    };
    assert_eq!(m.vars[0].text, "user");
    assert_eq!(m.window.seconds(), 600);
    assert_eq!(m.span.text(FULL), "$user over 10m");
    let SectionBody::Condition(Some(cond)) = &rule.section(SectionKind::Condition).unwrap().body
    else {
        panic!("condition")
    };
    assert_eq!(cond.span().text(FULL), "#e > 3 and $risk_score >= 40");
}

#[test]
fn paths_with_indexes_and_map_keys() {
    let text = wrap(r#"$e.about[0].labels["key"].value = "x""#);
    let rule = ok(&text);
    let Expr::Binary { lhs, .. } = &events(&rule)[0] else { panic!("comparison") };
    let Expr::Field(path) = lhs.as_ref() else { panic!("path") };
    assert_eq!(path.dotted(), "about.labels.value");
    assert_eq!(path.segments.len(), 5);
    assert_eq!(path.span.text(&text), r#"$e.about[0].labels["key"].value"#);
}

#[test]
fn reference_lists_cidr_regex_literals_and_quantifiers() {
    let text = wrap(
        "$e.principal.ip in cidr %corp_nets\n    not $e.target.hostname in regex %allow\n    \
         $e.target.url = /evil\\/path/ nocase\n    any $e.principal.ip = \"10.0.0.1\"",
    );
    let rule = ok(&text);
    let s = events(&rule);
    assert!(matches!(&s[0], Expr::In { kind: InKind::Cidr, list, .. }
        if matches!(list.as_ref(), Expr::RefList(i) if i.text == "corp_nets")));
    assert!(matches!(&s[1], Expr::Unary { op: UnaryOp::Not, operand, .. }
        if matches!(operand.as_ref(), Expr::In { kind: InKind::Regex, .. })));
    assert!(matches!(&s[2], Expr::Nocase { inner, .. }
        if matches!(inner.as_ref(), Expr::Binary { rhs, .. }
            if matches!(rhs.as_ref(), Expr::Regex(l) if l.value == "evil\\/path"))));
    assert!(matches!(&s[3], Expr::Quantified { quantifier: Quantifier::Any, .. }));
}

#[test]
fn multi_line_parenthesised_statements_and_arithmetic() {
    let text = wrap(
        "(\n      $e.x = \"a\" or\n      $e.x = \"b\"\n    )\n    \
         $e2.metadata.event_timestamp.seconds - $e.metadata.event_timestamp.seconds <= 300",
    );
    let rule = ok(&text);
    let s = events(&rule);
    assert_eq!(s.len(), 2);
    assert!(matches!(&s[0], Expr::Paren { .. }));
    assert!(matches!(&s[1], Expr::Binary { op: BinaryOp::Le, lhs, .. }
        if matches!(lhs.as_ref(), Expr::Binary { op: BinaryOp::Sub, .. })));
}

#[test]
fn sliding_windows_and_several_rules_in_one_file() {
    let text = "rule a {\n events:\n  $e.x = 1\n match:\n  $h, $u over 1h after $e\n \
                condition:\n  $e and !$f\n}\nrule b {\n events:\n  $e.x = 2\n condition:\n  $e\n}\n";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.tree.rules.len(), 2);
    let SectionBody::Match(Some(m)) = &p.tree.rules[0].section(SectionKind::Match).unwrap().body
    else {
        panic!("match")
    };
    assert_eq!(m.vars.len(), 2);
    let (kw, pivot) = m.sliding.as_ref().expect("sliding");
    assert_eq!((kw.text.as_str(), pivot.text.as_str()), ("after", "e"));
}

#[test]
fn a_misspelt_section_is_named_and_the_rest_still_parses() {
    let text = "rule r {\n  evnts:\n    $e.x = 1\n  condition:\n    $e\n}\n";
    let p = parse(text);
    assert_eq!(
        errs(text),
        [(
            "unknown section `evnts:`: expected `meta:`, `events:`, `match:`, `outcome:`, \
             `condition:` or `options:`"
                .to_string(),
            "evnts".to_string()
        )]
    );
    let rule = &p.tree.rules[0];
    assert_eq!(rule.sections[0].kind, SectionKind::Error);
    assert_eq!(rule.sections[1].kind, SectionKind::Condition);
}

#[test]
fn a_truncated_rule_reports_the_missing_brace_and_keeps_a_partial_tree() {
    let text =
        "rule r {\n  events:\n    $e.metadata.event_type = \"PROCESS_LAUNCH\"\n  condition:\n";
    let p = parse(text);
    let e = errs(text);
    assert!(
        e.contains(&("unclosed `{`: expected `}` to close the rule".into(), "{".into())),
        "{e:?}"
    );
    let rule = &p.tree.rules[0];
    assert_eq!(rule.name.text, "r");
    assert_eq!(events(rule).len(), 1);
}

#[test]
fn a_truncated_comparison_names_the_missing_operand() {
    let text = wrap("$e.x =");
    assert_eq!(
        errs(&text),
        [("expected an expression, found `condition`".to_string(), "condition".to_string())]
    );
}

#[test]
fn an_unbalanced_parenthesis_is_reported_at_the_parenthesis() {
    let text = wrap("($e.x = \"a\" or $e.y = \"b\"");
    assert_eq!(errs(&text), [("unclosed `(`: expected `)`".to_string(), "(".to_string())]);
    let text = wrap("$e.x = \"a\")");
    assert_eq!(errs(&text), [("unmatched `)`: no `(` to close".to_string(), ")".to_string())]);
}

#[test]
fn a_broken_statement_does_not_hide_the_next_one() {
    let text = wrap("$e.x = = \"a\"\n    $e.y = \"b\"");
    let p = parse(&text);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(p.errors[0].span.text(&text), "=");
    let rule = &p.tree.rules[0];
    let last = events(rule).last().unwrap();
    assert_eq!(last.span().text(&text), "$e.y = \"b\"");
}

#[test]
fn lexical_errors_have_clear_messages() {
    let text = wrap("$e.x = \"abc");
    assert_eq!(
        errs(&text),
        [("unterminated string: expected closing `\"`".to_string(), "\"abc".to_string())]
    );
    let text = wrap("re.regex($e.x, `abc)");
    assert!(errs(&text).iter().any(|(m, _)| m.contains("backtick")), "{:?}", errs(&text));
}

#[test]
fn garbage_before_a_rule_is_one_error() {
    let text = "hello world\nrule r {\n events:\n  $e.x = 1\n condition:\n  $e\n}\n";
    let p = parse(text);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert!(p.errors[0].message.contains("`rule`"), "{:?}", p.errors);
    assert!(p.tree.rules.iter().any(|r| r.name.text == "r"));
}

#[test]
fn deep_nesting_is_cut_off_without_a_panic() {
    let deep = format!("{}$e.x = 1{}", "(".repeat(5000), ")".repeat(5000));
    let p = parse(&wrap(&deep));
    assert!(p.errors.iter().any(|e| e.message.contains(&format!("{MAX_DEPTH} levels"))));
    let nots = format!("{}$e.x = 1", "not ".repeat(5000));
    let p = parse(&wrap(&nots));
    assert!(p.errors.iter().any(|e| e.message.contains("prefix operators")));
}

#[test]
fn arbitrary_prefixes_of_a_rule_never_panic_and_always_report_an_error() {
    for cut in 0..FULL.len() {
        if !FULL.is_char_boundary(cut) {
            continue;
        }
        let head = &FULL[..cut];
        let p = parse(head);
        let has_rule_open = head.contains("rule suspicious_login {") && cut < FULL.trim_end().len();
        if has_rule_open {
            assert!(!p.errors.is_empty(), "no error for a rule cut at {cut}: {head:?}");
        }
        for e in &p.errors {
            assert!(e.span.end as usize <= head.len());
            assert!(!e.span.is_empty() || head.is_empty());
        }
    }
}

#[test]
fn named_arguments_and_one_line_rules() {
    let text = "rule r {\n events:\n  $e.x = 1\n outcome:\n  $m = max(metrics.auth_attempts_total(period:1d, window:30d))\n condition:\n  $e\n}\n";
    ok(text);
    ok("rule r { events: $e.x = 1 condition: $e }");
}

/// Found by the `yaral_parse` fuzzer: a run of unclosed brackets in a broken statement made
/// the recovery try every way of reading them (minutes for twenty). Sixty of them, in each
/// section, must parse as quickly as any other line; were the recovery exponential again,
/// this test would not finish.
#[test]
fn unclosed_brackets_in_a_broken_statement_are_skipped_in_one_pass() {
    let minimal = format!("rule{{meta:{}t{{a:", "[".repeat(21));
    assert!(!errs(&minimal).is_empty());
    for opener in ["[", "("] {
        let run = opener.repeat(60);
        let text = format!(
            "rule r {{\n meta:\n  a = {run}x\n events:\n  $e.metadata.event_type = {run}\"X\"\n  \
             $e.principal.hostname = \"h\"\n condition:\n  $e {run}\n}}\n"
        );
        let found = errs(&text);
        assert!(!found.is_empty(), "{opener}: expected syntax errors");
    }
}
