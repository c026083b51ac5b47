//! The search grammar: pipe segments and one parser per command (family).
//!
//! [`Parts`] holds the pieces several commands share (fields, options, expressions, search
//! clauses); each `*_cmd` method builds the parser of one command from them, and [`search`]
//! ties the segments of a pipeline together.

use chumsky::prelude::*;

use super::{
    Either, G, GrammarError, K, P, Tok, compare_op, fold_by_and_tail, is_op, is_piece,
    is_structured, kw, macro_call, name_of, run, split_items, src, to_span, tok, value_of,
};
use crate::Span;
use crate::spl::ast::*;

/// Options, macros, fields and aggregations of a mixed argument list, split by kind.
type Mixed = (Vec<CommandOption>, Vec<MacroCall>, Vec<Name>, Vec<Aggregation>);

/// A word among `words` (any case), unlabelled: the names of one command family.
fn word_in<'a, R: GrammarError<'a>>(words: &'static [&'static str]) -> P<'a, R, Tok<'a>> {
    any()
        .filter(move |t: &Tok| {
            t.kind == K::Word && words.iter().any(|k| t.text.eq_ignore_ascii_case(k))
        })
        .boxed()
}

/// The parsers that several commands share, built once per grammar.
pub(super) struct Parts<'a, R: GrammarError<'a>> {
    g: G<'a, R>,
    expr: P<'a, R, Expr>,
    /// A search clause, and one that stops at `by` (inside `tstats ... where`).
    clause: P<'a, R, SearchExpr>,
    clause_by: P<'a, R, SearchExpr>,
    field: P<'a, R, Name>,
    option: P<'a, R, CommandOption>,
    macro_tok: P<'a, R, MacroCall>,
    /// Any number of commas (none included).
    comma: P<'a, R, ()>,
    /// Options and macros in any order.
    opt_items: P<'a, R, Vec<Either>>,
    /// Options, macros and fields separated by optional commas.
    mixed: P<'a, R, Mixed>,
    subsearch: P<'a, R, Subsearch>,
    number: P<'a, R, Value>,
    /// The arguments of a command without a structured parser.
    generic_args: P<'a, R, Vec<Argument>>,
    /// Looks ahead for the end of a segment: `|`, `]` or the end of input.
    seg_end: P<'a, R, ()>,
}

