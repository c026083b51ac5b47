//! Hover, completion, go-to-definition, document symbols and diagnostics.

use std::fmt::Write as _;
use std::path::PathBuf;

use qlint_grammar::Span;

use qlint_files::check;
use qlint_files::config::Config;
use qlint_knowledge::Knowledge;
use qlint_linter::diagnostic::Diagnostic;
use qlint_linter::{Language, Parameter, ParameterType};

use super::catalog::{Catalog, FieldEntry, MacroEntry};
use super::kql::{self, LetBinding};
use super::operators::{self, ScalarOperator};
use super::scan::{Token, TokenKind, previous_significant, scan, token_at};
use super::source::{FileKind, Region, SourceFile};
use super::{spl, spl_fields};

/// Markdown to show on hover, and the file bytes it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    /// Markdown.
    pub markdown: String,
    /// File span of the hovered token.
    pub span: Span,
}

/// What a completion proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A KQL table.
    Table,
    /// A column in scope.
    Column,
    /// A KQL tabular operator.
    Operator,
    /// An SPL command.
    Command,
    /// A scalar or aggregation function.
    Function,
    /// An SPL macro.
    Macro,
    /// A `let` name.
    Variable,
    /// A data-model field or dataset, or an SPL field.
    Field,
    /// A value of a named argument (`kind=inner`).
    Value,
    /// A named argument or option (`kind=`, `summariesonly=`).
    Keyword,
}

/// One completion proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionEntry {
    /// The text shown and inserted.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// One line (signature, type).
    pub detail: String,
    /// Markdown doc (may be empty).
    pub doc: String,
    /// File bytes the label replaces (the partial word under the cursor).
    pub replace: Span,
    /// Where it sorts: lower first (the client sorts by this, then by label).
    pub rank: u8,
    /// What to insert instead of the label, in LSP snippet syntax, when it takes arguments.
    pub snippet: Option<String>,
}

/// Where a name is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The defining file; `None` for the file that was asked about.
    pub path: Option<PathBuf>,
    /// Bytes of the definition in that file.
    pub span: Span,
}

/// What a document symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A query inside a Markdown or YAML file.
    Query,
    /// A `let` bound to a value or tabular expression.
    Variable,
    /// A `let` bound to a user function.
    Function,
}

/// One document symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Name.
    pub name: String,
    /// One line shown next to the name.
    pub detail: Option<String>,
    /// Kind.
    pub kind: SymbolKind,
    /// File bytes of the whole construct.
    pub span: Span,
    /// File bytes of the name (inside `span`).
    pub selection: Span,
    /// Nested symbols.
    pub children: Vec<Symbol>,
}

/// The region, its tokens, and the query offset of a file offset.
pub(super) struct Cursor<'a> {
    pub(super) region: &'a Region,
    pub(super) tokens: Vec<Token>,
    pub(super) offset: u32,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(file: &'a SourceFile, offset: u32) -> Option<Self> {
        let (region, offset) = file.region_at(offset)?;
        Some(Self { region, tokens: scan(region.language, &region.text), offset })
    }

    pub(super) fn text(&self) -> &'a str {
        &self.region.text
    }

    pub(super) fn tok(&self, i: usize) -> &str {
        self.tokens[i].text(&self.region.text)
    }

    pub(super) fn next_significant(&self, i: usize) -> Option<usize> {
        (i + 1..self.tokens.len()).find(|&j| !self.tokens[j].is_trivia())
    }

    pub(super) fn prev_significant(&self, i: usize) -> Option<usize> {
        previous_significant(&self.tokens, self.tokens[i].span.start)
    }
}

/// Hover text for the token at a file offset.
pub fn hover(file: &SourceFile, offset: u32, catalog: &dyn Catalog) -> Option<HoverInfo> {
    let cur = Cursor::new(file, offset)?;
    if cur.region.language == Language::Sigma {
        let (markdown, span) = super::sigma::hover(cur.text(), cur.offset)?;
        return Some(HoverInfo { markdown, span: cur.region.span_to_file(span) });
    }
    let idx = token_at(&cur.tokens, cur.offset)?;
    if cur.region.language == Language::Kql
        && let Some((op, span)) = kql_operator_at(&cur, idx)
    {
        return Some(HoverInfo {
            markdown: operators::markdown(op),
            span: cur.region.span_to_file(span),
        });
    }
    let markdown = match cur.region.language {
        Language::Kql => hover_kql(&cur, idx, catalog),
        Language::Spl => hover_spl(&cur, idx, catalog),
        Language::Yaral => {
            let (markdown, span) = super::yaral::hover(cur.text(), cur.offset)?;
            return Some(HoverInfo { markdown, span: cur.region.span_to_file(span) });
        }
        Language::Sigma => None,
    }?;
    Some(HoverInfo { markdown, span: cur.region.span_to_file(cur.tokens[idx].span) })
}

