//! The YARA-L syntax tree. Every node carries its byte span in the parsed text.

use crate::Span;

/// A file of YARA-L rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleFile {
    /// The rules in source order.
    pub rules: Vec<Rule>,
    /// The whole text.
    pub span: Span,
}

/// `rule name { sections }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule's name (empty when missing).
    pub name: Ident,
    /// The sections in source order (a broken one has [`SectionKind::Error`]).
    pub sections: Vec<Section>,
    /// From `rule` to the closing `}`.
    pub span: Span,
}

impl Rule {
    /// The first section of `kind`, if any.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}

/// A name with its span. For variables the text has no sigil (`e` for `$e`) while the span
/// covers the sigil.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ident {
    /// The name as written (without `$`, `#` or `%`).
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// Which section a section is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// `meta:`
    Meta,
    /// `events:`
    Events,
    /// `match:`
    Match,
    /// `outcome:`
    Outcome,
    /// `condition:`
    Condition,
    /// `options:`
    Options,
    /// A section that could not be parsed (e.g. a misspelt name).
    Error,
}

impl SectionKind {
    /// The keyword of every section.
    pub const KEYWORDS: [&'static str; 6] =
        ["meta", "events", "match", "outcome", "condition", "options"];

    /// The kind named by `keyword`.
    pub fn from_keyword(keyword: &str) -> Option<SectionKind> {
        Some(match keyword {
            "meta" => SectionKind::Meta,
            "events" => SectionKind::Events,
            "match" => SectionKind::Match,
            "outcome" => SectionKind::Outcome,
            "condition" => SectionKind::Condition,
            "options" => SectionKind::Options,
            _ => return None,
        })
    }

    /// The keyword of the section (`?` for an error section).
    pub fn keyword(self) -> &'static str {
        match self {
            SectionKind::Meta => "meta",
            SectionKind::Events => "events",
            SectionKind::Match => "match",
            SectionKind::Outcome => "outcome",
            SectionKind::Condition => "condition",
            SectionKind::Options => "options",
            SectionKind::Error => "?",
        }
    }
}

/// One section of a rule: its header (`events:`) and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Which section.
    pub kind: SectionKind,
    /// The header, keyword and colon.
    pub header: Span,
    /// The parsed body.
    pub body: SectionBody,
    /// From the header to the end of the body.
    pub span: Span,
}

/// The body of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum SectionBody {
    /// `key = value` lines of `meta:`.
    Meta(Vec<Assignment>),
    /// The statements of `events:`, joined by an implicit `and`.
    Events(Vec<Expr>),
    /// The `match:` clause (`None` when the section is empty).
    Match(Option<MatchClause>),
    /// `$name = expression` lines of `outcome:`.
    Outcome(Vec<Assignment>),
    /// The `condition:` expression (`None` when empty).
    Condition(Option<Expr>),
    /// `key = value` lines of `options:`.
    Options(Vec<Assignment>),
    /// A section that could not be parsed.
    Error,
}

/// `target = value` in `meta:`, `outcome:` or `options:`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The key (meta, options) or outcome variable (without `$`).
    pub target: Ident,
    /// The value.
    pub value: Expr,
    /// The whole line.
    pub span: Span,
}

/// `$a, $b over 5m` with an optional `every`, `after $e` or `before $e`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchClause {
    /// The match variables (without `$`).
    pub vars: Vec<Ident>,
    /// `over` (hop window) or `by` (tumbling window).
    pub window_keyword: Ident,
    /// The window size.
    pub window: Duration,
    /// `every 5m`, if given.
    pub every: Option<Duration>,
    /// `after $e` / `before $e` for a sliding window: the keyword and the pivot event.
    pub sliding: Option<(Ident, Ident)>,
    /// The whole clause.
    pub span: Span,
}

/// A time span like `5m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    /// The number.
    pub value: u64,
    /// `s`, `m`, `h` or `d`.
    pub unit: char,
    /// Where it is.
    pub span: Span,
}

impl Duration {
    /// The length in seconds (saturating).
    pub fn seconds(&self) -> u64 {
        let factor = match self.unit {
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => 1,
        };
        self.value.saturating_mul(factor)
    }
}

/// A UDM path on an event or entity variable: `$e.principal.process.file.full_path`,
/// `$e.about[0].labels["key"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPath {
    /// The event variable (without `$`).
    pub var: Ident,
    /// The fields and indexes after it.
    pub segments: Vec<Segment>,
    /// The whole path.
    pub span: Span,
}

