//! Long `and`/`or` chains as shallow trees.
//!
//! The parser folds `a or b or c` to the left, one level per operator: `((a or b) or c)`. A
//! query with 100,000 `or` terms would then be a tree 100,000 levels deep, and every walker
//! over it (and its drop) would recurse that deep. `and` and `or` are associative (Kusto's
//! three-valued logic included), so a long chain may nest any way that keeps its operands in
//! order: [`push`] keeps the first [`BLOCK`] operators of a chain left-nested, exactly as
//! before, and from then on gathers every [`BLOCK`] operands into a balanced block hung to the
//! right of the chain, merging two blocks of the same size into one (a binary counter). A
//! chain of `n` operands is then at most about `BLOCK + 2 log2 n` levels deep.
//!
//! The shape stays readable by every consumer: a node's `lhs` and `rhs` still cover
//! contiguous text in order, every operator keeps its own `op_span`, and walkers that flatten
//! a chain by recursing into both sides of a same-operator node see the same operands. A
//! same-operator node directly on the right of a chain node only arises here (the grammar
//! puts parentheses, `Expr::Paren`, around such a right operand), so that is how a block is
//! told from an operand.

use super::ast::{BinaryOp, Expr};
use crate::Span;

/// Operators gathered into one block; chains with fewer operators keep the parser's shape.
pub const BLOCK: usize = 64;

/// A chain node taken apart.
struct Link {
    op_span: Span,
    lhs: Expr,
    rhs: Expr,
    span: Span,
}

fn open(e: Expr, op: BinaryOp) -> Result<Link, Expr> {
    match e {
        Expr::Binary { op: o, op_span, lhs, rhs, span } if o == op => {
            Ok(Link { op_span, lhs: *lhs, rhs: *rhs, span })
        }
        other => Err(other),
    }
}

fn close(op: BinaryOp, link: Link) -> Expr {
    Expr::Binary {
        op,
        op_span: link.op_span,
        lhs: Box::new(link.lhs),
        rhs: Box::new(link.rhs),
        span: link.span,
    }
}

fn is_link(e: &Expr, op: BinaryOp) -> bool {
    matches!(e, Expr::Binary { op: o, .. } if *o == op)
}

/// Height of a block: the length of its right edge (a block of `BLOCK << k` operands is
/// `log2(BLOCK) + k` high).
fn height(e: &Expr, op: BinaryOp) -> usize {
    let mut h = 0;
    let mut at = e;
    while let Expr::Binary { op: o, rhs, .. } = at
        && *o == op
    {
        h += 1;
        at = rhs;
    }
    h
}

/// Takes the node the parser just built (`lhs op rhs`, with `rhs` a new operand) and returns
/// it, reshaped when it ends a long `and`/`or` chain. Any other node comes back unchanged.
pub fn push(node: Expr) -> Expr {
    let op = match &node {
        Expr::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), .. } => *op,
        _ => return node,
    };
    // The run of single operands at the end of the chain (the parser adds one at a time, so
    // it reaches `BLOCK` exactly before it would go over).
    let mut run = 0;
    let mut at = &node;
    while let Expr::Binary { op: o, lhs, rhs, .. } = at
        && *o == op
        && !is_link(rhs, op)
    {
        run += 1;
        if run == BLOCK {
            break;
        }
        at = lhs;
    }
    if run < BLOCK {
        return node;
    }
    // Take the run apart: `operands[i]` joined by `links[i]` (its operator and the span of the
    // node that added it), the last one first.
    let mut operands = Vec::with_capacity(BLOCK);
    let mut links = Vec::with_capacity(BLOCK);
    let mut rest = node;
    for _ in 0..BLOCK {
        match open(rest, op) {
            Ok(link) => {
                operands.push(link.rhs);
                links.push((link.op_span, link.span));
                rest = link.lhs;
            }
            Err(e) => return e, // cannot happen: the walk above saw BLOCK links
        }
    }
    operands.reverse();
    links.reverse();
    let ends: Vec<u32> = links.iter().map(|(_, span)| span.end).collect();
    let mut items = operands.into_iter().map(Some).collect::<Vec<_>>();
    let block = balanced(op, &mut items, &links, &ends, 0, BLOCK);
    let (first_op, _) = links[0];
    let (_, top_span) = links[BLOCK - 1];
    let mut tree = close(op, Link { op_span: first_op, lhs: rest, rhs: block, span: top_span });
    // `(y op b1) op b2` with blocks b1, b2 of the same size becomes `y op (b1 op b2)`.
    loop {
        let mergeable = match &tree {
            Expr::Binary { lhs, rhs: b2, .. } => match lhs.as_ref() {
                Expr::Binary { op: o, rhs: b1, .. } if *o == op && is_link(b1, op) => {
                    height(b1, op) == height(b2, op)
                }
                _ => false,
            },
            _ => false,
        };
        if !mergeable {
            return tree;
        }
        let top = match open(tree, op) {
            Ok(top) => top,
            Err(e) => return e,
        };
        let lower = match open(top.lhs, op) {
            Ok(lower) => lower,
            Err(e) => return e,
        };
        let inner_span = Span::new(lower.rhs.span().start, top.span.end);
        let inner = close(
            op,
            Link { op_span: top.op_span, lhs: lower.rhs, rhs: top.rhs, span: inner_span },
        );
        tree =
            close(op, Link { op_span: lower.op_span, lhs: lower.lhs, rhs: inner, span: top.span });
    }
}

