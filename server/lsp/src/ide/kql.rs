//! KQL structure the editor needs from tokens: statements, `let` bindings, pipe stages and the
//! columns each stage leaves in scope.
//!
//! This works on half-typed text. Column tracking follows the operators that reshape rows
//! (`project`, `project-away`, `project-rename`, `project-keep`, `extend`, `summarize`,
//! `distinct`, `count`); other operators keep the columns they receive.

use qlint_grammar::Span;

use super::catalog::Catalog;
use super::scan::{Token, TokenKind};

/// A `let` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetBinding {
    /// The bound name.
    pub name: String,
    /// Span of the name.
    pub name_span: Span,
    /// Span of the whole statement (from `let` to before `;`).
    pub span: Span,
    /// Span of the value (after `=`).
    pub value: Span,
    /// Parameter list text for a user function (`(a:string, b:int)`), if it is one.
    pub params: Option<String>,
}

impl LetBinding {
    /// True for a user-defined function.
    pub fn is_function(&self) -> bool {
        self.params.is_some()
    }
}

/// A column in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeColumn {
    /// Name.
    pub name: String,
    /// Type when known.
    pub ty: Option<String>,
    /// The table it comes from, or the stage that made it.
    pub origin: String,
}

/// Statements of a token stream: token index ranges split at top-level `;`.
pub fn statements(tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                depth = (depth - 1).max(0)
            }
            TokenKind::Semi if depth == 0 => {
                out.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(start..tokens.len());
    out
}

fn significant(tokens: &[Token], range: std::ops::Range<usize>) -> Vec<usize> {
    range.filter(|&i| !tokens[i].is_trivia()).collect()
}

/// Every `let` binding in the text.
pub fn let_bindings(text: &str, tokens: &[Token]) -> Vec<LetBinding> {
    let mut out = Vec::new();
    for stmt in statements(tokens) {
        let idx = significant(tokens, stmt.clone());
        let [first, name, eq, ..] = idx[..] else { continue };
        let t = |i: usize| tokens[i];
        if t(first).text(text) != "let"
            || t(name).kind != TokenKind::Word
            || t(eq).kind != TokenKind::Eq
        {
            continue;
        }
        let last = idx.last().copied().unwrap_or(eq);
        let value_start = idx.get(3).map_or(t(eq).span.end, |&i| t(i).span.start);
        let params = function_params(text, tokens, &idx[3..]);
        out.push(LetBinding {
            name: t(name).text(text).to_owned(),
            name_span: t(name).span,
            span: Span::new(t(first).span.start, t(last).span.end),
            value: Span::new(value_start, t(last).span.end.max(value_start)),
            params,
        });
    }
    out
}

/// `(a:string, b:int) { ... }` or `view (...) { ... }`: the parameter list text.
fn function_params(text: &str, tokens: &[Token], value: &[usize]) -> Option<String> {
    let mut rest = value;
    if rest.first().is_some_and(|&i| tokens[i].text(text) == "view") {
        rest = &rest[1..];
    }
    let open = *rest.first()?;
    if tokens[open].kind != TokenKind::LParen {
        return None;
    }
    let mut depth = 0;
    for (pos, &i) in rest.iter().enumerate() {
        match tokens[i].kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => {
                depth -= 1;
                if depth == 0 {
                    let next = rest.get(pos + 1)?;
                    if tokens[*next].kind != TokenKind::LBrace {
                        return None;
                    }
                    let span = Span::new(tokens[open].span.start, tokens[i].span.end);
                    return Some(span.text(text).to_owned());
                }
            }
            _ => {}
        }
    }
    None
}

/// Where a cursor sits in a KQL statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Where a tabular expression starts: a table or a tabular `let` name goes here.
    TabularStart,
    /// Right after `|`: an operator goes here.
    AfterPipe,
    /// Inside a stage: columns, functions, scalar names.
    InStage,
}

/// Classifies the place before token index `at` (the token being typed, or the next one).
pub fn classify(text: &str, tokens: &[Token], prev: Option<usize>) -> Position {
    let Some(p) = prev else { return Position::TabularStart };
    let tok = tokens[p];
    match tok.kind {
        TokenKind::Semi => Position::TabularStart,
        TokenKind::Pipe => Position::AfterPipe,
        TokenKind::Eq => {
            // `let name = |`
            let before: Vec<usize> =
                (0..p).rev().filter(|&i| !tokens[i].is_trivia()).take(2).collect();
            if let [name, kw] = before[..]
                && tokens[kw].text(text) == "let"
                && tokens[name].kind == TokenKind::Word
            {
                Position::TabularStart
            } else {
                Position::InStage
            }
        }
        TokenKind::LParen | TokenKind::Comma => {
            // `union (` / `join kind=inner (` / `union A, |`
            match stage_operator(text, tokens, p) {
                Some(op) if matches!(op.as_str(), "union" | "join" | "lookup") => {
                    if tok.kind == TokenKind::Comma && op != "union" {
                        Position::InStage
                    } else {
                        Position::TabularStart
                    }
                }
                _ => Position::InStage,
            }
        }
        TokenKind::Word if matches!(tok.text(text), "union" | "join" | "lookup") => {
            Position::TabularStart
        }
        _ => Position::InStage,
    }
}

