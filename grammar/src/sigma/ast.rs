//! The tree of a Sigma `condition`.
//!
//! Every node carries the byte [`Span`] of the text it came from (offsets into the condition
//! string; the caller maps them into the YAML file). Broken input yields [`Expr::Error`] nodes
//! inside an otherwise normal tree. `and` and `or` chains are n-ary, so a long chain is a wide
//! node, not a deep one.

use crate::Span;

/// A whole condition: a boolean expression and, rarely, the deprecated `| aggregation`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The boolean expression before any `|`.
    pub expr: Expr,
    /// The deprecated aggregation after `|` (`| count() by Host > 5`), when present.
    pub aggregation: Option<Aggregation>,
    /// Span of the whole condition text.
    pub span: Span,
}

/// A word as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The text of the word.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// A boolean expression over search identifiers.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A search identifier: the name of a selection under `detection:`.
    Ident(Name),
    /// `1 of pattern`, `any of pattern`, `all of them`.
    Of(OfExpr),
    /// `not operand`.
    Not {
        /// Span of the `not` keyword.
        keyword: Span,
        /// What is negated.
        operand: Box<Expr>,
        /// Span from `not` to the end of the operand.
        span: Span,
    },
    /// `a and b and c`: two or more operands.
    And {
        /// The operands in source order.
        operands: Vec<Expr>,
        /// Span from the first to the last operand.
        span: Span,
    },
    /// `a or b or c`: two or more operands.
    Or {
        /// The operands in source order.
        operands: Vec<Expr>,
        /// Span from the first to the last operand.
        span: Span,
    },
    /// `( inner )`.
    Paren {
        /// The expression inside.
        inner: Box<Expr>,
        /// Span from `(` to `)` (or to the end of `inner` when `)` is missing).
        span: Span,
    },
    /// Input that could not be parsed; its error is in `Parse::errors`.
    Error(Span),
}

/// How many of the matched identifiers must match: `1 of`, `any of`, `all of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// A number: `1 of` (any other number is reported as an error and kept for recovery).
    Count(u32),
    /// `any of` (a synonym of `1 of`).
    Any,
    /// `all of`.
    All,
}

/// What `of` ranges over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfTarget {
    /// `them`: every search identifier not starting with `_`.
    Them(Span),
    /// A pattern such as `selection_*` (a `*` matches any run of characters).
    Pattern(Name),
}

/// `quantifier of target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfExpr {
    /// The quantifier.
    pub quantifier: Quantifier,
    /// Span of the quantifier word.
    pub quantifier_span: Span,
    /// What the quantifier ranges over.
    pub target: OfTarget,
    /// Span from the quantifier to the end of the target.
    pub span: Span,
}

/// A comparison in the deprecated aggregation: `> 5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `=` or `==`.
    Eq,
    /// `!=`.
    NotEq,
}

/// The deprecated Sigma 1 aggregation after `|`: `count(field) by group > 5`, or
/// `near sel_a and not sel_b`. pySigma rejects it (correlation rules replace it); the tree keeps
/// it so that the linter can say so at the right place.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregation {
    /// Span of the `|`.
    pub pipe: Span,
    /// The function (`count`, `min`, `max`, `avg`, `sum`, `near`); `None` when the text after
    /// `|` does not start with a word.
    pub function: Option<Name>,
    /// The field in the parentheses: `count(User)`.
    pub field: Option<Name>,
    /// The field after `by`.
    pub group_by: Option<Name>,
    /// The comparison and its threshold: `> 5`.
    pub comparison: Option<(CompareOp, Name)>,
    /// For `near`: the expression after it.
    pub near: Option<Box<Expr>>,
    /// Span from `|` to the end of the condition.
    pub span: Span,
}

impl Expr {
    /// The span of the expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Ident(name) => name.span,
            Expr::Of(of) => of.span,
            Expr::Not { span, .. }
            | Expr::And { span, .. }
            | Expr::Or { span, .. }
            | Expr::Paren { span, .. }
            | Expr::Error(span) => *span,
        }
    }

    /// Calls `f` on this expression and every expression inside it, parents first.
    pub fn walk<'e>(&'e self, f: &mut dyn FnMut(&'e Expr)) {
        f(self);
        match self {
            Expr::Not { operand, .. } => operand.walk(f),
            Expr::Paren { inner, .. } => inner.walk(f),
            Expr::And { operands, .. } | Expr::Or { operands, .. } => {
                for operand in operands {
                    operand.walk(f);
                }
            }
            Expr::Ident(_) | Expr::Of(_) | Expr::Error(_) => {}
        }
    }
}

/// A reference from a condition to the detection's search identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference<'c> {
    /// A plain search identifier.
    Ident(&'c Name),
    /// `… of pattern`.
    Pattern(&'c Name),
    /// `… of them`.
    Them(Span),
}

impl Condition {
    /// Every reference to search identifiers, in source order (the `near` part included).
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut out = Vec::new();
        let exprs = std::iter::once(&self.expr)
            .chain(self.aggregation.iter().filter_map(|a| a.near.as_deref()));
        for expr in exprs {
            expr.walk(&mut |e| match e {
                Expr::Ident(name) => out.push(Reference::Ident(name)),
                Expr::Of(OfExpr { target: OfTarget::Pattern(p), .. }) => {
                    out.push(Reference::Pattern(p))
                }
                Expr::Of(OfExpr { target: OfTarget::Them(span), .. }) => {
                    out.push(Reference::Them(*span))
                }
                _ => {}
            });
        }
        out
    }
}

/// True when the search identifier `name` is matched by the `of` pattern `pattern`, as pySigma
/// matches it: `*` is any run of characters, the pattern is anchored at the start only (so
/// `sel` matches `selection`), and names starting with `_` are never matched.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    if name.starts_with('_') {
        return false;
    }
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::pattern_matches;

    #[test]
    fn patterns_match_like_pysigma() {
        assert!(pattern_matches("selection_*", "selection_img"));
        assert!(pattern_matches("selection_*", "selection_"));
        assert!(!pattern_matches("selection_*", "selection"));
        assert!(pattern_matches("sel", "selection"), "anchored at the start only");
        assert!(pattern_matches("*_img", "selection_img"));
        assert!(pattern_matches("*img", "selection_img_x"), "not anchored at the end");
        assert!(pattern_matches("a*b*c", "a_b_c"));
        assert!(!pattern_matches("a*b*c", "a_c_b"));
        assert!(!pattern_matches("filter_*", "_filter_x"), "`_` names are hidden");
        assert!(pattern_matches("*", "x"));
    }
}
