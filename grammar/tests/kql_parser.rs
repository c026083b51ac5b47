//! Unit tests of the KQL parser: one per construct, and broken inputs with their messages.

use qlint_grammar::Span;
use qlint_grammar::kql::ast::*;
use qlint_grammar::kql::{lex, lexer::TokenKind, parse};

/// Parses `text`, asserting it has no syntax error, and returns the tree.
fn ok(text: &str) -> Query {
    let p = parse(text);
    assert!(p.errors.is_empty(), "unexpected errors for {text:?}: {:?}", p.errors);
    p.tree
}

/// Parses `text` and returns its errors as (message, spanned text).
fn errs(text: &str) -> Vec<(String, String)> {
    parse(text).errors.into_iter().map(|e| (e.message, e.span.text(text).to_string())).collect()
}

fn pipeline(q: &Query) -> &Pipeline {
    match q.statements.last() {
        Some(Statement::Tabular(p)) => p,
        other => panic!("expected a tabular statement, got {other:?}"),
    }
}

fn ops(text: &str) -> Vec<&'static str> {
    let q = ok(text);
    pipeline(&q).operators.iter().map(TabularOperator::keyword).collect()
}

fn first_expr(text: &str) -> Expr {
    let q = ok(text);
    match &pipeline(&q).operators[0] {
        TabularOperator::Where { predicate, .. } => predicate.clone(),
        other => panic!("expected where, got {other:?}"),
    }
}

#[test]
fn simple_pipeline_has_spans_on_every_node() {
    let text = "T | where a == \"x\" | project a";
    let q = ok(text);
    let p = pipeline(&q);
    assert_eq!(p.span, Span::new(0, text.len() as u32));
    assert_eq!(p.source.span().text(text), "T");
    assert_eq!(p.operators[0].span().text(text), "where a == \"x\"");
    assert_eq!(p.operators[1].span().text(text), "project a");
    let TabularOperator::Where { predicate: Expr::Binary { op, op_span, lhs, rhs, .. }, .. } =
        &p.operators[0]
    else {
        panic!("where with a binary predicate")
    };
    assert_eq!(*op, BinaryOp::Eq);
    assert_eq!(op_span.text(text), "==");
    assert_eq!(lhs.span().text(text), "a");
    assert_eq!(rhs.span().text(text), "\"x\"");
}

#[test]
fn let_forms() {
    let q = ok(concat!(
        "let n = 5;\n",
        "let t = T | where x > n;\n",
        "let m = materialize(T | summarize count() by x);\n",
        "let f = (a:string, b:long = 10, tab:(c:string, d:long), any:(*)) { tab | where c == a | take b };\n",
        "let v = view () { T };\n",
        "let g = (x:int) { x + 1 };\n",
        "let s = toscalar(T | count);\n",
        "t"
    ));
    let lets: Vec<&LetStatement> = q
        .statements
        .iter()
        .filter_map(|s| if let Statement::Let(l) = s { Some(l) } else { None })
        .collect();
    assert_eq!(lets.len(), 7);
    assert!(matches!(lets[0].body, LetBody::Scalar(Expr::Literal(_))));
    assert!(matches!(&lets[1].body, LetBody::Tabular(p) if p.operators.len() == 1));
    assert!(matches!(&lets[2].body, LetBody::Tabular(_)));
    let LetBody::Function(f) = &lets[3].body else { panic!("function") };
    assert_eq!(f.params.len(), 4);
    assert!(f.params[1].default.is_some());
    assert!(
        matches!(&f.params[2].ty, ParamType::Tabular { columns, any: false, .. } if columns.len() == 2)
    );
    assert!(matches!(&f.params[3].ty, ParamType::Tabular { any: true, .. }));
    assert!(matches!(&lets[4].body, LetBody::Function(FunctionDef { view: true, .. })));
    assert!(matches!(&lets[5].body, LetBody::Function(_)));
    assert!(matches!(&lets[6].body, LetBody::Scalar(Expr::Call { .. })));
}

#[test]
fn set_and_declare() {
    let q = ok(
        "set query_now = datetime(2024-01-01);\nset notruncation;\ndeclare query_parameters(user:string = \"bob\", n:long);\nT",
    );
    assert!(matches!(&q.statements[0], Statement::Set(SetStatement { value: Some(_), .. })));
    assert!(matches!(&q.statements[1], Statement::Set(SetStatement { value: None, .. })));
    let Statement::DeclareQueryParameters(d) = &q.statements[2] else { panic!("declare") };
    assert_eq!(d.params.len(), 2);
    assert_eq!(d.params[0].name.name, "user");
}