impl<'a, R: GrammarError<'a>> Parts<'a, R> {
    pub(super) fn new(g: G<'a, R>, pipeline: P<'a, R, Search>) -> Self {
        let field = g.field();
        let option = g.option();
        let macro_tok = g.macro_tok();
        let comma = tok(K::Comma, "`,`").repeated().ignored().boxed();
        let opt_items =
            choice((option.clone().map(Either::Opt), macro_tok.clone().map(Either::Macro)))
                .repeated()
                .collect::<Vec<_>>()
                .boxed();
        let mixed = choice((
            option.clone().map(Either::Opt),
            macro_tok.clone().map(Either::Macro),
            field.clone().map(Either::Field),
        ))
        .separated_by(comma.clone())
        .allow_trailing()
        .collect::<Vec<_>>()
        .map(split_items)
        .boxed();
        let subsearch = g.subsearch(pipeline.clone());
        let generic_args = generic_arg(subsearch.clone(), macro_tok.clone())
            .repeated()
            .collect::<Vec<_>>()
            .boxed();
        let seg_end =
            choice((tok(K::Pipe, "`|`").ignored(), tok(K::RBracket, "`]`").ignored(), end()))
                .labelled("`|`")
                .rewind()
                .boxed();
        Parts {
            g,
            expr: g.expr(),
            clause: g.clause(pipeline.clone(), false),
            clause_by: g.clause(pipeline, true),
            field,
            option,
            macro_tok,
            comma,
            opt_items,
            mixed,
            subsearch,
            number: g.number(),
            generic_args,
            seg_end,
        }
    }

    /// Every command with a structured parser; the order decides between look-alikes.
    fn structured(&self) -> P<'a, R, CommandKind> {
        choice((
            self.search_cmd(),
            self.where_cmd(),
            self.eval_cmd(),
            self.stats_cmd(),
            self.tstats_cmd(),
            self.fields_cmd(),
            self.rename_cmd(),
            self.rex_cmd(),
            self.regex_cmd(),
            self.bin_cmd(),
            self.dedup_cmd(),
            self.sort_cmd(),
            self.head_cmd(),
            self.lookup_cmd(),
            self.inputlookup_cmd(),
            self.join_cmd(),
            self.fillnull_cmd(),
            self.convert_cmd(),
            self.spath_cmd(),
            self.mvexpand_cmd(),
            self.foreach_cmd(),
            self.transaction_cmd(),
            self.top_cmd(),
            self.return_cmd(),
            self.format_cmd(),
        ))
        .boxed()
    }

    fn search_cmd(&self) -> P<'a, R, CommandKind> {
        kw("search", "`search`")
            .ignore_then(self.clause.clone().or_not())
            .map(|clause| CommandKind::Search(SearchCommand { clause }))
            .boxed()
    }

    fn where_cmd(&self) -> P<'a, R, CommandKind> {
        kw("where", "`where`")
            .ignore_then(self.expr.clone())
            .map(|expr| CommandKind::Where(WhereCommand { expr }))
            .boxed()
    }

    /// `eval f = expr, g = expr`: a missing expression is an error node, not a failure.
    fn eval_cmd(&self) -> P<'a, R, CommandKind> {
        let expr_or_error = self
            .expr
            .clone()
            .labelled("an expression")
            .recover_with(via_parser(empty().map_with(|_, e| Expr::Error(to_span(e.span())))))
            .boxed();
        let target = choice((
            run(|t| t.kind == K::Word, |t| matches!(t.kind, K::Word | K::Dot | K::Star | K::Minus))
                .map_with(move |(s, _), e| name_of(src(e), to_span(s), None)),
            tok(K::QuotedName, "a field name")
                .map_with(move |s, e| name_of(src(e), to_span(s), Some(K::QuotedName))),
            tok(K::String, "a field name")
                .map_with(move |s, e| name_of(src(e), to_span(s), Some(K::String))),
        ))
        .labelled("a field name");
        let assignment = target
            .then_ignore(tok(K::Eq, "`=`"))
            .then(expr_or_error)
            .map_with(|(field, expr), e| Assignment { field, expr, span: to_span(e.span()) })
            .boxed();
        kw("eval", "`eval`")
            .ignore_then(
                assignment
                    .separated_by(tok(K::Comma, "`,`"))
                    .allow_trailing()
                    .at_least(1)
                    .collect::<Vec<_>>()
                    .labelled("a field assignment"),
            )
            .map(|assignments| CommandKind::Eval(EvalCommand { assignments }))
            .boxed()
    }

    /// Options, macros and aggregations of a stats-like command.
    fn stats_items(&self) -> P<'a, R, Vec<Either>> {
        choice((
            self.option.clone().map(Either::Opt),
            self.macro_tok.clone().map(Either::Macro),
            self.g.aggregation(self.expr.clone()).map(Either::Agg),
        ))
        .separated_by(self.comma.clone())
        .allow_trailing()
        .collect::<Vec<_>>()
        .boxed()
    }

    fn stats_cmd(&self) -> P<'a, R, CommandKind> {
        const NAMES: &[&str] =
            &["stats", "eventstats", "streamstats", "timechart", "chart", "sistats", "sitimechart"];
        word_in(NAMES)
            .ignore_then(self.stats_items())
            .then(kw("over", "`over`").ignore_then(self.field.clone()).or_not())
            .then(self.g.by_clause().or_not())
            .then(self.opt_items.clone())
            .map(|(((items, over), by), tail)| {
                let (mut options, mut macros, _, aggregations) = split_items(items);
                let (by_fields, by_span) = fold_by_and_tail(by, tail, &mut options, &mut macros);
                CommandKind::Stats(StatsCommand {
                    options,
                    macros,
                    aggregations,
                    over,
                    by: by_fields,
                    by_span,
                })
            })
            .boxed()
    }

    /// `from datamodel=Name` (first) or `from Name` (second) of `tstats`.
    fn datamodel_from(&self) -> P<'a, R, (Option<Value>, Option<Value>)> {
        let dm_value = any()
            .filter(|t: &Tok| {
                !(t.kind == K::Word
                    && (t.text.eq_ignore_ascii_case("where") || t.text.eq_ignore_ascii_case("by")))
            })
            .rewind()
            .ignore_then(self.g.option_value())
            .labelled("a data model name")
            .boxed();
        kw("from", "`from`")
            .ignore_then(choice((
                kw("datamodel", "`datamodel`")
                    .ignore_then(tok(K::Eq, "`=`"))
                    .ignore_then(
                        dm_value.clone().map(Some).recover_with(via_parser(empty().to(None))),
                    )
                    .map(|v| (v, None)),
                kw("datamodel", "`datamodel`").not().ignore_then(dm_value).map(|v| (None, Some(v))),
            )))
            .boxed()
    }

    fn tstats_cmd(&self) -> P<'a, R, CommandKind> {
        word_in(&["tstats", "mstats"])
            .ignore_then(self.stats_items())
            .then(self.datamodel_from().or_not())
            .then(kw("where", "`where`").ignore_then(self.clause_by.clone()).or_not())
            .then(self.g.by_clause().or_not())
            .then(self.opt_items.clone())
            .map(|((((items, from), where_clause), by), tail)| {
                let (mut options, mut macros, _, aggregations) = split_items(items);
                let (datamodel, from) = from.unwrap_or((None, None));
                let (by_fields, by_span) = fold_by_and_tail(by, tail, &mut options, &mut macros);
                CommandKind::Tstats(TstatsCommand {
                    options,
                    macros,
                    aggregations,
                    datamodel,
                    from,
                    where_clause,
                    by: by_fields,
                    by_span,
                })
            })
            .boxed()
    }

    /// `table` / `fields [+|-] f1, f2`.
    fn fields_cmd(&self) -> P<'a, R, CommandKind> {
        word_in(&["table", "fields"])
            .ignore_then(
                any()
                    .filter(|t: &Tok| matches!(t.kind, K::Minus | K::Plus))
                    .map(|t: Tok| t.kind == K::Minus)
                    .or_not(),
            )
            .then(
                choice((
                    self.field.clone().map(Either::Field),
                    self.macro_tok.clone().map(Either::Macro),
                ))
                .separated_by(self.comma.clone())
                .allow_trailing()
                .collect::<Vec<_>>(),
            )
            .map(|(sign, items)| {
                let (_, macros, fields, _) = split_items(items);
                CommandKind::Fields(FieldsCommand { remove: sign == Some(true), fields, macros })
            })
            .boxed()
    }

    fn rename_cmd(&self) -> P<'a, R, CommandKind> {
        let rename = self
            .field
            .clone()
            .then_ignore(kw("as", "`as`"))
            .then(self.field.clone())
            .map_with(|(from, to), e| Rename { from, to, span: to_span(e.span()) });
        kw("rename", "`rename`")
            .ignore_then(
                rename
                    .separated_by(self.comma.clone())
                    .allow_trailing()
                    .at_least(1)
                    .collect::<Vec<_>>()
                    .labelled("a field to rename"),
            )
            .map(|renames| CommandKind::Rename(RenameCommand { renames }))
            .boxed()
    }

    fn rex_cmd(&self) -> P<'a, R, CommandKind> {
        let options = self.option.clone().repeated().collect::<Vec<_>>();
        kw("rex", "`rex`")
            .ignore_then(options.clone())
            .then(
                choice((self.g.string(), self.g.option_value()))
                    .map(Some)
                    .labelled("a regular expression string")
                    .recover_with(via_parser(empty().to(None))),
            )
            .then(options)
            .map(|((mut options, regex), tail)| {
                options.extend(tail);
                CommandKind::Rex(RexCommand { options, regex })
            })
            .boxed()
    }

    /// `regex [field=|field!=] "re"`.
    fn regex_cmd(&self) -> P<'a, R, CommandKind> {
        let regex_field = self
            .field
            .clone()
            .then(
                any()
                    .filter(|t: &Tok| matches!(t.kind, K::Eq | K::Ne))
                    .map(|t: Tok| t.kind == K::Ne),
            )
            .boxed();
        kw("regex", "`regex`")
            .ignore_then(regex_field.or_not())
            .then(
                choice((self.g.string(), self.g.option_value()))
                    .labelled("a regular expression string"),
            )
            .map(|(f, regex)| {
                let (field, negated) = match f {
                    Some((f, n)) => (Some(f), n),
                    None => (None, false),
                };
                CommandKind::Regex(RegexCommand { field, negated, regex: Some(regex) })
            })
            .boxed()
    }

    /// `bin` / `bucket [options] field [options] [as alias] [options]`.
    fn bin_cmd(&self) -> P<'a, R, CommandKind> {
        word_in(&["bin", "bucket"])
            .ignore_then(self.opt_items.clone())
            .then(self.field.clone().or_not())
            .then(self.opt_items.clone())
            .then(kw("as", "`as`").ignore_then(self.field.clone()).or_not())
            .then(self.opt_items.clone())
            .map(|((((a, field), b), alias), c)| {
                let mut options = split_items(a).0;
                options.extend(split_items(b).0);
                options.extend(split_items(c).0);
                CommandKind::Bin(BinCommand { options, field, alias })
            })
            .boxed()
    }

    /// A sort key: `[-|+] field` or `[-|+] num(field)`; a bare `desc`/`d` is no key.
    fn sort_key(&self) -> P<'a, R, SortKey> {
        let function = word_in(&["num", "str", "ip", "auto"])
            .map_with(move |_, e| name_of(src(e), to_span(e.span()), None))
            .then(self.field.clone().delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`")))
            .map(|(f, n)| (Some(f), n));
        any()
            .filter(|t: &Tok| matches!(t.kind, K::Minus | K::Plus))
            .map(|t: Tok| t.kind == K::Minus)
            .or_not()
            .then(choice((function, self.field.clone().map(|n| (None, n)))))
            .filter(|(sign, (function, field))| {
                !(sign.is_none()
                    && function.is_none()
                    && ["desc", "d"].iter().any(|k| field.text.eq_ignore_ascii_case(k)))
            })
            .map_with(|(sign, (function, field)), e| SortKey {
                field,
                descending: sign == Some(true),
                function,
                span: to_span(e.span()),
            })
            .boxed()
    }

    fn sort_cmd(&self) -> P<'a, R, CommandKind> {
        kw("sort", "`sort`")
            .ignore_then(
                choice((self.number.clone(), self.option.clone().map(|o| o.value))).or_not(),
            )
            .then(
                self.sort_key()
                    .separated_by(self.comma.clone())
                    .allow_trailing()
                    .collect::<Vec<_>>(),
            )
            .then(word_in(&["desc", "d"]).or_not())
            .map(|((limit, keys), desc)| {
                CommandKind::Sort(SortCommand { limit, keys, descending: desc.is_some() })
            })
            .boxed()
    }

    /// `dedup [N] fields [options] [sortby keys]`.
    fn dedup_cmd(&self) -> P<'a, R, CommandKind> {
        kw("dedup", "`dedup`")
            .ignore_then(self.number.clone().or_not())
            .then(
                choice((
                    self.option.clone().map(Either::Opt),
                    self.field.clone().and_is(kw("sortby", "`sortby`").not()).map(Either::Field),
                ))
                .separated_by(self.comma.clone())
                .allow_trailing()
                .collect::<Vec<_>>(),
            )
            .then(
                kw("sortby", "`sortby`")
                    .ignore_then(
                        self.sort_key().separated_by(self.comma.clone()).collect::<Vec<_>>(),
                    )
                    .or_not(),
            )
            .map(|((count, items), sort_by)| {
                let (options, _, fields, _) = split_items(items);
                CommandKind::Dedup(DedupCommand {
                    count,
                    fields,
                    options,
                    sort_by: sort_by.unwrap_or_default(),
                })
            })
            .boxed()
    }

    /// `head` / `tail [N] [(condition)] [options]`.
    fn head_cmd(&self) -> P<'a, R, CommandKind> {
        let condition =
            self.expr.clone().delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`")).map_with(
                |inner, e| Expr::Paren { inner: Box::new(inner), span: to_span(e.span()) },
            );
        word_in(&["head", "tail"])
            .ignore_then(self.number.clone().or_not())
            .then(condition.or_not())
            .then(self.option.clone().repeated().collect::<Vec<_>>())
            .map(|((count, condition), options)| {
                CommandKind::Head(HeadCommand { count, condition, options })
            })
            .boxed()
    }

    /// `lookup [options] table field [as alias], ... [output|outputnew field [as alias], ...]`.
    fn lookup_cmd(&self) -> P<'a, R, CommandKind> {
        let lookup_field = self
            .field
            .clone()
            .then(kw("as", "`as`").ignore_then(self.field.clone()).or_not())
            .map_with(|(field, alias), e| LookupField { field, alias, span: to_span(e.span()) })
            .boxed();
        let output_kw = word_in(&["output", "outputnew"])
            .map_with(move |_, e| name_of(src(e), to_span(e.span()), None))
            .boxed();
        let inputs = lookup_field
            .clone()
            .and_is(output_kw.clone().not())
            .separated_by(self.comma.clone())
            .allow_trailing()
            .collect::<Vec<_>>();
        let outputs =
            lookup_field.separated_by(self.comma.clone()).allow_trailing().collect::<Vec<_>>();
        kw("lookup", "`lookup`")
            .ignore_then(self.option.clone().repeated().collect::<Vec<_>>())
            .then(self.field.clone().labelled("a lookup name"))
            .then(inputs)
            .then(output_kw.then(outputs).or_not())
            .map(|(((options, table), inputs), out)| {
                let (output_keyword, outputs) = match out {
                    Some((k, o)) => (Some(k), o),
                    None => (None, Vec::new()),
                };
                CommandKind::Lookup(LookupCommand {
                    options,
                    table: Some(table),
                    inputs,
                    output_keyword,
                    outputs,
                })
            })
            .boxed()
    }

    /// `inputlookup` / `outputlookup [options] [table] [options] [where clause]`.
    fn inputlookup_cmd(&self) -> P<'a, R, CommandKind> {
        word_in(&["inputlookup", "outputlookup"])
            .ignore_then(self.opt_items.clone())
            .then(self.field.clone().labelled("a lookup name").or_not())
            .then(self.opt_items.clone())
            .then(kw("where", "`where`").ignore_then(self.clause.clone()).or_not())
            .map(|(((a, table), b), where_clause)| {
                let mut options = split_items(a).0;
                options.extend(split_items(b).0);
                CommandKind::InputLookup(InputLookupCommand { options, table, where_clause })
            })
            .boxed()
    }

    /// `join` and the `append` family: options and fields, then a subsearch.
    fn join_cmd(&self) -> P<'a, R, CommandKind> {
        word_in(&["join", "append", "appendpipe", "appendcols"])
            .ignore_then(self.mixed.clone())
            .then(self.subsearch.clone().labelled("a subsearch").or_not())
            .map(|((options, _, fields, _), subsearch)| {
                CommandKind::Join(JoinCommand { options, fields, subsearch })
            })
            .boxed()
    }

    fn fillnull_cmd(&self) -> P<'a, R, CommandKind> {
        kw("fillnull", "`fillnull`")
            .ignore_then(self.mixed.clone())
            .map(|(options, _, fields, _)| {
                CommandKind::FillNull(FillNullCommand { options, fields })
            })
            .boxed()
    }

    /// `convert [options] ctime(f) as g, ...` (conversions parse as aggregations).
    fn convert_cmd(&self) -> P<'a, R, CommandKind> {
        let conversions = self
            .g
            .aggregation(self.expr.clone())
            .separated_by(self.comma.clone())
            .allow_trailing()
            .collect::<Vec<_>>();
        kw("convert", "`convert`")
            .ignore_then(self.option.clone().repeated().collect::<Vec<_>>())
            .then(conversions)
            .map(|(options, conversions)| {
                CommandKind::Convert(ConvertCommand { options, conversions })
            })
            .boxed()
    }

    /// `spath [options] [path]`: the last bare value is the path.
    fn spath_cmd(&self) -> P<'a, R, CommandKind> {
        let item = choice((
            self.option.clone().map(|o| (Some(o), None)),
            self.g.option_value().map(|v| (None, Some(v))),
        ));
        kw("spath", "`spath`")
            .ignore_then(item.repeated().collect::<Vec<_>>())
            .map(|items| {
                let mut options = Vec::new();
                let mut path = None;
                for (o, v) in items {
                    options.extend(o);
                    if v.is_some() {
                        path = v;
                    }
                }
                CommandKind::Spath(SpathCommand { options, path })
            })
            .boxed()
    }

    /// `mvexpand` / `makemv [options] field`.
    fn mvexpand_cmd(&self) -> P<'a, R, CommandKind> {
        word_in(&["mvexpand", "makemv"])
            .ignore_then(self.mixed.clone())
            .map(|(options, _, fields, _)| {
                CommandKind::MvExpand(MvExpandCommand { options, field: fields.into_iter().next() })
            })
            .boxed()
    }

    /// `foreach fields [options] [ template ]`.
    fn foreach_cmd(&self) -> P<'a, R, CommandKind> {
        kw("foreach", "`foreach`")
            .ignore_then(self.mixed.clone())
            .then(self.subsearch.clone().labelled("a `[` template `]`"))
            .map(|((options, _, fields, _), template)| {
                CommandKind::Foreach(ForeachCommand { options, fields, template: Some(template) })
            })
            .boxed()
    }

    fn transaction_cmd(&self) -> P<'a, R, CommandKind> {
        kw("transaction", "`transaction`")
            .ignore_then(self.mixed.clone())
            .map(|(options, _, fields, _)| {
                CommandKind::Transaction(TransactionCommand { fields, options })
            })
            .boxed()
    }

    /// `top` / `rare [N] fields [options] [by fields]`.
    fn top_cmd(&self) -> P<'a, R, CommandKind> {
        word_in(&["top", "rare"])
            .ignore_then(self.number.clone().or_not())
            .then(self.mixed.clone())
            .then(self.g.by_clause().or_not())
            .map(|((_, (mut options, _, fields, _)), by)| {
                let mut by_fields = Vec::new();
                if let Some((_, list)) = by {
                    let (o, _, f, _) = split_items(list);
                    options.extend(o);
                    by_fields = f;
                }
                CommandKind::Top(TopCommand { options, fields, by: by_fields })
            })
            .boxed()
    }

    fn return_cmd(&self) -> P<'a, R, CommandKind> {
        kw("return", "`return`")
            .ignore_then(self.number.clone().or_not())
            .then(self.generic_args.clone())
            .map(|(count, items)| CommandKind::Return(ReturnCommand { count, items }))
            .boxed()
    }

    /// `format [options] ["row prefix" ...]`.
    fn format_cmd(&self) -> P<'a, R, CommandKind> {
        let item = choice((
            self.option.clone().map(|o| (Some(o), None)),
            self.g.string().map(|s| (None, Some(s))),
        ));
        kw("format", "`format`")
            .ignore_then(item.repeated().collect::<Vec<_>>())
            .map(|items| {
                let (mut options, mut args) = (Vec::new(), Vec::new());
                for (o, s) in items {
                    options.extend(o);
                    args.extend(s);
                }
                CommandKind::Format(FormatCommand { options, args })
            })
            .boxed()
    }

    /// A command by name: structured when the name is known, generic otherwise.
    fn named_command(&self) -> P<'a, R, Command> {
        let name = any()
            .filter(|t: &Tok| t.kind == K::Word)
            .map_with(move |_, e| name_of(src(e), to_span(e.span()), None))
            .labelled("a command name");
        let generic = any()
            .filter(|t: &Tok| t.kind == K::Word && !is_structured(t.text))
            .ignore_then(self.generic_args.clone())
            .map(|args| CommandKind::Generic(GenericCommand { args }));
        name.rewind()
            .then(choice((self.structured(), generic)))
            .then_ignore(self.seg_end.clone())
            .map_with(|(name, kind), e| Command {
                name,
                implicit: false,
                span: to_span(e.span()),
                kind,
            })
            .boxed()
    }

    /// A segment that starts with a macro: the macro alone, or a generic command after it.
    fn macro_command(&self) -> P<'a, R, Command> {
        self.macro_tok
            .clone()
            .then(self.generic_args.clone())
            .then_ignore(self.seg_end.clone())
            .map_with(|(m, args), e| {
                let name = Name { text: m.name.clone(), span: m.name_span, quoted: false };
                let kind = if args.is_empty() {
                    CommandKind::Macro(m)
                } else {
                    let mut all = vec![Argument::Macro(m)];
                    all.extend(args);
                    CommandKind::Generic(GenericCommand { args: all })
                };
                Command { name, implicit: false, span: to_span(e.span()), kind }
            })
            .boxed()
    }

    /// The first segment without a leading pipe, read as an implicit `search`.
    fn implicit_search(&self) -> P<'a, R, Command> {
        self.clause
            .clone()
            .then_ignore(self.seg_end.clone())
            .map_with(|clause, e| Command {
                name: Name {
                    text: "search".into(),
                    span: Span::empty(e.span().start as u32),
                    quoted: false,
                },
                implicit: true,
                span: to_span(e.span()),
                kind: CommandKind::Search(SearchCommand { clause: Some(clause) }),
            })
            .boxed()
    }

    /// Recovery: a broken segment becomes an error command named after its first word.
    fn skip_segment(&self) -> P<'a, R, Command> {
        let first = any().filter(|t: &Tok| !matches!(t.kind, K::Pipe | K::RBracket)).map_with(
            move |t: Tok, e| {
                let s = to_span(e.span());
                match t.kind {
                    K::Word => name_of(src(e), s, None),
                    K::Macro => {
                        let m = macro_call(src(e), s);
                        Name { text: m.name, span: m.name_span, quoted: false }
                    }
                    _ => Name { text: String::new(), span: Span::empty(s.start), quoted: false },
                }
            },
        );
        let rest = choice((
            bracketed_skip(),
            any()
                .filter(|t: &Tok| !matches!(t.kind, K::Pipe | K::LBracket | K::RBracket))
                .ignored(),
        ))
        .repeated();
        first
            .then_ignore(rest)
            .map_with(move |name, e| Command {
                name,
                implicit: false,
                span: to_span(e.span()),
                kind: CommandKind::Error,
            })
            .boxed()
    }
}