/// The operands `items[from..to]` as a balanced tree; operand `i` follows the operator
/// `links[i].0`, and the node that added it ended at `ends[i]`.
fn balanced(
    op: BinaryOp,
    items: &mut [Option<Expr>],
    links: &[(Span, Span)],
    ends: &[u32],
    from: usize,
    to: usize,
) -> Expr {
    if to - from == 1 {
        return items[from].take().unwrap_or(Expr::Error(Span::default()));
    }
    let mid = from + (to - from) / 2;
    let lhs = balanced(op, items, links, ends, from, mid);
    let rhs = balanced(op, items, links, ends, mid, to);
    let span = Span::new(lhs.span().start, ends[to - 1]);
    close(op, Link { op_span: links[mid].0, lhs, rhs, span })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kql::ast::walk_exprs;
    use crate::kql::parse;

    fn depth(e: &Expr) -> usize {
        match e {
            Expr::Binary { lhs, rhs, .. } => 1 + depth(lhs).max(depth(rhs)),
            Expr::Paren { inner, .. } => 1 + depth(inner),
            _ => 0,
        }
    }

    /// The operands of a same-operator chain, in order, with the operator spans between.
    fn flatten<'e>(e: &'e Expr, op: BinaryOp, terms: &mut Vec<&'e Expr>, ops: &mut Vec<Span>) {
        match e {
            Expr::Binary { op: o, op_span, lhs, rhs, .. } if *o == op => {
                flatten(lhs, op, terms, ops);
                ops.push(*op_span);
                flatten(rhs, op, terms, ops);
            }
            other => terms.push(other),
        }
    }

    fn predicate(text: &str) -> Expr {
        let parse = parse(text);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let mut found = None;
        walk_exprs(&parse.tree, &mut |e| {
            if found.is_none() && matches!(e, Expr::Binary { op: BinaryOp::Or | BinaryOp::And, .. })
            {
                found = Some(e.clone());
            }
        });
        found.expect("a chain")
    }

    fn chain(n: usize, op: &str) -> String {
        let terms: Vec<String> = (0..n).map(|i| format!("A == {i}")).collect();
        format!("T | where {}", terms.join(&format!(" {op} ")))
    }

    #[test]
    fn short_chains_nest_to_the_left_as_written() {
        let e = predicate(&chain(BLOCK, "or"));
        assert_eq!(depth(&e), BLOCK);
        let mut at = &e;
        while let Expr::Binary { lhs, rhs, .. } = at {
            assert!(!is_link(rhs, BinaryOp::Or));
            at = lhs;
        }
    }

    #[test]
    fn long_chains_are_shallow_and_keep_operands_operators_and_spans_in_order() {
        for n in [BLOCK + 1, 3 * BLOCK + 7, 5000] {
            let text = chain(n, "or");
            let e = predicate(&text);
            assert!(depth(&e) <= BLOCK + 2 * 14, "{n} operands: depth {}", depth(&e));
            let (mut terms, mut ops) = (Vec::new(), Vec::new());
            flatten(&e, BinaryOp::Or, &mut terms, &mut ops);
            assert_eq!(terms.len(), n);
            for (i, t) in terms.iter().enumerate() {
                assert_eq!(t.span().text(&text), format!("A == {i}"));
            }
            assert!(ops.iter().all(|s| s.text(&text) == "or"));
            assert!(ops.windows(2).all(|w| w[0].end < w[1].start));
            // Every node covers its operands' text and nothing more.
            fn check(e: &Expr) {
                if let Expr::Binary { lhs, rhs, span, .. } = e {
                    assert_eq!(span.start, lhs.span().start);
                    assert_eq!(span.end, rhs.span().end);
                    check(lhs);
                    check(rhs);
                }
            }
            check(&e);
            assert_eq!(e.span().text(&text), &text["T | where ".len()..]);
        }
    }

    #[test]
    fn and_chains_inside_or_chains_are_shallow_too() {
        let groups: Vec<String> = (0..300).map(|_| chain(200, "and")[10..].to_owned()).collect();
        let text = format!("T | where {}", groups.join(" or "));
        let e = predicate(&text);
        assert!(depth(&e) <= 2 * (BLOCK + 2 * 9), "depth {}", depth(&e));
        let (mut terms, mut ops) = (Vec::new(), Vec::new());
        flatten(&e, BinaryOp::Or, &mut terms, &mut ops);
        assert_eq!(terms.len(), 300);
        for t in terms {
            let (mut inner, mut ops) = (Vec::new(), Vec::new());
            flatten(t, BinaryOp::And, &mut inner, &mut ops);
            assert_eq!(inner.len(), 200);
        }
    }

    #[test]
    fn other_operators_are_left_alone() {
        let terms: Vec<String> = (0..200).map(|i| i.to_string()).collect();
        let text = format!("print x = {}", terms.join(" + "));
        let parse = parse(&text);
        assert!(parse.errors.is_empty());
        let mut deepest = 0;
        walk_exprs(&parse.tree, &mut |e| deepest = deepest.max(depth(e)));
        assert_eq!(deepest, 199);
    }
}