#[test]
fn every_listed_tabular_operator() {
    let cases: &[(&str, &str)] = &[
        ("T | where a > 1", "where"),
        ("T | filter a > 1", "where"),
        ("T | project a, b = c + 1", "project"),
        ("T | project-away a, b*", "project-away"),
        ("T | project-keep a*", "project-keep"),
        ("T | project-rename n = a", "project-rename"),
        ("T | project-reorder b asc, a", "project-reorder"),
        ("T | extend x = 1, y = tostring(a)", "extend"),
        ("T | summarize c = count(), dcount(u) by bin(TimeGenerated, 1h), a", "summarize"),
        ("T | summarize hint.strategy=shuffle count() by a", "summarize"),
        ("T | join kind=leftouter hint.remote=auto (U | project a) on $left.a == $right.b", "join"),
        ("T | join U on a", "join"),
        ("T | union isfuzzy=true withsource=Src U, (V | where x), W*", "union"),
        ("T | lookup kind=leftouter (U) on a", "lookup"),
        ("T | mv-expand bagexpansion=array x to typeof(string), y limit 10", "mv-expand"),
        ("T | mvexpand x", "mv-expand"),
        (
            "T | mv-apply e = Entities to typeof(dynamic) on (where e.Type == 'ip' | project e)",
            "mv-apply",
        ),
        ("T | parse kind=regex flags=Ui Msg with * \"user=\" User:string \",\" *", "parse"),
        ("T | parse-where Msg with \"a\" x:long", "parse-where"),
        (
            "T | parse-kv Msg as (a:string, b:long) with (pair_delimiter=',', kv_delimiter='=')",
            "parse-kv",
        ),
        ("T | evaluate bag_unpack(d)", "evaluate"),
        (
            "T | make-series n = count() default=0 on TimeGenerated from ago(7d) to now() step 1h by a",
            "make-series",
        ),
        (
            "T | make-series n = count() on TimeGenerated in range(ago(7d), now(), 1h)",
            "make-series",
        ),
        ("T | top 10 by a desc nulls last", "top"),
        ("T | top-nested 3 of a by count(), top-nested 2 of b by max(c)", "top-nested"),
        ("T | sort by a asc nulls first, b desc", "sort"),
        ("T | order by a", "sort"),
        ("T | take 10", "take"),
        ("T | limit 10", "take"),
        ("T | distinct a, b", "distinct"),
        ("T | count", "count"),
        ("T | render timechart with (title=\"x\")", "render"),
        ("T | as hint.materialized=true Saved", "as"),
        ("T | invoke f(1)", "invoke"),
        ("T | serialize n = row_number()", "serialize"),
        ("T | sample 10", "sample"),
        ("T | getschema", "getschema"),
        ("T | facet by a, b with (top 3 by c)", "facet"),
        ("T | fork (where a > 1) (take 10)", "fork"),
        ("T | partition by a (top 1 by b)", "partition"),
        ("T | scan declare (s:string) with (step s1: a == 1 => s = a;)", "scan"),
        ("T | search \"needle\"", "search"),
    ];
    for (text, keyword) in cases {
        assert_eq!(ops(text), vec![*keyword], "{text}");
    }
}

#[test]
fn source_operators() {
    let sources = [
        ("union A, B | count", "union"),
        ("range x from 1 to 10 step 1", "range"),
        ("print a = 1, b = \"x\"", "print"),
        ("datatable(a:string, b:long) [\"x\", 1, \"y\", 2]", "datatable"),
        ("externaldata(a:string) [h@\"https://x/y.csv\"] with (format=\"csv\")", "externaldata"),
        ("search in (T, U) \"needle\"", "search"),
        ("find in (T) where a == 1 project a", "find"),
    ];
    for (text, keyword) in sources {
        let q = ok(text);
        let Source::Operator(op) = &pipeline(&q).source else { panic!("source op for {text}") };
        assert_eq!(op.keyword(), keyword, "{text}");
    }
}

