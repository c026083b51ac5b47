//! Completion from the syntax position.
//!
//! KQL: tables where a tabular expression starts, operators (with snippets) after `|`,
//! scalar operators after a scalar operand, `kind=` values and hints after `join`/`lookup`/
//! `summarize`/`mv-expand`, columns first after `project`/`by`/`on`. SPL: commands after `|`,
//! command options, eval functions in `eval`/`where`, stats functions in the stats family,
//! and the fields the pipeline has made so far wherever a field goes. Every proposal carries
//! a rank (the client sorts by it) and its own detail line.

use qlint_grammar::Span;
use qlint_linter::{Language, ParameterType};

use super::catalog::{Catalog, Entry};
use super::features::{CompletionEntry, CompletionKind, Cursor, macro_markdown, parameter_type};
use super::kql::{self, LetBinding};
use super::operators::{self, SCALAR_OPERATORS};
use super::scan::{TokenKind, previous_significant, token_at};
use super::source::{FileKind, SourceFile};
use super::{spl, spl_fields};

/// Collects proposals that all replace the same bytes.
struct Sink {
    out: Vec<CompletionEntry>,
    replace: Span,
}

impl Sink {
    fn add(
        &mut self,
        label: impl Into<String>,
        kind: CompletionKind,
        detail: impl Into<String>,
        doc: impl Into<String>,
        rank: u8,
    ) {
        self.out.push(CompletionEntry {
            label: label.into(),
            kind,
            detail: detail.into(),
            doc: doc.into(),
            replace: self.replace,
            rank,
            snippet: None,
        });
    }

    fn snippet(&mut self, snippet: Option<&str>) {
        if let (Some(last), Some(s)) = (self.out.last_mut(), snippet) {
            last.snippet = Some(s.to_owned());
        }
    }
}

fn detail_or_name(e: &Entry) -> String {
    if e.detail.is_empty() { e.name.clone() } else { e.detail.clone() }
}

/// A Sigma key being typed (`    Parent`, `    Image|ends`) has no `:` yet, so the YAML does
/// not parse and the file has no Sigma region: complete as if the line ended with `:`. The
/// text up to the end of that line keeps its offsets, so the proposals' spans stay true.
fn sigma_key_being_typed(
    file: &SourceFile,
    offset: u32,
    catalog: &dyn Catalog,
) -> Vec<CompletionEntry> {
    let at = offset as usize;
    if !matches!(file.kind, FileKind::Container(_)) || !file.text.is_char_boundary(at) {
        return Vec::new();
    }
    let line_start = file.text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = file.text[at..].find('\n').map_or(file.text.len(), |i| at + i);
    if file.text[line_start..line_end].contains([':', '#']) {
        return Vec::new();
    }
    let patched = format!("{}:{}", &file.text[..line_end], &file.text[line_end..]);
    let retry = SourceFile::new(file.path.clone(), "yaml", patched);
    match Cursor::new(&retry, offset) {
        Some(cur) if cur.region.language == Language::Sigma => completions(&retry, offset, catalog),
        _ => Vec::new(),
    }
}

