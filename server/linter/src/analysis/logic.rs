//! The condition model that the detection-logic rules reason about.
//!
//! Both languages are lowered into this small representation: the filters of a query as
//! boolean trees of comparisons between a field and literal values, plus a few query-wide
//! facts (is there a time bound, is there an exclusion that the filters do not show). Rules
//! never look at the syntax tree for these checks, so the same reasoning serves KQL and SPL.

use qlint_grammar::Span;

/// A field (column) named by a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name as written, without brackets or quotes; for SPL data-model fields the dataset
    /// prefix is kept (`Processes.process_name`).
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

impl Field {
    /// The name without a data-model dataset prefix (`Processes.process_name` -> `process_name`).
    pub fn base_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

/// The kind of a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    /// A string (quoted, or a bare SPL value).
    String,
    /// A number, a boolean, a timespan, a datetime: anything whose case cannot matter.
    Other,
}

/// A literal value compared against a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// The decoded value (escapes resolved); for `Other`, the text as written.
    pub value: String,
    /// String or not.
    pub kind: LiteralKind,
    /// The literal as written, quotes included.
    pub span: Span,
}

impl Literal {
    /// True for a string literal containing at least one ASCII letter (case can matter).
    pub fn has_letters(&self) -> bool {
        self.kind == LiteralKind::String && self.value.chars().any(|c| c.is_alphabetic())
    }

    /// True when the letters of the literal are not all of one case (`PowerShell.exe`).
    pub fn has_uppercase(&self) -> bool {
        self.kind == LiteralKind::String && self.value.chars().any(|c| c.is_uppercase())
    }
}

/// What a comparison tests, independent of negation and case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// `==`, `=~`, SPL `field=value` (SPL search values may hold `*` wildcards).
    Equal,
    /// `<`, `<=`, `>`, `>=`.
    Order,
    /// `has` (whole term).
    Has,
    /// `hasprefix`.
    HasPrefix,
    /// `hassuffix`.
    HasSuffix,
    /// `contains` (substring).
    Contains,
    /// `startswith`.
    StartsWith,
    /// `endswith`.
    EndsWith,
    /// `in`, `in~`, SPL `IN (...)`.
    In,
    /// `has_any`.
    HasAny,
    /// `has_all`.
    HasAll,
    /// `matches regex`, SPL `match()`, `regex`.
    Regex,
    /// `like` (KQL) or SPL `like()`.
    Like,
    /// `between`.
    Between,
    /// A bare SPL search term (no field).
    Term,
}

/// A comparison operator with its modifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// What it tests.
    pub kind: OpKind,
    /// `!=`, `!has`, `!in`, SPL `!=`.
    pub negated: bool,
    /// `==`, `has_cs`, `in`, SPL `where` `==`: case matters.
    pub case_sensitive: bool,
    /// SPL search values: `*` is a wildcard.
    pub wildcards: bool,
    /// The operator as written (`!startswith_cs`); empty when implicit (SPL bare terms).
    pub text: String,
    /// Where it is written; empty when implicit.
    pub span: Span,
}

/// `field OP literal…`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The field side, when it is a plain field (not an expression); `None` for SPL bare
    /// terms and for expressions such as `tolower(x)`.
    pub field: Option<Field>,
    /// The operator.
    pub op: Operator,
    /// The literal values on the other side (`in` lists have several). Empty when the other
    /// side is not literal.
    pub values: Vec<Literal>,
    /// True when every value of the other side was a literal (so `values` is the whole list).
    pub values_complete: bool,
    /// The whole comparison.
    pub span: Span,
}

/// A boolean condition as written in a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// All must hold (`and`, SPL implicit AND).
    And(Vec<Condition>, Span),
    /// One must hold.
    Or(Vec<Condition>, Span),
    /// Negation (`not(...)`, SPL `NOT`).
    Not(Box<Condition>, Span),
    /// A comparison.
    Compare(Comparison),
    /// A literal `true`/`false` (or `1 == 1`).
    Constant(bool, Span),
    /// Anything else: a function call, an arithmetic test, a macro.
    Opaque(Span),
}

impl Condition {
    /// The span of the whole condition.
    pub fn span(&self) -> Span {
        match self {
            Condition::And(_, s) | Condition::Or(_, s) | Condition::Not(_, s) => *s,
            Condition::Compare(c) => c.span,
            Condition::Constant(_, s) | Condition::Opaque(s) => *s,
        }
    }