#[test]
fn string_operators() {
    for word in [
        "has",
        "!has",
        "has_cs",
        "!has_cs",
        "hasprefix",
        "!hasprefix",
        "hassuffix",
        "contains",
        "!contains",
        "contains_cs",
        "!contains_cs",
        "startswith",
        "!startswith",
        "startswith_cs",
        "!startswith_cs",
        "endswith",
        "!endswith",
        "endswith_cs",
        "!endswith_cs",
        "like",
        "!like",
    ] {
        let e = first_expr(&format!("T | where a {word} \"x\""));
        let Expr::Binary { op, .. } = e else { panic!("{word}") };
        assert_eq!(op.as_str(), word);
    }
    for (text, expected) in
        [("=~", BinaryOp::EqCi), ("!~", BinaryOp::NotEqCi), ("<>", BinaryOp::NotEqAlt)]
    {
        let e = first_expr(&format!("T | where a {text} \"x\""));
        assert!(matches!(e, Expr::Binary { op, .. } if op == expected), "{text}");
    }
    let e = first_expr("T | where a matches regex @\"\\d+\"");
    assert!(matches!(e, Expr::Binary { op: BinaryOp::MatchesRegex, .. }));
    for word in ["in", "!in", "in~", "!in~", "has_any", "has_all"] {
        let e = first_expr(&format!("T | where a {word} (\"x\", \"y\")"));
        let Expr::In { op, items, .. } = e else { panic!("{word}") };
        assert_eq!(op.as_str(), word);
        assert_eq!(items.len(), 2);
    }
    let e = first_expr("T | where a in (U | project b)");
    assert!(matches!(e, Expr::In { ref items, .. } if matches!(items[0], Expr::Pipeline(_))));
    let e = first_expr("T | where a between (1 .. 10)");
    assert!(matches!(e, Expr::Between { negated: false, .. }));
    let e = first_expr("T | where a !between (datetime(2024-01-01) .. 1d)");
    assert!(matches!(e, Expr::Between { negated: true, .. }));
}

#[test]
fn precedence() {
    let e = first_expr("T | where a == 1 or b == 2 and c + 1 * 2 > 3");
    let Expr::Binary { op: BinaryOp::Or, rhs, .. } = e else { panic!("or at the top") };
    let Expr::Binary { op: BinaryOp::And, rhs, .. } = *rhs else { panic!("and under or") };
    let Expr::Binary { op: BinaryOp::Gt, lhs, .. } = *rhs else { panic!("> under and") };
    let Expr::Binary { op: BinaryOp::Add, rhs, .. } = *lhs else { panic!("+ under >") };
    assert!(matches!(*rhs, Expr::Binary { op: BinaryOp::Mul, .. }));
}

#[test]
fn literals() {
    let text = "print s = \"a\\\"b\", v = @\"C:\\dir\", o = h\"secret\", m = ```line1\nline2```, i = 42, x = 0x1F, r = 1.5, t1 = 1d, t2 = 1.5h, t3 = 100ms, tt = time(1.02:00:00), d = datetime(2024-01-01 10:00:00), g = guid(74be27de-1e4e-49d9-b579-fe0b331d3642), b = true, dy = dynamic({\"a\": [1, 2, null]}), n = int(null), neg = -1";
    let q = ok(text);
    let Source::Operator(op) = &pipeline(&q).source else { panic!("print") };
    let TabularOperator::Print { columns, .. } = op.as_ref() else { panic!("print") };
    let kinds: Vec<&Expr> = columns.iter().map(|c| &c.expr).collect();
    let lit = |e: &Expr| match e {
        Expr::Literal(l) => l.kind.clone(),
        other => panic!("literal expected, got {other:?}"),
    };
    assert_eq!(lit(kinds[0]), LiteralKind::String { value: "a\"b".into() });
    assert_eq!(lit(kinds[1]), LiteralKind::String { value: "C:\\dir".into() });
    assert_eq!(lit(kinds[2]), LiteralKind::String { value: "secret".into() });
    assert_eq!(lit(kinds[3]), LiteralKind::String { value: "line1\nline2".into() });
    assert_eq!(lit(kinds[4]), LiteralKind::Int(42));
    assert_eq!(lit(kinds[5]), LiteralKind::Int(31));
    assert_eq!(lit(kinds[6]), LiteralKind::Real(1.5));
    assert_eq!(lit(kinds[7]), LiteralKind::Timespan("1d".into()));
    assert_eq!(lit(kinds[8]), LiteralKind::Timespan("1.5h".into()));
    assert_eq!(lit(kinds[9]), LiteralKind::Timespan("100ms".into()));
    assert_eq!(lit(kinds[10]), LiteralKind::Timespan("1.02:00:00".into()));
    assert_eq!(lit(kinds[11]), LiteralKind::Datetime("2024-01-01 10:00:00".into()));
    assert_eq!(lit(kinds[12]), LiteralKind::Guid("74be27de-1e4e-49d9-b579-fe0b331d3642".into()));
    assert_eq!(lit(kinds[13]), LiteralKind::Bool(true));
    assert!(
        matches!(kinds[14], Expr::Dynamic { value, .. } if matches!(**value, Expr::Object { .. }))
    );
    assert_eq!(lit(kinds[15]), LiteralKind::Typed { ty: "int".into(), text: "null".into() });
    assert!(matches!(kinds[16], Expr::Unary { op: UnaryOp::Neg, .. }));
}

