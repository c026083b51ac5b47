//! YARA-L editor features: hover on UDM fields and functions, completion of UDM paths after
//! `$e.`, of enum values after `$e.metadata.event_type =` and of functions after a namespace
//! (`strings.`), go-to-definition of variables, semantic tokens, and the outline (one symbol
//! per rule, its sections as children).

use qlint_grammar::Span;
use qlint_grammar::yaral::{self, ast::Expr, ast::FieldPath, ast::Segment, lexer::TokenKind as K};
use qlint_knowledge::yaral::{UdmMessage, UdmType, yaral as catalog};

use super::scan::{Token, TokenKind};
use super::semantic::SemanticKind;

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

/// What a completion proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalKind {
    /// A UDM field.
    Field,
    /// A function.
    Function,
    /// A quoted enum value.
    Value,
}

/// A completion: label (the text inserted), detail, and what it is.
pub type Proposal = (String, String, ProposalKind);

/// Completions at `offset` (a query offset): the bytes they replace and the proposals.
/// Enum values after `=`/`!=` on an enum field; else UDM fields and functions after a `.`.
pub fn complete(text: &str, tokens: &[Token], offset: u32) -> (Span, Vec<Proposal>) {
    if let Some(found) = enum_values_at(text, offset) {
        return found;
    }
    let (start, items) = complete_path(text, tokens, offset);
    (Span::new(start, offset.max(start)), items)
}

/// The enum values to offer when the cursor is on the value of a comparison with an enum
/// field: `$e.metadata.event_type = `, `= "PROC`, `!= PROC`. Replaces the partial value.
fn enum_values_at(text: &str, offset: u32) -> Option<(Span, Vec<Proposal>)> {
    let mut tokens: Vec<yaral::lexer::Token> = yaral::lex(text)
        .into_iter()
        .filter(|t| t.kind != K::Comment && t.span.start < offset)
        .collect();
    let mut replace = Span::empty(offset);
    if let Some(last) = tokens.last().copied() {
        let in_string = matches!(last.kind, K::String | K::UnterminatedString)
            && (last.span.end > offset || last.kind == K::UnterminatedString);
        let in_word = last.kind == K::Ident && last.span.end == offset;
        if in_string || in_word {
            replace = if in_string { last.span } else { Span::new(last.span.start, offset) };
            tokens.pop();
        }
    }
    let op = tokens.pop()?;
    if !matches!(op.kind, K::Eq | K::Ne) {
        return None;
    }
    let names = path_before(text, &tokens)?;
    let (last, parents) = names.split_last()?;
    let UdmType::Enum(name) = message_after(parents.iter().copied())?.field(last)? else {
        return None;
    };
    let values = catalog().enum_values(name)?;
    let detail = format!("{} value", names.join("."));
    let items =
        values.iter().map(|v| (format!("\"{v}\""), detail.clone(), ProposalKind::Value)).collect();
    Some((replace, items))
}

/// The field names of the UDM path that ends the tokens (`$e.metadata.event_type`).
fn path_before<'t>(text: &'t str, tokens: &[yaral::lexer::Token]) -> Option<Vec<&'t str>> {
    let mut names = Vec::new();
    let mut i = tokens.len();
    loop {
        let word = tokens.get(i.checked_sub(1)?)?;
        let dot = tokens.get(i.checked_sub(2)?)?;
        if word.kind != K::Ident || dot.kind != K::Dot {
            return None;
        }
        names.push(word.span.text(text));
        i -= 2;
        let before = tokens.get(i.checked_sub(1)?)?;
        if before.kind == K::Variable {
            names.reverse();
            return Some(names);
        }
    }
}

fn complete_path(text: &str, tokens: &[Token], offset: u32) -> (u32, Vec<Proposal>) {
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
        .map(|(f, rest)| {
            (rest.to_string(), describe_arity(f.min_args, f.max_args), ProposalKind::Function)
        })
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
            .map(|m| {
                m.fields
                    .iter()
                    .map(|(f, t)| (f.clone(), t.describe(), ProposalKind::Field))
                    .collect()
            })
            .unwrap_or_default();
        out.push(("graph".into(), "entity graph".into(), ProposalKind::Field));
        return out;
    }
    if names == ["graph"] {
        return vec![("entity".into(), "message `noun`".into(), ProposalKind::Field)];
    }
    message_after(names)
        .map(|m| {
            m.fields.iter().map(|(f, t)| (f.clone(), t.describe(), ProposalKind::Field)).collect()
        })
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

