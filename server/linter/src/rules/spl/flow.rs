//! Fields through an SPL pipeline, for the rules that ask "does this field still exist here?"
//! (SPL111, SPL211): which fields a command reads, and which it creates.
//!
//! Deliberately partial: a command whose effect on the fields is not modelled here (most
//! generic commands, macros) ends the tracking, so the rules stay silent rather than guess.

use qlint_grammar::spl::ast::{Aggregation, Command, CommandKind, Expr, Name, SearchExpr};
use qlint_grammar::spl::visit::clause_leaves;

/// A field read by a command: its name and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldRef<'t> {
    /// The name as written (case matters in SPL).
    pub name: &'t str,
    /// Where it is written.
    pub span: qlint_grammar::Span,
}

fn from_name(name: &Name) -> FieldRef<'_> {
    FieldRef { name: &name.text, span: name.span }
}

/// Fields named in an eval expression (`Expr::Field`), in order.
pub(crate) fn expr_fields<'t>(expr: &'t Expr, out: &mut Vec<FieldRef<'t>>) {
    match expr {
        Expr::Field(n) => out.push(from_name(n)),
        Expr::Call { args, .. } => args.iter().for_each(|a| expr_fields(a, out)),
        Expr::Unary { operand, .. } => expr_fields(operand, out),
        Expr::Binary { lhs, rhs, .. } => {
            expr_fields(lhs, out);
            expr_fields(rhs, out);
        }
        Expr::In { lhs, list, .. } => {
            expr_fields(lhs, out);
            list.iter().for_each(|a| expr_fields(a, out));
        }
        Expr::Paren { inner, .. } => expr_fields(inner, out),
        Expr::String(_) | Expr::Number(_) | Expr::Macro(_) | Expr::Error(_) => {}
    }
}

fn clause_fields<'t>(clause: &'t SearchExpr, out: &mut Vec<FieldRef<'t>>) {
    for leaf in clause_leaves(clause) {
        match leaf {
            SearchExpr::Compare(c) if !c.is_time_modifier() => out.push(from_name(&c.field)),
            SearchExpr::In(i) => out.push(from_name(&i.field)),
            _ => {}
        }
    }
}

fn aggregation_fields<'t>(aggregations: &'t [Aggregation], out: &mut Vec<FieldRef<'t>>) {
    for a in aggregations {
        a.args.iter().for_each(|e| expr_fields(e, out));
    }
}

/// The fields a command reads, or `None` when it is not modelled (a generic command or a
/// macro, whose reads are unknown). Wildcard names are left out.
pub(crate) fn reads(command: &Command) -> Option<Vec<FieldRef<'_>>> {
    let mut out = Vec::new();
    match &command.kind {
        CommandKind::Search(s) => s.clause.iter().for_each(|c| clause_fields(c, &mut out)),
        CommandKind::Where(w) => expr_fields(&w.expr, &mut out),
        CommandKind::Eval(e) => e.assignments.iter().for_each(|a| expr_fields(&a.expr, &mut out)),
        CommandKind::Stats(s) => {
            aggregation_fields(&s.aggregations, &mut out);
            out.extend(s.by.iter().map(from_name));
            out.extend(s.over.iter().map(from_name));
        }
        // Removing a field that is not there is harmless.
        CommandKind::Fields(f) if f.remove => {}
        CommandKind::Fields(f) => out.extend(f.fields.iter().map(from_name)),
        CommandKind::Rename(r) => out.extend(r.renames.iter().map(|r| from_name(&r.from))),
        CommandKind::Sort(s) => out.extend(s.keys.iter().map(|k| from_name(&k.field))),
        CommandKind::Dedup(d) => out.extend(d.fields.iter().map(from_name)),
        CommandKind::Top(t) => {
            out.extend(t.fields.iter().map(from_name));
            out.extend(t.by.iter().map(from_name));
        }
        CommandKind::Bin(b) => out.extend(b.field.iter().map(from_name)),
        CommandKind::Lookup(l) => {
            out.extend(l.inputs.iter().map(|f| from_name(f.alias.as_ref().unwrap_or(&f.field))))
        }
        CommandKind::MvExpand(m) => out.extend(m.field.iter().map(from_name)),
        CommandKind::Head(h) => h.condition.iter().for_each(|e| expr_fields(e, &mut out)),
        CommandKind::FillNull(_) => {}
        _ => return None,
    }
    // A bare `null` / `NULL` in eval is the idiom for a null value (a field that never exists).
    out.retain(|f| {
        !f.name.contains('*') && !f.name.is_empty() && !f.name.eq_ignore_ascii_case("null")
    });
    Some(out)
}

/// The default name of an aggregation without `as`: `count`, `dc(user)`.
pub(crate) fn aggregation_name(a: &Aggregation, text: &str) -> String {
    match &a.alias {
        Some(alias) => alias.text.clone(),
        None => a.span.text(text).split_whitespace().collect(),
    }
}