/// The scalar operator at token `idx` and its span: `==`, `has`, `!has` (two tokens),
/// `in~`, `matches regex`. A word is an operator only after an operand (`has(` is a call).
fn kql_operator_at(cur: &Cursor<'_>, idx: usize) -> Option<(&'static ScalarOperator, Span)> {
    let tok = cur.tokens[idx];
    let adjacent = |a: usize, b: usize| cur.tokens[a].span.end == cur.tokens[b].span.start;
    let bang = |i: usize| {
        i.checked_sub(1)
            .filter(|&b| cur.tokens[b].kind == TokenKind::Op && cur.tok(b) == "!" && adjacent(b, i))
    };
    match tok.kind {
        TokenKind::Op => {
            // `!` of `!has`: the word after it.
            if cur.tok(idx) == "!"
                && cur.tokens.get(idx + 1).is_some_and(|_| adjacent(idx, idx + 1))
            {
                return kql_operator_at(cur, idx + 1);
            }
            operators::scalar_operator(cur.tok(idx)).map(|o| (o, tok.span))
        }
        TokenKind::Word => {
            let word = cur.tok(idx);
            if cur.next_significant(idx).is_some_and(|n| cur.tokens[n].kind == TokenKind::LParen)
                && !matches!(word, "in" | "has_any" | "has_all" | "between")
            {
                return None;
            }
            let prev = cur.prev_significant(idx)?;
            if cur.tokens[prev].kind == TokenKind::Pipe {
                return None;
            }
            let (name, first, last) = match word {
                "regex" if cur.tok(prev) == "matches" => ("matches regex".to_owned(), prev, idx),
                "matches" => ("matches regex".to_owned(), idx, cur.next_significant(idx)?),
                "in" if cur
                    .tokens
                    .get(idx + 1)
                    .is_some_and(|t| cur.tok(idx + 1) == "~" && t.kind == TokenKind::Op) =>
                {
                    ("in~".to_owned(), idx, idx + 1)
                }
                _ => (word.to_owned(), idx, idx),
            };
            let (name, first) = match bang(first) {
                Some(b) => (format!("!{name}"), b),
                None => (name, first),
            };
            let op = operators::scalar_operator(&name)?;
            Some((op, Span::new(cur.tokens[first].span.start, cur.tokens[last].span.end)))
        }
        _ => None,
    }
}

fn code_block(language: &str, body: &str) -> String {
    format!("```{language}\n{}\n```", body.trim_end())
}

/// At most `n` lines of `text`, with an ellipsis when cut.
fn first_lines(text: &str, n: usize) -> String {
    let mut lines: Vec<&str> = text.lines().take(n + 1).collect();
    if lines.len() > n {
        lines.truncate(n);
        lines.push("…");
    }
    lines.join("\n")
}

fn hover_kql(cur: &Cursor<'_>, idx: usize, catalog: &dyn Catalog) -> Option<String> {
    let tok = cur.tokens[idx];
    if tok.kind != TokenKind::Word {
        return None;
    }
    let word = cur.tok(idx);
    let text = cur.text();
    let prev = cur.prev_significant(idx);
    let next = cur.next_significant(idx);
    if prev.is_some_and(|p| cur.tokens[p].kind == TokenKind::Pipe)
        && let Some(op) = catalog.tabular_operator(word)
    {
        return Some(format!("{}\n\n{}", code_block("kql", &op.detail_or_name()), op.doc));
    }
    let lets = kql::let_bindings(text, &cur.tokens);
    if let Some(binding) = visible_let(&lets, word, tok.span) {
        let what = if binding.is_function() { "user function" } else { "let" };
        let body = first_lines(binding.span.text(text), 12);
        return Some(format!("{}\n\n*{what}* defined in this query", code_block("kql", &body)));
    }
    if let Some(parameter) = declared_parameter(cur.region, word) {
        return Some(parameter_markdown(parameter));
    }
    if next.is_some_and(|n| cur.tokens[n].kind == TokenKind::LParen)
        && let Some(f) = catalog.function(Language::Kql, word)
    {
        return Some(format!("{}\n\n{}", code_block("kql", &f.detail_or_name()), f.doc));
    }
    if let Some(table) = catalog.table(word) {
        let mut out = format!("**table** `{}`\n\n", table.name);
        if !table.doc.is_empty() {
            let _ = write!(out, "{}\n\n", table.doc);
        }
        out.push_str("| column | type |\n|---|---|\n");
        for c in table.columns.iter().take(80) {
            let _ = writeln!(out, "| {} | {} |", c.name, c.ty);
        }
        if table.columns.len() > 80 {
            let _ = writeln!(out, "\n… and {} more columns", table.columns.len() - 80);
        }
        return Some(out);
    }
    let cols = kql::columns_at(text, &cur.tokens, tok.span.start, catalog);
    if let Some(col) = cols.iter().find(|c| c.name == word) {
        let ty = col.ty.as_deref().unwrap_or("unknown type");
        let mut out = format!("**column** `{}`: `{ty}`\n\nfrom `{}`", col.name, col.origin);
        if let Some(doc) = catalog
            .table(&col.origin)
            .and_then(|t| t.columns.into_iter().find(|c| c.name == col.name))
            .map(|c| c.doc)
            .filter(|d| !d.is_empty())
        {
            let _ = write!(out, "\n\n{doc}");
        }
        return Some(out);
    }
    if let Some(op) = catalog.tabular_operator(word).filter(|_| prev.is_none()) {
        return Some(format!("{}\n\n{}", code_block("kql", &op.detail_or_name()), op.doc));
    }
    None
}

