//! Walking the SPL tree: a [`Visitor`] with default methods that recurse, and helpers that
//! collect every command, macro call, eval expression or search clause (subsearches included).
//!
//! Override the `visit_*` methods you need and call the matching `walk_*` function to keep
//! descending.

use super::ast::*;

/// A read-only walk over an SPL tree. Every default method descends into the children.
pub trait Visitor<'t> {
    /// A pipeline (the top level or the inside of a subsearch).
    fn visit_search(&mut self, search: &'t Search) {
        walk_search(self, search);
    }
    /// One pipeline stage.
    fn visit_command(&mut self, command: &'t Command) {
        walk_command(self, command);
    }
    /// A bracketed subsearch.
    fn visit_subsearch(&mut self, subsearch: &'t Subsearch) {
        walk_subsearch(self, subsearch);
    }
    /// A search clause node (at every level of the clause).
    fn visit_search_expr(&mut self, expr: &'t SearchExpr) {
        walk_search_expr(self, expr);
    }
    /// An eval expression node (at every level of the expression).
    fn visit_expr(&mut self, expr: &'t Expr) {
        walk_expr(self, expr);
    }
    /// An aggregation of a stats-like command.
    fn visit_aggregation(&mut self, aggregation: &'t Aggregation) {
        walk_aggregation(self, aggregation);
    }
    /// A generic argument.
    fn visit_argument(&mut self, argument: &'t Argument) {
        walk_argument(self, argument);
    }
    /// A macro call, wherever it stands (term, command, expression, option list, argument).
    fn visit_macro(&mut self, _call: &'t MacroCall) {}
}

/// Visits every command of a pipeline.
pub fn walk_search<'t, V: Visitor<'t> + ?Sized>(v: &mut V, search: &'t Search) {
    for command in &search.commands {
        v.visit_command(command);
    }
}

/// Visits the inside of a subsearch.
pub fn walk_subsearch<'t, V: Visitor<'t> + ?Sized>(v: &mut V, subsearch: &'t Subsearch) {
    v.visit_search(&subsearch.search);
}

/// Visits the children of a command.
pub fn walk_command<'t, V: Visitor<'t> + ?Sized>(v: &mut V, command: &'t Command) {
    match &command.kind {
        CommandKind::Search(c) => {
            if let Some(clause) = &c.clause {
                v.visit_search_expr(clause);
            }
        }
        CommandKind::Where(c) => v.visit_expr(&c.expr),
        CommandKind::Eval(c) => {
            for a in &c.assignments {
                v.visit_expr(&a.expr);
            }
        }
        CommandKind::Stats(c) => {
            for m in &c.macros {
                v.visit_macro(m);
            }
            for a in &c.aggregations {
                v.visit_aggregation(a);
            }
        }
        CommandKind::Tstats(c) => {
            for m in &c.macros {
                v.visit_macro(m);
            }
            for a in &c.aggregations {
                v.visit_aggregation(a);
            }
            if let Some(clause) = &c.where_clause {
                v.visit_search_expr(clause);
            }
        }
        CommandKind::Fields(c) => {
            for m in &c.macros {
                v.visit_macro(m);
            }
        }
        CommandKind::Head(c) => {
            if let Some(e) = &c.condition {
                v.visit_expr(e);
            }
        }
        CommandKind::InputLookup(c) => {
            if let Some(clause) = &c.where_clause {
                v.visit_search_expr(clause);
            }
        }
        CommandKind::Join(c) => {
            if let Some(s) = &c.subsearch {
                v.visit_subsearch(s);
            }
        }
        CommandKind::Convert(c) => {
            for a in &c.conversions {
                v.visit_aggregation(a);
            }
        }
        CommandKind::Foreach(c) => {
            if let Some(s) = &c.template {
                v.visit_subsearch(s);
            }
        }
        CommandKind::Return(c) => {
            for a in &c.items {
                v.visit_argument(a);
            }
        }
        CommandKind::Macro(m) => v.visit_macro(m),
        CommandKind::Generic(c) => {
            for a in &c.args {
                v.visit_argument(a);
            }
        }
        CommandKind::Rename(_)
        | CommandKind::Rex(_)
        | CommandKind::Regex(_)
        | CommandKind::Bin(_)
        | CommandKind::Dedup(_)
        | CommandKind::Sort(_)
        | CommandKind::Lookup(_)
        | CommandKind::FillNull(_)
        | CommandKind::Spath(_)
        | CommandKind::MvExpand(_)
        | CommandKind::Transaction(_)
        | CommandKind::Top(_)
        | CommandKind::Format(_)
        | CommandKind::Error => {}
    }
}

