//! Refactorings offered as code actions where the cursor or selection is: "expand macro"
//! (SPL: a macro call replaced by its definition, arguments substituted, nested macros
//! expanded) and "extract let" (KQL: the selected expression bound by a `let` before the
//! statement that uses it).
//!
//! Both check their result before offering it: the edited query must parse with no new syntax
//! error, and an extracted `let` must leave the query with no new error-level finding (an
//! expression that reads columns cannot live outside its pipeline).

use qlint_grammar::Span;
use qlint_knowledge::Knowledge;
use qlint_linter::diagnostic::Severity;
use qlint_linter::{Language, lint_query};

use super::scan::{Token, TokenKind, scan, token_at};
use super::source::{Region, SourceFile};
use super::spl;

/// What a refactoring does, for the client's menus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefactorKind {
    /// Replaces a use by what it stands for.
    Inline,
    /// Moves a piece of the query into a new name.
    Extract,
}

/// A refactoring ready to apply: file edits that do not overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refactor {
    /// What the menu says.
    pub title: String,
    /// Inline or extract.
    pub kind: RefactorKind,
    /// File spans and their replacements.
    pub edits: Vec<(Span, String)>,
}

/// The refactorings available for the file selection `start..end` (equal for a cursor).
pub fn refactors(file: &SourceFile, start: u32, end: u32, knowledge: &Knowledge) -> Vec<Refactor> {
    let Some((region, q_start)) = file.region_at(start) else { return Vec::new() };
    let q_end = region.to_query(end).unwrap_or(q_start).max(q_start);
    let mut out = Vec::new();
    match region.language {
        Language::Spl => out.extend(expand_macro(file, region, q_start, knowledge)),
        Language::Kql if q_end > q_start => {
            out.extend(extract_let(file, region, q_start, q_end, knowledge));
        }
        _ => {}
    }
    out
}

/// The text of an SPL macro call with every macro in it expanded, when the knowledge defines
/// it as a plain (not `iseval`) macro and the expansion changes something.
pub fn expansion_of(call: &str, knowledge: &Knowledge) -> Option<String> {
    let (name, arity) = spl::macro_call(call);
    let def = knowledge.macro_def(&name, arity)?;
    if def.iseval {
        return None;
    }
    let expanded = qlint_linter::analysis::spl::expand_macros(call, knowledge).text;
    (expanded != call).then_some(expanded)
}

fn expand_macro(
    file: &SourceFile,
    region: &Region,
    offset: u32,
    knowledge: &Knowledge,
) -> Option<Refactor> {
    let tokens = scan(Language::Spl, &region.text);
    let tok = tokens[token_at(&tokens, offset)?];
    if tok.kind != TokenKind::Macro {
        return None;
    }
    let call = tok.text(&region.text);
    let expanded = expansion_of(call, knowledge)?;
    let mut new_text = region.text.clone();
    new_text.replace_range(tok.span.start as usize..tok.span.end as usize, &expanded);
    if syntax_errors(Language::Spl, &new_text) > syntax_errors(Language::Spl, &region.text) {
        return None;
    }
    let edit = region.edit(&file.text, tok.span, &expanded)?;
    let (name, _) = spl::macro_call(call);
    Some(Refactor {
        title: format!("Expand macro `{name}`"),
        kind: RefactorKind::Inline,
        edits: vec![edit],
    })
}

/// True when the selection uses a column (known or not) of the pipeline around it: such an
/// expression means nothing outside that pipeline.
fn reads_columns(text: &str, selection: Span, knowledge: &Knowledge) -> bool {
    use qlint_linter::analysis::kql::SymbolKind;
    let analysis = qlint_linter::analysis::kql::analyze(text, knowledge);
    let inside = |span: Span| selection.start <= span.start && span.end <= selection.end;
    analysis.symbols.iter().any(|s| matches!(s.kind, SymbolKind::Column { .. }) && inside(s.span))
        || analysis.unknown_columns.iter().any(|u| inside(u.span))
}

fn syntax_errors(language: Language, text: &str) -> usize {
    match language {
        Language::Kql => qlint_grammar::kql::parse(text).errors.len(),
        Language::Spl => qlint_grammar::spl::parse(text).errors.len(),
        _ => 0,
    }
}

