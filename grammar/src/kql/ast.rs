//! The KQL syntax tree.
//!
//! Every node carries the byte [`Span`] of the text it came from. Broken input yields error
//! nodes ([`Expr::Error`], [`Statement::Error`], [`TabularOperator::Unknown`]) inside an
//! otherwise normal tree, so later passes can still look at the parts that did parse.
//!
//! Walking: [`Visitor`] visits statements, pipelines, operators and expressions in source
//! order; [`walk_exprs`] and [`walk_operators`] are the closure-based shortcuts.

use crate::Span;

/// A whole KQL text: statements separated by `;`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// The statements in source order.
    pub statements: Vec<Statement>,
    /// Span of the whole text.
    pub span: Span,
}

/// A name as written: a plain identifier or a bracketed one (`['a b']`, `["x"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name with quotes and brackets removed (wildcard names keep their `*`).
    pub name: String,
    /// True for `['...']` / `["..."]` names.
    pub bracketed: bool,
    /// Span of the name as written, brackets included.
    pub span: Span,
}

/// One statement of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `let name = ...`.
    Let(LetStatement),
    /// `set name [= value]`.
    Set(SetStatement),
    /// `declare query_parameters(name:type [= default], ...)`.
    DeclareQueryParameters(DeclareQueryParameters),
    /// A tabular expression statement (the query's output), possibly without operators.
    Tabular(Pipeline),
    /// A statement that could not be parsed; its errors are in `Parse::errors`.
    Error(Span),
}

/// `let name = body`.
#[derive(Debug, Clone, PartialEq)]
pub struct LetStatement {
    /// The bound name.
    pub name: Ident,
    /// What the name is bound to.
    pub body: LetBody,
    /// Span from `let` to the end of the body.
    pub span: Span,
}

/// The right-hand side of a `let`.
#[derive(Debug, Clone, PartialEq)]
pub enum LetBody {
    /// A scalar expression (`let x = 5`, `let t = ago(1d)`, `let s = toscalar(...)`).
    ///
    /// A bare name or call (`let x = SigninLogs`) is also here: only name resolution can tell
    /// a table from a scalar.
    Scalar(Expr),
    /// A tabular expression: a pipeline with operators, `materialize(...)`, `datatable`, ...
    Tabular(Pipeline),
    /// A user function or lambda: `(a:string, b:int = 5) { ... }`, or `view () { ... }`.
    Function(FunctionDef),
}

/// A user-defined function (`let f = (params) { body }`).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// True for `view (...) { ... }`.
    pub view: bool,
    /// The parameters in order.
    pub params: Vec<Param>,
    /// The statements of the body; the last one is the result.
    pub body: Vec<Statement>,
    /// Span of the parameter list and body.
    pub span: Span,
}

/// One parameter of a function or of `declare query_parameters`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter name.
    pub name: Ident,
    /// Its declared type.
    pub ty: ParamType,
    /// The default value, if any.
    pub default: Option<Expr>,
    /// Span of the whole parameter.
    pub span: Span,
}

/// The declared type of a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamType {
    /// A scalar type name (`string`, `long`, `dynamic`, ...).
    Scalar(Ident),
    /// A tabular parameter with a schema: `T:(a:string, b:long)`; `(*)` gives `any: true`.
    Tabular {
        /// Declared columns.
        columns: Vec<ColumnDecl>,
        /// True when the schema ends with (or is) `*`.
        any: bool,
        /// Span of the schema.
        span: Span,
    },
}

/// A `name:type` column declaration (datatable schemas, tabular parameters, parse-kv).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDecl {
    /// Column name.
    pub name: Ident,
    /// Scalar type name.
    pub ty: Ident,
    /// Span of `name:type`.
    pub span: Span,
}

/// `set name [= value]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetStatement {
    /// Option name (may be dotted: `query_now`, `notruncation`, `hint.x`).
    pub name: Ident,
    /// The value, if given.
    pub value: Option<Expr>,
    /// Span of the statement.
    pub span: Span,
}

/// `declare query_parameters(...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclareQueryParameters {
    /// Declared parameters.
    pub params: Vec<Param>,
    /// Span of the statement.
    pub span: Span,
}

/// A tabular expression: a source followed by `| operator` stages.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Where rows come from.
    pub source: Source,
    /// The stages after the source, in order.
    pub operators: Vec<TabularOperator>,
    /// Span of the whole pipeline.
    pub span: Span,
}

/// The first stage of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// An expression: a table or function name, a call, a parenthesised sub-query, ...
    Expr(Expr),
    /// A source operator: `union`, `print`, `range`, `datatable`, `search`, `find`, ...
    Operator(Box<TabularOperator>),
    /// No source written: the operator's own input (`mv-apply ... on (where ...)`, `fork`
    /// branches, `partition` bodies, `facet ... with (...)`). The span is empty.
    Input(Span),
}

/// `name = value` parameters of operators (`kind=inner`, `hint.strategy=shuffle`, `isfuzzy=true`).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorParam {
    /// Parameter name (dotted names keep their dots).
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// Span of `name=value`.
    pub span: Span,
}