/// One argument of a generic command: subsearch, macro, `( group )`, `key=value`, a run of
/// touching pieces or a punctuation token.
fn generic_arg<'a, R: GrammarError<'a>>(
    subsearch: P<'a, R, Subsearch>,
    macro_tok: P<'a, R, MacroCall>,
) -> P<'a, R, Argument> {
    recursive(|arg| {
        let key =
            run(|t| t.kind == K::Word, |t| matches!(t.kind, K::Word | K::Dot | K::Minus | K::Star));
        let value_run =
            run(|t| is_piece(t.kind), |t| is_piece(t.kind) || is_op(t.kind) || t.kind == K::Comma)
                .map_with(move |(s, single), e| {
                    Argument::Value(value_of(src(e), to_span(s), single == Some(K::String)))
                })
                .boxed();
        let group = arg
            .clone()
            .repeated()
            .collect::<Vec<_>>()
            .delimited_by(tok(K::LParen, "`(`"), tok(K::RParen, "`)`"))
            .map_with(|args, e| Argument::Group { args, span: to_span(e.span()) })
            .boxed();
        let option_value = choice((
            subsearch.clone().map(Argument::Subsearch),
            macro_tok.clone().map(Argument::Macro),
            group.clone(),
            value_run.clone(),
        ))
        .labelled("a value")
        .boxed();
        let opt = key
            .then(any().filter(|t: &Tok| is_op(t.kind)).map(|t: Tok| compare_op(t.kind)))
            .then(option_value)
            .map_with(move |(((ks, _), op), value), e| Argument::Option {
                key: name_of(src(e), to_span(ks), None),
                op,
                value: Box::new(value),
                span: to_span(e.span()),
            })
            .boxed();
        let punct = any()
            .filter(|t: &Tok| {
                !matches!(
                    t.kind,
                    K::Pipe
                        | K::RBracket
                        | K::LBracket
                        | K::LParen
                        | K::RParen
                        | K::Macro
                        | K::TooDeep
                ) && !is_piece(t.kind)
            })
            .map_with(move |_, e| Argument::Punct(value_of(src(e), to_span(e.span()), false)))
            .boxed();
        choice((
            subsearch.clone().map(Argument::Subsearch),
            macro_tok.clone().map(Argument::Macro),
            tok(K::TooDeep, "an argument").map(|s| Argument::Error(to_span(s))),
            group,
            opt,
            value_run,
            punct,
        ))
        .boxed()
    })
    .boxed()
}

