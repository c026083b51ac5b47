//! The SPL syntax tree: a pipeline of commands, search clauses, eval expressions.
//!
//! Every node carries a byte [`Span`] into the parsed text. Broken input yields error nodes
//! (`SearchExpr::Error`, `Expr::Error`, `CommandKind::Error`) inside a partial tree.

use crate::Span;

/// A whole search (or the inside of a subsearch): `|`-separated commands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    /// Span of the whole pipeline (for the top level: the whole text).
    pub span: Span,
    /// True when the pipeline starts with `|` (a generating command such as `| tstats`).
    pub leading_pipe: bool,
    /// The commands in order.
    pub commands: Vec<Command>,
}

/// A bracketed subsearch `[ ... ]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Subsearch {
    /// Span including both brackets.
    pub span: Span,
    /// The pipeline inside the brackets.
    pub search: Search,
}

/// A name as written: a command, field, function, option key or lookup name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The name with quotes removed and escapes resolved.
    pub text: String,
    /// Span of the name as written (quotes included).
    pub span: Span,
    /// True when written in quotes (`'field name'` or `"field"`).
    pub quoted: bool,
}

impl Name {
    /// True when the name holds a `*` wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.text.contains('*')
    }
}

/// A macro call `` `name` `` or `` `name(arg1, "arg 2")` ``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroCall {
    /// The macro name (without backticks or arguments).
    pub name: String,
    /// Span of the name inside the backticks.
    pub name_span: Span,
    /// The arguments as written between the parentheses (trimmed), with their spans.
    pub args: Vec<MacroArg>,
    /// True when written with parentheses, even empty ones.
    pub has_parens: bool,
    /// Span of the whole call, backticks included.
    pub span: Span,
}

impl MacroCall {
    /// The name Splunk looks up in macros.conf: `name` or `name(N)` with N arguments.
    pub fn definition_name(&self) -> String {
        if self.has_parens {
            format!("{}({})", self.name, self.args.len())
        } else {
            self.name.clone()
        }
    }
}

/// One macro argument, raw text as written (quotes kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroArg {
    /// The argument text, trimmed of surrounding whitespace.
    pub text: String,
    /// Span of the trimmed argument.
    pub span: Span,
}

/// One pipeline stage: a command name with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// The command name as written (lower-cased in `kind` matching, original text here).
    /// For the implicit `search` at the start of a pipeline it is `search` with an empty span;
    /// for a macro standing as a command it is the macro name.
    pub name: Name,
    /// True for the leading search clause that has no command name.
    pub implicit: bool,
    /// Span of the whole stage (without the surrounding pipes).
    pub span: Span,
    /// The structured content.
    pub kind: CommandKind,
}

/// A `key=value` option of a command (`span=1h`, `summariesonly=true`, `field=_raw`).
#[derive(Debug, Clone, PartialEq)]
pub struct CommandOption {
    /// The key.
    pub key: Name,
    /// The value as written.
    pub value: Value,
    /// Span from key to value.
    pub span: Span,
}

/// A plain value: a bare word (wildcards allowed) or a quoted string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The value with quotes removed and escapes resolved.
    pub text: String,
    /// Span as written (quotes included).
    pub span: Span,
    /// True when written in double quotes.
    pub quoted: bool,
}

impl Value {
    /// True when the value holds an unescaped `*` wildcard (quoted or not, as Splunk does).
    pub fn has_wildcard(&self) -> bool {
        self.text.contains('*')
    }
}

/// A generic argument of a command without a structured parser.
#[derive(Debug, Clone, PartialEq)]
pub enum Argument {
    /// `key=value` (also `key!=value`, `key<value` ...).
    Option {
        /// The key.
        key: Name,
        /// The operator as written (`=`, `!=`, `<`, ...).
        op: CompareOp,
        /// The value (a word, a string, a macro, a group or a subsearch).
        value: Box<Argument>,
        /// Span from key to value.
        span: Span,
    },
    /// A word, number or quoted string.
    Value(Value),
    /// An operator or punctuation token kept as written (`,`, `+`, `>`, ...).
    Punct(Value),
    /// A parenthesised group.
    Group {
        /// The arguments inside.
        args: Vec<Argument>,
        /// Span including the parentheses.
        span: Span,
    },
    /// A macro call.
    Macro(MacroCall),
    /// A subsearch.
    Subsearch(Subsearch),
    /// Input that could not be parsed.
    Error(Span),
}