/// The operator word of the stage containing token `idx` (the word after the last top-level
/// pipe before it, in the same statement).
pub fn stage_operator(text: &str, tokens: &[Token], idx: usize) -> Option<String> {
    let stmt = statements(tokens).into_iter().find(|r| r.contains(&idx) || r.end == idx)?;
    let mut depth = 0i32;
    let mut op = None;
    for i in stmt.start..=idx.min(tokens.len().saturating_sub(1)) {
        match tokens[i].kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            TokenKind::Pipe if depth <= 0 => {
                op = tokens
                    .get(i + 1)
                    .filter(|t| t.kind == TokenKind::Word)
                    .map(|t| t.text(text).to_owned());
            }
            _ => {}
        }
    }
    op
}

/// The columns in scope at byte `offset`: from the analysis when it knows them, otherwise by
/// following the stages of the statement.
pub fn columns_at(
    text: &str,
    tokens: &[Token],
    offset: u32,
    catalog: &dyn Catalog,
) -> Vec<ScopeColumn> {
    // The semantic analysis knows best; token-level tracking covers what it leaves open.
    let analysed = catalog.scope_columns(qlint_linter::Language::Kql, text, offset);
    if !analysed.is_empty() {
        return analysed;
    }
    let lets = let_bindings(text, tokens);
    columns_before(text, tokens, offset, catalog, &lets, false, 0)
}

fn columns_before(
    text: &str,
    tokens: &[Token],
    offset: u32,
    catalog: &dyn Catalog,
    lets: &[LetBinding],
    include_last: bool,
    depth: usize,
) -> Vec<ScopeColumn> {
    if depth > 8 {
        return Vec::new();
    }
    let end_idx = tokens.partition_point(|t| t.span.end <= offset);
    let Some(stmt) =
        statements(tokens).into_iter().find(|r| r.start <= end_idx && end_idx <= r.end)
    else {
        return Vec::new();
    };
    let mut idx = significant(tokens, stmt.start..end_idx.min(stmt.end));
    // Skip `let name =`.
    if idx.len() >= 3 && tokens[idx[0]].text(text) == "let" && tokens[idx[2]].kind == TokenKind::Eq
    {
        idx.drain(..3);
    }
    // Split into stages at top-level pipes.
    let mut stages: Vec<Vec<usize>> = vec![Vec::new()];
    let mut level = 0i32;
    for &i in &idx {
        match tokens[i].kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => level += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => level -= 1,
            TokenKind::Pipe if level == 0 => {
                stages.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(stage) = stages.last_mut() {
            stage.push(i);
        }
    }
    let Some(source) = stages.first().and_then(|s| s.first()).map(|&i| tokens[i]) else {
        return Vec::new();
    };
    let source_name = source.text(text);
    let mut cols: Vec<ScopeColumn> = if let Some(table) = catalog.table(source_name) {
        table
            .columns
            .into_iter()
            .map(|c| ScopeColumn { name: c.name, ty: Some(c.ty), origin: table.name.clone() })
            .collect()
    } else if let Some(binding) =
        lets.iter().rev().find(|b| b.name == source_name && b.span.end < source.span.start)
    {
        columns_before(text, tokens, binding.value.end, catalog, lets, true, depth + 1)
    } else {
        Vec::new()
    };
    // Every stage before the one the cursor is in reshapes the columns.
    let done = if include_last { stages.len() } else { stages.len().saturating_sub(1) };
    for stage in stages.iter().take(done).skip(1) {
        apply_stage(text, tokens, stage, &mut cols);
    }
    cols
}

/// Comma-separated items of a stage at its top level, each as token indices.
fn items(tokens: &[Token], idx: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    let mut level = 0i32;
    for &i in idx {
        match tokens[i].kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => level += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => level -= 1,
            TokenKind::Comma if level == 0 => {
                out.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(i);
        }
    }
    out.retain(|v| !v.is_empty());
    out
}

/// The name an item defines: `name = expr` gives `name`; a bare column gives itself; an
/// aggregation call `f(x)` gives KQL's default name (`count_`, `f_x`).
fn item_name(text: &str, tokens: &[Token], item: &[usize]) -> Option<String> {
    let t = |k: usize| tokens[item[k]];
    if item.len() >= 2 && t(0).kind == TokenKind::Word && t(1).kind == TokenKind::Eq {
        return Some(t(0).text(text).to_owned());
    }
    if item.len() == 1 && t(0).kind == TokenKind::Word {
        return Some(t(0).text(text).to_owned());
    }
    if item.len() >= 3 && t(0).kind == TokenKind::Word && t(1).kind == TokenKind::LParen {
        let func = t(0).text(text);
        return Some(match (t(2).kind, item.get(3).map(|&i| tokens[i].kind)) {
            (TokenKind::Word, Some(TokenKind::RParen | TokenKind::Comma)) => {
                format!("{func}_{}", t(2).text(text))
            }
            _ => format!("{func}_"),
        });
    }
    None
}

fn typed_from<'a>(cols: &'a [ScopeColumn], name: &str) -> Option<&'a ScopeColumn> {
    cols.iter().find(|c| c.name == name)
}