/// Skips a `[ ... ]` with everything nested in it.
fn bracketed_skip<'a, R: GrammarError<'a>>() -> P<'a, R, ()> {
    let inner = recursive(|skip| {
        choice((
            tok(K::LBracket, "`[`")
                .ignore_then(skip.clone().repeated())
                .then_ignore(tok(K::RBracket, "`]`"))
                .ignored(),
            tok(K::Pipe, "`|`").ignored(),
            any()
                .filter(|t: &Tok| !matches!(t.kind, K::Pipe | K::LBracket | K::RBracket))
                .ignored(),
        ))
        .boxed()
    });
    tok(K::LBracket, "`[`")
        .ignore_then(inner.repeated())
        .then_ignore(tok(K::RBracket, "`]`"))
        .boxed()
}

/// Recovery of last resort: an empty error command where a segment should be.
fn empty_segment<'a, R: GrammarError<'a>>() -> P<'a, R, Command> {
    empty()
        .map_with(move |_, e| {
            let s: SimpleSpan = e.span();
            Command {
                name: Name {
                    text: String::new(),
                    span: Span::empty(s.start as u32),
                    quoted: false,
                },
                implicit: false,
                span: Span::empty(s.start as u32),
                kind: CommandKind::Error,
            }
        })
        .boxed()
}