#[test]
fn bracketed_names_calls_and_access() {
    let text = "T | extend ['a b'] = x.a[\"b\"][0], c = strcat(a, sep = \"-\"), d = $left.e";
    let q = ok(text);
    let TabularOperator::Extend { columns, .. } = &pipeline(&q).operators[0] else { panic!() };
    assert_eq!(columns[0].names[0].name, "a b");
    assert!(columns[0].names[0].bracketed);
    assert_eq!(columns[0].names[0].span.text(text), "['a b']");
    let Expr::Index { target, index, .. } = &columns[0].expr else { panic!("index") };
    assert!(matches!(index.as_ref(), Expr::Literal(_)));
    assert!(matches!(target.as_ref(), Expr::Index { .. }));
    let Expr::Call { callee, args, .. } = &columns[1].expr else { panic!("call") };
    assert_eq!(callee.name, "strcat");
    assert_eq!(args[1].name.as_ref().map(|n| n.name.as_str()), Some("sep"));
    assert!(matches!(&columns[2].expr, Expr::Member { name, .. } if name.name == "e"));
}

#[test]
fn comments_stay_in_tokens_and_crlf_is_normal() {
    let text = "// hunt\r\nT // source\r\n| where a == 1 // filter\r\n| project a\r\n";
    let q = ok(text);
    assert_eq!(pipeline(&q).operators.len(), 2);
    let comments: Vec<&str> = lex(text)
        .iter()
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| t.span.text(text))
        .collect();
    assert_eq!(comments, ["// hunt", "// source", "// filter"]);
    assert_eq!(pipeline(&q).operators[0].span().text(text), "where a == 1");
}

#[test]
fn walk_helpers_visit_everything() {
    let q =
        ok("let x = 1; T | where a == x | join (U | where b > 2) on c | summarize count() by d");
    let mut names = Vec::new();
    walk_exprs(&q, &mut |e| {
        if let Expr::Name(n) = e {
            names.push(n.name.clone());
        }
    });
    assert_eq!(names, ["T", "a", "x", "U", "b", "c", "d"]);
    let mut kws = Vec::new();
    walk_operators(&q, &mut |op| kws.push(op.keyword()));
    assert_eq!(kws, ["where", "join", "where", "summarize"]);
    let mut sources = Vec::new();
    walk_pipelines(&q, &mut |p| sources.push(p.operators.len()));
    assert_eq!(sources, [3, 1]);
}

#[test]
fn missing_operand_names_the_operator() {
    assert_eq!(
        errs("T | where a == | project a"),
        [("expected an expression after `==`".to_string(), "==".to_string())]
    );
    let p = parse("T | where a == | project a");
    // The missing operand is an error node; the stages around it are intact.
    let Statement::Tabular(pl) = &p.tree.statements[0] else { panic!() };
    let TabularOperator::Where { predicate: Expr::Binary { op: BinaryOp::Eq, rhs, .. }, .. } =
        &pl.operators[0]
    else {
        panic!("where with a partial comparison: {:?}", pl.operators[0])
    };
    assert!(matches!(rhs.as_ref(), Expr::Error(_)));
    assert!(matches!(pl.operators[1], TabularOperator::Project { .. }));
    // A stage that cannot be read at all becomes `Unknown`, keeping its name and span.
    let text = "T | wher a | take 1";
    let p = parse(text);
    let Statement::Tabular(pl) = &p.tree.statements[0] else { panic!() };
    let TabularOperator::Unknown { name: Some(name), span } = &pl.operators[0] else {
        panic!("unknown stage")
    };
    assert_eq!((name.name.as_str(), span.text(text)), ("wher", "wher a"));
    assert!(matches!(pl.operators[1], TabularOperator::Take { .. }));
}