impl FieldPath {
    /// The field names joined by `.`, indexes left out: `principal.process.file.full_path`.
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self
            .segments
            .iter()
            .filter_map(|s| match s {
                Segment::Field(i) => Some(i.text.as_str()),
                Segment::Index { .. } => None,
            })
            .collect();
        names.join(".")
    }
}

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name`
    Field(Ident),
    /// `[0]` or `["key"]`.
    Index {
        /// The index or key.
        index: Box<Expr>,
        /// From `[` to `]`.
        span: Span,
    },
}

/// A quoted literal: the decoded text and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// The text between the quotes (escapes of `"` strings resolved).
    pub value: String,
    /// Where it is, quotes included.
    pub span: Span,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not` or `!`
    Not,
    /// `-`
    Neg,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `=`
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
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// True for `= != < <= > >=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

/// What `in` tests against: `in %l`, `in regex %l`, `in cidr %l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InKind {
    /// Plain membership.
    Plain,
    /// `in regex`
    Regex,
    /// `in cidr`
    Cidr,
}

/// `any` / `all` over a repeated field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `any`
    Any,
    /// `all`
    All,
}

/// An expression (event statements, outcome values, the condition, meta values).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `$name`: an event, placeholder, match or outcome variable.
    Variable(Ident),
    /// `#e`: how many events matched `$e`.
    Count(Ident),
    /// `%list`: a reference list.
    RefList(Ident),
    /// A UDM path on an event: `$e.principal.hostname`.
    Field(FieldPath),
    /// `"text"`
    String(Literal),
    /// `` `text` `` (usually a regex pattern).
    RawString(Literal),
    /// `/pattern/`
    Regex(Literal),
    /// A number, as written.
    Number(Ident),
    /// A bare name: `true`, `false`, `null`, an enum constant.
    Name(Ident),
    /// `strings.to_lower(x)`, `count_distinct(x)`, `if(c, a, b)`.
    Call {
        /// The (dotted) function name.
        name: Ident,
        /// The arguments.
        args: Vec<Expr>,
        /// From the name to `)`.
        span: Span,
    },
    /// `not x`, `!$e`, `-1`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Where the operator is.
        op_span: Span,
        /// The operand.
        operand: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `a and b`, `$e.x = "y"`, `$a + 1`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Where the operator is.
        op_span: Span,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `x in %list`, `x in regex %list`, `x in cidr %list`.
    In {
        /// The tested value.
        value: Box<Expr>,
        /// Which membership.
        kind: InKind,
        /// The list (usually [`Expr::RefList`]).
        list: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `comparison nocase`.
    Nocase {
        /// The comparison or regex call it modifies.
        inner: Box<Expr>,
        /// Where `nocase` is.
        nocase_span: Span,
        /// The whole expression.
        span: Span,
    },
    /// `any $e.ip = "1.2.3.4"`, `all ...`.
    Quantified {
        /// `any` or `all`.
        quantifier: Quantifier,
        /// Where the keyword is.
        keyword_span: Span,
        /// The quantified comparison.
        inner: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `( inner )`.
    Paren {
        /// The inner expression.
        inner: Box<Expr>,
        /// Parentheses included.
        span: Span,
    },
    /// Input that could not be parsed.
    Error(Span),
}

impl Expr {
    /// The byte span of the expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Variable(i)
            | Expr::Count(i)
            | Expr::RefList(i)
            | Expr::Number(i)
            | Expr::Name(i) => i.span,
            Expr::Field(f) => f.span,
            Expr::String(l) | Expr::RawString(l) | Expr::Regex(l) => l.span,
            Expr::Call { span, .. }
            | Expr::Unary { span, .. }
            | Expr::Binary { span, .. }
            | Expr::In { span, .. }
            | Expr::Nocase { span, .. }
            | Expr::Quantified { span, .. }
            | Expr::Paren { span, .. }
            | Expr::Error(span) => *span,
        }
    }

    /// Calls `f` on this expression and every expression inside it, parents first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Field(path) => {
                for s in &path.segments {
                    if let Segment::Index { index, .. } = s {
                        index.walk(f);
                    }
                }
            }
            Expr::Call { args, .. } => args.iter().for_each(|a| a.walk(f)),
            Expr::Unary { operand, .. } => operand.walk(f),
            Expr::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            Expr::In { value, list, .. } => {
                value.walk(f);
                list.walk(f);
            }
            Expr::Nocase { inner, .. }
            | Expr::Quantified { inner, .. }
            | Expr::Paren { inner, .. } => inner.walk(f),
            _ => {}
        }
    }
}