/// The parameter named `name` that the region's container declares, if any.
fn declared_parameter<'a>(region: &'a Region, name: &str) -> Option<&'a Parameter> {
    region.facts.declared_parameters().iter().find(|p| p.name == name)
}

pub(super) fn parameter_type(parameter: &Parameter) -> &'static str {
    match parameter.ty {
        ParameterType::Scalar(Some(ty)) => ty.name(),
        ParameterType::Scalar(None) => "unknown type",
        ParameterType::Tabular => "table",
    }
}

fn parameter_markdown(parameter: &Parameter) -> String {
    format!(
        "**parameter** `{}`: `{}`\n\ndeclared by the file around the query (`FunctionParams` / `ParserParams`)",
        parameter.name,
        parameter_type(parameter)
    )
}

/// The `let` binding a use of `name` at `at` refers to: the last one defined before it, or
/// the binding whose name `at` is.
pub(super) fn visible_let<'a>(
    lets: &'a [LetBinding],
    name: &str,
    at: Span,
) -> Option<&'a LetBinding> {
    lets.iter().rev().find(|b| b.name == name && (b.name_span == at || b.span.end <= at.start))
}

pub(super) fn macro_markdown(m: &MacroEntry) -> String {
    let call = if m.args.is_empty() {
        m.name.clone()
    } else {
        format!("{}({})", m.name, m.args.join(", "))
    };
    let mut out = format!(
        "**macro** `` `{call}` ``\n\n{}",
        code_block("spl", &first_lines(&m.definition, 15))
    );
    match &m.path {
        Some(path) => {
            let _ = write!(out, "\n\nDefined in `{}`", path.display());
        }
        None => out.push_str("\n\nBuilt in"),
    }
    out
}

fn field_markdown(f: &FieldEntry) -> String {
    let ty = if f.ty.is_empty() { String::new() } else { format!(": `{}`", f.ty) };
    let mut out = format!(
        "**data-model field** `{}.{}`{ty}\n\nin data model `{}`",
        f.dataset, f.field, f.model
    );
    if !f.doc.is_empty() {
        let _ = write!(out, "\n\n{}", f.doc);
    }
    out
}

fn hover_spl(cur: &Cursor<'_>, idx: usize, catalog: &dyn Catalog) -> Option<String> {
    let tok = cur.tokens[idx];
    let word = cur.tok(idx);
    if tok.kind == TokenKind::Macro {
        let (name, arity) = spl::macro_call(word);
        return catalog.macro_named(&name, arity).map(|m| macro_markdown(&m));
    }
    if tok.kind != TokenKind::Word {
        return None;
    }
    let prev = cur.prev_significant(idx);
    let next = cur.next_significant(idx);
    if spl::at_command_position(&cur.tokens, prev)
        && let Some(cmd) = catalog.spl_command(word)
    {
        return Some(format!("{}\n\n{}", code_block("spl", &cmd.detail_or_name()), cmd.doc));
    }
    if next.is_some_and(|n| cur.tokens[n].kind == TokenKind::LParen)
        && let Some(f) = catalog.function(Language::Spl, word)
    {
        return Some(format!("{}\n\n{}", code_block("spl", &f.detail_or_name()), f.doc));
    }
    if let Some((head, field)) = word.rsplit_once('.') {
        let fields = catalog.datamodel_fields();
        // `Processes.process_name`
        if let Some(f) = fields.iter().find(|f| f.dataset == head && f.field == field) {
            return Some(field_markdown(f));
        }
        // `Endpoint.Processes`
        let in_dataset: Vec<&FieldEntry> =
            fields.iter().filter(|f| f.model == head && f.dataset == field).collect();
        if !in_dataset.is_empty() {
            let mut out = format!("**data model** `{head}`, dataset `{field}`\n\n");
            for f in in_dataset.iter().take(60) {
                let _ = writeln!(out, "- `{}.{}` {}", f.dataset, f.field, f.ty);
            }
            return Some(out);
        }
    }
    spl_option_or_field(cur, idx, catalog)
}