fn error_findings(text: &str, knowledge: &Knowledge) -> usize {
    lint_query(Language::Kql, text, knowledge)
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// The selection shrunk to whole tokens: `None` when it starts or ends inside a token or
/// holds none.
fn token_aligned(tokens: &[Token], text: &str, start: u32, end: u32) -> Option<Span> {
    let trimmed_start = start
        + (text[start as usize..end as usize].len()
            - text[start as usize..end as usize].trim_start().len()) as u32;
    let trimmed_end = start + text[start as usize..end as usize].trim_end().len() as u32;
    if trimmed_start >= trimmed_end {
        return None;
    }
    let first = tokens.iter().find(|t| t.span.end > trimmed_start)?;
    let last = tokens.iter().rev().find(|t| t.span.start < trimmed_end)?;
    (first.span.start == trimmed_start && last.span.end == trimmed_end && !first.is_trivia())
        .then(|| Span::new(trimmed_start, trimmed_end))
}

/// A name not yet used in the text.
fn fresh_name(text: &str) -> String {
    let words: std::collections::HashSet<&str> =
        text.split(|c: char| !(c.is_alphanumeric() || c == '_')).collect();
    (0..)
        .map(|n| if n == 0 { "extracted".to_owned() } else { format!("extracted{n}") })
        .find(|name| !words.contains(name.as_str()))
        .unwrap_or_default()
}

fn extract_let(
    file: &SourceFile,
    region: &Region,
    start: u32,
    end: u32,
    knowledge: &Knowledge,
) -> Option<Refactor> {
    let text = &region.text;
    let tokens = scan(Language::Kql, text);
    let selection = token_aligned(&tokens, text, start, end)?;
    let selected = &text[selection.start as usize..selection.end as usize];
    if selected.contains(';') {
        return None;
    }
    let parse = qlint_grammar::kql::parse(text);
    let statement =
        parse.tree.statements.iter().find(|s| s.span().contains_offset(selection.start))?;
    let at = statement.span().start;
    // A selection that is a whole statement has nothing to be named in.
    if statement.span().start == selection.start && statement.span().end <= selection.end {
        return None;
    }
    if reads_columns(text, selection, knowledge) {
        return None;
    }
    let name = fresh_name(text);
    let binding = format!("let {name} = {selected};\n");
    let mut new_text = text.clone();
    new_text.replace_range(selection.start as usize..selection.end as usize, &name);
    new_text.insert_str(at as usize, &binding);
    if syntax_errors(Language::Kql, &new_text) > parse.errors.len()
        || error_findings(&new_text, knowledge) > error_findings(text, knowledge)
    {
        return None;
    }
    // One line where the container holds only one (a quoted YAML scalar).
    let one_line = format!("let {name} = {selected}; ");
    let edits = if at == selection.start {
        // The selection starts the statement: one edit, so that no client has to order an
        // insertion and a replacement at the same place.
        let edit = region
            .edit(&file.text, selection, &format!("{binding}{name}"))
            .or_else(|| region.edit(&file.text, selection, &format!("{one_line}{name}")))?;
        vec![edit]
    } else {
        let insert = Span::new(at, at);
        let binding_edit = region
            .edit(&file.text, insert, &binding)
            .or_else(|| region.edit(&file.text, insert, &one_line))?;
        vec![binding_edit, region.edit(&file.text, selection, &name)?]
    };
    Some(Refactor {
        title: format!("Extract `{}` into `let {name}`", shorten(selected)),
        kind: RefactorKind::Extract,
        edits,
    })
}

fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 30 || line.len() < text.len() {
        format!("{}...", line.chars().take(27).collect::<String>().trim_end())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knowledge_with_macros() -> Knowledge {
        let mut knowledge = Knowledge::builtin();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("macros.conf");
        std::fs::write(
            &path,
            "[sysmon]\ndefinition = index=sysmon EventCode=1\n\n[wrap(1)]\nargs = x\ndefinition = `sysmon` $x$\n",
        )
        .unwrap();
        knowledge.load_macro_file(&path).unwrap();
        knowledge
    }

    fn apply(text: &str, edits: &[(Span, String)]) -> String {
        let mut edits = edits.to_vec();
        edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
        let mut out = text.to_owned();
        for (span, new) in edits {
            out.replace_range(span.start as usize..span.end as usize, &new);
        }
        out
    }

    #[test]
    fn a_macro_with_arguments_expands_all_the_way() {
        let knowledge = knowledge_with_macros();
        let text = "`wrap(Image=\"*\\\\psexec.exe\")` | stats count by host\n";
        let file = SourceFile::new(Some("h.spl".into()), "spl", text.to_owned());
        let found = refactors(&file, 3, 3, &knowledge);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].title, "Expand macro `wrap`");
        assert_eq!(
            apply(text, &found[0].edits),
            "index=sysmon EventCode=1 Image=\"*\\\\psexec.exe\" | stats count by host\n"
        );
        // Not on a word, nor on an unknown macro.
        assert!(refactors(&file, text.find("stats").unwrap() as u32, 40, &knowledge).is_empty());
        let unknown = SourceFile::new(Some("u.spl".into()), "spl", "`nope` | head 1".into());
        assert!(refactors(&unknown, 2, 2, &knowledge).is_empty());
    }

    #[test]
    fn a_macro_in_a_single_quoted_yaml_search_is_escaped() {
        let knowledge = knowledge_with_macros();
        let text = "name: x\nsearch: '`wrap(user=''bob'')` | head 1'\n";
        let file = SourceFile::new(Some("d.yml".into()), "yaml", text.to_owned());
        let at = text.find("wrap").unwrap() as u32;
        let found = refactors(&file, at, at, &knowledge);
        assert_eq!(
            apply(text, &found[0].edits),
            "name: x\nsearch: 'index=sysmon EventCode=1 user=''bob'' | head 1'\n"
        );
    }

    #[test]
    fn extract_let_binds_the_selection_before_its_statement() {
        let knowledge = Knowledge::builtin();
        let text = "DeviceProcessEvents\n| where Timestamp > ago(7d)\n| take 5\n";
        let file = SourceFile::new(Some("h.kql".into()), "kql", text.to_owned());
        let start = text.find("ago").unwrap() as u32;
        let found = refactors(&file, start, start + 7, &knowledge);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].title, "Extract `ago(7d)` into `let extracted`");
        assert_eq!(
            apply(text, &found[0].edits),
            "let extracted = ago(7d);\nDeviceProcessEvents\n| where Timestamp > extracted\n| take 5\n"
        );
    }

    #[test]
    fn extract_let_refuses_what_would_break_the_query() {
        let knowledge = Knowledge::builtin();
        let text = "DeviceProcessEvents\n| where FileName startswith \"ps\"\n";
        let file = SourceFile::new(Some("h.kql".into()), "kql", text.to_owned());
        let at = |needle: &str| text.find(needle).unwrap() as u32;
        // Half a token, and an expression that reads a column.
        assert!(refactors(&file, at("FileName") + 2, at("\"ps\"") + 4, &knowledge).is_empty());
        assert!(refactors(&file, at("FileName"), at("\"ps\"") + 4, &knowledge).is_empty());
        // A tabular expression may be bound.
        let found = refactors(&file, 0, at("\n|"), &knowledge);
        assert_eq!(
            apply(text, &found[0].edits),
            "let extracted = DeviceProcessEvents;\nextracted\n| where FileName startswith \"ps\"\n"
        );
    }

    #[test]
    fn extract_let_in_a_yaml_block_keeps_the_indentation() {
        let knowledge = Knowledge::builtin();
        let text =
            "id: 1\nquery: |\n  SigninLogs\n  | where TimeGenerated > ago(1h)\nseverity: Low\n";
        let file = SourceFile::new(Some("r.yaml".into()), "yaml", text.to_owned());
        let start = text.find("ago").unwrap() as u32;
        let found = refactors(&file, start, start + 7, &knowledge);
        assert_eq!(
            apply(text, &found[0].edits),
            "id: 1\nquery: |\n  let extracted = ago(1h);\n  SigninLogs\n  | where TimeGenerated > extracted\nseverity: Low\n"
        );
    }
}
