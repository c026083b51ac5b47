//! KQL analysis: tables, `let` names and functions resolved, columns tracked through the
//! pipeline, regexes collected, and the condition model built.
//!
//! Column tracking is deliberately conservative: every stage either computes its output
//! columns exactly or switches the schema to [`Schema::Open`], after which nothing is
//! reported for the rest of that pipeline. A missed finding is better than a false one.

use std::collections::HashMap;
use std::sync::Arc;

use qlint_grammar::Span;
use qlint_grammar::kql::ast::{
    Arg, BinaryOp, Expr, LetBody, LiteralKind, NamedExpr, ParamType, ParsePatternPart, Pipeline,
    ProjectFlavor, Query, Source, Statement, TabularOperator, UnaryOp,
};

use crate::analysis::kql_types::{self, CallFit, Verdict};
use crate::analysis::logic::{
    CaseFold, Comparison, Condition, Field, Filter, FilterOrigin, FoldMismatch, Literal,
    LiteralKind as LitKind, LogicModel, OpKind, Operator,
};
use crate::analysis::{
    ArgumentMismatch, ArityProblem, OperatorMismatch, RegexUse, Unresolved, describe_arity,
};
use crate::query::{Parameter, ParameterType};
use qlint_knowledge::{Knowledge, ScalarType, suggest};

/// What the analysis of a KQL query found.
#[derive(Debug, Clone, Default)]
pub struct KqlAnalysis {
    /// The condition model for the detection-logic rules.
    pub logic: LogicModel,
    /// `tolower(x) == "Abc"`: comparisons of a folded value that can never match.
    pub fold_mismatches: Vec<FoldMismatch>,
    /// Regex literals with their users.
    pub regexes: Vec<RegexUse>,
    /// Tables that are not known.
    pub unknown_tables: Vec<Unresolved>,
    /// Columns not in scope where used.
    pub unknown_columns: Vec<Unresolved>,
    /// Functions neither built in nor defined (reported only with a close built-in name).
    pub unknown_functions: Vec<Unresolved>,
    /// Calls with a wrong number of arguments.
    pub arity_problems: Vec<ArityProblem>,
    /// Operators applied to operand types Kusto rejects.
    pub operator_mismatches: Vec<OperatorMismatch>,
    /// Built-in function calls with an argument type that no overload takes.
    pub argument_mismatches: Vec<ArgumentMismatch>,
    /// Every name the analysis resolved, for hover and go-to-definition.
    pub symbols: Vec<Symbol>,
    /// The columns in scope at each operator, for completion.
    pub scopes: Vec<Scope>,
    /// The name of every column an `extend` defines as `Name = expr` whose type the analysis
    /// inferred, with that type (for the editor's inlay hints).
    pub extended: Vec<(Span, ScalarType)>,
}

/// A column in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Scalar type, when known.
    pub ty: Option<ScalarType>,
    /// The table it comes from, when it comes straight from one.
    pub origin: Option<String>,
}

/// The columns flowing between two operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// Unknown: an unknown table, a plugin, a stage we do not model.
    Open,
    /// Exactly these columns. Shared: a `let`, or an operator that keeps its input's columns
    /// (`where`, `take`, a reference to a tabular `let`), holds the same list as its input,
    /// and every use of a table in a query shares one list (see `Analyzer::tables`); a
    /// change copies the list first (`Arc::make_mut`).
    Known(Arc<Vec<ColumnInfo>>),
}

impl Schema {
    fn find(&self, name: &str) -> Option<&ColumnInfo> {
        match self {
            Schema::Open => None,
            Schema::Known(cols) => cols.iter().find(|c| c.name == name),
        }
    }

    fn columns_mut(&mut self) -> Option<&mut Vec<ColumnInfo>> {
        match self {
            Schema::Open => None,
            Schema::Known(cols) => Some(Arc::make_mut(cols)),
        }
    }

    fn set(&mut self, column: ColumnInfo) {
        if let Some(cols) = self.columns_mut() {
            if let Some(existing) = cols.iter_mut().find(|c| c.name == column.name) {
                *existing = column;
            } else {
                cols.push(column);
            }
        }
    }
}

/// The schema at a point of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The operator (or the whole pipeline, for the schema after its last operator).
    pub span: Span,
    /// True for the scope after the last operator of a pipeline.
    pub after: bool,
    /// The columns flowing into the operator.
    pub schema: Schema,
}

/// What a name in the text refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolKind {
    /// A table of the knowledge.
    Table,
    /// A column, with its type and table when known.
    Column {
        /// Scalar type.
        ty: Option<ScalarType>,
        /// Table it comes from.
        origin: Option<String>,
    },
    /// A built-in function.
    Function,
    /// A `let` name (scalar, tabular or function) or a function parameter.
    Let {
        /// The span of the defining name.
        definition: Span,
    },
    /// A parameter declared by the query's container (Sentinel `FunctionParams`), not in the
    /// text.
    Parameter {
        /// Declared scalar type (`None` for a table or an unknown type name).
        ty: Option<ScalarType>,
    },
}

/// A resolved name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The name.
    pub name: String,
    /// Where it is used.
    pub span: Span,
    /// What it is.
    pub kind: SymbolKind,
}

/// Analyses a KQL text.
pub fn analyze(text: &str, knowledge: &Knowledge) -> KqlAnalysis {
    crate::stack::with_stack_for(text, || {
        let parse = qlint_grammar::kql::parse(text);
        analyze_tree(&parse.tree, text, knowledge)
    })
}

/// Analyses an already parsed KQL query.
pub fn analyze_tree(query: &Query, text: &str, knowledge: &Knowledge) -> KqlAnalysis {
    analyze_tree_with(query, text, knowledge, None)
}

/// Analyses a parsed query that receives `parameters` from its container (a stored
/// function's declared parameters); `None` when the container declares nothing.
pub fn analyze_tree_with(
    query: &Query,
    text: &str,
    knowledge: &Knowledge,
    parameters: Option<&[Parameter]>,
) -> KqlAnalysis {
    analyze_with_scopes(query, text, knowledge, parameters, true)
}

/// [`analyze_tree_with`] for the rules, which never read [`KqlAnalysis::scopes`]: a copy of
/// the schema at every operator is most of the memory a long query takes.
pub(crate) fn analyze_for_rules(
    query: &Query,
    text: &str,
    knowledge: &Knowledge,
    parameters: Option<&[Parameter]>,
) -> KqlAnalysis {
    analyze_with_scopes(query, text, knowledge, parameters, false)
}

fn analyze_with_scopes(
    query: &Query,
    text: &str,
    knowledge: &Knowledge,
    parameters: Option<&[Parameter]>,
    keep_scopes: bool,
) -> KqlAnalysis {
    let mut analyzer = Analyzer {
        text,
        knowledge,
        out: KqlAnalysis::default(),
        time_bounded: false,
        time_unknown: false,
        parameters_declared: parameters.is_some(),
        depth: 0,
        keep_scopes,
        tables: HashMap::new(),
    };
    let mut env = Env::default();
    for parameter in parameters.unwrap_or(&[]) {
        if let ParameterType::Scalar(Some(ScalarType::Datetime | ScalarType::Timespan)) =
            parameter.ty
        {
            // The time range comes from the caller.
            analyzer.time_unknown = true;
        }
        env.lets.insert(parameter.name.clone(), LetDef::Parameter { ty: parameter.ty });
    }
    bind_as_names(query, &mut env);
    analyzer.statements(&query.statements, &mut env);
    analyzer.out.logic.time_bounded =
        if analyzer.time_unknown { None } else { Some(analyzer.time_bounded) };
    analyzer.out.fold_mismatches = fold_mismatches(query, text);
    analyzer.out
}

/// The columns in scope at byte `offset` of `text` (for completion): the input columns of
/// the operator under the cursor, or the output of the pipeline when the cursor is after
/// its last operator. Empty when they cannot be known.
pub fn columns_at(text: &str, offset: usize, knowledge: &Knowledge) -> Vec<ColumnInfo> {
    let analysis = analyze(text, knowledge);
    scope_at(&analysis, offset)
}

/// [`columns_at`] over an existing analysis.
pub fn scope_at(analysis: &KqlAnalysis, offset: usize) -> Vec<ColumnInfo> {
    let offset = offset as u32;
    let best = analysis
        .scopes
        .iter()
        .filter(|s| {
            if s.after {
                s.span.end <= offset
            } else {
                s.span.start < offset && offset <= s.span.end
            }
        })
        .min_by_key(|s| (s.after, s.span.len(), u32::MAX - s.span.start));
    match best.map(|s| &s.schema) {
        Some(Schema::Known(cols)) => cols.to_vec(),
        _ => Vec::new(),
    }
}