/// The structured content of a command.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandKind {
    /// `search` (implicit or explicit): a search clause, possibly empty.
    Search(SearchCommand),
    /// `where <expr>`.
    Where(WhereCommand),
    /// `eval x=..., y=...`.
    Eval(EvalCommand),
    /// `stats`, `eventstats`, `streamstats`, `timechart`, `chart`, `sistats`, ...
    Stats(StatsCommand),
    /// `tstats` (and `mstats`): aggregations over data models or indexed fields.
    Tstats(TstatsCommand),
    /// `table` / `fields`.
    Fields(FieldsCommand),
    /// `rename a AS b, ...`.
    Rename(RenameCommand),
    /// `rex [field=x] [mode=sed] "regex"`.
    Rex(RexCommand),
    /// `regex [field=|field!=]"regex"`.
    Regex(RegexCommand),
    /// `bin` / `bucket`.
    Bin(BinCommand),
    /// `dedup`.
    Dedup(DedupCommand),
    /// `sort`.
    Sort(SortCommand),
    /// `head` / `tail`.
    Head(HeadCommand),
    /// `lookup`.
    Lookup(LookupCommand),
    /// `inputlookup` / `outputlookup`.
    InputLookup(InputLookupCommand),
    /// `join`, `append`, `appendpipe`, `appendcols`: options, fields and a subsearch.
    Join(JoinCommand),
    /// `fillnull`.
    FillNull(FillNullCommand),
    /// `convert`.
    Convert(ConvertCommand),
    /// `spath`.
    Spath(SpathCommand),
    /// `mvexpand` / `makemv`.
    MvExpand(MvExpandCommand),
    /// `foreach fields [ template ]`.
    Foreach(ForeachCommand),
    /// `transaction`.
    Transaction(TransactionCommand),
    /// `top` / `rare`.
    Top(TopCommand),
    /// `return`.
    Return(ReturnCommand),
    /// `format`.
    Format(FormatCommand),
    /// A macro standing as a whole command: `` | `filter_macro` ``.
    Macro(MacroCall),
    /// Any other command: arguments parsed generically.
    Generic(GenericCommand),
    /// A stage that could not be parsed (an error was reported).
    Error,
}

/// `search <clause>`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchCommand {
    /// The clause; `None` for an empty search.
    pub clause: Option<SearchExpr>,
}

/// `where <expr>`.
#[derive(Debug, Clone, PartialEq)]
pub struct WhereCommand {
    /// The condition.
    pub expr: Expr,
}

/// `eval a=expr, b=expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalCommand {
    /// The assignments in order.
    pub assignments: Vec<Assignment>,
}

/// `field = expr` in `eval`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The assigned field.
    pub field: Name,
    /// The value.
    pub expr: Expr,
    /// Span from field to expression.
    pub span: Span,
}

/// Statistical commands.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsCommand {
    /// Options before, between or after the aggregations (`span=1h`, `limit=10`, macros).
    pub options: Vec<CommandOption>,
    /// Macros standing among the options or aggregations.
    pub macros: Vec<MacroCall>,
    /// The aggregations.
    pub aggregations: Vec<Aggregation>,
    /// `chart ... over field`.
    pub over: Option<Name>,
    /// The `by` fields (empty when no `by` clause).
    pub by: Vec<Name>,
    /// Span of the `by` keyword when present.
    pub by_span: Option<Span>,
}

/// `func(args) [as alias]`, or `count` alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregation {
    /// The function name (`count`, `dc`, `values`, `perc95`, ...).
    pub function: Name,
    /// The arguments; each a field or an `eval(...)` expression.
    pub args: Vec<Expr>,
    /// The `as` name.
    pub alias: Option<Name>,
    /// Span of the whole aggregation.
    pub span: Span,
}

/// `tstats [options] aggregations [from datamodel=X.Y | from index] [where clause] [by fields [span=..]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TstatsCommand {
    /// Options (`summariesonly=true`, `allow_old_summaries=true`, `prestats=t`, `span=`...).
    pub options: Vec<CommandOption>,
    /// Macros among the options (`` `security_content_summariesonly` ``).
    pub macros: Vec<MacroCall>,
    /// The aggregations.
    pub aggregations: Vec<Aggregation>,
    /// `from datamodel=Endpoint.Processes`: the data model (and dataset) as written.
    pub datamodel: Option<Value>,
    /// `from X` without `datamodel=` (a namespace or `sid=`), as written.
    pub from: Option<Value>,
    /// The `where` clause (search syntax).
    pub where_clause: Option<SearchExpr>,
    /// The `by` fields.
    pub by: Vec<Name>,
    /// Span of the `by` keyword when present.
    pub by_span: Option<Span>,
}