/// Completion proposals at a file offset, best first.
pub fn completions(file: &SourceFile, offset: u32, catalog: &dyn Catalog) -> Vec<CompletionEntry> {
    let Some(cur) = Cursor::new(file, offset) else {
        return sigma_key_being_typed(file, offset, catalog);
    };
    let q = cur.offset;
    if cur.region.language == Language::Sigma {
        return super::sigma::completions(cur.text(), q)
            .into_iter()
            .map(|(label, doc, span)| CompletionEntry {
                kind: if doc == "search identifier" {
                    CompletionKind::Variable
                } else {
                    CompletionKind::Operator
                },
                detail: label.clone(),
                label,
                doc,
                replace: cur.region.span_to_file(span),
                rank: 0,
                snippet: None,
            })
            .collect();
    }
    if cur.region.language == Language::Yaral {
        return yaral_completions(&cur, q);
    }
    // The partial word under the cursor, if any.
    let at = token_at(&cur.tokens, q).filter(|&i| {
        let t = cur.tokens[i];
        t.span.start < q && q <= t.span.end
    });
    if let Some(i) = at {
        let t = cur.tokens[i];
        let closed = t.span.end > q || t.span.len() > 1;
        if matches!(t.kind, TokenKind::Comment) || (t.kind == TokenKind::Str && closed) {
            return Vec::new();
        }
    }
    let word = at.filter(|&i| cur.tokens[i].kind == TokenKind::Word);
    let start = word.map_or(q, |i| cur.tokens[i].span.start);
    let replace = cur.region.span_to_file(Span::new(start, q.max(start)));
    let prev = previous_significant(&cur.tokens, start);
    let mut sink = Sink { out: Vec::new(), replace };
    match cur.region.language {
        Language::Kql => complete_kql(&cur, start, prev, catalog, &mut sink),
        Language::Spl => complete_spl(&cur, at, start, prev, catalog, &mut sink),
        Language::Sigma | Language::Yaral => {}
    }
    let mut out = sink.out;
    out.sort_by(|a, b| {
        a.rank.cmp(&b.rank).then(a.label.cmp(&b.label)).then((a.kind as u8).cmp(&(b.kind as u8)))
    });
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert((c.label.clone(), c.kind as u8)));
    out
}

/// YARA-L proposals: UDM fields, functions, enum values (inside a string too).
fn yaral_completions(cur: &Cursor<'_>, q: u32) -> Vec<CompletionEntry> {
    use super::yaral::ProposalKind;
    let (span, items) = super::yaral::complete(cur.text(), &cur.tokens, q);
    let replace = cur.region.span_to_file(span);
    items
        .into_iter()
        .map(|(label, detail, kind)| CompletionEntry {
            label,
            kind: match kind {
                ProposalKind::Field => CompletionKind::Field,
                ProposalKind::Function => CompletionKind::Function,
                ProposalKind::Value => CompletionKind::Value,
            },
            detail,
            doc: String::new(),
            replace,
            rank: 0,
            snippet: None,
        })
        .collect()
}

/// Snippets of the tabular operators most hunts use, and their rank after `|`.
fn tabular_snippet(name: &str) -> (u8, Option<&'static str>) {
    match name {
        "where" => (0, Some("where ${1:predicate}")),
        "project" => (1, Some("project ${1:columns}")),
        "extend" => (1, Some("extend ${1:name} = ${2:expression}")),
        "summarize" => (1, Some("summarize ${1:count()} by ${2:column}")),
        "join" => (2, Some("join kind=${1:inner} (${2:right}) on ${3:column}")),
        "lookup" => (3, Some("lookup kind=${1:leftouter} (${2:right}) on ${3:column}")),
        "take" | "limit" => (2, Some("take ${1:10}")),
        "top" => (2, Some("top ${1:10} by ${2:column} desc")),
        "sort" | "order" => (2, None),
        "distinct" => (2, Some("distinct ${1:columns}")),
        "mv-expand" => (3, Some("mv-expand ${1:column}")),
        "parse" => (3, Some("parse ${1:column} with ${2:pattern}")),
        "project-away" | "project-rename" | "count" | "union" | "make-series" => (3, None),
        _ => (5, None),
    }
}

/// Words after which an operand is expected, not an operator.
const KQL_KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "by",
    "on",
    "kind",
    "with",
    "asc",
    "desc",
    "let",
    "where",
    "project",
    "extend",
    "summarize",
    "filter",
    "in",
    "has",
    "contains",
    "startswith",
    "endswith",
    "has_any",
    "has_all",
    "between",
    "matches",
    "regex",
    "like",
    "hasprefix",
    "hassuffix",
];