/// An expression with an optional output name: `Name = expr`, `(A, B) = expr`, or `expr`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedExpr {
    /// Output names (empty when the column is not named; two or more for `(a, b) = f()`).
    pub names: Vec<Ident>,
    /// The value.
    pub expr: Expr,
    /// Span of the whole item.
    pub span: Span,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// `asc`.
    Asc,
    /// `desc`.
    Desc,
}

/// Placement of nulls in a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsPlacement {
    /// `nulls first`.
    First,
    /// `nulls last`.
    Last,
}

/// A sort key: `expr [asc|desc] [nulls first|last]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The key.
    pub expr: Expr,
    /// The direction, if written.
    pub order: Option<SortOrder>,
    /// Where nulls go, if written.
    pub nulls: Option<NullsPlacement>,
    /// Span of the key.
    pub span: Span,
}

/// One part of a `parse` pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsePatternPart {
    /// A string literal to match.
    Literal(Expr),
    /// `*`: skip text.
    Star(Span),
    /// A column to extract, with an optional `:type`.
    Column {
        /// Column name.
        name: Ident,
        /// Declared type.
        ty: Option<Ident>,
        /// Span of the item.
        span: Span,
    },
}

/// The kind of a parse operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseFlavor {
    /// `parse`.
    Parse,
    /// `parse-where`.
    ParseWhere,
}

/// The flavour of a `project-*` operator that takes column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectFlavor {
    /// `project-away`.
    Away,
    /// `project-keep`.
    Keep,
    /// `project-reorder`.
    Reorder,
}