/// Visits the children of a search clause node.
pub fn walk_search_expr<'t, V: Visitor<'t> + ?Sized>(v: &mut V, expr: &'t SearchExpr) {
    match expr {
        SearchExpr::And { operands, .. } | SearchExpr::Or { operands, .. } => {
            for o in operands {
                v.visit_search_expr(o);
            }
        }
        SearchExpr::Not { operand, .. } => v.visit_search_expr(operand),
        SearchExpr::Group { inner, .. } => v.visit_search_expr(inner),
        SearchExpr::Macro(m) => v.visit_macro(m),
        SearchExpr::Subsearch(s) => v.visit_subsearch(s),
        SearchExpr::Term(_)
        | SearchExpr::Compare(_)
        | SearchExpr::In(_)
        | SearchExpr::Function { .. }
        | SearchExpr::Error(_) => {}
    }
}

/// Visits the children of an eval expression node.
pub fn walk_expr<'t, V: Visitor<'t> + ?Sized>(v: &mut V, expr: &'t Expr) {
    match expr {
        Expr::Call { args, .. } => {
            for a in args {
                v.visit_expr(a);
            }
        }
        Expr::Unary { operand, .. } => v.visit_expr(operand),
        Expr::Binary { lhs, rhs, .. } => {
            v.visit_expr(lhs);
            v.visit_expr(rhs);
        }
        Expr::In { lhs, list, .. } => {
            v.visit_expr(lhs);
            for e in list {
                v.visit_expr(e);
            }
        }
        Expr::Paren { inner, .. } => v.visit_expr(inner),
        Expr::Macro(m) => v.visit_macro(m),
        Expr::Field(_) | Expr::String(_) | Expr::Number(_) | Expr::Error(_) => {}
    }
}

/// Visits the arguments of an aggregation.
pub fn walk_aggregation<'t, V: Visitor<'t> + ?Sized>(v: &mut V, aggregation: &'t Aggregation) {
    for a in &aggregation.args {
        v.visit_expr(a);
    }
}

/// Visits the children of a generic argument.
pub fn walk_argument<'t, V: Visitor<'t> + ?Sized>(v: &mut V, argument: &'t Argument) {
    match argument {
        Argument::Option { value, .. } => v.visit_argument(value),
        Argument::Group { args, .. } => {
            for a in args {
                v.visit_argument(a);
            }
        }
        Argument::Macro(m) => v.visit_macro(m),
        Argument::Subsearch(s) => v.visit_subsearch(s),
        Argument::Value(_) | Argument::Punct(_) | Argument::Error(_) => {}
    }
}

/// Every macro call in the tree, in source order (subsearches included).
pub fn walk_macros(search: &Search) -> Vec<&MacroCall> {
    struct Collect<'t>(Vec<&'t MacroCall>);
    impl<'t> Visitor<'t> for Collect<'t> {
        fn visit_macro(&mut self, call: &'t MacroCall) {
            self.0.push(call);
        }
    }
    let mut c = Collect(Vec::new());
    c.visit_search(search);
    c.0.sort_by_key(|m| m.span.start);
    c.0
}

/// Every command in the tree, subsearch commands included, in source order.
pub fn all_commands(search: &Search) -> Vec<&Command> {
    fn go<'t>(s: &'t Search, out: &mut Vec<&'t Command>) {
        for c in &s.commands {
            out.push(c);
            for sub in subsearches_of(c) {
                go(&sub.search, out);
            }
        }
    }
    let mut out = Vec::new();
    go(search, &mut out);
    out.sort_by_key(|c| c.span.start);
    out
}

