//! References and rename: KQL `let` names, user functions and their parameters, parameters a
//! container declares (`FunctionParams`/`ParserParams`) within one file; SPL macros across
//! files (the caller gathers the files, this module finds the occurrences in each).

use qlint_grammar::Span;
use qlint_linter::Language;

use super::features::{Cursor, visible_let};
use super::kql::{self, LetBinding};
use super::scan::{Token, TokenKind, token_at};
use super::source::{FileKind, SourceFile};
use super::spl;
use qlint_files::sources::SourceKind;

/// What the cursor is on, for references and rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameTarget {
    /// A name local to one file (let, user function, parameter): every occurrence, in file
    /// bytes, and the name's span under the cursor.
    Local { name: String, at: Span, occurrences: Vec<Span> },
    /// An SPL macro: occurrences are in many files.
    Macro { name: String, at: Span },
}

/// The renameable name at a file offset.
pub fn target_at(file: &SourceFile, offset: u32) -> Option<RenameTarget> {
    if let Some((name, at)) = stanza_name_at(file, offset) {
        return Some(RenameTarget::Macro { name, at });
    }
    let cur = Cursor::new(file, offset)?;
    let idx = token_at(&cur.tokens, cur.offset)?;
    let tok = cur.tokens[idx];
    match (cur.region.language, tok.kind) {
        (Language::Spl, TokenKind::Macro) => {
            let (name, _) = spl::macro_call(cur.tok(idx));
            let at = macro_name_span(cur.text(), tok)?;
            Some(RenameTarget::Macro { name, at: cur.region.span_to_file(at) })
        }
        (Language::Kql, TokenKind::Word) => kql_local(&cur, idx),
        _ => None,
    }
}

fn is_member(tokens: &[Token], i: usize) -> bool {
    i > 0 && tokens[i - 1].kind == TokenKind::Dot
}

/// Parameter names of a user function and where each is declared.
fn function_params(text: &str, tokens: &[Token], binding: &LetBinding) -> Vec<(String, usize)> {
    if binding.params.is_none() {
        return Vec::new();
    }
    let inside: Vec<usize> = (0..tokens.len())
        .filter(|&i| {
            binding.value.start <= tokens[i].span.start && tokens[i].span.end <= binding.value.end
        })
        .collect();
    let mut out = Vec::new();
    let mut depth = 0;
    for (n, &i) in inside.iter().enumerate() {
        match tokens[i].kind {
            TokenKind::LParen => depth += 1,
            TokenKind::RParen => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            TokenKind::Word
                if depth == 1
                    && inside.get(n + 1).is_some_and(|&j| tokens[j].text(text) == ":") =>
            {
                out.push((tokens[i].text(text).to_owned(), i));
            }
            _ => {}
        }
    }
    out
}

fn kql_local(cur: &Cursor<'_>, idx: usize) -> Option<RenameTarget> {
    let text = cur.text();
    let tokens = &cur.tokens;
    let name = cur.tok(idx).to_owned();
    let tok = tokens[idx];
    let lets = kql::let_bindings(text, tokens);
    let words = |range: Span| -> Vec<Span> {
        (0..tokens.len())
            .filter(|&i| {
                tokens[i].kind == TokenKind::Word
                    && tokens[i].text(text) == name
                    && range.start <= tokens[i].span.start
                    && tokens[i].span.end <= range.end
                    && !is_member(tokens, i)
            })
            .map(|i| tokens[i].span)
            .collect()
    };
    let to_file = |spans: Vec<Span>| {
        spans.into_iter().map(|s| cur.region.span_to_file(s)).collect::<Vec<_>>()
    };
    // A parameter of the user function the cursor is in.
    for b in lets.iter().filter(|b| b.value.start <= tok.span.start && tok.span.end <= b.value.end)
    {
        if function_params(text, tokens, b).iter().any(|(p, _)| *p == name) {
            return Some(RenameTarget::Local {
                at: cur.region.span_to_file(tok.span),
                occurrences: to_file(words(b.value)),
                name,
            });
        }
    }
    if let Some(binding) = visible_let(&lets, &name, tok.span) {
        // From the name to the next binding of the same name (which shadows it).
        let end = lets
            .iter()
            .filter(|b| b.name == name && b.name_span.start > binding.name_span.start)
            .map(|b| b.value.end)
            .min()
            .unwrap_or(text.len() as u32);
        let mut spans = words(Span::new(binding.name_span.start, end));
        // Uses inside a later re-binding's value still mean this one; the re-binding's own
        // name does not.
        spans.retain(|s| {
            !lets.iter().any(|b| b.name_span == *s && b.name_span != binding.name_span)
        });
        // Inside functions whose parameter has the same name, the parameter wins.
        spans.retain(|s| {
            !lets.iter().any(|b| {
                b.value.start <= s.start
                    && s.end <= b.value.end
                    && function_params(text, tokens, b).iter().any(|(p, _)| *p == name)
            })
        });
        return Some(RenameTarget::Local {
            at: cur.region.span_to_file(tok.span),
            occurrences: to_file(spans),
            name,
        });
    }
    // A parameter declared by the file around the query.
    let declared = cur.region.facts.declared_parameters().iter().find(|p| p.name == name)?;
    let mut occurrences = to_file(words(Span::new(0, text.len() as u32)));
    if let Some(at) = declared.declared_at {
        occurrences.insert(0, at);
    }
    Some(RenameTarget::Local { at: cur.region.span_to_file(tok.span), occurrences, name })
}