/// An option of the command it is in (`summariesonly=` of `tstats`), or a field the pipeline
/// has made (with where it comes from).
fn spl_option_or_field(cur: &Cursor<'_>, idx: usize, catalog: &dyn Catalog) -> Option<String> {
    let text = cur.text();
    let word = cur.tok(idx);
    let commands = spl_fields::commands(&cur.tokens);
    let n = spl_fields::command_at(&commands, cur.tokens[idx].span.start);
    let command = commands.get(n)?;
    let name = command.name(text, &cur.tokens);
    let before_eq = cur.tokens.get(idx + 1).is_some_and(|t| t.kind == TokenKind::Eq);
    if before_eq
        && !command.base_search
        && let Some(o) = catalog
            .spl_command_options(&name)
            .into_iter()
            .find(|o| o.name.eq_ignore_ascii_case(word))
    {
        return Some(format!("**option** `{}` of `{name}`\n\n{}", o.name, o.doc));
    }
    let before = spl_fields::fields_before(text, &cur.tokens, &commands, n, catalog);
    if let Some(f) = before.iter().find(|f| f.name == word) {
        return Some(format!("**field** `{}`\n\nfrom {}", f.name, f.origin));
    }
    // Made by this command (`eval x=`, a `rex` group, `stats ... AS n`).
    let after = spl_fields::fields_before(text, &cur.tokens, &commands, n + 1, catalog);
    let f = after.iter().find(|f| f.name == word && f.origin != "every event")?;
    Some(format!("**field** `{}`\n\nfrom {}", f.name, f.origin))
}

impl super::catalog::Entry {
    fn detail_or_name(&self) -> String {
        if self.detail.is_empty() { self.name.clone() } else { self.detail.clone() }
    }
}

/// Where the name at a file offset is defined.
pub fn definition(file: &SourceFile, offset: u32, catalog: &dyn Catalog) -> Option<Target> {
    let cur = Cursor::new(file, offset)?;
    if cur.region.language == Language::Sigma {
        let span = super::sigma::definition(cur.text(), cur.offset)?;
        return Some(Target { path: None, span: cur.region.span_to_file(span) });
    }
    if cur.region.language == Language::Yaral {
        let span = super::yaral::definition(cur.text(), cur.offset)?;
        return Some(Target { path: None, span: cur.region.span_to_file(span) });
    }
    let idx = token_at(&cur.tokens, cur.offset)?;
    let tok = cur.tokens[idx];
    match (cur.region.language, tok.kind) {
        (Language::Kql, TokenKind::Word) => {
            let lets = kql::let_bindings(cur.text(), &cur.tokens);
            if let Some(binding) = visible_let(&lets, cur.tok(idx), tok.span) {
                return Some(Target {
                    path: None,
                    span: cur.region.span_to_file(binding.name_span),
                });
            }
            // A parameter the file declares: its `Name:` entry (already in file offsets).
            let declared = declared_parameter(cur.region, cur.tok(idx))?.declared_at?;
            Some(Target { path: None, span: declared })
        }
        (Language::Spl, TokenKind::Macro) => {
            let (name, arity) = spl::macro_call(cur.tok(idx));
            let m = catalog.macro_named(&name, arity)?;
            Some(Target { path: Some(m.path?), span: m.span })
        }
        _ => None,
    }
}

fn let_symbols(region: &Region) -> Vec<Symbol> {
    if region.language != Language::Kql {
        return Vec::new();
    }
    let tokens = scan(Language::Kql, &region.text);
    kql::let_bindings(&region.text, &tokens)
        .into_iter()
        .map(|b| {
            let (kind, detail) = match &b.params {
                Some(p) => (SymbolKind::Function, p.clone()),
                None => (SymbolKind::Variable, first_lines(b.value.text(&region.text), 1)),
            };
            Symbol {
                name: b.name.clone(),
                detail: Some(detail),
                kind,
                span: region.span_to_file(b.span),
                selection: region.span_to_file(b.name_span),
                children: Vec::new(),
            }
        })
        .collect()
}