/// True when the token before the cursor ends a scalar operand (a column, a literal, `)`).
fn after_operand(cur: &Cursor<'_>, prev: usize) -> bool {
    let t = cur.tokens[prev];
    match t.kind {
        TokenKind::Str | TokenKind::Number | TokenKind::RParen | TokenKind::RBracket => true,
        TokenKind::Word => {
            let w = cur.tok(prev);
            let before = cur.prev_significant(prev);
            !KQL_KEYWORDS.contains(&w)
                && !w.ends_with("_cs")
                && !before.is_some_and(|b| cur.tokens[b].kind == TokenKind::Pipe)
                && !before.is_some_and(|b| cur.tokens[b].kind == TokenKind::Op && cur.tok(b) == "!")
        }
        _ => false,
    }
}

/// Depth of brackets at token `idx` inside its stage.
fn in_parens(cur: &Cursor<'_>, idx: usize) -> bool {
    let mut depth = 0i32;
    for t in cur.tokens[..=idx].iter().rev() {
        match t.kind {
            TokenKind::RParen => depth -= 1,
            TokenKind::LParen => {
                depth += 1;
                if depth > 0 {
                    return true;
                }
            }
            TokenKind::Pipe | TokenKind::Semi if depth == 0 => return false,
            _ => {}
        }
    }
    false
}

fn complete_kql(
    cur: &Cursor<'_>,
    start: u32,
    prev: Option<usize>,
    catalog: &dyn Catalog,
    sink: &mut Sink,
) {
    let text = cur.text();
    let lets = kql::let_bindings(text, &cur.tokens);
    let visible: Vec<&LetBinding> = lets.iter().filter(|b| b.span.end <= start).collect();
    // After a finished query and a blank line, a new query starts (a multi-query file).
    let new_query = prev.is_some_and(|p| {
        let t = cur.tokens[p];
        let gap = &text[t.span.end as usize..start as usize];
        gap.matches('\n').count() >= 2
            && !matches!(
                t.kind,
                TokenKind::Pipe
                    | TokenKind::Op
                    | TokenKind::Eq
                    | TokenKind::Comma
                    | TokenKind::LParen
            )
    });
    let position = if new_query {
        kql::Position::TabularStart
    } else {
        kql::classify(text, &cur.tokens, prev)
    };
    match position {
        kql::Position::TabularStart => {
            for name in catalog.table_names() {
                sink.add(name, CompletionKind::Table, "table", "", 1);
            }
            for b in visible.iter().filter(|b| !b.is_function()) {
                sink.add(b.name.clone(), CompletionKind::Variable, "let", "", 0);
            }
            for p in cur.region.facts.declared_parameters() {
                if p.ty == ParameterType::Tabular {
                    sink.add(p.name.clone(), CompletionKind::Variable, "parameter: table", "", 0);
                }
            }
            // `| join ` / `| lookup `: the named arguments before the right side.
            if let Some(p) = prev.filter(|&p| cur.tokens[p].kind == TokenKind::Word) {
                for (name, note) in operators::named_arguments(cur.tok(p)) {
                    sink.add(*name, CompletionKind::Keyword, *note, "", 2);
                }
            }
        }
        kql::Position::AfterPipe => {
            for op in catalog.tabular_operators() {
                let (rank, snippet) = tabular_snippet(&op.name);
                let detail = detail_or_name(&op);
                sink.add(op.name, CompletionKind::Operator, detail, op.doc, rank);
                sink.snippet(snippet);
            }
        }
        kql::Position::InStage => complete_kql_stage(cur, start, prev, &visible, catalog, sink),
    }
}

