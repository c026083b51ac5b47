//! YARA-L editor features: hover on UDM fields and functions, completion of UDM paths after
//! `$e.` and of functions after a namespace (`strings.`), and the outline (one symbol per
//! rule, its sections as children).

use qlint_grammar::Span;
use qlint_grammar::yaral::{self, ast::Expr, ast::FieldPath, ast::Segment, lexer::TokenKind as K};
use qlint_knowledge::yaral::{UdmMessage, UdmType, yaral as catalog};

use super::scan::{Token, TokenKind};

/// Scanner tokens from the grammar's lexer.
pub fn scan(text: &str) -> Vec<Token> {
    yaral::lex(text)
        .into_iter()
        .map(|t| {
            let kind = match t.kind {
                K::Ident | K::Variable | K::Count | K::RefList => TokenKind::Word,
                K::Number | K::Duration => TokenKind::Number,
                K::Comment | K::UnterminatedComment => TokenKind::Comment,
                K::LParen => TokenKind::LParen,
                K::RParen => TokenKind::RParen,
                K::LBracket => TokenKind::LBracket,
                K::RBracket => TokenKind::RBracket,
                K::LBrace => TokenKind::LBrace,
                K::RBrace => TokenKind::RBrace,
                K::Comma => TokenKind::Comma,
                K::Eq => TokenKind::Eq,
                K::Dot => TokenKind::Dot,
                K::String
                | K::RawString
                | K::Regex
                | K::UnterminatedString
                | K::UnterminatedRawString
                | K::UnterminatedRegex => TokenKind::Str,
                _ => TokenKind::Op,
            };
            Token { kind, span: t.span }
        })
        .collect()
}

/// The message reached by following `names` from the event (`graph.entity` is a noun).
fn message_after<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'static UdmMessage> {
    let catalog = catalog();
    let mut message = catalog.event()?;
    let mut names = names.into_iter().peekable();
    if names.peek() == Some(&"graph") {
        names.next();
        if names.next()? != "entity" {
            return None;
        }
        message = catalog.message("noun")?;
    }
    for name in names {
        match message.field(name)? {
            UdmType::Message(m) => message = catalog.message(m)?,
            _ => return None,
        }
    }
    Some(message)
}

fn describe_field(dotted: &str, ty: &UdmType) -> String {
    let mut out = format!("**{dotted}** — UDM field, {}", ty.describe());
    if let UdmType::Enum(e) = ty
        && let Some(values) = catalog().enum_values(e)
    {
        let shown: Vec<String> = values.iter().take(12).map(|v| format!("`{v}`")).collect();
        let more = if values.len() > 12 {
            format!(" and {} more", values.len() - 12)
        } else {
            String::new()
        };
        out.push_str(&format!("\n\nValues: {}{more}.", shown.join(", ")));
    }
    if let UdmType::Message(m) = ty
        && let Some(msg) = catalog().message(m)
    {
        out.push_str(&format!("\n\n{} fields, e.g. {}.", msg.fields.len(), field_sample(msg)));
    }
    out
}

fn field_sample(msg: &UdmMessage) -> String {
    msg.fields.iter().take(6).map(|(f, _)| format!("`{f}`")).collect::<Vec<_>>().join(", ")
}

/// Hover for the field segment or function name at `offset` in a YARA-L text: markdown and
/// the span it is about.
pub fn hover(text: &str, offset: u32) -> Option<(String, Span)> {
    let parse = yaral::parse(text);
    let mut found = None;
    for rule in &parse.tree.rules {
        for section in &rule.sections {
            for_each_expr(&section.body, &mut |e| {
                if found.is_some() || !e.span().contains_offset(offset) {
                    return;
                }
                found = match e {
                    Expr::Field(path) => hover_path(path, offset),
                    Expr::Call { name, args, .. } if name.span.contains_offset(offset) => {
                        hover_function(&name.text, args.len()).map(|m| (m, name.span))
                    }
                    _ => None,
                };
            });
        }
    }
    found
}

fn hover_path(path: &FieldPath, offset: u32) -> Option<(String, Span)> {
    let mut names = Vec::new();
    for segment in &path.segments {
        let Segment::Field(ident) = segment else { continue };
        names.push(ident.text.as_str());
        if !ident.span.contains_offset(offset) {
            continue;
        }
        let (last, parents) = names.split_last()?;
        let ty = message_after(parents.iter().copied())?.field(last)?;
        return Some((describe_field(&names.join("."), ty), ident.span));
    }
    None
}

fn hover_function(name: &str, given: usize) -> Option<String> {
    let f = catalog().function(name)?;
    let arity = match f.max_args {
        Some(max) if max == f.min_args => format!("{max}"),
        Some(max) => format!("{} to {max}", f.min_args),
        None => format!("at least {}", f.min_args),
    };
    Some(format!("**{name}** — YARA-L function, takes {arity} argument(s) ({given} given here)"))
}

fn for_each_expr<'a>(body: &'a yaral::ast::SectionBody, f: &mut dyn FnMut(&'a Expr)) {
    use yaral::ast::SectionBody as B;
    match body {
        B::Events(stmts) => stmts.iter().for_each(|s| s.walk(f)),
        B::Outcome(a) | B::Meta(a) | B::Options(a) => a.iter().for_each(|a| a.value.walk(f)),
        B::Condition(Some(e)) => e.walk(f),
        _ => {}
    }
}