/// The bytes of a macro call's name inside its token (after the backtick).
fn macro_name_span(text: &str, tok: Token) -> Option<Span> {
    let body = tok.text(text);
    let inner = body.strip_prefix('`')?;
    let len = inner.find(['(', '`']).unwrap_or(inner.len());
    let name = inner[..len].trim_end();
    (!name.is_empty())
        .then(|| Span::new(tok.span.start + 1, tok.span.start + 1 + name.len() as u32))
}

/// `[name]` or `[name(2)]` stanza headers of a `macros.conf`: name and its bytes.
fn stanza_headers(text: &str) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix('[')
            && let Some(close) = rest.find(']')
        {
            let inside = &rest[..close];
            let name = inside.split('(').next().unwrap_or("").trim_end();
            if !name.is_empty() {
                let start = (at + lead + 1) as u32;
                out.push((name.to_owned(), Span::new(start, start + name.len() as u32)));
            }
        }
        at += line.len();
    }
    out
}

fn stanza_name_at(file: &SourceFile, offset: u32) -> Option<(String, Span)> {
    if file.kind != FileKind::Container(SourceKind::Macros) {
        return None;
    }
    stanza_headers(&file.text).into_iter().find(|(_, s)| s.contains_offset(offset))
}

/// Every occurrence of macro `name` in a file, in file bytes: calls in its searches, and the
/// stanza header when the file is a `macros.conf`, the `name:` value in a `macros/*.yml`.
pub fn macro_occurrences(file: &SourceFile, name: &str) -> Vec<Span> {
    let mut out = Vec::new();
    if file.kind == FileKind::Container(SourceKind::Macros) {
        out.extend(
            stanza_headers(&file.text).into_iter().filter(|(n, _)| n == name).map(|(_, s)| s),
        );
    }
    if file.kind == FileKind::Container(SourceKind::Yaml) {
        out.extend(yaml_macro_name(&file.text, name));
    }
    for region in file.regions.iter().filter(|r| r.language == Language::Spl) {
        let tokens = super::scan::scan(Language::Spl, &region.text);
        for t in tokens.iter().filter(|t| t.kind == TokenKind::Macro) {
            if spl::macro_call(t.text(&region.text)).0 == name
                && let Some(span) = macro_name_span(&region.text, *t)
            {
                out.push(region.span_to_file(span));
            }
        }
    }
    out.sort_by_key(|s| s.start);
    out.dedup();
    out
}

/// `name: foo` at the top level of a security-content macro YAML file.
fn yaml_macro_name(text: &str, name: &str) -> Option<Span> {
    let mut at = 0usize;
    let has_definition = text.lines().any(|l| l.starts_with("definition:"));
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("name:") {
            let value = rest.trim();
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            if has_definition && value == name {
                let start = at + line.find(value)?;
                return Some(Span::new(start as u32, (start + value.len()) as u32));
            }
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kql(text: &str) -> SourceFile {
        SourceFile::new(Some("q.kql".into()), "kql", text.to_owned())
    }

    fn texts<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| s.text(text)).collect()
    }

    #[test]
    fn let_references_stop_at_shadowing_and_skip_members() {
        let text = "let x = 1;\nlet f = (x:int) { x + 1 };\nT | extend y = x + f(x), z = d.x\n| where x > 0;\nlet x = 2;\nU | where x == 2";
        let file = kql(text);
        let Some(RenameTarget::Local { occurrences, .. }) = target_at(&file, 4) else { panic!() };
        let starts: Vec<u32> = occurrences.iter().map(|s| s.start).collect();
        assert_eq!(texts(text, &occurrences), ["x", "x", "x", "x"]);
        assert_eq!(starts[0], 4);
        assert!(starts.iter().all(|&s| s < text.find("let x = 2").unwrap() as u32));
        // The parameter: its declaration and its use in the body only.
        let Some(RenameTarget::Local { occurrences, .. }) =
            target_at(&file, text.find("x:int").unwrap() as u32)
        else {
            panic!()
        };
        assert_eq!(occurrences.len(), 2);
        assert!(occurrences.iter().all(|s| s.start > 11 && s.end < 38), "{occurrences:?}");
    }

    #[test]
    fn macros_in_searches_conf_and_yaml() {
        let spl = "`sysmon` EventCode=1 | `filter(a)` | search `sysmon_x`";
        let file = SourceFile::new(Some("q.spl".into()), "spl", spl.to_owned());
        let Some(RenameTarget::Macro { name, at }) = target_at(&file, 3) else { panic!() };
        assert_eq!((name.as_str(), at.text(spl)), ("sysmon", "sysmon"));
        assert_eq!(texts(spl, &macro_occurrences(&file, "sysmon")), ["sysmon"]);
        assert_eq!(texts(spl, &macro_occurrences(&file, "filter")), ["filter"]);
        let conf = "[sysmon]\ndefinition = index=sysmon\n\n[wrapper(1)]\nargs = x\ndefinition = `sysmon` $x$\n";
        let file = SourceFile::new(Some("macros.conf".into()), "", conf.to_owned());
        let occ = macro_occurrences(&file, "sysmon");
        assert_eq!(texts(conf, &occ), ["sysmon", "sysmon"]);
        assert_eq!(occ[0].start, 1);
        let Some(RenameTarget::Macro { name, .. }) = target_at(&file, 3) else { panic!() };
        assert_eq!(name, "sysmon");
        let yml = "name: sysmon\ndefinition: index=sysmon\ndescription: x\n";
        let file = SourceFile::new(Some("macros/sysmon.yml".into()), "yaml", yml.to_owned());
        assert_eq!(macro_occurrences(&file, "sysmon"), [Span::new(6, 12)]);
    }
}
