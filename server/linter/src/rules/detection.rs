//! Reasoning shared by the KQL and SPL detection-logic rules, over the condition model.

use qlint_grammar::Span;

use crate::analysis::logic::{
    Comparison, Condition, FoldMismatch, Literal, LiteralKind, LogicModel, OpKind,
};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rules::RuleMeta;

/// A value compared for equality: case folded when the operator ignores case. Only ASCII
/// letters are folded, as Kusto's `=~`, `in~` and `has` do: Cyrillic `а` and `А` (homoglyphs
/// of Latin `a` used in lookalike-name detections) stay two values.
fn normalise(literal: &Literal, case_sensitive: bool) -> String {
    if case_sensitive || literal.kind != LiteralKind::String {
        literal.value.clone()
    } else {
        literal.value.to_ascii_lowercase()
    }
}

/// A literal that repeats an earlier one of the same list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateValue {
    /// The repeated literal.
    pub span: Span,
    /// Its value.
    pub value: String,
    /// What to delete to remove it (the separator before it included), when that is clean.
    pub removal: Option<Span>,
}

/// Repeated values inside one `in` / `has_any` / `has_all` / SPL `IN` list.
pub fn duplicate_list_values(logic: &LogicModel, text: &str) -> Vec<DuplicateValue> {
    let mut out = Vec::new();
    for (c, _, _) in logic.comparisons() {
        if !matches!(c.op.kind, OpKind::In | OpKind::HasAny | OpKind::HasAll) {
            continue;
        }
        let mut seen: Vec<String> = Vec::new();
        for (i, literal) in c.values.iter().enumerate() {
            let key = normalise(literal, c.op.case_sensitive);
            if seen.contains(&key) {
                let removal = (i > 0)
                    .then(|| removal_span(text, c.values[i - 1].span, literal.span))
                    .flatten();
                out.push(DuplicateValue {
                    span: literal.span,
                    value: literal.value.clone(),
                    removal,
                });
            } else {
                seen.push(key);
            }
        }
    }
    out
}

/// `prev.end..this.end` when only blanks and one comma stand between the two literals.
fn removal_span(text: &str, prev: Span, this: Span) -> Option<Span> {
    let between = text.get(prev.end as usize..this.start as usize)?;
    let commas = between.chars().filter(|&c| c == ',').count();
    let clean = between.chars().all(|c| c == ',' || c.is_whitespace());
    (clean && commas <= 1).then_some(Span::new(prev.end, this.end))
}

/// When two comparisons are the same, as a key: the same field, operator (kind, negation,
/// case) and complete non-empty list of values (case-folded where the operator ignores case),
/// or for SPL bare terms the same single value ignoring ASCII case. A comparison without a
/// key is the same as none.
#[derive(PartialEq, Eq, Hash)]
enum SameKey<'a> {
    /// A field compared with a complete, non-empty list of literals.
    Field(&'a str, std::mem::Discriminant<OpKind>, bool, bool, Vec<String>),
    /// An SPL bare term, ASCII-lowercased.
    Term(String),
}

fn same_key(c: &Comparison) -> Option<SameKey<'_>> {
    match &c.field {
        Some(field) => (c.values_complete && !c.values.is_empty()).then(|| {
            let cs = c.op.case_sensitive;
            SameKey::Field(
                &field.name,
                std::mem::discriminant(&c.op.kind),
                c.op.negated,
                cs,
                c.values.iter().map(|v| normalise(v, cs)).collect(),
            )
        }),
        None => match c.values.as_slice() {
            [value] if c.op.kind == OpKind::Term => {
                Some(SameKey::Term(value.value.to_ascii_lowercase()))
            }
            _ => None,
        },
    }
}

/// Comparisons that repeat an earlier sibling of the same `and` / `or`: `(repeat, first)`.
pub fn duplicate_comparisons(logic: &LogicModel) -> Vec<(Span, Span)> {
    let mut out = Vec::new();
    for filter in &logic.filters {
        filter.condition.walk(&mut |node| {
            let (Condition::And(items, _) | Condition::Or(items, _)) = node else { return };
            // The first sibling of each key (a pairwise search was quadratic in long chains).
            let mut first: std::collections::HashMap<SameKey<'_>, Span> =
                std::collections::HashMap::new();
            for item in items {
                let Condition::Compare(later) = item else { continue };
                let Some(key) = same_key(later) else { continue };
                match first.entry(key) {
                    std::collections::hash_map::Entry::Occupied(seen) => {
                        out.push((later.span, *seen.get()));
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(later.span);
                    }
                }
            }
        });
    }
    out
}

/// Whether a group can never hold or always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `x == "a" and x == "b"`.
    AlwaysFalse,
    /// `x != "a" or x != "b"`.
    AlwaysTrue,
}

/// A single-valued equality test: `(field, value, negated, case_sensitive)`.
type Equality<'a> = (&'a str, &'a Literal, bool, bool);

/// The equality test a comparison makes, if it is one.
fn equality(c: &Comparison) -> Option<Equality<'_>> {
    if c.op.kind != OpKind::Equal || c.op.wildcards || !c.values_complete {
        return None;
    }
    let [literal] = c.values.as_slice() else { return None };
    Some((c.field.as_ref()?.name.as_str(), literal, c.op.negated, c.op.case_sensitive))
}