/// A tabular operator (one pipeline stage, or a source operator such as `union`).
#[derive(Debug, Clone, PartialEq)]
pub enum TabularOperator {
    /// `where predicate` / `filter predicate`.
    Where {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// The predicate.
        predicate: Expr,
        /// Span of the stage.
        span: Span,
    },
    /// `project a, b = expr`.
    Project {
        /// Output columns.
        columns: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `project-away` / `project-keep` / `project-reorder` with column names or wildcards.
    ProjectColumns {
        /// Which operator.
        flavor: ProjectFlavor,
        /// Columns (names, wildcard names, or sort keys for reorder).
        columns: Vec<SortKey>,
        /// Span.
        span: Span,
    },
    /// `project-rename new = old, ...`.
    ProjectRename {
        /// Renames (`names[0]` is the new name, `expr` the old column).
        renames: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `extend a = expr, ...`.
    Extend {
        /// New or replaced columns.
        columns: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `summarize [params] aggregates [by groups]`.
    Summarize {
        /// Operator parameters (hints).
        params: Vec<OperatorParam>,
        /// Aggregations.
        aggregates: Vec<NamedExpr>,
        /// Group-by expressions.
        by: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `join [kind=..] [hints] (right) on keys`.
    Join {
        /// Operator parameters (`kind`, `hint.*`).
        params: Vec<OperatorParam>,
        /// The right side.
        right: Box<Pipeline>,
        /// The `on` conditions (`Col`, `$left.a == $right.b`).
        on: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `lookup [kind=..] (right) on keys`.
    Lookup {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// The lookup table.
        right: Box<Pipeline>,
        /// The `on` conditions.
        on: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `union [params] tables...` (also as a pipeline source).
    Union {
        /// Operator parameters (`isfuzzy`, `withsource`, `kind`).
        params: Vec<OperatorParam>,
        /// Tables: names, wildcard names, or parenthesised sub-queries.
        tables: Vec<Pipeline>,
        /// Span.
        span: Span,
    },
    /// `mv-expand [params] col [to typeof(t)], ... [limit n]` (also `mvexpand`).
    MvExpand {
        /// Operator parameters (`bagexpansion`, `with_itemindex`).
        params: Vec<OperatorParam>,
        /// Expanded columns.
        columns: Vec<NamedExpr>,
        /// `limit n`.
        limit: Option<Expr>,
        /// Span.
        span: Span,
    },
    /// `mv-apply [params] items on (subquery)`.
    MvApply {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// Items to apply over.
        items: Vec<NamedExpr>,
        /// The sub-query applied to each row's items.
        on: Box<Pipeline>,
        /// Span.
        span: Span,
    },
    /// `parse [kind=..] source with pattern` / `parse-where ...`.
    Parse {
        /// `parse` or `parse-where`.
        flavor: ParseFlavor,
        /// Operator parameters (`kind=regex`, `flags=Ui`).
        params: Vec<OperatorParam>,
        /// The parsed expression.
        source: Expr,
        /// The pattern.
        pattern: Vec<ParsePatternPart>,
        /// Span.
        span: Span,
    },
    /// `parse-kv source as (cols) with (params)`.
    ParseKv {
        /// The parsed expression.
        source: Expr,
        /// Extracted columns.
        columns: Vec<ColumnDecl>,
        /// `with (...)` parameters.
        params: Vec<OperatorParam>,
        /// Span.
        span: Span,
    },
    /// `evaluate [params] plugin(args)`.
    Evaluate {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// The plugin call.
        plugin: Expr,
        /// Span.
        span: Span,
    },
    /// `make-series ... on axis [from..] [to..] step s [by ...]`.
    MakeSeries {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// Aggregations (with `default=` kept in the expression list).
        aggregates: Vec<NamedExpr>,
        /// The axis column.
        on: Expr,
        /// `from`, `to`, `step` or `in range(...)` values as written.
        range: Vec<Expr>,
        /// Group-by expressions.
        by: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `top n by key [asc|desc]`.
    Top {
        /// Row count.
        count: Expr,
        /// Sort key.
        by: SortKey,
        /// Span.
        span: Span,
    },
    /// `top-nested ...` clauses, kept as expressions.
    TopNested {
        /// Every expression of the clauses, in order.
        exprs: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `sort by keys` / `order by keys`.
    Sort {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// Sort keys.
        keys: Vec<SortKey>,
        /// Span.
        span: Span,
    },
    /// `take n` / `limit n`.
    Take {
        /// Row count.
        count: Expr,
        /// Span.
        span: Span,
    },
    /// `distinct cols` (or `*`); columns may be named (`distinct a = tolower(b)`).
    Distinct {
        /// Columns.
        columns: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `count`.
    Count {
        /// Span.
        span: Span,
    },
    /// `render chart [with (...)]`.
    Render {
        /// The visualization name.
        chart: Ident,
        /// `with (...)` properties.
        properties: Vec<OperatorParam>,
        /// Span.
        span: Span,
    },
    /// `as [params] name`.
    As {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// The name given to the result.
        name: Ident,
        /// Span.
        span: Span,
    },
    /// `invoke function(args)`.
    Invoke {
        /// The call.
        call: Expr,
        /// Span.
        span: Span,
    },
    /// `serialize [cols]`.
    Serialize {
        /// Columns.
        columns: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `sample n` / `sample-distinct n of col`.
    Sample {
        /// True for `sample-distinct`.
        distinct: bool,
        /// Row count.
        count: Expr,
        /// The column for `sample-distinct`.
        of: Option<Expr>,
        /// Span.
        span: Span,
    },
    /// `range col from a to b step s`.
    Range {
        /// Output column.
        column: Ident,
        /// Start.
        from: Expr,
        /// End.
        to: Expr,
        /// Step.
        step: Expr,
        /// Span.
        span: Span,
    },
    /// `print a = expr, ...`.
    Print {
        /// Printed columns.
        columns: Vec<NamedExpr>,
        /// Span.
        span: Span,
    },
    /// `datatable (schema) [values]`.
    Datatable {
        /// Schema.
        columns: Vec<ColumnDecl>,
        /// Values, row by row.
        values: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `externaldata (schema) [uris] [with (...)]`.
    ExternalData {
        /// Schema.
        columns: Vec<ColumnDecl>,
        /// Storage URIs.
        uris: Vec<Expr>,
        /// `with (...)` properties.
        properties: Vec<OperatorParam>,
        /// Span.
        span: Span,
    },
    /// `search [params] [in (tables)] predicate`.
    Search {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// `in (...)` tables.
        tables: Vec<Expr>,
        /// The predicate.
        predicate: Expr,
        /// Span.
        span: Span,
    },
    /// `find [params] [in (tables)] where predicate [project ...]`.
    Find {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// `in (...)` tables.
        tables: Vec<Expr>,
        /// The predicate.
        predicate: Expr,
        /// `project` / `project-smart` columns.
        project: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `getschema`.
    GetSchema {
        /// Span.
        span: Span,
    },
    /// `facet by cols [with (subquery)]`.
    Facet {
        /// Facet columns.
        columns: Vec<Expr>,
        /// Optional `with` sub-query.
        with: Option<Box<Pipeline>>,
        /// Span.
        span: Span,
    },
    /// `fork (subquery) (subquery) ...`.
    Fork {
        /// The branches.
        branches: Vec<Pipeline>,
        /// Span.
        span: Span,
    },
    /// `partition [params] by col (subquery)`.
    Partition {
        /// Operator parameters.
        params: Vec<OperatorParam>,
        /// Partition key.
        by: Expr,
        /// The sub-query run per partition.
        body: Box<Pipeline>,
        /// Span.
        span: Span,
    },
    /// `scan ...`: expressions of its clauses, kept in order.
    Scan {
        /// Every expression of the clauses.
        exprs: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `reduce by expr [with ...]`.
    Reduce {
        /// The reduced expression.
        by: Expr,
        /// `with` parameters.
        params: Vec<OperatorParam>,
        /// Span.
        span: Span,
    },
    /// `consume`.
    Consume {
        /// Span.
        span: Span,
    },
    /// An operator qlint does not model (or a stage that failed to parse).
    Unknown {
        /// The operator name, if one was read.
        name: Option<Ident>,
        /// Span of the whole stage.
        span: Span,
    },
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    /// `<>`.
    NotEqAlt,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=~`.
    EqCi,
    /// `!~`.
    NotEqCi,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Has,
    NotHas,
    HasCs,
    NotHasCs,
    HasPrefix,
    NotHasPrefix,
    HasPrefixCs,
    NotHasPrefixCs,
    HasSuffix,
    NotHasSuffix,
    HasSuffixCs,
    NotHasSuffixCs,
    Contains,
    NotContains,
    ContainsCs,
    NotContainsCs,
    StartsWith,
    NotStartsWith,
    StartsWithCs,
    NotStartsWithCs,
    EndsWith,
    NotEndsWith,
    EndsWithCs,
    NotEndsWithCs,
    /// `matches regex`.
    MatchesRegex,
    Like,
    NotLike,
    LikeCs,
    NotLikeCs,
    /// `in` (list on the right; see [`Expr::In`]).
    In,
    NotIn,
    /// `in~`.
    InCi,
    /// `!in~`.
    NotInCi,
    HasAny,
    HasAll,
    /// `:` in `search` predicates (`Col:"value"`, a `has` match).
    SearchHas,
    /// `=` written where `==` is meant (`where a = 1`); Kusto's parser accepts it.
    EqSingle,
}

impl BinaryOp {
    /// The operator as written in KQL.
    pub fn as_str(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "==",
            NotEq => "!=",
            NotEqAlt => "<>",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            EqCi => "=~",
            NotEqCi => "!~",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Has => "has",
            NotHas => "!has",
            HasCs => "has_cs",
            NotHasCs => "!has_cs",
            HasPrefix => "hasprefix",
            NotHasPrefix => "!hasprefix",
            HasPrefixCs => "hasprefix_cs",
            NotHasPrefixCs => "!hasprefix_cs",
            HasSuffix => "hassuffix",
            NotHasSuffix => "!hassuffix",
            HasSuffixCs => "hassuffix_cs",
            NotHasSuffixCs => "!hassuffix_cs",
            Contains => "contains",
            NotContains => "!contains",
            ContainsCs => "contains_cs",
            NotContainsCs => "!contains_cs",
            StartsWith => "startswith",
            NotStartsWith => "!startswith",
            StartsWithCs => "startswith_cs",
            NotStartsWithCs => "!startswith_cs",
            EndsWith => "endswith",
            NotEndsWith => "!endswith",
            EndsWithCs => "endswith_cs",
            NotEndsWithCs => "!endswith_cs",
            MatchesRegex => "matches regex",
            Like => "like",
            NotLike => "!like",
            LikeCs => "like_cs",
            NotLikeCs => "!like_cs",
            In => "in",
            NotIn => "!in",
            InCi => "in~",
            NotInCi => "!in~",
            HasAny => "has_any",
            HasAll => "has_all",
            SearchHas => ":",
            EqSingle => "=",
        }
    }

    /// The string operator spelled `word` (`has`, `!contains_cs`, ...), if any.
    pub fn from_word(word: &str) -> Option<BinaryOp> {
        use BinaryOp::*;
        Some(match word {
            "has" => Has,
            "!has" => NotHas,
            "has_cs" => HasCs,
            "!has_cs" => NotHasCs,
            "hasprefix" => HasPrefix,
            "!hasprefix" => NotHasPrefix,
            "hasprefix_cs" => HasPrefixCs,
            "!hasprefix_cs" => NotHasPrefixCs,
            "hassuffix" => HasSuffix,
            "!hassuffix" => NotHasSuffix,
            "hassuffix_cs" => HasSuffixCs,
            "!hassuffix_cs" => NotHasSuffixCs,
            "contains" => Contains,
            "!contains" | "notcontains" => NotContains,
            "containscs" => ContainsCs,
            "notcontainscs" => NotContainsCs,
            "contains_cs" => ContainsCs,
            "!contains_cs" => NotContainsCs,
            "startswith" => StartsWith,
            "!startswith" => NotStartsWith,
            "startswith_cs" => StartsWithCs,
            "!startswith_cs" => NotStartsWithCs,
            "endswith" => EndsWith,
            "!endswith" => NotEndsWith,
            "endswith_cs" => EndsWithCs,
            "!endswith_cs" => NotEndsWithCs,
            "like" => Like,
            "!like" => NotLike,
            "like_cs" => LikeCs,
            "!like_cs" => NotLikeCs,
            "in" => In,
            "!in" => NotIn,
            "in~" => InCi,
            "!in~" => NotInCi,
            "has_any" => HasAny,
            "has_all" => HasAll,
            _ => return None,
        })
    }

    /// True for the string operators (`has`, `contains`, `startswith`, `=~`, ...).
    pub fn is_string_op(self) -> bool {
        use BinaryOp::*;
        !matches!(
            self,
            Or | And
                | Eq
                | EqSingle
                | NotEq
                | NotEqAlt
                | Lt
                | Le
                | Gt
                | Ge
                | Add
                | Sub
                | Mul
                | Div
                | Mod
        )
    }

    /// True for the operators that take a list on the right (`in`, `has_any`, ...).
    pub fn takes_list(self) -> bool {
        use BinaryOp::*;
        matches!(self, In | NotIn | InCi | NotInCi | HasAny | HasAll)
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `+x`.
    Plus,
}

/// The kind of a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralKind {
    /// A string; `value` has escapes resolved (all parts of adjacent strings concatenated).
    String {
        /// The decoded text.
        value: String,
    },
    /// An integer (`long`), e.g. `42`, `0x1F`.
    Int(i64),
    /// A real number, e.g. `1.5`, `1e3`.
    Real(f64),
    /// `true` / `false`.
    Bool(bool),
    /// A timespan: `1d`, `30m`, `1.5h`, `time(...)`, `timespan(...)`; text as written.
    Timespan(String),
    /// `datetime(...)`; the text between the parentheses.
    Datetime(String),
    /// `guid(...)`; the text between the parentheses.
    Guid(String),
    /// A typed literal such as `int(null)`, `real(nan)`, `long(5)`, `decimal(1.0)`:
    /// the type name and the text between the parentheses.
    Typed {
        /// The type keyword.
        ty: String,
        /// Text between the parentheses.
        text: String,
    },
    /// `null` in `dynamic(null)` and similar places.
    Null,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    /// What kind of literal.
    pub kind: LiteralKind,
    /// Span as written.
    pub span: Span,
}

/// A function-call argument, optionally named (`f(x, name = value)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The name for named arguments.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
    /// Span of the argument.
    pub span: Span,
}

/// A scalar (or, for nested sub-queries, tabular) expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Literal(Literal),
    /// A name (column, variable, table, `$left`/`$right`), possibly bracketed or a wildcard.
    Name(Ident),
    /// `*` (as in `count(*)`, `distinct *`, `search *`).
    Star(Span),
    /// `callee(args)`.
    Call {
        /// Function name.
        callee: Ident,
        /// Arguments in order.
        args: Vec<Arg>,
        /// Span.
        span: Span,
    },
    /// `-x`, `+x`.
    Unary {
        /// Operator.
        op: UnaryOp,
        /// Operand.
        operand: Box<Expr>,
        /// Span.
        span: Span,
    },
    /// `lhs op rhs`.
    Binary {
        /// Operator.
        op: BinaryOp,
        /// Span of the operator token(s).
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Span.
        span: Span,
    },
    /// `lhs in (a, b)`, `!in`, `in~`, `!in~`, `has_any (...)`, `has_all (...)`.
    In {
        /// Operator.
        op: BinaryOp,
        /// Span of the operator.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// The list items (a single item may be a dynamic array or a sub-query).
        items: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `lhs between (low .. high)` / `!between`.
    Between {
        /// True for `!between`.
        negated: bool,
        /// Tested value.
        lhs: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
        /// Span.
        span: Span,
    },
    /// `target.name`.
    Member {
        /// Object.
        target: Box<Expr>,
        /// Property name.
        name: Ident,
        /// Span.
        span: Span,
    },
    /// `target[index]`.
    Index {
        /// Object.
        target: Box<Expr>,
        /// Index or key.
        index: Box<Expr>,
        /// Span.
        span: Span,
    },
    /// `(expr)`.
    Paren {
        /// Inner expression.
        inner: Box<Expr>,
        /// Span including the parentheses.
        span: Span,
    },
    /// `dynamic(...)`: the value is a literal, [`Expr::Array`] or [`Expr::Object`].
    Dynamic {
        /// The value.
        value: Box<Expr>,
        /// Span.
        span: Span,
    },
    /// `[a, b]` inside `dynamic(...)` or `pack_array`-like places.
    Array {
        /// Items.
        items: Vec<Expr>,
        /// Span.
        span: Span,
    },
    /// `{"k": v}` inside `dynamic(...)`.
    Object {
        /// Key/value pairs.
        entries: Vec<(Expr, Expr)>,
        /// Span.
        span: Span,
    },
    /// A tabular expression used as a value (`toscalar(T | ...)`, `x in (T | project a)`).
    Pipeline(Box<Pipeline>),
    /// Input that could not be parsed as an expression.
    Error(Span),
}

impl Ident {
    /// The name's span.
    pub fn span(&self) -> Span {
        self.span
    }
}

impl Expr {
    /// The expression's span.
    pub fn span(&self) -> Span {
        match self {
            Expr::Literal(l) => l.span,
            Expr::Name(i) => i.span,
            Expr::Star(s) | Expr::Error(s) => *s,
            Expr::Call { span, .. }
            | Expr::Unary { span, .. }
            | Expr::Binary { span, .. }
            | Expr::In { span, .. }
            | Expr::Between { span, .. }
            | Expr::Member { span, .. }
            | Expr::Index { span, .. }
            | Expr::Paren { span, .. }
            | Expr::Dynamic { span, .. }
            | Expr::Array { span, .. }
            | Expr::Object { span, .. } => *span,
            Expr::Pipeline(p) => p.span,
        }
    }

    /// The name, when the expression is a plain (or bracketed) name.
    pub fn as_name(&self) -> Option<&Ident> {
        match self {
            Expr::Name(i) => Some(i),
            _ => None,
        }
    }
}

impl Statement {
    /// The statement's span.
    pub fn span(&self) -> Span {
        match self {
            Statement::Let(s) => s.span,
            Statement::Set(s) => s.span,
            Statement::DeclareQueryParameters(s) => s.span,
            Statement::Tabular(p) => p.span,
            Statement::Error(s) => *s,
        }
    }
}

impl LetBody {
    /// The body's span.
    pub fn span(&self) -> Span {
        match self {
            LetBody::Scalar(e) => e.span(),
            LetBody::Tabular(p) => p.span,
            LetBody::Function(f) => f.span,
        }
    }
}

impl Source {
    /// The source's span.
    pub fn span(&self) -> Span {
        match self {
            Source::Expr(e) => e.span(),
            Source::Operator(op) => op.span(),
            Source::Input(s) => *s,
        }
    }
}

impl TabularOperator {
    /// The stage's span (from the operator name to the end of its arguments).
    pub fn span(&self) -> Span {
        use TabularOperator::*;
        match self {
            Where { span, .. }
            | Project { span, .. }
            | ProjectColumns { span, .. }
            | ProjectRename { span, .. }
            | Extend { span, .. }
            | Summarize { span, .. }
            | Join { span, .. }
            | Lookup { span, .. }
            | Union { span, .. }
            | MvExpand { span, .. }
            | MvApply { span, .. }
            | Parse { span, .. }
            | ParseKv { span, .. }
            | Evaluate { span, .. }
            | MakeSeries { span, .. }
            | Top { span, .. }
            | TopNested { span, .. }
            | Sort { span, .. }
            | Take { span, .. }
            | Distinct { span, .. }
            | Count { span }
            | Render { span, .. }
            | As { span, .. }
            | Invoke { span, .. }
            | Serialize { span, .. }
            | Sample { span, .. }
            | Range { span, .. }
            | Print { span, .. }
            | Datatable { span, .. }
            | ExternalData { span, .. }
            | Search { span, .. }
            | Find { span, .. }
            | GetSchema { span }
            | Facet { span, .. }
            | Fork { span, .. }
            | Partition { span, .. }
            | Scan { span, .. }
            | Reduce { span, .. }
            | Consume { span }
            | Unknown { span, .. } => *span,
        }
    }

    /// The operator's keyword as written in KQL (`where`, `project-away`, ...).
    pub fn keyword(&self) -> &'static str {
        use TabularOperator::*;
        match self {
            Where { .. } => "where",
            Project { .. } => "project",
            ProjectColumns { flavor: ProjectFlavor::Away, .. } => "project-away",
            ProjectColumns { flavor: ProjectFlavor::Keep, .. } => "project-keep",
            ProjectColumns { flavor: ProjectFlavor::Reorder, .. } => "project-reorder",
            ProjectRename { .. } => "project-rename",
            Extend { .. } => "extend",
            Summarize { .. } => "summarize",
            Join { .. } => "join",
            Lookup { .. } => "lookup",
            Union { .. } => "union",
            MvExpand { .. } => "mv-expand",
            MvApply { .. } => "mv-apply",
            Parse { flavor: ParseFlavor::Parse, .. } => "parse",
            Parse { flavor: ParseFlavor::ParseWhere, .. } => "parse-where",
            ParseKv { .. } => "parse-kv",
            Evaluate { .. } => "evaluate",
            MakeSeries { .. } => "make-series",
            Top { .. } => "top",
            TopNested { .. } => "top-nested",
            Sort { .. } => "sort",
            Take { .. } => "take",
            Distinct { .. } => "distinct",
            Count { .. } => "count",
            Render { .. } => "render",
            As { .. } => "as",
            Invoke { .. } => "invoke",
            Serialize { .. } => "serialize",
            Sample { distinct: false, .. } => "sample",
            Sample { distinct: true, .. } => "sample-distinct",
            Range { .. } => "range",
            Print { .. } => "print",
            Datatable { .. } => "datatable",
            ExternalData { .. } => "externaldata",
            Search { .. } => "search",
            Find { .. } => "find",
            GetSchema { .. } => "getschema",
            Facet { .. } => "facet",
            Fork { .. } => "fork",
            Partition { .. } => "partition",
            Scan { .. } => "scan",
            Reduce { .. } => "reduce",
            Consume { .. } => "consume",
            Unknown { .. } => "?",
        }
    }
}

/// Visits a query's nodes in source order. Override a method to act on a node; call the
/// matching `walk_*` function from the override to keep descending.
pub trait Visitor {
    /// Called for every statement (function bodies included).
    fn visit_statement(&mut self, stmt: &Statement) {
        walk_statement(self, stmt);
    }
    /// Called for every pipeline (top-level, `let` bodies, sub-queries).
    fn visit_pipeline(&mut self, pipeline: &Pipeline) {
        walk_pipeline(self, pipeline);
    }
    /// Called for every tabular operator, source operators included.
    fn visit_operator(&mut self, op: &TabularOperator) {
        walk_operator(self, op);
    }
    /// Called for every expression.
    fn visit_expr(&mut self, expr: &Expr) {
        walk_expr(self, expr);
    }
}

/// Visits every statement of `query`.
pub fn walk_query<V: Visitor + ?Sized>(v: &mut V, query: &Query) {
    for s in &query.statements {
        v.visit_statement(s);
    }
}

/// Visits the children of a statement.
pub fn walk_statement<V: Visitor + ?Sized>(v: &mut V, stmt: &Statement) {
    match stmt {
        Statement::Let(l) => match &l.body {
            LetBody::Scalar(e) => v.visit_expr(e),
            LetBody::Tabular(p) => v.visit_pipeline(p),
            LetBody::Function(f) => walk_function(v, f),
        },
        Statement::Set(s) => {
            if let Some(e) = &s.value {
                v.visit_expr(e);
            }
        }
        Statement::DeclareQueryParameters(d) => walk_params(v, &d.params),
        Statement::Tabular(p) => v.visit_pipeline(p),
        Statement::Error(_) => {}
    }
}

fn walk_function<V: Visitor + ?Sized>(v: &mut V, f: &FunctionDef) {
    walk_params(v, &f.params);
    for s in &f.body {
        v.visit_statement(s);
    }
}

fn walk_params<V: Visitor + ?Sized>(v: &mut V, params: &[Param]) {
    for p in params {
        if let Some(d) = &p.default {
            v.visit_expr(d);
        }
    }
}

/// Visits the source and then each operator of a pipeline.
pub fn walk_pipeline<V: Visitor + ?Sized>(v: &mut V, p: &Pipeline) {
    match &p.source {
        Source::Expr(e) => v.visit_expr(e),
        Source::Operator(op) => v.visit_operator(op),
        Source::Input(_) => {}
    }
    for op in &p.operators {
        v.visit_operator(op);
    }
}

fn walk_params_op<V: Visitor + ?Sized>(v: &mut V, params: &[OperatorParam]) {
    for p in params {
        v.visit_expr(&p.value);
    }
}

fn walk_named<V: Visitor + ?Sized>(v: &mut V, items: &[NamedExpr]) {
    for n in items {
        v.visit_expr(&n.expr);
    }
}

fn walk_exprs_slice<V: Visitor + ?Sized>(v: &mut V, items: &[Expr]) {
    for e in items {
        v.visit_expr(e);
    }
}

/// Visits the children of an operator (its expressions and sub-queries) in source order.
pub fn walk_operator<V: Visitor + ?Sized>(v: &mut V, op: &TabularOperator) {
    use TabularOperator::*;
    match op {
        Where { params, predicate, .. } => {
            walk_params_op(v, params);
            v.visit_expr(predicate);
        }
        Project { columns, .. } | Extend { columns, .. } | Print { columns, .. } => {
            walk_named(v, columns)
        }
        Serialize { columns, .. } => walk_named(v, columns),
        ProjectColumns { columns, .. } => {
            for k in columns {
                v.visit_expr(&k.expr);
            }
        }
        ProjectRename { renames, .. } => walk_named(v, renames),
        Summarize { params, aggregates, by, .. } => {
            walk_params_op(v, params);
            walk_named(v, aggregates);
            walk_named(v, by);
        }
        Join { params, right, on, .. } | Lookup { params, right, on, .. } => {
            walk_params_op(v, params);
            v.visit_pipeline(right);
            walk_exprs_slice(v, on);
        }
        Union { params, tables, .. } => {
            walk_params_op(v, params);
            for t in tables {
                v.visit_pipeline(t);
            }
        }
        MvExpand { params, columns, limit, .. } => {
            walk_params_op(v, params);
            walk_named(v, columns);
            if let Some(l) = limit {
                v.visit_expr(l);
            }
        }
        MvApply { params, items, on, .. } => {
            walk_params_op(v, params);
            walk_named(v, items);
            v.visit_pipeline(on);
        }
        Parse { params, source, pattern, .. } => {
            walk_params_op(v, params);
            v.visit_expr(source);
            for part in pattern {
                if let ParsePatternPart::Literal(e) = part {
                    v.visit_expr(e);
                }
            }
        }
        ParseKv { source, params, .. } => {
            v.visit_expr(source);
            walk_params_op(v, params);
        }
        Evaluate { params, plugin, .. } => {
            walk_params_op(v, params);
            v.visit_expr(plugin);
        }
        MakeSeries { params, aggregates, on, range, by, .. } => {
            walk_params_op(v, params);
            walk_named(v, aggregates);
            v.visit_expr(on);
            walk_exprs_slice(v, range);
            walk_named(v, by);
        }
        Top { count, by, .. } => {
            v.visit_expr(count);
            v.visit_expr(&by.expr);
        }
        TopNested { exprs, .. } | Scan { exprs, .. } => walk_exprs_slice(v, exprs),
        Sort { params, keys, .. } => {
            walk_params_op(v, params);
            for k in keys {
                v.visit_expr(&k.expr);
            }
        }
        Take { count, .. } => v.visit_expr(count),
        Distinct { columns, .. } => walk_named(v, columns),
        Render { properties, .. } => walk_params_op(v, properties),
        As { params, .. } => walk_params_op(v, params),
        Invoke { call, .. } => v.visit_expr(call),
        Sample { count, of, .. } => {
            v.visit_expr(count);
            if let Some(o) = of {
                v.visit_expr(o);
            }
        }
        Range { from, to, step, .. } => {
            v.visit_expr(from);
            v.visit_expr(to);
            v.visit_expr(step);
        }
        Datatable { values, .. } => walk_exprs_slice(v, values),
        ExternalData { uris, properties, .. } => {
            walk_exprs_slice(v, uris);
            walk_params_op(v, properties);
        }
        Search { params, tables, predicate, .. } => {
            walk_params_op(v, params);
            walk_exprs_slice(v, tables);
            v.visit_expr(predicate);
        }
        Find { params, tables, predicate, project, .. } => {
            walk_params_op(v, params);
            walk_exprs_slice(v, tables);
            v.visit_expr(predicate);
            walk_exprs_slice(v, project);
        }
        Facet { columns, with, .. } => {
            walk_exprs_slice(v, columns);
            if let Some(w) = with {
                v.visit_pipeline(w);
            }
        }
        Fork { branches, .. } => {
            for b in branches {
                v.visit_pipeline(b);
            }
        }
        Partition { params, by, body, .. } => {
            walk_params_op(v, params);
            v.visit_expr(by);
            v.visit_pipeline(body);
        }
        Reduce { by, params, .. } => {
            v.visit_expr(by);
            walk_params_op(v, params);
        }
        Count { .. } | GetSchema { .. } | Consume { .. } | Unknown { .. } => {}
    }
}

/// Visits the children of an expression in source order.
pub fn walk_expr<V: Visitor + ?Sized>(v: &mut V, expr: &Expr) {
    match expr {
        Expr::Literal(_) | Expr::Name(_) | Expr::Star(_) | Expr::Error(_) => {}
        Expr::Call { args, .. } => {
            for a in args {
                v.visit_expr(&a.value);
            }
        }
        Expr::Unary { operand, .. } => v.visit_expr(operand),
        Expr::Binary { lhs, rhs, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(rhs);
        }
        Expr::In { lhs, items, .. } => {
            v.visit_expr(lhs);
            walk_exprs_slice(v, items);
        }
        Expr::Between { lhs, low, high, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(low);
            v.visit_expr(high);
        }
        Expr::Member { target, .. } => v.visit_expr(target),
        Expr::Index { target, index, .. } => {
            v.visit_expr(target);
            v.visit_expr(index);
        }
        Expr::Paren { inner, .. } => v.visit_expr(inner),
        Expr::Dynamic { value, .. } => v.visit_expr(value),
        Expr::Array { items, .. } => walk_exprs_slice(v, items),
        Expr::Object { entries, .. } => {
            for (k, val) in entries {
                v.visit_expr(k);
                v.visit_expr(val);
            }
        }
        Expr::Pipeline(p) => v.visit_pipeline(p),
    }
}

struct ExprFn<F>(F);

impl<F: FnMut(&Expr)> Visitor for ExprFn<F> {
    fn visit_expr(&mut self, expr: &Expr) {
        (self.0)(expr);
        walk_expr(self, expr);
    }
}

struct OpFn<F>(F);

impl<F: FnMut(&TabularOperator)> Visitor for OpFn<F> {
    fn visit_operator(&mut self, op: &TabularOperator) {
        (self.0)(op);
        walk_operator(self, op);
    }
}

struct PipelineFn<F>(F);

impl<F: FnMut(&Pipeline)> Visitor for PipelineFn<F> {
    fn visit_pipeline(&mut self, p: &Pipeline) {
        (self.0)(p);
        walk_pipeline(self, p);
    }
}

/// Calls `f` on every expression of `query` (nested ones included), parents before children.
pub fn walk_exprs(query: &Query, f: &mut impl FnMut(&Expr)) {
    walk_query(&mut ExprFn(f), query);
}

/// Calls `f` on every tabular operator of `query` (source operators and sub-queries included).
pub fn walk_operators(query: &Query, f: &mut impl FnMut(&TabularOperator)) {
    walk_query(&mut OpFn(f), query);
}

/// Calls `f` on every pipeline of `query` (top-level, `let` bodies and nested sub-queries),
/// outer pipelines first. Each gives the source and the operators in order.
pub fn walk_pipelines(query: &Query, f: &mut impl FnMut(&Pipeline)) {
    walk_query(&mut PipelineFn(f), query);
}