/// The outline of a file: `let` statements, and in Markdown/YAML each query with its lets.
pub fn symbols(file: &SourceFile) -> Vec<Symbol> {
    if let FileKind::Query(Language::Yaral) = file.kind {
        return file.regions.iter().flat_map(yaral_symbols).collect();
    }
    if let FileKind::Query(_) = file.kind {
        return file.regions.iter().flat_map(let_symbols).collect();
    }
    file.regions
        .iter()
        .enumerate()
        .map(|(n, region)| {
            let lang = match region.language {
                Language::Kql => "KQL",
                Language::Spl => "SPL",
                Language::Sigma => "Sigma",
                Language::Yaral => "YARA-L",
            };
            let name = region.name.clone().unwrap_or_else(|| format!("{lang} query {}", n + 1));
            let first = region.text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
            let selection = Span::new(region.span_in_file.start, region.span_in_file.start);
            Symbol {
                name,
                detail: Some(format!("{lang}: {}", first.chars().take(60).collect::<String>())),
                kind: SymbolKind::Query,
                span: region.span_in_file,
                selection,
                children: match region.language {
                    Language::Sigma => sigma_symbols(region),
                    _ => let_symbols(region),
                },
            }
        })
        .collect()
}

/// The search identifiers of a Sigma rule, children of its symbol.
fn sigma_symbols(region: &Region) -> Vec<Symbol> {
    super::sigma::outline(&region.text)
        .into_iter()
        .map(|(name, span, key)| Symbol {
            name,
            detail: Some("search identifier".into()),
            kind: SymbolKind::Variable,
            span: region.span_to_file(span),
            selection: region.span_to_file(key),
            children: Vec::new(),
        })
        .collect()
}

/// YARA-L outline: one symbol per rule, its sections as children.
fn yaral_symbols(region: &Region) -> Vec<Symbol> {
    super::yaral::outline(&region.text)
        .into_iter()
        .map(|(name, span, name_span, sections)| Symbol {
            name,
            detail: Some("YARA-L rule".into()),
            kind: SymbolKind::Query,
            span: region.span_to_file(span),
            selection: region.span_to_file(name_span),
            children: sections
                .into_iter()
                .map(|(keyword, span, header)| Symbol {
                    name: keyword,
                    detail: None,
                    kind: SymbolKind::Variable,
                    span: region.span_to_file(span),
                    selection: region.span_to_file(header),
                    children: Vec::new(),
                })
                .collect(),
        })
        .collect()
}

/// The per-file check `qlint check` runs (queries, configuration, suppressions), with spans
/// and fix edits in file offsets.
pub fn diagnostics(file: &SourceFile, knowledge: &Knowledge, config: &Config) -> Vec<Diagnostic> {
    let Some(kind) = file.kind.source_kind() else { return Vec::new() };
    let path = file.path.clone().unwrap_or_else(|| PathBuf::from("untitled"));
    check::check_source(&path, kind, &file.text, knowledge, config).diagnostics
}

#[cfg(test)]
mod tests {
    use super::super::catalog::{ColumnEntry, Entry, TableEntry};
    use super::super::complete::completions;
    use super::*;

    /// A few facts, enough to exercise every feature.
    struct Facts;

    impl Catalog for Facts {
        fn table_names(&self) -> Vec<String> {
            vec!["DeviceProcessEvents".into()]
        }
        fn table(&self, name: &str) -> Option<TableEntry> {
            (name == "DeviceProcessEvents").then(|| TableEntry {
                name: name.into(),
                doc: "Process creation events.".into(),
                columns: vec![
                    ColumnEntry {
                        name: "FileName".into(),
                        ty: "string".into(),
                        doc: "Image name.".into(),
                    },
                    ColumnEntry {
                        name: "Timestamp".into(),
                        ty: "datetime".into(),
                        doc: String::new(),
                    },
                ],
            })
        }
        fn functions(&self, language: Language) -> Vec<Entry> {
            match language {
                Language::Kql => {
                    vec![Entry::new("tolower", "tolower(value: string): string", "Lower case.")]
                }
                Language::Spl => vec![Entry::new("lower", "lower(X)", "Lower case.")],
                Language::Sigma | Language::Yaral => Vec::new(),
            }
        }
        fn tabular_operators(&self) -> Vec<Entry> {
            vec![
                Entry::new("where", "where Predicate", "Filters rows."),
                Entry::new("mv-expand", "", "Expands."),
            ]
        }
        fn spl_commands(&self) -> Vec<Entry> {
            vec![Entry::new("tstats", "tstats ...", "Stats over accelerated data.")]
        }
        fn macros(&self) -> Vec<MacroEntry> {
            vec![MacroEntry {
                name: "sysmon".into(),
                args: vec![],
                definition: "index=sysmon".into(),
                path: Some("/ws/macros.conf".into()),
                span: Span::new(10, 20),
            }]
        }
        fn datamodel_fields(&self) -> Vec<FieldEntry> {
            vec![FieldEntry {
                model: "Endpoint".into(),
                dataset: "Processes".into(),
                field: "process_name".into(),
                ty: "string".into(),
                doc: String::new(),
            }]
        }
    }

