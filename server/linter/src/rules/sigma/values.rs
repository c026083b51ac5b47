//! What the value-level Sigma checks share: which fields hold a full Windows path, how a plain
//! Sigma value reads its escapes, and which searches a condition negates.

use qlint_grammar::sigma::ast::{Expr, OfTarget};
use qlint_grammar::sigma::pattern_matches;

use crate::analysis::sigma::{FieldMatch, Search, SigmaRule};

/// Fields that hold the full path of a process image or a loaded file on Windows (Sysmon and
/// Security log names).
pub(crate) const IMAGE_PATH_FIELDS: &[&str] = &[
    "Image",
    "ParentImage",
    "GrandParentImage",
    "SourceImage",
    "TargetImage",
    "ImageLoaded",
    "NewProcessName",
    "ParentProcessName",
];

/// True when the field match is on a full-path image field of a Windows rule.
pub(crate) fn is_windows_image_path(rule: &SigmaRule, field: &FieldMatch) -> bool {
    rule.logsource.product.as_deref() == Some("windows")
        && IMAGE_PATH_FIELDS.contains(&field.field.as_str())
}

/// One character of a plain Sigma value after its escapes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A character matched as itself (an escaped `*`, `?` or `\` included).
    Literal(char),
    /// `*`: any run of characters.
    Many,
    /// `?`: one character.
    One,
}

/// A plain value as pySigma reads it: `\` escapes `*`, `?` and `\`, and is kept before any
/// other character; unescaped `*` and `?` are wildcards. Each piece comes with the byte
/// offset where it starts in `value`, and whether it was escaped.
pub(crate) fn pieces(value: &str) -> Vec<(usize, Piece, bool)> {
    let mut out = Vec::new();
    let mut chars = value.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&(_, next @ ('*' | '?' | '\\'))) => {
                    chars.next();
                    out.push((at, Piece::Literal(next), true));
                }
                _ => out.push((at, Piece::Literal('\\'), false)),
            },
            '*' => out.push((at, Piece::Many, false)),
            '?' => out.push((at, Piece::One, false)),
            _ => out.push((at, Piece::Literal(c), false)),
        }
    }
    out
}

/// The names of the searches that some condition uses under an odd number of `not`s.
pub(crate) fn negated_searches(rule: &SigmaRule) -> Vec<&Search> {
    let Some(detection) = &rule.detection else { return Vec::new() };
    let mut names: Vec<&Search> = Vec::new();
    for condition in &detection.conditions {
        collect(&condition.parse.tree.expr, false, &detection.searches, &mut names);
    }
    names
}

fn collect<'r>(expr: &Expr, negated: bool, searches: &'r [Search], out: &mut Vec<&'r Search>) {
    let mut push = |matches: &dyn Fn(&Search) -> bool| {
        for search in searches.iter().filter(|s| matches(s)) {
            if negated && !out.iter().any(|s| s.name == search.name) {
                out.push(search);
            }
        }
    };
    match expr {
        Expr::Ident(name) => push(&|s| s.name == name.text),
        Expr::Of(of) => match &of.target {
            OfTarget::Pattern(p) => push(&|s| pattern_matches(&p.text, &s.name)),
            OfTarget::Them(_) => push(&|s| !s.name.starts_with('_')),
        },
        Expr::Not { operand, .. } => collect(operand, !negated, searches, out),
        Expr::Paren { inner, .. } => collect(inner, negated, searches, out),
        Expr::And { operands, .. } | Expr::Or { operands, .. } => {
            for operand in operands {
                collect(operand, negated, searches, out);
            }
        }
        Expr::Error(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_pysigma_reads_them() {
        let read = |v: &str| pieces(v).into_iter().map(|(_, p, e)| (p, e)).collect::<Vec<_>>();
        assert_eq!(read(r"a\*"), [(Piece::Literal('a'), false), (Piece::Literal('*'), true)]);
        assert_eq!(read(r"\\*"), [(Piece::Literal('\\'), true), (Piece::Many, false)]);
        assert_eq!(read(r"\W"), [(Piece::Literal('\\'), false), (Piece::Literal('W'), false)]);
        assert_eq!(read(r"x\"), [(Piece::Literal('x'), false), (Piece::Literal('\\'), false)]);
        assert_eq!(read("?"), [(Piece::One, false)]);
    }
}
