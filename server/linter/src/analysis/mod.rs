//! The semantic model of a query: names resolved against the knowledge, columns tracked
//! through the pipeline, macros expanded, regexes collected, and the condition model that the
//! detection-logic rules reason about. Analysis records facts; rules turn them into
//! diagnostics.

pub mod fields;
pub mod kql;
pub mod kql_types;
pub mod logic;
pub mod regex;
pub mod sigma;
pub mod spl;
pub mod yaral;
pub mod yaral_logic;

use qlint_grammar::Span;

use logic::LogicModel;

use qlint_knowledge::ScalarType;

/// A name that did not resolve, with the closest known name when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The name as written.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// "Did you mean" candidate.
    pub suggestion: Option<String>,
    /// Extra context for the message (the table or data model the name was looked up in).
    pub scope: Option<String>,
}

/// A regex literal and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexUse {
    /// The pattern after string escapes are decoded.
    pub pattern: String,
    /// The literal in the text.
    pub span: Span,
    /// Who uses it (`matches regex`, `extract()`, `rex`): for messages.
    pub user: String,
}

/// A call with the wrong number of arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArityProblem {
    /// Function or macro name.
    pub name: String,
    /// The call.
    pub span: Span,
    /// Arguments given.
    pub given: usize,
    /// What is accepted, as text ("2", "1 to 3", "at least 1").
    pub expected: String,
}

/// An operator whose operand types Kusto rejects (`Timestamp > "2024-01-01"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorMismatch {
    /// The operator as written (`>`, `has`, `between`, unary `-`).
    pub op: String,
    /// Where to report: the operator, or the offending bound of `between`.
    pub span: Span,
    /// The left (or only) operand's type.
    pub left: ScalarType,
    /// The right operand's type; `None` for a unary operator.
    pub right: Option<ScalarType>,
    /// The operands' spans: left and right (value and bound for `between`), or the only one.
    pub operands: Vec<Span>,
}

/// A call to a built-in function with an argument of a type that no overload takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentMismatch {
    /// Function name.
    pub function: String,
    /// The offending argument, or the function name when several overloads are possible.
    pub span: Span,
    /// The argument types of the call (`None` where unknown).
    pub given: Vec<Option<ScalarType>>,
    /// The offending argument, when one overload only has this arity.
    pub index: Option<usize>,
    /// The parameter's name in our docs (empty when `index` is `None`).
    pub param: String,
    /// What the parameter takes, as Markdown (empty when `index` is `None`).
    pub expected: String,
}

/// The analysis of one query.
#[derive(Debug, Clone)]
pub enum Analysis {
    /// A KQL query.
    Kql(kql::KqlAnalysis),
    /// An SPL search.
    Spl(spl::SplAnalysis),
    /// A file of YARA-L rules.
    Yaral(yaral::YaralAnalysis),
    /// A Sigma rule document.
    Sigma(Box<sigma::SigmaAnalysis>),
}

impl Analysis {
    /// The condition model.
    pub fn logic(&self) -> &LogicModel {
        match self {
            Analysis::Kql(a) => &a.logic,
            Analysis::Spl(a) => &a.logic,
            Analysis::Yaral(a) => &a.logic,
            Analysis::Sigma(a) => &a.logic,
        }
    }

    /// The KQL analysis, if this is KQL.
    pub fn kql(&self) -> Option<&kql::KqlAnalysis> {
        match self {
            Analysis::Kql(a) => Some(a),
            _ => None,
        }
    }

    /// The SPL analysis, if this is SPL.
    pub fn spl(&self) -> Option<&spl::SplAnalysis> {
        match self {
            Analysis::Spl(a) => Some(a),
            _ => None,
        }
    }

    /// The YARA-L analysis, if this is YARA-L.
    pub fn yaral(&self) -> Option<&yaral::YaralAnalysis> {
        match self {
            Analysis::Yaral(a) => Some(a),
            _ => None,
        }
    }

    /// The Sigma rule, if this is a Sigma document holding one.
    pub fn sigma(&self) -> Option<&sigma::SigmaRule> {
        match self {
            Analysis::Sigma(a) => a.rule.as_ref(),
            _ => None,
        }
    }
}

/// Text for an accepted arity range.
pub(crate) fn describe_arity(min: usize, max: Option<usize>) -> String {
    match max {
        Some(max) if max == min => min.to_string(),
        Some(max) => format!("{min} to {max}"),
        None => format!("at least {min}"),
    }
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), for
/// "did you mean" when a plain edit distance misses a swapped pair (`stast` for `stats`).
pub(crate) fn transposition_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