fn complete_kql_stage(
    cur: &Cursor<'_>,
    start: u32,
    prev: Option<usize>,
    visible: &[&LetBinding],
    catalog: &dyn Catalog,
    sink: &mut Sink,
) {
    let text = cur.text();
    let Some(p) = prev else { return };
    let stage = kql::stage_operator(text, &cur.tokens, p).unwrap_or_default();
    // `join kind=` → the kinds.
    if cur.tokens[p].kind == TokenKind::Eq
        && cur.prev_significant(p).is_some_and(|k| cur.tok(k) == "kind")
    {
        for (value, note) in operators::kind_values(&stage) {
            sink.add(*value, CompletionKind::Value, *note, "", 0);
        }
        return;
    }
    // `| where FileName ` → an operator.
    let filtering = matches!(stage.as_str(), "where" | "filter" | "extend") || in_parens(cur, p);
    if filtering && after_operand(cur, p) {
        let literal = cur.tokens[p].kind != TokenKind::Word;
        for o in SCALAR_OPERATORS {
            let rank = match (literal, o.name) {
                (true, "and" | "or") => 0,
                (true, _) => o.rank + 1,
                (false, _) => o.rank,
            };
            sink.add(o.name, CompletionKind::Operator, o.note, "", rank);
            sink.snippet(o.snippet);
        }
        return;
    }
    // Right after the operator word: its named arguments first.
    if cur.tok(p) == stage {
        for (name, note) in operators::named_arguments(&stage) {
            sink.add(*name, CompletionKind::Keyword, *note, "", 1);
        }
    }
    let prev_word = cur.tok(p);
    let columns_only = matches!(
        stage.as_str(),
        "project-away" | "project-keep" | "project-rename" | "project-reorder"
    ) || prev_word == "on";
    let columns_first = columns_only
        || matches!(stage.as_str(), "project" | "distinct" | "sort" | "order" | "top")
        || prev_word == "by";
    for c in kql::columns_at(text, &cur.tokens, start, catalog) {
        let detail = format!("{} ({})", c.ty.as_deref().unwrap_or("?"), c.origin);
        sink.add(c.name, CompletionKind::Column, detail, "", 0);
    }
    if columns_only {
        return;
    }
    let later = if columns_first { 3 } else { 2 };
    for p in cur.region.facts.declared_parameters() {
        if p.ty != ParameterType::Tabular {
            let detail = format!("parameter: {}", parameter_type(p));
            sink.add(p.name.clone(), CompletionKind::Variable, detail, "", 1);
        }
    }
    for b in visible {
        let (kind, detail) = match &b.params {
            Some(p) => (CompletionKind::Function, format!("{}{p}", b.name)),
            None => (CompletionKind::Variable, "let".to_owned()),
        };
        sink.add(b.name.clone(), kind, detail, "", 1);
    }
    for f in catalog.functions(Language::Kql) {
        let detail = detail_or_name(&f);
        sink.add(f.name, CompletionKind::Function, detail, f.doc, later);
    }
}

/// Commands whose arguments are eval expressions.
const EVAL_COMMANDS: &[&str] = &["eval", "where", "fieldformat"];
/// Commands whose arguments are aggregations.
const STATS_COMMANDS: &[&str] =
    &["stats", "tstats", "timechart", "chart", "eventstats", "streamstats", "sistats", "mstats"];