/// The subsearches directly inside a command (not nested deeper).
pub fn subsearches_of(command: &Command) -> Vec<&Subsearch> {
    fn clause<'t>(e: &'t SearchExpr, out: &mut Vec<&'t Subsearch>) {
        match e {
            SearchExpr::And { operands, .. } | SearchExpr::Or { operands, .. } => {
                operands.iter().for_each(|o| clause(o, out));
            }
            SearchExpr::Not { operand, .. } => clause(operand, out),
            SearchExpr::Group { inner, .. } => clause(inner, out),
            SearchExpr::Subsearch(s) => out.push(s),
            _ => {}
        }
    }
    fn arg<'t>(a: &'t Argument, out: &mut Vec<&'t Subsearch>) {
        match a {
            Argument::Option { value, .. } => arg(value, out),
            Argument::Group { args, .. } => args.iter().for_each(|x| arg(x, out)),
            Argument::Subsearch(s) => out.push(s),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match &command.kind {
        CommandKind::Search(c) => c.clause.iter().for_each(|e| clause(e, &mut out)),
        CommandKind::Tstats(c) => c.where_clause.iter().for_each(|e| clause(e, &mut out)),
        CommandKind::InputLookup(c) => c.where_clause.iter().for_each(|e| clause(e, &mut out)),
        CommandKind::Join(c) => out.extend(&c.subsearch),
        CommandKind::Foreach(c) => out.extend(&c.template),
        CommandKind::Return(c) => c.items.iter().for_each(|a| arg(a, &mut out)),
        CommandKind::Generic(c) => c.args.iter().for_each(|a| arg(a, &mut out)),
        _ => {}
    }
    out
}

/// Every eval expression root (`where`, `eval` right-hand sides, aggregation arguments,
/// `head` conditions) in the tree, subsearches included.
pub fn all_exprs(search: &Search) -> Vec<&Expr> {
    let mut out = Vec::new();
    for c in all_commands(search) {
        match &c.kind {
            CommandKind::Where(x) => out.push(&x.expr),
            CommandKind::Eval(x) => out.extend(x.assignments.iter().map(|a| &a.expr)),
            CommandKind::Stats(x) => out.extend(x.aggregations.iter().flat_map(|a| &a.args)),
            CommandKind::Tstats(x) => out.extend(x.aggregations.iter().flat_map(|a| &a.args)),
            CommandKind::Convert(x) => out.extend(x.conversions.iter().flat_map(|a| &a.args)),
            CommandKind::Head(x) => out.extend(&x.condition),
            _ => {}
        }
    }
    out
}

/// Every search clause root (`search` commands, `tstats`/`inputlookup` `where`), subsearches
/// included.
pub fn all_search_clauses(search: &Search) -> Vec<&SearchExpr> {
    let mut out = Vec::new();
    for c in all_commands(search) {
        match &c.kind {
            CommandKind::Search(x) => out.extend(&x.clause),
            CommandKind::Tstats(x) => out.extend(&x.where_clause),
            CommandKind::InputLookup(x) => out.extend(&x.where_clause),
            _ => {}
        }
    }
    out
}

/// Every leaf of a search clause (terms, comparisons, `IN` lists, `TERM()`/`CASE()`, macros,
/// subsearches, errors), skipping boolean structure, in source order.
pub fn clause_leaves(clause: &SearchExpr) -> Vec<&SearchExpr> {
    let mut out = Vec::new();
    let mut stack = vec![clause];
    while let Some(e) = stack.pop() {
        match e {
            SearchExpr::And { operands, .. } | SearchExpr::Or { operands, .. } => {
                stack.extend(operands.iter().rev())
            }
            SearchExpr::Not { operand, .. } => stack.push(operand),
            SearchExpr::Group { inner, .. } => stack.push(inner),
            leaf => out.push(leaf),
        }
    }
    out
}