#[test]
fn broken_inputs_and_their_messages() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "T | where a == 1 |",
            "expected a tabular operator after `|`, found the end of the query",
            "|",
        ),
        ("T | | where a", "expected a tabular operator between `|` and `|`", "|"),
        (
            "T | where a == 1 b == 2",
            "expected an operator (such as `and`, `or`, `==`) after `1`, found `b`",
            "b",
        ),
        ("T | wher a == 1", "expected a tabular operator after `|`, found `wher`", "wher"),
        ("T | where", "expected a predicate after `where`", "where"),
        ("T | extend x = ", "expected an expression after `=`", "="),
        ("T | where a in (1, 2", "expected `,` or `)` to close the list after `2`", "2"),
        (
            "T | where a == \"x",
            "unterminated string: expected a closing quote before the end of the line",
            "\"x",
        ),
        ("T | where a == # 1", "unexpected character `#`", "#"),
        ("T | sort a", "expected `by` after `sort`, found `a`", "a"),
        ("| where a", "expected a query (a table name or `let`) before `|`", "|"),
        (
            "T | where a == \"C:\\Temp\"",
            "unknown escape sequence `\\T` in a string: write `\\\\` for a backslash or use a verbatim string (@\"...\")",
            "\\T",
        ),
        (
            "T | extend x = string",
            "`string` is a type keyword: write `['string']` to use it as a name",
            "string",
        ),
    ];
    for (text, message, spanned) in cases {
        let got = errs(text);
        assert_eq!(
            got.first().map(|e| (e.0.as_str(), e.1.as_str())),
            Some((*message, *spanned)),
            "{text}: {got:?}"
        );
    }
}

#[test]
fn errors_in_several_statements_are_all_reported() {
    let got = errs("let a = ;\nlet b = 1;\nT | where x == | take");
    let messages: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        messages,
        [
            "expected a value, a query or a function after `=`",
            "expected an expression after `==`",
            "expected a row count after `take`",
        ]
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("print {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let p = parse(&text);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].message, "nesting is deeper than 64 levels: simplify the expression");
    assert_eq!(p.errors[0].span, Span::new(70, 71));
    // Right at the limit still parses, on a test thread's small stack.
    let limit = qlint_grammar::kql::MAX_DEPTH;
    let text =
        format!("T | where f({}1{}) == dynamic([1])", "(".repeat(limit - 1), ")".repeat(limit - 1));
    assert!(parse(&text).errors.is_empty());
}

#[test]
fn long_operator_chains_are_cut_off() {
    let n = qlint_grammar::kql::MAX_OPERATORS;
    let text = format!("print x = 1{}", " + 1".repeat(n - 1));
    let p = parse(&text);
    assert!(p.errors.is_empty(), "{:?}", p.errors.first());
    drop(p);
    let text = format!("print x = 1{}", " + 1".repeat(n + 1));
    let p = parse(&text);
    assert_eq!(
        p.errors[0].message,
        format!("expression has more than {n} operators outside `and`/`or`: split it up")
    );
    drop(p);
    // A bracketed group counts as deep as its chain, inside the chain around it.
    let half = "+ 1 ".repeat(n / 2);
    let p = parse(&format!("print x = 1 {half}+ (1 {half}+ 1)"));
    assert!(p.errors[0].message.starts_with("expression has more than"), "{:?}", p.errors);
    // Separate expressions, pipeline stages and `and`/`or` operands each count on their own.
    let p = parse(&format!("print x = 1 {half}, y = 1 {half}, z = 1 {half}"));
    assert!(p.errors.is_empty(), "{:?}", p.errors.first());
    let p = parse(&format!("T | where x == 1 {half}or y == 1 {half}and z == 1 {half}"));
    assert!(p.errors.is_empty(), "{:?}", p.errors.first());
}

#[test]
fn a_hundred_thousand_or_terms_parse_into_a_shallow_tree() {
    // Far past MAX_OPERATORS `or`s and `==`s: `and`/`or` chains are built shallow, so this
    // parses (and drops) on a test thread's small stack.
    let terms: Vec<String> = (0..100_000).map(|i| format!("FileName == \"f{i}.exe\"")).collect();
    let text = format!("DeviceProcessEvents\n| where {}\n", terms.join(" or "));
    let p = parse(&text);
    assert!(p.errors.is_empty(), "{:?}", p.errors.first());
    let mut deepest = 0;
    qlint_grammar::kql::ast::walk_exprs(&p.tree, &mut |e| {
        fn depth(e: &Expr) -> usize {
            match e {
                Expr::Binary { lhs, rhs, .. } => 1 + depth(lhs).max(depth(rhs)),
                _ => 0,
            }
        }
        if deepest == 0 {
            deepest = depth(e);
        }
    });
    assert!((17..=200).contains(&deepest), "depth {deepest}");
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        ";;;",
        "(",
        ")",
        "]]]",
        "let",
        "let x",
        "let x =",
        "T |",
        "```",
        "@\"",
        "'",
        "T | where (",
        "T | join",
        "datatable(",
        "print dynamic([",
        "T | parse x with",
        "\u{FEFF}T",
        "T | project ['a",
        "set",
        "declare query_parameters(",
        "let f = (a:string) {",
        "T | mv-apply x on (",
        "T | summarize by",
        "x.[",
        "x[",
        "1 between (",
        "-",
        "!has",
        "T | extend (a, b) = ",
        "\"é",
        "'ü\\",
    ] {
        let _ = parse(text);
        let _ = lex(text);
    }
}