fn apply_stage(text: &str, tokens: &[Token], stage: &[usize], cols: &mut Vec<ScopeColumn>) {
    let Some((&op_idx, args)) = stage.split_first() else { return };
    let op = tokens[op_idx].text(text);
    let made = |name: String, prev: &[ScopeColumn]| {
        typed_from(prev, &name).cloned().unwrap_or(ScopeColumn {
            name,
            ty: None,
            origin: op.to_owned(),
        })
    };
    match op {
        "project" | "distinct" | "project-keep" => {
            let prev = std::mem::take(cols);
            for item in items(tokens, args) {
                if let Some(name) = item_name(text, tokens, &item) {
                    cols.push(made(name, &prev));
                }
            }
        }
        "project-away" => {
            let away: Vec<String> =
                items(tokens, args).iter().filter_map(|i| item_name(text, tokens, i)).collect();
            cols.retain(|c| !away.contains(&c.name));
        }
        "project-rename" => {
            for item in items(tokens, args) {
                if let [new, eq, old] = item[..]
                    && tokens[eq].kind == TokenKind::Eq
                    && let Some(c) = cols.iter_mut().find(|c| c.name == tokens[old].text(text))
                {
                    c.name = tokens[new].text(text).to_owned();
                }
            }
        }
        "extend" => {
            for item in items(tokens, args) {
                if item.len() >= 2 && tokens[item[1]].kind == TokenKind::Eq {
                    let name = tokens[item[0]].text(text).to_owned();
                    if !cols.iter().any(|c| c.name == name) {
                        cols.push(ScopeColumn { name, ty: None, origin: op.to_owned() });
                    }
                }
            }
        }
        "summarize" => {
            let prev = std::mem::take(cols);
            let by = args.iter().position(|&i| tokens[i].text(text) == "by");
            let (aggs, keys) = match by {
                Some(p) => (&args[..p], &args[p + 1..]),
                None => (args, &args[..0]),
            };
            for item in items(tokens, keys).into_iter().chain(items(tokens, aggs)) {
                if let Some(name) = item_name(text, tokens, &item) {
                    cols.push(made(name, &prev));
                }
            }
        }
        "count" => {
            *cols = vec![ScopeColumn {
                name: "Count".into(),
                ty: Some("long".into()),
                origin: op.to_owned(),
            }];
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog::EmptyCatalog;
    use super::super::scan::scan;
    use super::*;
    use qlint_linter::Language;

    #[test]
    fn lets_and_functions() {
        let text = "let x = 5;\nlet f = (a:string) { a };\nlet T = view () { Foo };\nT";
        let tokens = scan(Language::Kql, text);
        let lets = let_bindings(text, &tokens);
        assert_eq!(lets.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["x", "f", "T"]);
        assert_eq!(lets[0].value.text(text), "5");
        assert_eq!(lets[1].params.as_deref(), Some("(a:string)"));
        assert_eq!(lets[2].params.as_deref(), Some("()"));
        assert!(!lets[0].is_function());
    }

    #[test]
    fn stages_reshape_columns() {
        let text = "let base = Foo | extend a = 1, b = 2;\nbase | project a, c = b | summarize n = count() by a | where ";
        let tokens = scan(Language::Kql, text);
        let cols = columns_at(text, &tokens, text.len() as u32, &EmptyCatalog);
        let names: Vec<_> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "n"]);
        let mid = text.find("| summarize").unwrap() as u32 + 12;
        let cols = columns_at(text, &tokens, mid, &EmptyCatalog);
        assert_eq!(cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "c"]);
    }

    #[test]
    fn classification() {
        let text = "let t = ";
        let tokens = scan(Language::Kql, text);
        assert_eq!(classify(text, &tokens, Some(tokens.len() - 1)), Position::TabularStart);
        let text = "T | ";
        let tokens = scan(Language::Kql, text);
        assert_eq!(classify(text, &tokens, Some(1)), Position::AfterPipe);
        let text = "T | join kind=inner (";
        let tokens = scan(Language::Kql, text);
        assert_eq!(classify(text, &tokens, Some(tokens.len() - 1)), Position::TabularStart);
        let text = "T | where x == ";
        let tokens = scan(Language::Kql, text);
        assert_eq!(classify(text, &tokens, Some(tokens.len() - 1)), Position::InStage);
    }
}