/// The resolved name at byte `offset` of `text` (for hover and go-to-definition of `let`).
pub fn symbol_at(text: &str, offset: usize, knowledge: &Knowledge) -> Option<Symbol> {
    let analysis = analyze(text, knowledge);
    let offset = offset as u32;
    analysis
        .symbols
        .into_iter()
        .filter(|s| s.span.contains_offset(offset))
        .min_by_key(|s| s.span.len())
}

#[derive(Debug, Clone)]
enum LetDef {
    Scalar {
        ty: Option<ScalarType>,
        span: Span,
    },
    Tabular {
        schema: Schema,
        span: Span,
    },
    Function {
        min: usize,
        max: usize,
        span: Span,
    },
    /// Declared by the container, outside the text.
    Parameter {
        ty: ParameterType,
    },
}

impl LetDef {
    /// What a use of this name resolves to.
    fn symbol_kind(&self) -> SymbolKind {
        match self {
            LetDef::Scalar { span, .. }
            | LetDef::Tabular { span, .. }
            | LetDef::Function { span, .. } => SymbolKind::Let { definition: *span },
            LetDef::Parameter { ty } => SymbolKind::Parameter {
                ty: match ty {
                    ParameterType::Scalar(ty) => *ty,
                    ParameterType::Tabular => None,
                },
            },
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Env {
    lets: HashMap<String, LetDef>,
}

struct Analyzer<'a> {
    text: &'a str,
    knowledge: &'a Knowledge,
    out: KqlAnalysis,
    time_bounded: bool,
    time_unknown: bool,
    /// The container declares the parameters of the query (so no name is guessed to be one).
    parameters_declared: bool,
    /// How deep `expr` is in an expression; see [`MAX_EXPR_DEPTH`].
    depth: usize,
    /// Record [`KqlAnalysis::scopes`] (for completion; the rules do not read them).
    keep_scopes: bool,
    /// The columns of each built-in table the query names, built once and shared.
    tables: HashMap<String, Arc<Vec<ColumnInfo>>>,
}

/// Operator chains are not bounded by the parser's bracket depth (`- - - ... 1`,
/// `1 + 1 + ... + 1`); below this depth an expression is not analysed (no type, no findings)
/// so that a generated or hostile query cannot exhaust the stack.
const MAX_EXPR_DEPTH: usize = 1000;

/// Columns every Log Analytics table has although schemas rarely list them.
fn implicit_column(name: &str) -> bool {
    name.starts_with('_')
        || matches!(name, "Type" | "TenantId" | "SourceSystem" | "MG" | "ManagementGroupName")
}

/// Workspace functions shipped by Sentinel (ASIM parsers, watchlists) that no schema lists.
/// The table that replaced a retired Microsoft Defender ATP advanced-hunting table.
fn retired_table(name: &str) -> Option<&'static str> {
    Some(match name {
        "AlertEvents" | "DeviceAlertEvents" => "AlertInfo",
        "MachineInfo" => "DeviceInfo",
        "MachineNetworkInfo" => "DeviceNetworkInfo",
        "ProcessCreationEvents" => "DeviceProcessEvents",
        "NetworkCommunicationEvents" => "DeviceNetworkEvents",
        "FileCreationEvents" => "DeviceFileEvents",
        "RegistryEvents" => "DeviceRegistryEvents",
        "LogonEvents" => "DeviceLogonEvents",
        "ImageLoadEvents" => "DeviceImageLoadEvents",
        "MiscEvents" => "DeviceEvents",
        "DeviceTvmSoftwareInventoryVulnerabilities" => "DeviceTvmSoftwareVulnerabilities",
        _ => return None,
    })
}

/// `T | as Name` names its input for the rest of the query (`toscalar(Name | count)`,
/// `join (Name)`): such names are tables of unknown columns, not unknown tables.
fn bind_as_names(query: &Query, env: &mut Env) {
    qlint_grammar::kql::ast::walk_operators(query, &mut |op| {
        if let TabularOperator::As { name, .. } = op {
            env.lets
                .entry(name.name.clone())
                .or_insert(LetDef::Tabular { schema: Schema::Open, span: name.span });
        }
    });
}

fn looks_like_workspace_function(name: &str) -> bool {
    let bytes = name.as_bytes();
    let im = |prefix: &str| {
        name.starts_with(prefix)
            && bytes.get(prefix.len()).is_some_and(|b| b.is_ascii_uppercase() || *b == b'_')
    };
    name.starts_with("_Im_")
        || name.starts_with("_ASim")
        || name.starts_with("_GetWatchlist")
        || im("im")
        || im("ASim")
        || im("vim")
        || im("_im")
}

const TIME_FUNCTIONS: &[&str] = &[
    "ago",
    "now",
    "startofday",
    "startofweek",
    "startofmonth",
    "startofyear",
    "endofday",
    "endofweek",
    "endofmonth",
    "endofyear",
    "datetime_add",
    "bin_at",
];

fn is_time_column(name: &str) -> bool {
    matches!(
        name,
        "TimeGenerated" | "Timestamp" | "timestamp" | "EventTime" | "StartTime" | "TimeCreated"
    )
}

impl<'a> Analyzer<'a> {
    fn statements(&mut self, statements: &[Statement], env: &mut Env) -> Schema {
        let mut last = Schema::Open;
        for statement in statements {
            match statement {
                Statement::Let(let_) => {
                    let def = match &let_.body {
                        LetBody::Scalar(expr) => {
                            // `let x = T | ...;` may parse as a scalar pipeline expression.
                            if let Expr::Pipeline(p) = expr {
                                let schema = self.pipeline(p, env, None);
                                LetDef::Tabular { schema, span: let_.name.span }
                            } else if let Some(p) = materialized(expr) {
                                let schema = self.pipeline(p, env, None);
                                LetDef::Tabular { schema, span: let_.name.span }
                            } else {
                                let ty = self.expr(expr, &Schema::Open, env);
                                LetDef::Scalar { ty, span: let_.name.span }
                            }
                        }
                        LetBody::Tabular(p) => {
                            let schema = self.pipeline(p, env, None);
                            LetDef::Tabular { schema, span: let_.name.span }
                        }
                        LetBody::Function(def) => {
                            let mut inner = env.clone();
                            for param in &def.params {
                                let param_def = match &param.ty {
                                    ParamType::Scalar(ty) => {
                                        let ty = ScalarType::parse(&ty.name);
                                        if matches!(
                                            ty,
                                            Some(ScalarType::Datetime | ScalarType::Timespan)
                                        ) {
                                            // The time range comes from the caller.
                                            self.time_unknown = true;
                                        }
                                        LetDef::Scalar { ty, span: param.name.span }
                                    }
                                    ParamType::Tabular { .. } => LetDef::Tabular {
                                        schema: Schema::Open,
                                        span: param.name.span,
                                    },
                                };
                                if let Some(default) = &param.default {
                                    self.expr(default, &Schema::Open, env);
                                }
                                inner.lets.insert(param.name.name.clone(), param_def);
                            }
                            self.statements(&def.body, &mut inner);
                            let min = def.params.iter().filter(|p| p.default.is_none()).count();
                            LetDef::Function { min, max: def.params.len(), span: let_.name.span }
                        }
                    };
                    env.lets.insert(let_.name.name.clone(), def);
                }
                Statement::Tabular(p) => last = self.pipeline(p, env, None),
                Statement::DeclareQueryParameters(decl) => {
                    self.time_unknown = true;
                    for param in &decl.params {
                        let ty = match &param.ty {
                            ParamType::Scalar(ty) => ScalarType::parse(&ty.name),
                            ParamType::Tabular { .. } => None,
                        };
                        env.lets.insert(
                            param.name.name.clone(),
                            LetDef::Scalar { ty, span: param.name.span },
                        );
                    }
                }
                Statement::Set(_) | Statement::Error(_) => {}
            }
        }
        last
    }

    fn pipeline(&mut self, p: &Pipeline, env: &Env, input: Option<Schema>) -> Schema {
        let mut schema = match &p.source {
            Source::Expr(expr) => self.source_expr(expr, env),
            Source::Operator(op) => self.operator(op, Schema::Known(Arc::default()), env),
            Source::Input(_) => input.unwrap_or(Schema::Open),
        };
        for op in &p.operators {
            if self.keep_scopes {
                let scope = Scope { span: op.span(), after: false, schema: schema.clone() };
                self.out.scopes.push(scope);
            }
            schema = self.operator(op, schema, env);
        }
        if self.keep_scopes {
            self.out.scopes.push(Scope { span: p.span, after: true, schema: schema.clone() });
        }
        schema
    }