/// A search: `| segment | ...`, or a first segment without a pipe (a known command by name,
/// or an implicit search clause) followed by `| segment ...`.
pub(super) fn search<'a, R: GrammarError<'a>>(p: Parts<'a, R>) -> P<'a, R, Search> {
    let named = p.named_command();
    let segment = choice((p.macro_command(), named.clone()))
        .labelled("a command")
        .recover_with(via_parser(p.skip_segment()))
        .recover_with(via_parser(empty_segment()))
        .boxed();
    let first_named = any()
        .filter(|t: &Tok| t.kind == K::Word && is_structured(t.text))
        .then(any().filter(|t: &Tok| is_op(t.kind) || t.kind == K::LParen).not())
        .rewind()
        .ignore_then(named);
    let first = choice((first_named, p.implicit_search()))
        .recover_with(via_parser(p.skip_segment()))
        .boxed();
    let rest = tok(K::Pipe, "`|`").ignore_then(segment.clone()).repeated().collect::<Vec<_>>();
    let with_pipe =
        tok(K::Pipe, "`|`").ignore_then(segment).then(rest.clone()).map(|(c, mut more)| {
            more.insert(0, c);
            (true, more)
        });
    let without = first.or_not().then(rest).map(|(c, more)| {
        let mut all: Vec<Command> = c.into_iter().collect();
        all.extend(more);
        (false, all)
    });
    choice((with_pipe, without))
        .map_with(|(leading_pipe, commands), e| Search {
            span: to_span(e.span()),
            leading_pipe,
            commands,
        })
        .boxed()
}