    fn kql(text: &str) -> SourceFile {
        SourceFile::new(Some("q.kql".into()), "kql", text.to_owned())
    }

    fn spl(text: &str) -> SourceFile {
        SourceFile::new(Some("q.spl".into()), "spl", text.to_owned())
    }

    fn at(text: &str, needle: &str) -> u32 {
        text.find(needle).unwrap() as u32
    }

    fn labels(items: &[CompletionEntry]) -> Vec<&str> {
        items.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn kql_hover_table_column_function_operator_let() {
        let text = "let procs = DeviceProcessEvents | where FileName == \"x\";\nprocs | where tolower(FileName) has \"a\"";
        let f = kql(text);
        let h = hover(&f, at(text, "DeviceProcessEvents") + 3, &Facts).unwrap();
        assert!(h.markdown.contains("| FileName | string |"), "{}", h.markdown);
        assert_eq!(h.span.text(text), "DeviceProcessEvents");
        let h = hover(&f, at(text, "tolower") + 1, &Facts).unwrap();
        assert!(h.markdown.contains("tolower(value: string): string"));
        let h = hover(&f, at(text, "FileName)") + 1, &Facts).unwrap();
        assert!(
            h.markdown.contains("`FileName`: `string`")
                && h.markdown.contains("DeviceProcessEvents"),
            "{}",
            h.markdown
        );
        let h = hover(&f, at(text, "where"), &Facts).unwrap();
        assert!(h.markdown.contains("Filters rows."));
        let h = hover(&f, at(text, "procs |"), &Facts).unwrap();
        assert!(h.markdown.contains("let procs = DeviceProcessEvents"));
        assert!(hover(&f, at(text, "\"a\"") + 1, &Facts).is_none());
    }

    #[test]
    fn kql_hover_and_completion_of_declared_parameters() {
        let yaml = "ParserName: vimX\nParserParams:\n  - Name: starttime\n    Type: datetime\n  - Name: T\n    Type: table\nParserQuery: |\n  T\n  | where TimeGenerated >= starttime\n";
        let f = SourceFile::new(Some("p.yaml".into()), "yaml", yaml.to_owned());
        let h = hover(&f, yaml.rfind("starttime").unwrap() as u32 + 2, &Facts).unwrap();
        assert!(h.markdown.starts_with("**parameter** `starttime`: `datetime`"), "{}", h.markdown);
        let h = hover(&f, yaml.find("  T\n").unwrap() as u32 + 2, &Facts).unwrap();
        assert!(h.markdown.contains("`T`: `table`"), "{}", h.markdown);
        // In a stage: the scalar parameter; at the start of a pipeline: the tabular one.
        let items = completions(&f, yaml.rfind("starttime").unwrap() as u32 + 3, &Facts);
        let start = items.iter().find(|c| c.label == "starttime").unwrap();
        assert_eq!(start.detail, "parameter: datetime");
        assert!(items.iter().all(|c| c.label != "T"));
        let items = completions(&f, yaml.find("  T\n").unwrap() as u32 + 3, &Facts);
        assert!(labels(&items).contains(&"T"), "{:?}", labels(&items));
        // Go-to-definition lands on the `Name:` entry.
        let target = definition(&f, yaml.rfind("starttime").unwrap() as u32 + 1, &Facts).unwrap();
        assert_eq!(target.span.start, at(yaml, "starttime"));
        assert_eq!(target.span.text(yaml), "starttime");
        // Without a container, nothing is declared.
        let plain = kql("T\n| where TimeGenerated >= starttime\n");
        assert!(hover(&plain, 30, &Facts).is_none());
    }

    #[test]
    fn editor_diagnostics_see_the_container_window() {
        let knowledge = Knowledge::builtin();
        // KQL404 is off by default: select it.
        let config =
            Config::parse(std::path::Path::new("qlint.toml"), "select = [\"ALL\"]\n").unwrap();
        let query = "SigninLogs\n| where ResultType != \"0\"\n";
        let indented: String = query.lines().map(|l| format!("  {l}\n")).collect();
        let rule = format!("name: r\nkind: Scheduled\nqueryPeriod: 1d\nquery: |\n{indented}");
        let rule = SourceFile::new(Some("r.yaml".into()), "yaml", rule);
        assert!(diagnostics(&rule, &knowledge, &config).iter().all(|d| d.code != "KQL404"));
        let hunt =
            SourceFile::new(Some("h.md".into()), "markdown", format!("```kql\n{query}```\n"));
        let codes: Vec<_> =
            diagnostics(&hunt, &knowledge, &config).iter().map(|d| d.code).collect();
        assert_eq!(codes, ["KQL404"]);
    }

    #[test]
    fn kql_completion_by_position() {
        let text = "DeviceProcessEvents\n| extend Lower = tolower(FileName)\n| where Fi";
        let f = kql(text);
        let items = completions(&f, text.len() as u32, &Facts);
        let l = labels(&items);
        assert!(l.contains(&"FileName") && l.contains(&"Lower") && l.contains(&"tolower"), "{l:?}");
        assert!(!l.contains(&"where"));
        assert_eq!(items[0].replace.text(text), "Fi");
        let items = completions(&f, at(text, "extend"), &Facts);
        assert_eq!(labels(&items), ["where", "mv-expand"]);
        assert_eq!(items[0].snippet.as_deref(), Some("where ${1:predicate}"));
        let items = completions(&f, 0, &Facts);
        assert_eq!(labels(&items), ["DeviceProcessEvents"]);
        let text = "let x = 1;\nlet T = DeviceProcessEvents;\n";
        let items = completions(&kql(text), text.len() as u32, &Facts);
        assert_eq!(labels(&items), ["T", "x", "DeviceProcessEvents"]);
    }

    #[test]
    fn kql_definition_of_lets_and_functions() {
        let text = "let f = (s:string) { tolower(s) };\nlet x = 1;\nT | extend y = f(\"A\") + x";
        let file = kql(text);
        let t = definition(&file, at(text, "f(\"A"), &Facts).unwrap();
        assert_eq!(t.path, None);
        assert_eq!(t.span, Span::new(4, 5));
        let t = definition(&file, text.len() as u32, &Facts).unwrap();
        assert_eq!(t.span.text(text), "x");
        assert!(definition(&file, at(text, "extend"), &Facts).is_none());
    }

    #[test]
    fn spl_features() {
        let text = "`sysmon` | tstats count from datamodel=Endpoint.Processes by Processes.process_name | eval l=lower(x) | ";
        let f = spl(text);
        let h = hover(&f, 2, &Facts).unwrap();
        assert!(h.markdown.contains("index=sysmon") && h.markdown.contains("/ws/macros.conf"));
        let h = hover(&f, at(text, "tstats"), &Facts).unwrap();
        assert!(h.markdown.contains("accelerated"));
        let h = hover(&f, at(text, "Processes.process_name") + 12, &Facts).unwrap();
        assert!(h.markdown.contains("`Processes.process_name`: `string`"));
        let h = hover(&f, at(text, "lower"), &Facts).unwrap();
        assert!(h.markdown.contains("lower(X)"));
        let t = definition(&f, 3, &Facts).unwrap();
        assert_eq!(t.path.as_deref(), Some(std::path::Path::new("/ws/macros.conf")));
        assert_eq!(labels(&completions(&f, text.len() as u32, &Facts)), ["tstats"]);
        assert_eq!(labels(&completions(&f, 1, &Facts)), ["sysmon"]);
        let by = at(text, "Processes.process_name") + 10;
        let items = completions(&f, by, &Facts);
        assert_eq!(labels(&items), ["Processes.process_name"]);
        let text = "| tstats count from datamodel=";
        assert_eq!(
            labels(&completions(&spl(text), text.len() as u32, &Facts)),
            ["Endpoint.Processes"]
        );
        let text = "| tstats count from datamodel=Endpoint.Processes where ";
        let l = completions(&spl(text), text.len() as u32, &Facts);
        assert_eq!(labels(&l), ["Processes.process_name", "lower"]);
    }

    #[test]
    fn symbols_for_kql_and_markdown() {
        let text = "let a = 1;\nlet f = (x:int) { x };\nT";
        let syms = symbols(&kql(text));
        assert_eq!(
            syms.iter().map(|s| (s.name.as_str(), s.kind)).collect::<Vec<_>>(),
            [("a", SymbolKind::Variable), ("f", SymbolKind::Function)]
        );
        let md = "# Rare parents\n```kql\nlet p = 1;\nT\n```\n\n```spl\nindex=x\n```\n";
        let file = SourceFile::new(Some("h.md".into()), "markdown", md.to_owned());
        let syms = symbols(&file);
        assert_eq!(syms.len(), 2);
        assert_eq!(syms[0].name, "Rare parents");
        assert_eq!(syms[0].children[0].name, "p");
        assert_eq!(syms[0].children[0].selection.text(md), "p");
        assert_eq!(syms[1].kind, SymbolKind::Query);
    }

    #[test]
    fn kql_operators_after_an_operand_and_kinds_after_join() {
        let text = "DeviceProcessEvents\n| where FileName ";
        let items = completions(&kql(text), text.len() as u32, &Facts);
        assert!(items.iter().all(|c| c.kind == CompletionKind::Operator), "{:?}", labels(&items));
        let has = items.iter().find(|c| c.label == "has").unwrap();
        assert!(has.detail.contains("whole term") && has.detail.contains("case-insensitive"));
        assert!(items.iter().find(|c| c.label == "==").unwrap().detail.contains("case-sensitive"));
        let between = items.iter().find(|c| c.label == "between").unwrap();
        assert_eq!(between.snippet.as_deref(), Some("between (${1:low} .. ${2:high})"));
        // After a literal, `and`/`or` come first.
        let text = "DeviceProcessEvents\n| where FileName has \"x\" ";
        let items = completions(&kql(text), text.len() as u32, &Facts);
        assert_eq!(labels(&items)[..2], ["and", "or"]);
        // After `where` itself: operands, not operators.
        let text = "DeviceProcessEvents\n| where ";
        let l = labels(&completions(&kql(text), text.len() as u32, &Facts)).join(",");
        assert!(l.starts_with("FileName,Timestamp") && !l.contains("has"), "{l}");
        let text = "DeviceProcessEvents\n| join kind=";
        let items = completions(&kql(text), text.len() as u32, &Facts);
        assert!(
            labels(&items).contains(&"leftanti")
                && items.iter().all(|c| c.kind == CompletionKind::Value)
        );
        let text = "DeviceProcessEvents\n| join ";
        assert!(labels(&completions(&kql(text), text.len() as u32, &Facts)).contains(&"kind="));
        // `project-away`: columns only.
        let text = "DeviceProcessEvents\n| project-away ";
        assert_eq!(
            labels(&completions(&kql(text), text.len() as u32, &Facts)),
            ["FileName", "Timestamp"]
        );
    }

    #[test]
    fn kql_hover_on_operators() {
        let text = "T | where A has \"x\" and B !has \"y\" and C =~ \"z\" and D in~ (\"a\") and E matches regex \"q\"";
        let f = kql(text);
        let h = hover(&f, at(text, "has") + 1, &Facts).unwrap();
        assert!(h.markdown.contains("whole term, case-insensitive"), "{}", h.markdown);
        let h = hover(&f, at(text, "!has") + 2, &Facts).unwrap();
        assert!(h.markdown.contains("`!has`"));
        assert_eq!(h.span.text(text), "!has");
        let h = hover(&f, at(text, "=~"), &Facts).unwrap();
        assert!(h.markdown.contains("ignoring case"));
        let h = hover(&f, at(text, "in~"), &Facts).unwrap();
        assert_eq!(h.span.text(text), "in~");
        let h = hover(&f, at(text, "regex"), &Facts).unwrap();
        assert_eq!(h.span.text(text), "matches regex");
    }

    #[test]
    fn spl_completion_by_command() {
        let text = "index=win EventCode=4625 | rex \"user=(?<user>\\w+)\" | stats count by ";
        let items = completions(&spl(text), text.len() as u32, &Facts);
        let l = labels(&items);
        assert_eq!(l[..2], ["EventCode", "user"], "{l:?}");
        assert!(!l.contains(&"lower"), "no functions after `by`: {l:?}");
        let user = items.iter().find(|c| c.label == "user").unwrap();
        assert!(user.detail.contains("rex"), "{}", user.detail);
        let text = "index=win | eval x=";
        let l = labels(&completions(&spl(text), text.len() as u32, &Facts)).join(",");
        assert!(l.contains("lower") && l.contains("_time"), "{l}");
        // Hover on a field says where it comes from.
        let text = "index=win | eval short=lower(host) | table short";
        let h = hover(&spl(text), text.len() as u32 - 1, &Facts).unwrap();
        assert!(h.markdown.contains("`eval short=lower(host)`"), "{}", h.markdown);
    }

    #[test]
    fn no_panics_on_odd_offsets() {
        let f = kql("T | where x == \"é");
        for off in 0..40 {
            let _ = hover(&f, off, &Facts);
            let _ = completions(&f, off, &Facts);
            let _ = definition(&f, off, &Facts);
        }
    }
}