impl TstatsCommand {
    /// The value of option `key` (case-insensitive), e.g. `summariesonly`.
    pub fn option(&self, key: &str) -> Option<&Value> {
        self.options.iter().find(|o| o.key.text.eq_ignore_ascii_case(key)).map(|o| &o.value)
    }
}

/// `table` / `fields [+|-] a, b*`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldsCommand {
    /// `fields -` removes fields.
    pub remove: bool,
    /// The fields (wildcards allowed).
    pub fields: Vec<Name>,
    /// Macros among the fields.
    pub macros: Vec<MacroCall>,
}

/// `rename a AS b, c AS d`.
#[derive(Debug, Clone, PartialEq)]
pub struct RenameCommand {
    /// The renames in order.
    pub renames: Vec<Rename>,
}

/// `from AS to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rename {
    /// The original field (wildcards allowed).
    pub from: Name,
    /// The new name.
    pub to: Name,
    /// Span of the pair.
    pub span: Span,
}

/// `rex [field=x] [mode=sed] [max_match=n] "regex"`.
#[derive(Debug, Clone, PartialEq)]
pub struct RexCommand {
    /// Options (`field`, `mode`, `max_match`, `offset_field`).
    pub options: Vec<CommandOption>,
    /// The regular expression (or sed expression) string; `None` only in a broken tree.
    pub regex: Option<Value>,
}

/// `regex [field=|field!=]"regex"`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegexCommand {
    /// The field tested (default `_raw`).
    pub field: Option<Name>,
    /// True for `field!=`.
    pub negated: bool,
    /// The regular expression.
    pub regex: Option<Value>,
}

/// `bin [options] field [as alias]`.
#[derive(Debug, Clone, PartialEq)]
pub struct BinCommand {
    /// Options (`span`, `bins`, ...).
    pub options: Vec<CommandOption>,
    /// The field.
    pub field: Option<Name>,
    /// The `as` name.
    pub alias: Option<Name>,
}

/// `dedup [N] fields [options] [sortby ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupCommand {
    /// How many to keep per combination.
    pub count: Option<Value>,
    /// The fields.
    pub fields: Vec<Name>,
    /// Options (`keepempty`, `consecutive`, ...).
    pub options: Vec<CommandOption>,
    /// `sortby` keys.
    pub sort_by: Vec<SortKey>,
}

/// `sort [N] [+|-]field, ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortCommand {
    /// The limit.
    pub limit: Option<Value>,
    /// The keys.
    pub keys: Vec<SortKey>,
    /// `desc` after the keys.
    pub descending: bool,
}

/// One sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The field.
    pub field: Name,
    /// True for `-field`.
    pub descending: bool,
    /// `num(x)`, `str(x)`, `ip(x)`, `auto(x)` when written.
    pub function: Option<Name>,
    /// Span of the key.
    pub span: Span,
}

/// `head` / `tail`.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadCommand {
    /// The count.
    pub count: Option<Value>,
    /// A condition (`head (x>1)`).
    pub condition: Option<Expr>,
    /// Options (`limit`, `null`, `keeplast`).
    pub options: Vec<CommandOption>,
}

/// One field in a lookup: `field [AS alias]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupField {
    /// The field in the lookup table (for inputs) or output.
    pub field: Name,
    /// The `AS` name.
    pub alias: Option<Name>,
    /// Span of the pair.
    pub span: Span,
}

/// `lookup [options] table field [AS f] ... [OUTPUT|OUTPUTNEW field [AS f] ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupCommand {
    /// Options (`local`, `update`).
    pub options: Vec<CommandOption>,
    /// The lookup name.
    pub table: Option<Name>,
    /// Input fields.
    pub inputs: Vec<LookupField>,
    /// `OUTPUT` or `OUTPUTNEW` when written.
    pub output_keyword: Option<Name>,
    /// Output fields.
    pub outputs: Vec<LookupField>,
}

/// `inputlookup` / `outputlookup [options] table [where clause]`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputLookupCommand {
    /// Options (`append`, `max`, `create_empty`, ...).
    pub options: Vec<CommandOption>,
    /// The lookup name.
    pub table: Option<Name>,
    /// The `where` clause (inputlookup only).
    pub where_clause: Option<SearchExpr>,
}