#[test]
fn operators_after_a_by_list_inside_a_union_sub_query_stay_in_the_sub_query() {
    // Inside `(...)` the whole sub-query is one piece: `by X | where ...` must not turn `X`
    // into the source of a nested pipeline.
    let text = "union (T | summarize c = count() by X | where c > 1 | project X), (U | project a, b | take 1)";
    let q = ok(text);
    let Source::Operator(op) = &pipeline(&q).source else { panic!("expected an operator source") };
    let TabularOperator::Union { tables, .. } = &**op else { panic!("expected a union") };
    let keywords = |p: &Pipeline| -> Vec<&'static str> {
        p.operators.iter().map(TabularOperator::keyword).collect()
    };
    assert_eq!(keywords(&tables[0]), ["summarize", "where", "project"]);
    let TabularOperator::Summarize { by, .. } = &tables[0].operators[0] else {
        panic!("expected summarize")
    };
    assert_eq!(by.len(), 1);
    assert!(matches!(&by[0].expr, Expr::Name(id) if id.name == "X"), "{:?}", by[0].expr);
    assert_eq!(keywords(&tables[1]), ["project", "take"]);
    let TabularOperator::Project { columns, .. } = &tables[1].operators[0] else {
        panic!("expected project")
    };
    assert_eq!(columns[1].span.text(text), "b");
}

#[test]
fn sub_queries_still_parse_inside_calls_and_lists() {
    let text = "T | where a in ((U | project a)) | extend n = toscalar(U | count)";
    assert_eq!(ops(text), ["where", "extend"]);
}

#[test]
fn a_multi_line_token_is_quoted_by_its_first_line() {
    // A stray Markdown fence inside a query lexes as a multi-line string.
    let found = errs("DeviceEvents\n| where Timestamp > ago(1d)\n```Kusto\nDeviceInfo\n```");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.contains("found ````Kusto…`"), "{found:?}");
    assert!(!found[0].0.contains('\n'), "{found:?}");
}

#[test]
fn syntax_errors_without_a_tree_match_the_errors_of_a_full_parse() {
    // `kql::syntax_errors` (the KQL001-only path) must report exactly what `parse` does: on
    // valid queries, on broken ones, and on every prefix of a realistic query.
    let query = "let hosts = dynamic([\"a\", 'b']);\nDeviceProcessEvents\n\
        | where Timestamp > ago(1d) and FileName in~ (\"x.exe\", \"y.exe\") or not(a between (1 .. 2))\n\
        | extend n = -x * 2 + y % 3, s = strcat(@\"c:\\t\", tostring(z.k[0]))\n\
        | summarize c = count() by DeviceName, bin(Timestamp, 1h)\n\
        | join kind=inner (T | project DeviceName) on DeviceName\n| top 5 by c desc";
    let mut texts: Vec<String> =
        query.char_indices().map(|(end, _)| query[..end].to_owned()).collect();
    texts.extend(
        [
            "T | where a == == b",
            "T | where x and",
            "T | where (a or b",
            "T | extend = 1",
            "T | summarize by",
            "T | where a !contains",
            "T | projct a",
            "print x = 1 + * 2",
        ]
        .map(String::from),
    );
    for text in &texts {
        assert_eq!(qlint_grammar::kql::syntax_errors(text), parse(text).errors, "{text:?}");
    }
}