    fn source_expr(&mut self, expr: &Expr, env: &Env) -> Schema {
        match expr {
            Expr::Name(id) => self.table(&id.name, id.span, env),
            Expr::Paren { inner, .. } => self.source_expr(inner, env),
            Expr::Pipeline(p) => self.pipeline(p, env, None),
            Expr::Call { callee, args, .. } => {
                if let Some(p) = materialized(expr) {
                    return self.pipeline(p, env, None);
                }
                if let Some(def) = env.lets.get(&callee.name) {
                    self.out.symbols.push(Symbol {
                        name: callee.name.clone(),
                        span: callee.span,
                        kind: def.symbol_kind(),
                    });
                    if let LetDef::Function { min, max, .. } = def {
                        self.check_let_arity(&callee.name, expr.span(), args.len(), *min, *max);
                    }
                }
                for arg in args {
                    self.expr(&arg.value, &Schema::Open, env);
                }
                Schema::Open
            }
            other => {
                self.expr(other, &Schema::Open, env);
                Schema::Open
            }
        }
    }

    fn table(&mut self, name: &str, span: Span, env: &Env) -> Schema {
        if let Some(def) = env.lets.get(name) {
            self.out.symbols.push(Symbol { name: name.to_owned(), span, kind: def.symbol_kind() });
            return match def {
                LetDef::Tabular { schema, .. } => schema.clone(),
                _ => Schema::Open,
            };
        }
        if let Some(table) = self.knowledge.kql_table(name) {
            // Tables whose columns depend on what each resource sends, and ASIM parsers,
            // whose columns changed between schema versions.
            if name == "AzureDiagnostics"
                || name.ends_with("_CL")
                || looks_like_workspace_function(name)
            {
                self.out.symbols.push(Symbol {
                    name: name.to_owned(),
                    span,
                    kind: SymbolKind::Table,
                });
                return Schema::Open;
            }
            self.out.symbols.push(Symbol { name: name.to_owned(), span, kind: SymbolKind::Table });
            let has_time = table.columns.iter().any(|c| {
                c.ty == ScalarType::Datetime
                    && matches!(c.name.as_str(), "TimeGenerated" | "Timestamp")
            });
            if has_time {
                self.out.logic.event_sources.push((name.to_owned(), span));
            }
            // One list per table and query, shared by every use (a query of 10,000 `let`s
            // over one table held 10,000 copies of its columns).
            let columns = self.tables.entry(name.to_owned()).or_insert_with(|| {
                Arc::new(
                    table
                        .columns
                        .iter()
                        .map(|c| ColumnInfo {
                            name: c.name.clone(),
                            ty: Some(c.ty),
                            origin: Some(table.name.clone()),
                        })
                        .collect(),
                )
            });
            return Schema::Known(Arc::clone(columns));
        }
        if qlint_knowledge::is_resource_graph_table(name) {
            self.out.symbols.push(Symbol { name: name.to_owned(), span, kind: SymbolKind::Table });
            return Schema::Open;
        }
        // A name close to no known table is more likely a workspace function, a custom table
        // or a table newer than the catalog than a slip: only near misses and retired
        // Defender names are reported.
        if !looks_like_workspace_function(name) && !name.contains('*') && !name.ends_with("_CL") {
            // `VectraStream` beside `VectraStream_CL` is the solution's parser function.
            let suggestion = retired_table(name).map(str::to_owned).or_else(|| {
                self.knowledge
                    .suggest_kql_table(name)
                    .filter(|s| *s != format!("{name}_CL"))
                    .map(str::to_owned)
            });
            if let Some(suggestion) = suggestion {
                self.out.unknown_tables.push(Unresolved {
                    name: name.to_owned(),
                    span,
                    suggestion: Some(suggestion),
                    scope: None,
                });
            }
        }
        Schema::Open
    }

    fn check_let_arity(&mut self, name: &str, span: Span, given: usize, min: usize, max: usize) {
        if given < min || given > max {
            self.out.arity_problems.push(ArityProblem {
                name: name.to_owned(),
                span,
                given,
                expected: describe_arity(min, Some(max)),
            });
        }
    }

    fn exprs(&mut self, items: &[NamedExpr], schema: &Schema, env: &Env) {
        for item in items {
            self.expr(&item.expr, schema, env);
        }
    }