/// Where the variable at `offset` (`$e`, `$host`, `#e`, `$risk`) is defined in its rule: an
/// outcome variable at its `outcome:` assignment, an event variable or placeholder at its
/// first occurrence in `events:` (where YARA-L binds it).
pub fn definition(text: &str, offset: u32) -> Option<Span> {
    let token = yaral::lex(text).into_iter().find(|t| {
        matches!(t.kind, K::Variable | K::Count) && t.span.start <= offset && offset <= t.span.end
    })?;
    let name = &token.span.text(text)[1..];
    let parse = yaral::parse(text);
    let rule = parse.tree.rules.iter().find(|r| r.span.contains_offset(offset))?;
    for section in &rule.sections {
        if let yaral::ast::SectionBody::Outcome(assignments) = &section.body
            && let Some(a) = assignments.iter().find(|a| a.target.text == name)
        {
            return Some(a.target.span);
        }
    }
    let mut first: Option<Span> = None;
    for section in &rule.sections {
        let yaral::ast::SectionBody::Events(stmts) = &section.body else { continue };
        for stmt in stmts {
            stmt.walk(&mut |e| {
                let ident = match e {
                    Expr::Field(path) => &path.var,
                    Expr::Variable(v) => v,
                    _ => return,
                };
                if ident.text == name && first.is_none_or(|f| ident.span.start < f.start) {
                    first = Some(ident.span);
                }
            });
        }
    }
    first
}

/// Words that are keywords wherever they stand in a rule.
const KEYWORDS: &[&str] = &[
    "rule", "and", "or", "not", "nocase", "in", "regex", "cidr", "any", "all", "over", "by",
    "every", "after", "before", "true", "false", "null",
];

/// What each token of a YARA-L text is, for semantic highlighting.
pub fn semantic_kinds(text: &str) -> Vec<(Span, SemanticKind)> {
    let tokens = yaral::lex(text);
    let next = |i: usize| tokens.get(i + 1).map(|t| t.kind);
    let prev = |i: usize| i.checked_sub(1).and_then(|j| tokens.get(j)).map(|t| t.kind);
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let word = t.span.text(text);
        let kind = match t.kind {
            K::Comment | K::UnterminatedComment => SemanticKind::Comment,
            K::String | K::UnterminatedString => SemanticKind::Str,
            K::RawString | K::UnterminatedRawString | K::Regex | K::UnterminatedRegex => {
                SemanticKind::Regex
            }
            K::Number | K::Duration => SemanticKind::Number,
            K::Variable | K::Count => SemanticKind::Variable,
            K::RefList => SemanticKind::Macro,
            K::Eq | K::Ne | K::Lt | K::Le | K::Gt | K::Ge | K::Bang => SemanticKind::Operator,
            K::Ident if prev(i) == Some(K::Dot) && is_udm_segment(&tokens, i) => {
                SemanticKind::Property
            }
            K::Ident if next(i) == Some(K::Colon) => SemanticKind::Keyword,
            K::Ident if is_call_part(&tokens, i) => SemanticKind::Function,
            K::Ident if KEYWORDS.contains(&word) => SemanticKind::Keyword,
            K::Ident
                if prev(i).is_some_and(|k| k == K::Ident)
                    && tokens[i - 1].span.text(text) == "rule" =>
            {
                SemanticKind::Table
            }
            _ => continue,
        };
        out.push((t.span, kind));
    }
    out
}

/// True when the name at `i` follows `$var.` through dots only: a UDM field, not a function.
fn is_udm_segment(tokens: &[yaral::lexer::Token], i: usize) -> bool {
    let mut j = i;
    while j >= 2 && tokens[j - 1].kind == K::Dot {
        match tokens[j - 2].kind {
            K::Variable => return true,
            K::Ident => j -= 2,
            K::RBracket => return true,
            _ => return false,
        }
    }
    false
}