/// `join`, `append`, `appendpipe`, `appendcols`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinCommand {
    /// Options (`type=left`, `max=0`).
    pub options: Vec<CommandOption>,
    /// Join fields.
    pub fields: Vec<Name>,
    /// The subsearch.
    pub subsearch: Option<Subsearch>,
}

/// `fillnull [value=x] fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct FillNullCommand {
    /// Options (`value`).
    pub options: Vec<CommandOption>,
    /// The fields (all when empty).
    pub fields: Vec<Name>,
}

/// `convert [timeformat=..] func(field) [as alias] ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertCommand {
    /// Options.
    pub options: Vec<CommandOption>,
    /// The conversions.
    pub conversions: Vec<Aggregation>,
}

/// `spath [input=] [output=] [path=] [path]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SpathCommand {
    /// Options.
    pub options: Vec<CommandOption>,
    /// A positional path.
    pub path: Option<Value>,
}

/// `mvexpand field [limit=]` / `makemv [delim=] [tokenizer=] field`.
#[derive(Debug, Clone, PartialEq)]
pub struct MvExpandCommand {
    /// Options.
    pub options: Vec<CommandOption>,
    /// The field.
    pub field: Option<Name>,
}

/// `foreach fields [options] [ template ]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeachCommand {
    /// Options (`mode`, `fieldstr`, ...).
    pub options: Vec<CommandOption>,
    /// The fields (wildcards allowed).
    pub fields: Vec<Name>,
    /// The template pipeline in brackets.
    pub template: Option<Subsearch>,
}

/// `transaction fields [options]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionCommand {
    /// The fields.
    pub fields: Vec<Name>,
    /// Options (`maxspan`, `startswith`, ...).
    pub options: Vec<CommandOption>,
}

/// `top` / `rare [options] fields [by fields]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TopCommand {
    /// Options (`limit`, `showperc`, ...).
    pub options: Vec<CommandOption>,
    /// The fields.
    pub fields: Vec<Name>,
    /// The `by` fields.
    pub by: Vec<Name>,
}

/// `return [N] [alias=]field | $field ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnCommand {
    /// The count.
    pub count: Option<Value>,
    /// The items as written (`src`, `$src`, `alias=field` as an option).
    pub items: Vec<Argument>,
}

/// `format [options] ["(" "(" "AND" ")" "OR" ")"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FormatCommand {
    /// Options (`maxresults`, `mvsep`, ...).
    pub options: Vec<CommandOption>,
    /// The positional strings.
    pub args: Vec<Value>,
}

/// A command without a structured parser.
#[derive(Debug, Clone, PartialEq)]
pub struct GenericCommand {
    /// The arguments in order.
    pub args: Vec<Argument>,
}

/// A search clause (the argument of `search`, and `tstats`/`inputlookup` `where`).
#[derive(Debug, Clone, PartialEq)]
pub enum SearchExpr {
    /// A bare or quoted term (`foo`, `"a b"`, `*\IPC$`).
    Term(Term),
    /// `field op value`.
    Compare(FieldComparison),
    /// `field IN (v1, v2)`.
    In(InList),
    /// Terms joined by `AND` or by juxtaposition.
    And {
        /// Two or more operands.
        operands: Vec<SearchExpr>,
        /// Span of the whole conjunction.
        span: Span,
    },
    /// Terms joined by `OR`.
    Or {
        /// Two or more operands.
        operands: Vec<SearchExpr>,
        /// Span of the whole disjunction.
        span: Span,
    },
    /// `NOT x`.
    Not {
        /// The negated operand.
        operand: Box<SearchExpr>,
        /// Span from `NOT` to the operand end.
        span: Span,
    },
    /// `( ... )`.
    Group {
        /// The inner clause.
        inner: Box<SearchExpr>,
        /// Span including parentheses.
        span: Span,
    },
    /// `TERM(x)` / `CASE(x)`.
    Function {
        /// `TERM` or `CASE`.
        name: Name,
        /// The argument as written.
        arg: Term,
        /// Span of the call.
        span: Span,
    },
    /// A macro call.
    Macro(MacroCall),
    /// A subsearch.
    Subsearch(Box<Subsearch>),
    /// Input that could not be parsed.
    Error(Span),
}

/// A search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The value with quotes removed and escapes resolved.
    pub text: String,
    /// Span as written.
    pub span: Span,
    /// True when written in double quotes.
    pub quoted: bool,
}