fn complete_spl(
    cur: &Cursor<'_>,
    at: Option<usize>,
    start: u32,
    prev: Option<usize>,
    catalog: &dyn Catalog,
    sink: &mut Sink,
) {
    let text = cur.text();
    let q = cur.offset;
    // Inside backticks: macro names.
    if at.is_some_and(|i| cur.tokens[i].kind == TokenKind::Macro) {
        for m in catalog.macros() {
            let detail = if m.args.is_empty() {
                "macro".to_owned()
            } else {
                format!("macro({})", m.args.join(", "))
            };
            sink.add(m.name.clone(), CompletionKind::Macro, detail, macro_markdown(&m), 0);
        }
        return;
    }
    if spl::at_command_position(&cur.tokens, prev) {
        for c in catalog.spl_commands() {
            let detail = detail_or_name(&c);
            sink.add(c.name, CompletionKind::Command, detail, c.doc, 0);
        }
        return;
    }
    let typed = &text[start as usize..q as usize];
    let fields = catalog.datamodel_fields();
    // `datamodel=` → `Model.Dataset`
    let after_datamodel_eq = prev.is_some_and(|p| {
        cur.tokens[p].kind == TokenKind::Eq
            && p > 0
            && cur.tok(p - 1).eq_ignore_ascii_case("datamodel")
    });
    if after_datamodel_eq {
        let mut seen: Vec<String> =
            fields.iter().map(|f| format!("{}.{}", f.model, f.dataset)).collect();
        seen.sort();
        seen.dedup();
        for name in seen {
            sink.add(name, CompletionKind::Field, "data-model dataset", "", 0);
        }
        return;
    }
    // `Processes.` → the dataset's fields; otherwise the fields of datasets the search reads.
    let referenced = spl::datamodel_refs(text, &cur.tokens);
    let dataset_typed = typed.split_once('.').map(|(d, _)| d);
    for f in &fields {
        let wanted = match dataset_typed {
            Some(d) => f.dataset == d,
            None => referenced.iter().any(|r| {
                r == &f.model
                    || r.rsplit_once('.').is_some_and(|(m, d)| m == f.model && d == f.dataset)
            }),
        };
        if wanted {
            let detail =
                if f.ty.is_empty() { f.model.clone() } else { format!("{} ({})", f.ty, f.model) };
            sink.add(
                format!("{}.{}", f.dataset, f.field),
                CompletionKind::Field,
                detail,
                f.doc.clone(),
                0,
            );
        }
    }
    if dataset_typed.is_some() {
        return;
    }
    complete_spl_command_args(cur, start, prev, catalog, sink);
}

/// Fields, options and functions inside a command's arguments.
fn complete_spl_command_args(
    cur: &Cursor<'_>,
    start: u32,
    prev: Option<usize>,
    catalog: &dyn Catalog,
    sink: &mut Sink,
) {
    let text = cur.text();
    let commands = spl_fields::commands(&cur.tokens);
    let n = spl_fields::command_at(&commands, start);
    let Some(command) = commands.get(n) else { return };
    let name = command.name(text, &cur.tokens);
    for f in spl_fields::fields_before(text, &cur.tokens, &commands, n, catalog) {
        let rank = if f.origin == "every event" { 1 } else { 0 };
        sink.add(f.name, CompletionKind::Field, format!("field: {}", f.origin), "", rank);
    }
    // Right after the command word: its options.
    if let Some(p) = prev
        && command.tokens.first() == Some(&p)
        && !command.base_search
    {
        for o in catalog.spl_command_options(&name) {
            sink.add(format!("{}=", o.name), CompletionKind::Keyword, o.detail, o.doc, 2);
        }
    }
    let before_cursor: Vec<usize> =
        command.tokens.iter().copied().filter(|&i| cur.tokens[i].span.end <= start).collect();
    let after_by = before_cursor.iter().any(|&i| cur.tok(i).eq_ignore_ascii_case("by"));
    let depth: i32 = before_cursor
        .iter()
        .map(|&i| match cur.tokens[i].kind {
            TokenKind::LParen => 1,
            TokenKind::RParen => -1,
            _ => 0,
        })
        .sum();
    if EVAL_COMMANDS.contains(&name.as_str()) {
        for f in catalog.spl_functions_of(false, false) {
            let detail = detail_or_name(&f);
            sink.add(f.name, CompletionKind::Function, detail, f.doc, 2);
        }
    } else if STATS_COMMANDS.contains(&name.as_str()) && !after_by && depth == 0 {
        for f in catalog.spl_functions_of(true, name == "timechart") {
            let detail = detail_or_name(&f);
            sink.add(f.name, CompletionKind::Function, detail, f.doc, 1);
        }
    }
}