/// True when the name at `i` is part of a (dotted) function name: `re` or `regex` in
/// `re.regex(`, `count` in `count(`.
fn is_call_part(tokens: &[yaral::lexer::Token], i: usize) -> bool {
    let mut j = i;
    while j + 2 < tokens.len() && tokens[j + 1].kind == K::Dot && tokens[j + 2].kind == K::Ident {
        j += 2;
    }
    tokens.get(j + 1).is_some_and(|t| t.kind == K::LParen)
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
        let (span, items) = complete(text, &tokens, text.len() as u32);
        assert_eq!(span.text(text), "pro");
        assert!(items.iter().any(|(l, _, _)| l == "process"), "{items:?}");
        let text = "rule r {\n events:\n  $e.";
        let (_, items) = complete(text, &scan(text), text.len() as u32);
        assert!(items.iter().any(|(l, _, _)| l == "metadata"));
        let text = "rule r {\n events:\n  strings.";
        let (_, items) = complete(text, &scan(text), text.len() as u32);
        assert!(items.iter().any(|(l, _, k)| l == "to_lower" && *k == ProposalKind::Function));
    }

    #[test]
    fn enum_values_after_a_comparison_with_an_enum_field() {
        for (text, replaced) in [
            ("rule r {\n events:\n  $e.metadata.event_type = ", ""),
            ("rule r {\n events:\n  $e.metadata.event_type != \"PROC", "\"PROC"),
            ("rule r {\n events:\n  $e.metadata.event_type = PROC", "PROC"),
        ] {
            let (span, items) = complete(text, &scan(text), text.len() as u32);
            assert_eq!(span.text(text), replaced, "{text}");
            assert!(
                items
                    .iter()
                    .any(|(l, _, k)| l == "\"PROCESS_LAUNCH\"" && *k == ProposalKind::Value),
                "{text}: {items:?}"
            );
        }
        // Inside a closed string the whole string is replaced.
        let text = "rule r {\n events:\n  $e.metadata.event_type = \"PRO\"\n}";
        let at = text.find("PRO").unwrap() as u32 + 3;
        let (span, items) = complete(text, &scan(text), at);
        assert_eq!(span.text(text), "\"PRO\"");
        assert!(!items.is_empty());
        // A string field has no values to offer.
        let text = "rule r {\n events:\n  $e.principal.hostname = ";
        assert!(complete(text, &scan(text), text.len() as u32).1.is_empty());
    }

    #[test]
    fn definitions_of_events_placeholders_and_outcomes() {
        let text = "rule r {\n events:\n  $e.principal.hostname = $host\n  $f.target.hostname = $host\n \
                    match:\n  $host over 5m\n outcome:\n  $n = count($f.metadata.id)\n \
                    condition:\n  $e and #f > 1 and $n > 2\n}\n";
        let def = |needle: &str, nth: usize| {
            let at = text.match_indices(needle).nth(nth).unwrap().0 as u32 + 1;
            definition(text, at).map(|s| (s.start, s.text(text)))
        };
        let first = |needle: &str| text.find(needle).unwrap() as u32;
        assert_eq!(def("$host", 2), Some((first("$host"), "$host")));
        assert_eq!(def("#f", 0), Some((first("$f"), "$f")));
        assert_eq!(def("$e", 1), Some((first("$e"), "$e")));
        assert_eq!(def("$n", 1), Some((first("$n"), "$n")));
        assert_eq!(def("hostname", 0), None);
    }

    #[test]
    fn semantic_kinds_of_a_rule() {
        let text = "rule r {\n events:\n  re.regex($e.target.url, `x`) nocase // c\n  \
                    $e.principal.ip in %nets\n match:\n  $h over 5m\n condition:\n  #e > 1\n}";
        let kinds: Vec<(&str, SemanticKind)> =
            semantic_kinds(text).into_iter().map(|(s, k)| (s.text(text), k)).collect();
        for expected in [
            ("rule", SemanticKind::Keyword),
            ("r", SemanticKind::Table),
            ("events", SemanticKind::Keyword),
            ("re", SemanticKind::Function),
            ("regex", SemanticKind::Function),
            ("$e", SemanticKind::Variable),
            ("target", SemanticKind::Property),
            ("url", SemanticKind::Property),
            ("`x`", SemanticKind::Regex),
            ("nocase", SemanticKind::Keyword),
            ("// c", SemanticKind::Comment),
            ("%nets", SemanticKind::Macro),
            ("5m", SemanticKind::Number),
            ("#e", SemanticKind::Variable),
            (">", SemanticKind::Operator),
        ] {
            assert!(kinds.contains(&expected), "{expected:?} in {kinds:?}");
        }
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