    /// Visits every comparison with its polarity (`true` when an even number of `Not`s is
    /// above it).
    pub fn for_each_comparison<'a>(
        &'a self,
        positive: bool,
        f: &mut dyn FnMut(&'a Comparison, bool),
    ) {
        match self {
            Condition::And(items, _) | Condition::Or(items, _) => {
                for item in items {
                    item.for_each_comparison(positive, f);
                }
            }
            Condition::Not(inner, _) => inner.for_each_comparison(!positive, f),
            Condition::Compare(c) => f(c, positive),
            Condition::Constant(..) | Condition::Opaque(_) => {}
        }
    }

    /// Visits this condition and every sub-condition.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Condition)) {
        f(self);
        match self {
            Condition::And(items, _) | Condition::Or(items, _) => {
                for item in items {
                    item.walk(f);
                }
            }
            Condition::Not(inner, _) => inner.walk(f),
            _ => {}
        }
    }
}

/// Where a filter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOrigin {
    /// KQL `where` / `filter` (and `search`-like predicates).
    KqlWhere,
    /// The first (event-retrieving) SPL search clause.
    SplBaseSearch,
    /// A later `| search` or a subsearch clause.
    SplSearch,
    /// SPL `| where` (eval-expression semantics: `==` is case-sensitive).
    SplWhere,
    /// SPL `| tstats ... where ...`.
    SplTstatsWhere,
    /// SPL `| regex field="re"` / `field!="re"` (a regex: case matters unless `(?i)`).
    SplRegex,
    /// A statement of a YARA-L rule's `events:` section.
    YaralEvents,
}

/// One filter of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// What kind of clause it is.
    pub origin: FilterOrigin,
    /// The condition.
    pub condition: Condition,
}

/// The detection-relevant view of one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogicModel {
    /// Every filter, in text order (subqueries included).
    pub filters: Vec<Filter>,
    /// The query narrows its time range itself (`ago()`, `between`, a `Timestamp` test,
    /// `earliest=`); `None` when it cannot be known (parameters, macros that may hold it).
    pub time_bounded: Option<bool>,
    /// Where the query reads event data that has a time dimension (table names, the
    /// first search); empty when it only reads lookups, `let` values or functions.
    pub event_sources: Vec<(String, Span)>,
    /// Exclusion evidence outside the filters: an anti-join, an ESCU `*_filter` macro, a
    /// lookup-based allow list.
    pub exclusion_elsewhere: bool,
}

impl LogicModel {
    /// True when anything in the query excludes events: a negated comparison, a `not`, or
    /// exclusion evidence elsewhere.
    pub fn has_exclusion(&self) -> bool {
        if self.exclusion_elsewhere {
            return true;
        }
        self.filters.iter().any(|filter| {
            let mut found = false;
            filter.condition.for_each_comparison(true, &mut |c, positive| {
                if c.op.negated == positive {
                    found = true;
                }
            });
            filter.condition.walk(&mut |c| {
                if matches!(c, Condition::Not(..)) {
                    found = true;
                }
            });
            found
        })
    }

    /// Every comparison of every filter, with its polarity and origin.
    pub fn comparisons(&self) -> Vec<(&Comparison, bool, FilterOrigin)> {
        let mut out = Vec::new();
        for filter in &self.filters {
            filter.condition.for_each_comparison(true, &mut |c, positive| {
                out.push((c, positive, filter.origin));
            });
        }
        out
    }
}

/// How a value was case-folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseFold {
    /// SPL `lower()`, KQL `tolower()`.
    Lower,
    /// SPL `upper()`, KQL `toupper()`.
    Upper,
}

impl CaseFold {
    /// `"lowercase"` / `"uppercase"`, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            CaseFold::Lower => "lowercase",
            CaseFold::Upper => "uppercase",
        }
    }

    /// True when `literal` has a letter that a value folded this way cannot have.
    pub fn excludes(self, literal: &str) -> bool {
        match self {
            CaseFold::Lower => literal.chars().any(char::is_uppercase),
            CaseFold::Upper => literal.chars().any(char::is_lowercase),
        }
    }

    /// `literal` folded the same way, when that is exact (ASCII only).
    pub fn apply(self, literal: &str) -> Option<String> {
        literal.is_ascii().then(|| match self {
            CaseFold::Lower => literal.to_ascii_lowercase(),
            CaseFold::Upper => literal.to_ascii_uppercase(),
        })
    }
}

/// A case-folded value compared case-sensitively with a literal that has letters of the other
/// case, which never matches: SPL `lower(x)="PowerShell.exe"` (or a field that an earlier
/// `eval` folded), KQL `tolower(x) == "PowerShell.exe"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldMismatch {
    /// The folded side as written (`lower(process_name)`, `p`, `tolower(FileName)`).
    pub subject: String,
    /// How it was folded.
    pub fold: CaseFold,
    /// The literal that cannot match.
    pub literal: Literal,
}