/// A completion: label, detail, and whether it is a function (else a field).
pub type Proposal = (String, String, bool);

/// Completions at `offset` (a query offset) given the scanner tokens, with the start of the
/// partial word they replace.
pub fn complete(text: &str, tokens: &[Token], offset: u32) -> (u32, Vec<Proposal>) {
    // The partial word under the cursor, then `.`-separated names back to a `$var`.
    let mut i = tokens.iter().rposition(|t| t.span.start < offset);
    let mut start = offset;
    if let Some(j) = i
        && tokens[j].kind == TokenKind::Word
        && tokens[j].span.end >= offset
        && !tokens[j].text(text).starts_with('$')
    {
        start = tokens[j].span.start;
        i = j.checked_sub(1);
    }
    let Some(dot) = i.filter(|&j| tokens[j].kind == TokenKind::Dot && tokens[j].span.end == start)
    else {
        return (start, Vec::new());
    };
    let mut names = Vec::new();
    let mut j = dot;
    while j > 0 && tokens[j].kind == TokenKind::Dot && tokens[j - 1].kind == TokenKind::Word {
        let word = tokens[j - 1].text(text);
        if let Some(var) = word.strip_prefix('$') {
            let _ = var;
            names.reverse();
            return (start, field_proposals(names.iter().copied()));
        }
        names.push(word);
        if j < 2 {
            break;
        }
        j -= 2;
    }
    // `strings.` and other namespaces: the functions under them.
    names.reverse();
    let prefix = format!("{}.", names.join("."));
    let functions = catalog()
        .functions()
        .iter()
        .filter_map(|f| f.name.strip_prefix(&prefix).map(|rest| (f, rest)))
        .map(|(f, rest)| (rest.to_string(), describe_arity(f.min_args, f.max_args), true))
        .collect();
    (start, functions)
}

fn describe_arity(min: usize, max: Option<usize>) -> String {
    match max {
        Some(max) if max == min => format!("{min} argument(s)"),
        Some(max) => format!("{min} to {max} arguments"),
        None => format!("at least {min} argument(s)"),
    }
}

fn field_proposals<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Proposal> {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        // Right after `$e.`: the event's fields, and `graph` for entity variables.
        let mut out: Vec<Proposal> = message_after([])
            .map(|m| m.fields.iter().map(|(f, t)| (f.clone(), t.describe(), false)).collect())
            .unwrap_or_default();
        out.push(("graph".into(), "entity graph".into(), false));
        return out;
    }
    if names == ["graph"] {
        return vec![("entity".into(), "message `noun`".into(), false)];
    }
    message_after(names)
        .map(|m| m.fields.iter().map(|(f, t)| (f.clone(), t.describe(), false)).collect())
        .unwrap_or_default()
}

/// One outline entry per rule (its name), with its sections as children: (name, rule span,
/// name span, sections as (keyword, span, header span)).
pub type RuleOutline = (String, Span, Span, Vec<(String, Span, Span)>);

/// The outline of a YARA-L text.
pub fn outline(text: &str) -> Vec<RuleOutline> {
    yaral::parse(text)
        .tree
        .rules
        .iter()
        .filter(|r| !r.name.text.is_empty())
        .map(|r| {
            let sections = r
                .sections
                .iter()
                .filter(|s| s.kind != yaral::ast::SectionKind::Error)
                .map(|s| (s.kind.keyword().to_string(), s.span, s.header))
                .collect();
            (r.name.text.clone(), r.span, r.name.span, sections)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "rule r {\n events:\n  $e.principal.hostname = \"a\"\n  re.regex($e.target.url, `x`)\n condition:\n  $e\n}\n";

    #[test]
    fn hover_names_the_field_type_and_the_function_arity() {
        let at = RULE.find("hostname").unwrap() as u32 + 2;
        let (md, span) = hover(RULE, at).unwrap();
        assert!(md.contains("principal.hostname") && md.contains("string"), "{md}");
        assert_eq!(span.text(RULE), "hostname");
        let at = RULE.find("regex").unwrap() as u32;
        let (md, _) = hover(RULE, at).unwrap();
        assert!(md.contains("takes 2"), "{md}");
    }

    #[test]
    fn completion_follows_the_path_field_by_field() {
        let text = "rule r {\n events:\n  $e.principal.pro";
        let tokens = scan(text);
        let (start, items) = complete(text, &tokens, text.len() as u32);
        assert_eq!(&text[start as usize..], "pro");
        assert!(items.iter().any(|(l, _, _)| l == "process"), "{items:?}");
        let text = "rule r {\n events:\n  $e.";
        let (_, items) = complete(text, &scan(text), text.len() as u32);
        assert!(items.iter().any(|(l, _, _)| l == "metadata"));
        let text = "rule r {\n events:\n  strings.";
        let (_, items) = complete(text, &scan(text), text.len() as u32);
        assert!(items.iter().any(|(l, _, f)| l == "to_lower" && *f));
    }

    #[test]
    fn outline_lists_rules_and_sections() {
        let o = outline(RULE);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].0, "r");
        let kinds: Vec<&str> = o[0].3.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(kinds, ["events", "condition"]);
    }
}