fn values_differ(a: &Literal, a_cs: bool, b: &Literal, b_cs: bool) -> Option<bool> {
    if a.kind != b.kind {
        return None;
    }
    if a.kind == LiteralKind::Other {
        // Only integers are compared: `1.0` and `1` are equal to Kusto.
        let (x, y) = (a.value.parse::<i64>().ok()?, b.value.parse::<i64>().ok()?);
        return Some(x != y);
    }
    let cs = a_cs && b_cs;
    Some(normalise(a, cs) != normalise(b, cs))
}

/// Pairs of sibling equality tests that make their `and` always false or their `or` always
/// true: `(second comparison, first comparison, verdict)`.
pub fn contradictions(logic: &LogicModel) -> Vec<(Span, Span, Verdict)> {
    let mut out = Vec::new();
    for filter in &logic.filters {
        filter.condition.walk(&mut |node| {
            let (items, is_and) = match node {
                Condition::And(items, _) => (items, true),
                Condition::Or(items, _) => (items, false),
                _ => return,
            };
            let tests: Vec<(&Comparison, Equality<'_>)> = items
                .iter()
                .filter_map(|item| match item {
                    Condition::Compare(c) => equality(c).map(|e| (c, e)),
                    _ => None,
                })
                .collect();
            // Earlier tests by field, and by field and negation: a pair gives a verdict only
            // on one field, and in an `and` only when the second or both are positive, in an
            // `or` only when the first or both are negated. Searching just those candidates, in
            // order, finds the same first pair as searching all (without the quadratic cost
            // of long chains).
            let mut by_field: std::collections::HashMap<&str, [Vec<usize>; 3]> =
                std::collections::HashMap::new();
            for (i, (second, (f2, v2, neg2, cs2))) in tests.iter().enumerate() {
                let lists = by_field.entry(*f2).or_default();
                // [all, positive, negated]
                let candidates = match (is_and, *neg2) {
                    (true, true) => &lists[1],
                    (false, false) => &lists[2],
                    _ => &lists[0],
                };
                for &j in candidates {
                    let (first, (f1, v1, neg1, cs1)) = &tests[j];
                    if f1 != f2 {
                        continue;
                    }
                    let Some(differ) = values_differ(v1, *cs1, v2, *cs2) else { continue };
                    // and: a == x, a == y (x != y) -> false; a == x, a != x -> false.
                    // or:  a != x, a != y (x != y) -> true;  a == x, a != x -> true.
                    let verdict = match (is_and, *neg1, *neg2, differ) {
                        (true, false, false, true) => Some(Verdict::AlwaysFalse),
                        (true, n1, n2, false) if n1 != n2 && *cs1 == *cs2 => {
                            Some(Verdict::AlwaysFalse)
                        }
                        (false, true, true, true) => Some(Verdict::AlwaysTrue),
                        (false, n1, n2, false) if n1 != n2 && *cs1 == *cs2 => {
                            Some(Verdict::AlwaysTrue)
                        }
                        _ => None,
                    };
                    if let Some(verdict) = verdict {
                        out.push((second.span, first.span, verdict));
                        break;
                    }
                }
                lists[0].push(i);
                lists[if *neg2 { 2 } else { 1 }].push(i);
            }
        });
    }
    out
}

/// `tolower(x) == "PowerShell.exe"` (KQL) / `lower(x)="PowerShell.exe"` (SPL): a folded
/// value compared with a literal of the other case never matches. `folded` is the literal
/// rewritten in the folded case, when the language's quoting lets it be written safely.
///
/// Rewriting the literal makes the comparison match where it never did. That widens a filter
/// that includes events, so the fix is safe there; under `!=`, `!in`, `not()` or outside a
/// filter (an `iff()`, an `extend`) it could narrow what the rule matches, so it is offered
/// in the editor only.
pub fn fold_mismatch(
    meta: &RuleMeta,
    m: &FoldMismatch,
    folded: Option<String>,
    logic: &LogicModel,
) -> Diagnostic {
    let diagnostic = meta.diagnostic(
        m.literal.span,
        format!(
            "`{}` is {}, so it can never match `{}`",
            m.subject,
            m.fold.describe(),
            m.literal.value
        ),
    );
    match folded {
        Some(folded) => diagnostic.with_fix(Fix {
            title: format!("Write the literal in {}", m.fold.describe()),
            applicability: if in_including_filter(logic, m.literal.span) {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
            edits: vec![Edit { span: m.literal.span, replacement: folded }],
        }),
        None => diagnostic,
    }
}

/// True when the literal at `span` is a value of a filter comparison that includes events
/// (`x == v` under an even number of negations): making it match more widens the rule.
pub fn in_including_filter(logic: &LogicModel, span: Span) -> bool {
    // Spans may or may not include the quotes: any overlap is the same literal.
    let overlaps = |v: Span| v.start < span.end && span.start < v.end;
    logic.comparisons().into_iter().any(|(c, positive, _)| {
        c.op.negated != positive && c.values.iter().any(|v| overlaps(v.span))
    })
}