impl Term {
    /// True when the term holds a `*` wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.text.contains('*')
    }
}

/// Comparison operators in search clauses and generic options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::EqEq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// `field op value` in a search clause.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldComparison {
    /// The field (wildcards allowed).
    pub field: Name,
    /// The operator.
    pub op: CompareOp,
    /// Span of the operator.
    pub op_span: Span,
    /// The value; a macro or subsearch value is kept as an [`Argument`].
    pub value: Value,
    /// Span of the comparison.
    pub span: Span,
}

impl FieldComparison {
    /// True for time modifiers such as `earliest=-24h@h`.
    pub fn is_time_modifier(&self) -> bool {
        const MODIFIERS: &[&str] = &[
            "earliest",
            "latest",
            "_index_earliest",
            "_index_latest",
            "starttime",
            "endtime",
            "starttimeu",
            "endtimeu",
            "daysago",
            "hoursago",
            "minutesago",
            "searchtimespandays",
            "searchtimespanhours",
            "searchtimespanminutes",
            "timeformat",
        ];
        self.op == CompareOp::Eq
            && MODIFIERS.iter().any(|m| self.field.text.eq_ignore_ascii_case(m))
    }
}

/// `field IN (v1, v2, ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct InList {
    /// The field.
    pub field: Name,
    /// The values.
    pub values: Vec<Value>,
    /// Span from field to closing parenthesis.
    pub span: Span,
}

/// Unary operators in eval expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `NOT` / `!`
    Not,
    /// `-`
    Neg,
    /// `+`
    Plus,
}

/// Binary operators in eval expressions, loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `OR` / `||`
    Or,
    /// `XOR`
    Xor,
    /// `AND` / `&&`
    And,
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `LIKE`
    Like,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `.` (string concatenation)
    Concat,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

/// An eval expression (also `where`).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A field: bare (`src_ip`, `Processes.dest`) or single-quoted (`'user name'`).
    Field(Name),
    /// A double-quoted string literal.
    String(Value),
    /// A number as written.
    Number(Value),
    /// A function call `f(a, b)`.
    Call {
        /// The function name.
        name: Name,
        /// The arguments.
        args: Vec<Expr>,
        /// Span from name to closing parenthesis.
        span: Span,
    },
    /// A prefix operator.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Span of the operator.
        op_span: Span,
        /// The operand.
        operand: Box<Expr>,
        /// Span of the whole expression.
        span: Span,
    },
    /// An infix operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Span of the operator.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Span of the whole expression.
        span: Span,
    },
    /// `x IN (a, b)` (in `where`/`eval`).
    In {
        /// The tested expression.
        lhs: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
        /// Span of the whole expression.
        span: Span,
    },
    /// `( expr )`.
    Paren {
        /// The inner expression.
        inner: Box<Expr>,
        /// Span including parentheses.
        span: Span,
    },
    /// A macro call standing as an expression.
    Macro(MacroCall),
    /// Input that could not be parsed (an error was reported).
    Error(Span),
}

impl Expr {
    /// Span of the expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Field(n) => n.span,
            Expr::String(v) | Expr::Number(v) => v.span,
            Expr::Call { span, .. }
            | Expr::Unary { span, .. }
            | Expr::Binary { span, .. }
            | Expr::In { span, .. }
            | Expr::Paren { span, .. } => *span,
            Expr::Macro(m) => m.span,
            Expr::Error(span) => *span,
        }
    }
}

impl SearchExpr {
    /// Span of the clause.
    pub fn span(&self) -> Span {
        match self {
            SearchExpr::Term(t) => t.span,
            SearchExpr::Compare(c) => c.span,
            SearchExpr::In(i) => i.span,
            SearchExpr::And { span, .. }
            | SearchExpr::Or { span, .. }
            | SearchExpr::Not { span, .. }
            | SearchExpr::Group { span, .. }
            | SearchExpr::Function { span, .. } => *span,
            SearchExpr::Macro(m) => m.span,
            SearchExpr::Subsearch(s) => s.span,
            SearchExpr::Error(span) => *span,
        }
    }
}

impl Argument {
    /// Span of the argument.
    pub fn span(&self) -> Span {
        match self {
            Argument::Option { span, .. } | Argument::Group { span, .. } => *span,
            Argument::Value(v) | Argument::Punct(v) => v.span,
            Argument::Macro(m) => m.span,
            Argument::Subsearch(s) => s.span,
            Argument::Error(span) => *span,
        }
    }
}