    /// Output column of `name = expr` or of a bare `expr`; `None` when Kusto would invent a
    /// name we do not model.
    fn output_column(
        &mut self,
        item: &NamedExpr,
        schema: &Schema,
        env: &Env,
    ) -> Option<Vec<ColumnInfo>> {
        let ty = self.expr(&item.expr, schema, env);
        if !item.names.is_empty() {
            // `(a, b) = f(x)` gives several columns whose types we do not know.
            let ty = if item.names.len() == 1 { ty } else { None };
            return Some(
                item.names
                    .iter()
                    .map(|n| ColumnInfo { name: n.name.clone(), ty, origin: None })
                    .collect(),
            );
        }
        match &item.expr {
            Expr::Name(id) => Some(vec![schema.find(&id.name).cloned().unwrap_or(ColumnInfo {
                name: id.name.clone(),
                ty,
                origin: None,
            })]),
            Expr::Call { callee, args, .. } if callee.name == "bin" || callee.name == "floor" => {
                match args.first().map(|a| &a.value) {
                    Some(Expr::Name(id)) => {
                        Some(vec![ColumnInfo { name: id.name.clone(), ty, origin: None }])
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn operator(&mut self, op: &TabularOperator, schema: Schema, env: &Env) -> Schema {
        use TabularOperator as T;
        match op {
            T::Where { predicate, .. } => {
                let ty = self.expr(predicate, &schema, env);
                if let Some(ty) =
                    ty.filter(|t| !matches!(t, ScalarType::Bool | ScalarType::Dynamic))
                {
                    // `where DvcAction`: Kusto wants a `bool` condition.
                    self.out.operator_mismatches.push(OperatorMismatch {
                        op: "where".to_owned(),
                        span: predicate.span(),
                        left: ty,
                        right: None,
                        operands: vec![predicate.span()],
                    });
                }
                let condition = self.lower(predicate);
                self.out.logic.filters.push(Filter { origin: FilterOrigin::KqlWhere, condition });
                schema
            }
            T::Project { columns, .. } => {
                let mut out = Vec::new();
                let mut open = false;
                for item in columns {
                    match self.output_column(item, &schema, env) {
                        Some(cols) => out.extend(cols),
                        None => open = true,
                    }
                }
                if open || matches!(schema, Schema::Open) && out.is_empty() {
                    Schema::Open
                } else {
                    Schema::Known(out.into())
                }
            }
            T::ProjectColumns { flavor, columns, .. } => {
                let mut names = Vec::new();
                for key in columns {
                    match &key.expr {
                        Expr::Name(id) if !id.name.contains('*') => {
                            self.expr(&key.expr, &schema, env);
                            names.push(id.name.clone());
                        }
                        _ => return Schema::Open,
                    }
                }
                match (flavor, schema) {
                    (_, Schema::Open) => Schema::Open,
                    (ProjectFlavor::Away, Schema::Known(cols)) => Schema::Known(Arc::new(
                        cols.iter().filter(|c| !names.contains(&c.name)).cloned().collect(),
                    )),
                    (ProjectFlavor::Keep, Schema::Known(cols)) => Schema::Known(Arc::new(
                        cols.iter().filter(|c| names.contains(&c.name)).cloned().collect(),
                    )),
                    (ProjectFlavor::Reorder, known) => known,
                }
            }
            T::ProjectRename { renames, .. } => {
                let mut schema = schema;
                for item in renames {
                    self.expr(&item.expr, &schema, env);
                    let (Some(new), Expr::Name(old)) = (item.names.first(), &item.expr) else {
                        return Schema::Open;
                    };
                    if let Some(cols) = schema.columns_mut()
                        && let Some(col) = cols.iter_mut().find(|c| c.name == old.name)
                    {
                        col.name = new.name.clone();
                    }
                }
                schema
            }
            T::Extend { columns, .. } | T::Serialize { columns, .. } => {
                let mut schema = schema;
                for item in columns {
                    // Each column of an extend sees the ones defined before it.
                    match self.output_column(item, &schema, env) {
                        Some(cols) => {
                            if let ([name], [ColumnInfo { ty: Some(ty), .. }]) =
                                (item.names.as_slice(), cols.as_slice())
                            {
                                self.out.extended.push((name.span, *ty));
                            }
                            cols.into_iter().for_each(|c| schema.set(c));
                        }
                        None => schema = Schema::Open,
                    }
                }
                schema
            }
            T::Summarize { aggregates, by, .. } => self.summarize(aggregates, by, &schema, env),
            T::MakeSeries { aggregates, on, range, by, .. } => {
                self.exprs(aggregates, &schema, env);
                self.expr(on, &schema, env);
                for e in range {
                    self.expr(e, &schema, env);
                }
                self.exprs(by, &schema, env);
                Schema::Open
            }
            T::Join { params, right, on, .. } => self.join(params, right, on, schema, env),
            T::Lookup { right, on, .. } => {
                let right = self.pipeline(right, env, None);
                self.join_keys(on, &schema, &right, env);
                match (schema, right) {
                    (Schema::Known(mut left), Schema::Known(right)) => {
                        let cols = Arc::make_mut(&mut left);
                        for col in right.iter() {
                            if !cols.iter().any(|c| c.name == col.name) {
                                cols.push(col.clone());
                            }
                        }
                        Schema::Known(left)
                    }
                    _ => Schema::Open,
                }
            }
            T::Union { params, tables, .. } => {
                let mut result = match schema {
                    Schema::Known(cols) if cols.is_empty() => Some(Vec::new()),
                    Schema::Known(cols) => Some(Arc::unwrap_or_clone(cols)),
                    Schema::Open => None,
                };
                let fuzzy_or_source = params.iter().any(|p| {
                    let name = p.name.name.to_ascii_lowercase();
                    name == "withsource" || name == "kind"
                });
                for table in tables {
                    let leg = self.pipeline(table, env, None);
                    result = match (result, leg) {
                        (Some(mut cols), Schema::Known(leg)) => {
                            for col in Arc::unwrap_or_clone(leg) {
                                union_column(&mut cols, col);
                            }
                            Some(cols)
                        }
                        _ => None,
                    };
                }
                match result {
                    Some(cols) if !fuzzy_or_source => Schema::Known(cols.into()),
                    _ => Schema::Open,
                }
            }
            T::MvExpand { columns, limit, .. } => {
                let mut schema = schema;
                if let Some(limit) = limit {
                    self.expr(limit, &Schema::Open, env);
                }
                for item in columns {
                    match self.output_column(item, &schema, env) {
                        Some(cols) => cols.into_iter().for_each(|mut c| {
                            c.ty = None;
                            schema.set(c)
                        }),
                        None => schema = Schema::Open,
                    }
                }
                schema
            }
            T::MvApply { items, .. } => {
                self.exprs(items, &schema, env);
                Schema::Open
            }
            T::Parse { params, source, pattern, .. } => {
                self.expr(source, &schema, env);
                let regex = params.iter().any(|p| {
                    p.name.name.eq_ignore_ascii_case("kind")
                        && matches!(&p.value, Expr::Name(id) if id.name.eq_ignore_ascii_case("regex"))
                });
                if regex {
                    self.parse_regex(pattern, op.span());
                }
                let mut schema = schema;
                for part in pattern {
                    if let ParsePatternPart::Column { name, ty, .. } = part {
                        let ty = ty
                            .as_ref()
                            .map_or(Some(ScalarType::String), |t| ScalarType::parse(&t.name));
                        schema.set(ColumnInfo { name: name.name.clone(), ty, origin: None });
                    }
                }
                schema
            }
            T::ParseKv { source, columns, .. } => {
                self.expr(source, &schema, env);
                let mut schema = schema;
                for col in columns {
                    schema.set(ColumnInfo {
                        name: col.name.name.clone(),
                        ty: ScalarType::parse(&col.ty.name),
                        origin: None,
                    });
                }
                schema
            }
            T::Evaluate { .. } | T::Invoke { .. } | T::Facet { .. } | T::Fork { .. } => {
                Schema::Open
            }
            T::Partition { body, .. } => {
                self.pipeline(body, env, Some(schema));
                Schema::Open
            }
            T::Top { count, by, .. } => {
                self.expr(count, &Schema::Open, env);
                self.expr(&by.expr, &schema, env);
                schema
            }
            T::Sort { keys, .. } => {
                for key in keys {
                    self.expr(&key.expr, &schema, env);
                }
                schema
            }
            T::Take { count, .. } => {
                self.expr(count, &Schema::Open, env);
                schema
            }
            T::Sample { count, .. } => {
                self.expr(count, &Schema::Open, env);
                schema
            }
            T::Distinct { columns, .. } => {
                let mut out = Vec::new();
                for item in columns {
                    if !item.names.is_empty() {
                        self.expr(&item.expr, &schema, env);
                        return Schema::Open;
                    }
                    let column = &item.expr;
                    match column {
                        Expr::Star(_) => return schema,
                        Expr::Name(id) => {
                            self.expr(column, &schema, env);
                            out.push(schema.find(&id.name).cloned().unwrap_or(ColumnInfo {
                                name: id.name.clone(),
                                ty: None,
                                origin: None,
                            }));
                        }
                        other => {
                            self.expr(other, &schema, env);
                            return Schema::Open;
                        }
                    }
                }
                if matches!(schema, Schema::Open) {
                    Schema::Open
                } else {
                    Schema::Known(out.into())
                }
            }
            T::Count { .. } => Schema::Known(Arc::new(vec![ColumnInfo {
                name: "Count".to_owned(),
                ty: Some(ScalarType::Long),
                origin: None,
            }])),
            T::Render { .. } | T::As { .. } | T::Consume { .. } => schema,
            T::Range { column, from, to, step, .. } => {
                self.expr(from, &Schema::Open, env);
                self.expr(to, &Schema::Open, env);
                self.expr(step, &Schema::Open, env);
                Schema::Known(Arc::new(vec![ColumnInfo {
                    name: column.name.clone(),
                    ty: None,
                    origin: None,
                }]))
            }
            T::Print { columns, .. } => {
                let mut out = Vec::new();
                for item in columns {
                    match self.output_column(item, &Schema::Open, env) {
                        Some(cols) if !item.names.is_empty() => out.extend(cols),
                        _ => return Schema::Open,
                    }
                }
                Schema::Known(out.into())
            }
            T::Datatable { columns, .. } | T::ExternalData { columns, .. } => {
                Schema::Known(Arc::new(
                    columns
                        .iter()
                        .map(|c| ColumnInfo {
                            name: c.name.name.clone(),
                            ty: ScalarType::parse(&c.ty.name),
                            origin: None,
                        })
                        .collect(),
                ))
            }
            T::Search { predicate, .. } | T::Find { predicate, .. } => {
                // A bare string is a search term (`search "ntds" and "dit"`), not a string
                // operand: the operator type checks do not apply here.
                let judged = self.out.operator_mismatches.len();
                self.expr(predicate, &Schema::Open, env);
                self.out.operator_mismatches.truncate(judged);
                Schema::Open
            }
            T::GetSchema { .. } => Schema::Known(Arc::new(
                ["ColumnName", "ColumnOrdinal", "DataType", "ColumnType"]
                    .iter()
                    .map(|n| ColumnInfo { name: (*n).to_owned(), ty: None, origin: None })
                    .collect(),
            )),
            T::TopNested { .. } | T::Scan { .. } | T::Reduce { .. } | T::Unknown { .. } => {
                Schema::Open
            }
        }
    }

    fn summarize(
        &mut self,
        aggregates: &[NamedExpr],
        by: &[NamedExpr],
        schema: &Schema,
        env: &Env,
    ) -> Schema {
        let mut out: Vec<ColumnInfo> = Vec::new();
        let mut open = matches!(schema, Schema::Open);
        for item in by {
            match self.output_column(item, schema, env) {
                Some(cols) => out.extend(cols),
                None => open = true,
            }
        }
        for item in aggregates {
            let ty = self.expr(&item.expr, schema, env);
            // These keep their arguments' column names; a given name renames the first one.
            let is_arg = matches!(&item.expr, Expr::Call { callee, .. }
                if matches!(callee.name.as_str(), "arg_max" | "arg_min" | "take_any" | "take_anyif"));
            if !item.names.is_empty() && !is_arg {
                // `(a, b) = percentiles(...)` and friends: names we do not model one by one.
                if item.names.len() > 1 {
                    open = true;
                }
                out.extend(item.names.iter().map(|n| ColumnInfo {
                    name: n.name.clone(),
                    ty,
                    origin: None,
                }));
                continue;
            }
            if !item.names.is_empty() {
                // `T = arg_max(Timestamp, *)` renames the first output column only.
                out.extend(item.names.iter().map(|n| ColumnInfo {
                    name: n.name.clone(),
                    ty: None,
                    origin: None,
                }));
            }
            let Expr::Call { callee, args, .. } = &item.expr else {
                open = true;
                continue;
            };
            let arg_name = |i: usize| match args.get(i).map(|a| &a.value) {
                Some(Expr::Name(id)) => Some(id.name.clone()),
                _ => None,
            };
            let name = callee.name.as_str();
            match name {
                // `count()` is `count_`; the legacy `count(x)` is named after its argument.
                "count" if !args.is_empty() => match arg_name(0) {
                    Some(arg) => {
                        out.push(ColumnInfo { name: format!("count_{arg}"), ty, origin: None })
                    }
                    None => open = true,
                },
                "count" | "countif" => {
                    out.push(ColumnInfo { name: format!("{name}_"), ty, origin: None })
                }
                "arg_max" | "arg_min" => {
                    let star = args.iter().skip(1).any(|a| matches!(a.value, Expr::Star(_)));
                    if star && let Schema::Known(cols) = schema {
                        for col in cols.iter() {
                            if !out.iter().any(|c| c.name == col.name) {
                                out.push(col.clone());
                            }
                        }
                    }
                    let first = usize::from(!item.names.is_empty());
                    for (i, arg) in args.iter().enumerate().skip(first) {
                        match (&arg.value, arg_name(i)) {
                            (Expr::Star(_), _) => {}
                            (_, Some(n)) => {
                                let mut col = schema.find(&n).cloned().unwrap_or(ColumnInfo {
                                    name: n,
                                    ty: None,
                                    origin: None,
                                });
                                if !out.iter().any(|c| c.name == col.name) {
                                    out.push(col);
                                } else if !star {
                                    // Kusto keeps a repeated column under the next free
                                    // numbered name: `arg_max(T, X) by X` outputs `X` and `X1`.
                                    let taken = |name: &str| out.iter().any(|c| c.name == name);
                                    if let Some(free) = (1..100)
                                        .map(|k| format!("{}{k}", col.name))
                                        .find(|name| !taken(name))
                                    {
                                        col.name = free;
                                        out.push(col);
                                    }
                                }
                            }
                            _ => open = true,
                        }
                    }
                }
                // `take_any(a, b)` outputs `a` and `b` (`take_anyif` only its first argument).
                "take_any" | "take_anyif" => {
                    let count = if name == "take_anyif" { 1 } else { args.len() };
                    let first = usize::from(!item.names.is_empty());
                    for (i, arg) in args.iter().enumerate().take(count).skip(first) {
                        let columns = match (&arg.value, arg_name(i), schema) {
                            (Expr::Star(_), _, Schema::Known(cols)) => cols.to_vec(),
                            (_, Some(n), _) => {
                                vec![schema.find(&n).cloned().unwrap_or(ColumnInfo {
                                    name: n,
                                    ty: None,
                                    origin: None,
                                })]
                            }
                            _ => {
                                open = true;
                                continue;
                            }
                        };
                        for col in columns {
                            if !out.iter().any(|c| c.name == col.name) {
                                out.push(col);
                            }
                        }
                    }
                }
                // The legacy `any(a, b)` outputs `any_a` and `any_b`.
                "any" => {
                    for i in 0..args.len() {
                        match arg_name(i) {
                            Some(arg) => out.push(ColumnInfo {
                                name: format!("any_{arg}"),
                                ty: schema.find(&arg).and_then(|c| c.ty),
                                origin: None,
                            }),
                            None => open = true,
                        }
                    }
                }
                _ => {
                    let prefix = match name {
                        "make_set" | "makeset" => "set",
                        "make_list" | "makelist" => "list",
                        "make_bag" | "make_bag_if" => "bag",
                        "make_set_if" => "set",
                        "make_list_if" => "list",
                        "dcount" | "dcountif" | "min" | "max" | "sum" | "avg" | "stdev"
                        | "variance" | "sumif" | "avgif" | "minif" | "maxif" => name,
                        _ => {
                            open = true;
                            continue;
                        }
                    };
                    match arg_name(0) {
                        Some(arg) => out.push(ColumnInfo {
                            name: format!("{prefix}_{arg}"),
                            ty,
                            origin: None,
                        }),
                        None => open = true,
                    }
                }
            }
        }
        if open { Schema::Open } else { Schema::Known(out.into()) }
    }

    fn join(
        &mut self,
        params: &[qlint_grammar::kql::ast::OperatorParam],
        right: &Pipeline,
        on: &[Expr],
        left: Schema,
        env: &Env,
    ) -> Schema {
        let kind = params
            .iter()
            .find(|p| p.name.name.eq_ignore_ascii_case("kind"))
            .and_then(|p| match &p.value {
                Expr::Name(id) => Some(id.name.to_ascii_lowercase()),
                _ => None,
            })
            .unwrap_or_else(|| "innerunique".to_owned());
        if kind.contains("anti") {
            self.out.logic.exclusion_elsewhere = true;
        }
        let right = self.pipeline(right, env, None);
        self.join_keys(on, &left, &right, env);
        match kind.as_str() {
            "leftanti" | "anti" | "leftantisemi" | "leftsemi" => left,
            "rightanti" | "rightantisemi" | "rightsemi" => right,
            _ => match (left, right) {
                (Schema::Known(cols), Schema::Known(right)) => {
                    let mut cols = Arc::unwrap_or_clone(cols);
                    for mut col in Arc::unwrap_or_clone(right) {
                        if cols.iter().any(|c| c.name == col.name) {
                            let base = col.name.clone();
                            let mut n = 1;
                            let mut name = format!("{base}1");
                            while cols.iter().any(|c| c.name == name) {
                                n += 1;
                                name = format!("{base}{n}");
                            }
                            col.name = name;
                        }
                        cols.push(col);
                    }
                    Schema::Known(cols.into())
                }
                _ => Schema::Open,
            },
        }
    }

    /// Checks `on A`, `on $left.A == $right.B` against both sides.
    fn join_keys(&mut self, on: &[Expr], left: &Schema, right: &Schema, env: &Env) {
        for key in on {
            match key {
                Expr::Name(_) => {
                    self.expr(key, left, env);
                    self.expr(key, right, env);
                }
                Expr::Binary { lhs, rhs, .. } => {
                    for side in [lhs, rhs] {
                        if let Expr::Member { target, name, .. } = side.as_ref()
                            && let Expr::Name(which) = target.as_ref()
                        {
                            let schema = if which.name == "$left" { left } else { right };
                            self.column(&name.name, name.span, schema, env);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn parse_regex(&mut self, pattern: &[ParsePatternPart], span: Span) {
        let mut regex = String::new();
        for part in pattern {
            match part {
                ParsePatternPart::Literal(Expr::Literal(lit)) => match &lit.kind {
                    LiteralKind::String { value } => regex.push_str(value),
                    _ => return,
                },
                ParsePatternPart::Literal(_) => return,
                ParsePatternPart::Star(_) => regex.push_str(".*?"),
                ParsePatternPart::Column { .. } => regex.push_str("(.*?)"),
            }
        }
        self.out.regexes.push(RegexUse {
            pattern: regex,
            span,
            user: "parse kind=regex".to_owned(),
        });
    }

    /// Resolves a column name against `schema`.
    fn column(&mut self, name: &str, span: Span, schema: &Schema, env: &Env) -> Option<ScalarType> {
        if let Some(def) = env.lets.get(name) {
            self.out.symbols.push(Symbol { name: name.to_owned(), span, kind: def.symbol_kind() });
            return match def {
                LetDef::Scalar { ty, .. } | LetDef::Parameter { ty: ParameterType::Scalar(ty) } => {
                    *ty
                }
                _ => None,
            };
        }
        match schema {
            Schema::Open => None,
            Schema::Known(cols) => {
                if let Some(col) = cols.iter().find(|c| c.name == name) {
                    self.out.symbols.push(Symbol {
                        name: name.to_owned(),
                        span,
                        kind: SymbolKind::Column { ty: col.ty, origin: col.origin.clone() },
                    });
                    // When the schema sources disagree on the type (`Port: int` in one,
                    // `string` in another), the type checks must not pick one.
                    let disputed = col
                        .origin
                        .as_deref()
                        .and_then(|t| self.knowledge.kql_table(t))
                        .and_then(|t| t.column(name))
                        .is_some_and(|c| c.alt_ty.is_some_and(|alt| alt != c.ty));
                    return if disputed { None } else { col.ty };
                }
                // Defender XDR tables streamed to Sentinel carry `TimeGenerated` as well as
                // `Timestamp`, and the unified portal accepts both.
                // Every Log Analytics table has `TimeGenerated`, even when a schema omits it.
                let time_alias = name == "TimeGenerated"
                    || name == "Timestamp" && cols.iter().any(|c| c.name == "Timestamp");
                if implicit_column(name) || name.starts_with('$') || time_alias {
                    return None;
                }
                let same_but_case = cols.iter().find(|c| c.name.eq_ignore_ascii_case(name));
                // Table columns are PascalCase; an all-lowercase name that no column matches
                // is almost always a parameter of the enclosing stored function (ASIM parsers
                // get `starttime`, `disabled`, `eventtype` from outside the text). When the
                // container declares the parameters, they are in `env` and nothing is guessed.
                let parameter_like =
                    name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if parameter_like && same_but_case.is_none() && !self.parameters_declared {
                    return None;
                }
                let suggestion = same_but_case.map(|c| c.name.clone()).or_else(|| {
                    suggest(name, cols.iter().map(|c| c.name.as_str())).map(str::to_owned)
                });
                let first = cols.first().and_then(|c| c.origin.clone());
                let scope = first.filter(|t| cols.iter().all(|c| c.origin.as_deref() == Some(t)));
                self.out.unknown_columns.push(Unresolved {
                    name: name.to_owned(),
                    span,
                    suggestion,
                    scope,
                });
                None
            }
        }
    }

    /// Checks an expression against the columns in scope; returns its type when known.
    fn expr(&mut self, expr: &Expr, schema: &Schema, env: &Env) -> Option<ScalarType> {
        if self.depth >= MAX_EXPR_DEPTH {
            return None;
        }
        self.depth += 1;
        let ty = self.expr_at_depth(expr, schema, env);
        self.depth -= 1;
        ty
    }

    fn expr_at_depth(&mut self, expr: &Expr, schema: &Schema, env: &Env) -> Option<ScalarType> {
        match expr {
            Expr::Literal(lit) => match &lit.kind {
                LiteralKind::String { .. } => Some(ScalarType::String),
                LiteralKind::Int(_) => Some(ScalarType::Long),
                LiteralKind::Real(_) => Some(ScalarType::Real),
                LiteralKind::Bool(_) => Some(ScalarType::Bool),
                LiteralKind::Timespan(_) => Some(ScalarType::Timespan),
                LiteralKind::Datetime(_) => Some(ScalarType::Datetime),
                LiteralKind::Guid(_) => Some(ScalarType::Guid),
                LiteralKind::Typed { ty, .. } => ScalarType::parse(ty),
                LiteralKind::Null => None,
            },
            Expr::Name(id) => self.column(&id.name, id.span, schema, env),
            Expr::Star(_) | Expr::Error(_) => None,
            Expr::Call { callee, args, span } => {
                self.call(&callee.name, callee.span, args, *span, schema, env)
            }
            Expr::Unary { op, operand, span } => {
                let ty = self.expr(operand, schema, env)?;
                if *op != UnaryOp::Neg {
                    return Some(ty);
                }
                self.judge_negation(ty, *span, operand)
            }
            Expr::Binary { op, op_span, lhs, rhs, .. } => {
                let left = self.expr(lhs, schema, env);
                let right = self.expr(rhs, schema, env);
                if matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
                    && (left == Some(ScalarType::Datetime)
                        || names_time_column(lhs)
                        || names_time_column(rhs))
                {
                    self.time_bounded = true;
                }
                if *op == BinaryOp::MatchesRegex
                    && let Expr::Literal(lit) = rhs.as_ref()
                    && let LiteralKind::String { value } = &lit.kind
                {
                    self.out.regexes.push(RegexUse {
                        pattern: value.clone(),
                        span: lit.span,
                        user: "matches regex".to_owned(),
                    });
                }
                self.judge_binary(*op, *op_span, (lhs, left), (rhs, right))
            }
            Expr::In { op, op_span, lhs, items, .. } => {
                let left = self.expr(lhs, schema, env);
                for item in items {
                    self.expr(item, schema, env);
                }
                if let Some(l) = left {
                    self.judge_list_operand(*op, *op_span, lhs, l);
                }
                Some(ScalarType::Bool)
            }
            Expr::Between { lhs, low, high, .. } => {
                let ty = self.expr(lhs, schema, env);
                let low_ty = self.expr(low, schema, env);
                let high_ty = self.expr(high, schema, env);
                if ty == Some(ScalarType::Datetime) || names_time_column(lhs) {
                    self.time_bounded = true;
                }
                if let Some(value) = ty {
                    self.judge_between(lhs, value, (low, low_ty), (high, high_ty));
                }
                Some(ScalarType::Bool)
            }
            Expr::Member { target, .. } => {
                if let Expr::Name(id) = target.as_ref()
                    && id.name.starts_with('$')
                {
                    return None;
                }
                self.expr(target, schema, env);
                None
            }
            Expr::Index { target, index, .. } => {
                self.expr(target, schema, env);
                self.expr(index, schema, env);
                None
            }
            Expr::Paren { inner, .. } => self.expr(inner, schema, env),
            Expr::Dynamic { .. } | Expr::Array { .. } | Expr::Object { .. } => {
                Some(ScalarType::Dynamic)
            }
            Expr::Pipeline(p) => {
                // `x in (T | project y)`, `toscalar(T | count)`: a sub-query with its own scope.
                self.pipeline(p, env, None);
                None
            }
        }
    }

    // The judging helpers below are kept out of `expr` (and out of line) so that its frame,
    // which is on the stack once per nesting level, stays small.

    #[inline(never)]
    fn judge_negation(&mut self, ty: ScalarType, span: Span, operand: &Expr) -> Option<ScalarType> {
        let minus = Span::new(span.start, span.start + 1);
        self.judge(kql_types::negate(ty), "-", minus, ty, None, &[operand.span()])
    }

    #[inline(never)]
    fn judge_binary(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        (lhs, left): (&Expr, Option<ScalarType>),
        (rhs, right): (&Expr, Option<ScalarType>),
    ) -> Option<ScalarType> {
        let arithmetic = matches!(
            op,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod
        );
        match (left, right) {
            (Some(l), Some(r)) => {
                let text = self.op_text(op, op_span);
                let verdict = kql_types::binary(op, l, r);
                self.judge(verdict, &text, op_span, l, Some(r), &[lhs.span(), rhs.span()])
            }
            _ if arithmetic => None,
            _ => Some(ScalarType::Bool),
        }
    }

    /// `x in~ (...)`, `x has_any (...)`: only the left side's type is checked (the items do
    /// not matter), and Kusto reports the left side.
    #[inline(never)]
    fn judge_list_operand(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, left: ScalarType) {
        let text = self.op_text(op, op_span);
        let verdict = kql_types::binary(op, left, ScalarType::String);
        self.judge(verdict, &text, lhs.span(), left, None, &[lhs.span()]);
    }

    #[inline(never)]
    fn judge_between(
        &mut self,
        lhs: &Expr,
        value: ScalarType,
        low: (&Expr, Option<ScalarType>),
        high: (&Expr, Option<ScalarType>),
    ) {
        for ((bound, bound_ty), upper) in [(low, false), (high, true)] {
            if let Some(b) = bound_ty
                && !kql_types::between_bound(value, b, upper)
            {
                self.out.operator_mismatches.push(OperatorMismatch {
                    op: "between".to_owned(),
                    span: bound.span(),
                    left: value,
                    right: Some(b),
                    operands: vec![lhs.span(), bound.span()],
                });
            }
        }
    }

    /// The operator as written (`!has_cs`, `matches regex`), or its canonical spelling.
    fn op_text(&self, op: BinaryOp, op_span: Span) -> String {
        match self.text.get(op_span.start as usize..op_span.end as usize) {
            Some(text) if !text.is_empty() => text.to_owned(),
            _ => op.as_str().to_owned(),
        }
    }

    /// Records a rejected operator and returns the result type of an accepted one.
    fn judge(
        &mut self,
        verdict: Verdict,
        op: &str,
        span: Span,
        left: ScalarType,
        right: Option<ScalarType>,
        operands: &[Span],
    ) -> Option<ScalarType> {
        match verdict {
            Verdict::Accepted(ty) => ty,
            Verdict::Rejected => {
                self.out.operator_mismatches.push(OperatorMismatch {
                    op: op.to_owned(),
                    span,
                    left,
                    right,
                    operands: operands.to_vec(),
                });
                None
            }
        }
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Arg],
        span: Span,
        schema: &Schema,
        env: &Env,
    ) -> Option<ScalarType> {
        if TIME_FUNCTIONS.contains(&name) {
            self.time_bounded = true;
        }
        self.collect_regex(name, args);
        let skip_args = matches!(name, "typeof" | "column_ifexists" | "materialize" | "toscalar");
        let mut arg_types = Vec::with_capacity(args.len());
        for arg in args {
            if skip_args {
                if let Expr::Pipeline(p) = &arg.value {
                    self.pipeline(p, env, None);
                }
                arg_types.push(None);
                continue;
            }
            arg_types.push(self.expr(&arg.value, schema, env));
        }
        if let Some(def) = env.lets.get(name) {
            self.out.symbols.push(Symbol {
                name: name.to_owned(),
                span: name_span,
                kind: def.symbol_kind(),
            });
            if let LetDef::Function { min, max, .. } = def {
                let (min, max) = (*min, *max);
                self.check_let_arity(name, span, args.len(), min, max);
            }
            return None;
        }
        if let Some(function) = self.knowledge.kql_function(name) {
            self.out.symbols.push(Symbol {
                name: name.to_owned(),
                span: name_span,
                kind: SymbolKind::Function,
            });
            if !function.signatures.is_empty() && !function.accepts_arity(args.len()) {
                self.out.arity_problems.push(ArityProblem {
                    name: name.to_owned(),
                    span,
                    given: args.len(),
                    expected: describe_arity(function.min_arity(), function.max_arity()),
                });
            }
            return match kql_types::fit_call(function, &arg_types) {
                CallFit::Fits(ty) => ty,
                CallFit::BadArgument { index, param, expected } => {
                    self.out.argument_mismatches.push(ArgumentMismatch {
                        function: name.to_owned(),
                        span: args.get(index).map_or(name_span, |a| a.value.span()),
                        given: arg_types,
                        index: Some(index),
                        param,
                        expected,
                    });
                    None
                }
                CallFit::NoOverload => {
                    self.out.argument_mismatches.push(ArgumentMismatch {
                        function: name.to_owned(),
                        span: name_span,
                        given: arg_types,
                        index: None,
                        param: String::new(),
                        expected: String::new(),
                    });
                    None
                }
            };
        }
        // Cross-service references (`arg("").Resources`, `workspace("x").T`) are not functions
        // of the catalog but are valid.
        let cross_service =
            matches!(name, "arg" | "adx" | "app" | "workspace" | "cluster" | "database" | "table");
        if !looks_like_workspace_function(name)
            && !cross_service
            && let Some(suggestion) = self.knowledge.suggest_kql_function(name)
        {
            self.out.unknown_functions.push(Unresolved {
                name: name.to_owned(),
                span: name_span,
                suggestion: Some(suggestion.to_owned()),
                scope: None,
            });
        }
        None
    }

    fn collect_regex(&mut self, name: &str, args: &[Arg]) {
        let index = match name {
            "extract" | "extract_all" | "replace" | "trim" | "trim_start" | "trim_end" => 0,
            "replace_regex" => 1,
            "countof" => {
                let is_regex = matches!(args.get(2).map(|a| &a.value), Some(Expr::Literal(l))
                    if matches!(&l.kind, LiteralKind::String { value } if value == "regex"));
                if !is_regex {
                    return;
                }
                1
            }
            _ => return,
        };
        if let Some(Expr::Literal(lit)) = args.get(index).map(|a| &a.value)
            && let LiteralKind::String { value } = &lit.kind
        {
            self.out.regexes.push(RegexUse {
                pattern: value.clone(),
                span: lit.span,
                user: format!("{name}()"),
            });
        }
    }

    // ---- the condition model --------------------------------------------------------------

    fn lower(&self, expr: &Expr) -> Condition {
        match expr {
            Expr::Paren { inner, .. } => self.lower(inner),
            Expr::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), span, .. } => {
                let mut items = Vec::new();
                self.flatten(expr, *op, &mut items);
                if *op == BinaryOp::And {
                    Condition::And(items, *span)
                } else {
                    Condition::Or(items, *span)
                }
            }
            Expr::Call { callee, args, span } if callee.name == "not" && args.len() == 1 => {
                Condition::Not(Box::new(self.lower(&args[0].value)), *span)
            }
            Expr::Literal(lit) => match lit.kind {
                LiteralKind::Bool(b) => Condition::Constant(b, lit.span),
                _ => Condition::Opaque(lit.span),
            },
            Expr::Binary { op, op_span, lhs, rhs, span } => {
                let Some((kind, negated, case_sensitive)) = classify(*op) else {
                    return Condition::Opaque(*span);
                };
                let (field_side, value_side) =
                    match (field_of(lhs, self.text), field_of(rhs, self.text)) {
                        (None, Some(_)) if kind == OpKind::Equal => (rhs, lhs),
                        _ => (lhs, rhs),
                    };
                let value = self.literal(value_side);
                Condition::Compare(Comparison {
                    field: field_of(field_side, self.text),
                    op: self.condition_operator(*op, *op_span, kind, negated, case_sensitive),
                    values_complete: value.is_some(),
                    values: value.into_iter().collect(),
                    span: *span,
                })
            }
            Expr::In { op, op_span, lhs, items, span } => {
                let Some((kind, negated, case_sensitive)) = classify(*op) else {
                    return Condition::Opaque(*span);
                };
                let values: Vec<Literal> = items.iter().filter_map(|i| self.literal(i)).collect();
                Condition::Compare(Comparison {
                    field: field_of(lhs, self.text),
                    op: self.condition_operator(*op, *op_span, kind, negated, case_sensitive),
                    values_complete: values.len() == items.len(),
                    values,
                    span: *span,
                })
            }
            Expr::Between { negated, lhs, span, .. } => Condition::Compare(Comparison {
                field: field_of(lhs, self.text),
                op: Operator {
                    kind: OpKind::Between,
                    negated: *negated,
                    case_sensitive: false,
                    wildcards: false,
                    text: String::new(),
                    span: Span::empty(span.start),
                },
                values: Vec::new(),
                values_complete: false,
                span: *span,
            }),
            other => Condition::Opaque(other.span()),
        }
    }

    /// The condition-model operator for a KQL operator written at `op_span`.
    fn condition_operator(
        &self,
        op: BinaryOp,
        op_span: Span,
        kind: OpKind,
        negated: bool,
        case_sensitive: bool,
    ) -> Operator {
        let text = self.text.get(op_span.start as usize..op_span.end as usize);
        Operator {
            kind,
            negated,
            case_sensitive,
            wildcards: false,
            text: text.unwrap_or(op.as_str()).to_owned(),
            span: op_span,
        }
    }

    fn flatten(&self, expr: &Expr, op: BinaryOp, items: &mut Vec<Condition>) {
        match expr {
            Expr::Binary { op: inner, lhs, rhs, .. } if *inner == op => {
                self.flatten(lhs, op, items);
                self.flatten(rhs, op, items);
            }
            Expr::Paren { inner, .. } if matches!(inner.as_ref(), Expr::Binary { op: o, .. } if *o == op) => {
                self.flatten(inner, op, items)
            }
            other => items.push(self.lower(other)),
        }
    }

    fn literal(&self, expr: &Expr) -> Option<Literal> {
        match expr {
            Expr::Paren { inner, .. } => self.literal(inner),
            Expr::Literal(lit) => {
                let (value, kind) = match &lit.kind {
                    LiteralKind::String { value } => (value.clone(), LitKind::String),
                    LiteralKind::Null => return None,
                    _ => (lit.span.text(self.text).to_owned(), LitKind::Other),
                };
                Some(Literal { value, kind, span: lit.span })
            }
            _ => None,
        }
    }
}

/// `materialize(T | ...)` / `toscalar(...)` around a pipeline.
fn materialized(expr: &Expr) -> Option<&Pipeline> {
    match expr {
        Expr::Call { callee, args, .. } if callee.name == "materialize" => {
            match args.first().map(|a| &a.value) {
                Some(Expr::Pipeline(p)) => Some(p),
                Some(Expr::Paren { inner, .. }) => match inner.as_ref() {
                    Expr::Pipeline(p) => Some(p),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

fn names_time_column(expr: &Expr) -> bool {
    match expr {
        Expr::Name(id) => is_time_column(&id.name),
        Expr::Paren { inner, .. } => names_time_column(inner),
        _ => false,
    }
}

fn field_of(expr: &Expr, text: &str) -> Option<Field> {
    match expr {
        Expr::Name(id) => Some(Field { name: id.name.clone(), span: id.span }),
        Expr::Member { span, .. } => Some(Field { name: span.text(text).to_owned(), span: *span }),
        Expr::Paren { inner, .. } => field_of(inner, text),
        _ => None,
    }
}

/// `(kind, negated, case_sensitive)` of a comparison operator.
fn classify(op: BinaryOp) -> Option<(OpKind, bool, bool)> {
    use BinaryOp as B;
    Some(match op {
        B::Eq | B::EqSingle => (OpKind::Equal, false, true),
        B::SearchHas => (OpKind::Has, false, false),
        B::NotEq | B::NotEqAlt => (OpKind::Equal, true, true),
        B::EqCi => (OpKind::Equal, false, false),
        B::NotEqCi => (OpKind::Equal, true, false),
        B::Lt | B::Le | B::Gt | B::Ge => (OpKind::Order, false, true),
        B::Has => (OpKind::Has, false, false),
        B::NotHas => (OpKind::Has, true, false),
        B::HasCs => (OpKind::Has, false, true),
        B::NotHasCs => (OpKind::Has, true, true),
        B::HasPrefix => (OpKind::HasPrefix, false, false),
        B::NotHasPrefix => (OpKind::HasPrefix, true, false),
        B::HasPrefixCs => (OpKind::HasPrefix, false, true),
        B::NotHasPrefixCs => (OpKind::HasPrefix, true, true),
        B::HasSuffix => (OpKind::HasSuffix, false, false),
        B::NotHasSuffix => (OpKind::HasSuffix, true, false),
        B::HasSuffixCs => (OpKind::HasSuffix, false, true),
        B::NotHasSuffixCs => (OpKind::HasSuffix, true, true),
        B::Contains => (OpKind::Contains, false, false),
        B::NotContains => (OpKind::Contains, true, false),
        B::ContainsCs => (OpKind::Contains, false, true),
        B::NotContainsCs => (OpKind::Contains, true, true),
        B::StartsWith => (OpKind::StartsWith, false, false),
        B::NotStartsWith => (OpKind::StartsWith, true, false),
        B::StartsWithCs => (OpKind::StartsWith, false, true),
        B::NotStartsWithCs => (OpKind::StartsWith, true, true),
        B::EndsWith => (OpKind::EndsWith, false, false),
        B::NotEndsWith => (OpKind::EndsWith, true, false),
        B::EndsWithCs => (OpKind::EndsWith, false, true),
        B::NotEndsWithCs => (OpKind::EndsWith, true, true),
        B::MatchesRegex => (OpKind::Regex, false, true),
        B::Like => (OpKind::Like, false, false),
        B::NotLike => (OpKind::Like, true, false),
        B::LikeCs => (OpKind::Like, false, true),
        B::NotLikeCs => (OpKind::Like, true, true),
        B::In => (OpKind::In, false, true),
        B::NotIn => (OpKind::In, true, true),
        B::InCi => (OpKind::In, false, false),
        B::NotInCi => (OpKind::In, true, false),
        B::HasAny => (OpKind::HasAny, false, false),
        B::HasAll => (OpKind::HasAll, false, false),
        B::Or | B::And | B::Add | B::Sub | B::Mul | B::Div | B::Mod => return None,
    })
}

/// True when `name` is `{base}_{type}` (compared in place: a `format!` per column made
/// unions of wide tables spend most of the lint in the allocator).
fn is_typed_name(name: &str, base: &str, ty: ScalarType) -> bool {
    name.strip_prefix(base).and_then(|rest| rest.strip_prefix('_')) == Some(ty.name())
}

/// Adds a column of a union leg to the union's columns. Kusto keeps one column per name, but
/// when two legs give the same name different types it outputs one column per type, named
/// `Name_type` (`LocationDetails_string`, `LocationDetails_dynamic`), and no `Name`. When a
/// type is unknown qlint cannot tell a conflict from a match and keeps the name as it is.
fn union_column(cols: &mut Vec<ColumnInfo>, col: ColumnInfo) {
    let typed = |c: &ColumnInfo, ty: ScalarType| ColumnInfo {
        name: format!("{}_{}", c.name, ty.name()),
        ty: Some(ty),
        origin: c.origin.clone(),
    };
    match cols.iter().position(|c| c.name == col.name) {
        None => {
            let split = cols.iter().any(|c| {
                c.ty.zip(col.ty)
                    .is_some_and(|(a, b)| a != b && is_typed_name(&c.name, &col.name, a))
            });
            match (split, col.ty) {
                // `Name` already split by an earlier conflict: this leg adds its own type.
                (true, Some(ty)) => {
                    let c = typed(&col, ty);
                    if !cols.iter().any(|x| x.name == c.name) {
                        cols.push(c);
                    }
                }
                _ => cols.push(col),
            }
        }
        Some(i) => match (cols[i].ty, col.ty) {
            (Some(a), Some(b)) if a != b => {
                let first = typed(&cols[i], a);
                cols[i] = first;
                cols.push(typed(&col, b));
            }
            _ => {}
        },
    }
}

/// Every comparison in `query` of a `tolower()` / `toupper()` value with a string literal that
/// has letters of the other case, under an operator that minds case (`==`, `!=`, `in`, `!in`,
/// the `_cs` operators, `matches regex` without `(?i)`): it never matches (or, negated,
/// always does). Comparisons in `where`, `extend`, `iff()`, `countif()` ... all count.
fn fold_mismatches(query: &Query, text: &str) -> Vec<FoldMismatch> {
    let mut out = Vec::new();
    qlint_grammar::kql::ast::walk_exprs(query, &mut |expr| {
        // (folded side, literal candidates): both ways round for a binary operator (a regex
        // pattern only on the right), every item for `in`.
        let (op, pairs): (BinaryOp, Vec<(&Expr, Vec<&Expr>)>) = match expr {
            Expr::Binary { op: BinaryOp::MatchesRegex, lhs, rhs, .. } => {
                (BinaryOp::MatchesRegex, vec![(lhs.as_ref(), vec![rhs.as_ref()])])
            }
            Expr::Binary { op, lhs, rhs, .. } => {
                (*op, vec![(lhs.as_ref(), vec![rhs.as_ref()]), (rhs.as_ref(), vec![lhs.as_ref()])])
            }
            Expr::In { op, lhs, items, .. } => (*op, vec![(lhs.as_ref(), items.iter().collect())]),
            _ => return,
        };
        let regex = op == BinaryOp::MatchesRegex;
        if !(regex || minds_case(op)) {
            return;
        }
        for (subject, candidates) in pairs {
            let Some(fold) = kql_case_fold(subject) else { continue };
            for candidate in candidates {
                let Expr::Literal(lit) = candidate else { continue };
                let qlint_grammar::kql::ast::LiteralKind::String { value } = &lit.kind else {
                    continue;
                };
                if regex && crate::analysis::spl::regex_ignores_case(value) {
                    continue;
                }
                let letters = if regex {
                    crate::analysis::spl::regex_literal_chars(value)
                } else {
                    value.clone()
                };
                if fold.excludes(&letters) {
                    out.push(FoldMismatch {
                        subject: subject.span().text(text).to_owned(),
                        fold,
                        literal: Literal {
                            value: value.clone(),
                            kind: LitKind::String,
                            span: lit.span,
                        },
                    });
                }
            }
        }
    });
    out
}

/// Operators that compare strings case-sensitively.
fn minds_case(op: BinaryOp) -> bool {
    use BinaryOp as B;
    matches!(
        op,
        B::Eq
            | B::EqSingle
            | B::NotEq
            | B::NotEqAlt
            | B::HasCs
            | B::NotHasCs
            | B::HasPrefixCs
            | B::NotHasPrefixCs
            | B::HasSuffixCs
            | B::NotHasSuffixCs
            | B::ContainsCs
            | B::NotContainsCs
            | B::StartsWithCs
            | B::NotStartsWithCs
            | B::EndsWithCs
            | B::NotEndsWithCs
            | B::LikeCs
            | B::NotLikeCs
            | B::In
            | B::NotIn
    )
}

/// The fold of `tolower(x)` / `toupper(x)`, possibly in parentheses.
fn kql_case_fold(expr: &Expr) -> Option<CaseFold> {
    match expr {
        Expr::Paren { inner, .. } => kql_case_fold(inner),
        Expr::Call { callee, args, .. } if args.len() == 1 => {
            // Kusto function names are case-sensitive.
            match callee.name.as_str() {
                "tolower" => Some(CaseFold::Lower),
                "toupper" => Some(CaseFold::Upper),
                _ => None,
            }
        }
        _ => None,
    }
}
