//! SPL structure the editor needs from tokens: command positions, macro calls, data models.

use super::scan::{Token, TokenKind};

/// True when token index `prev` (the last significant token before the cursor) puts the cursor
/// where a command name goes: at the start, after `|`, or at the start of a subsearch.
pub fn at_command_position(tokens: &[Token], prev: Option<usize>) -> bool {
    match prev {
        None => true,
        Some(p) => matches!(tokens[p].kind, TokenKind::Pipe | TokenKind::LBracket),
    }
}

/// A macro call's name and argument count from its token text (with or without backticks).
pub fn macro_call(token_text: &str) -> (String, usize) {
    let inner = token_text.trim_start_matches('`').trim_end_matches('`');
    let Some(open) = inner.find('(') else {
        return (inner.trim().to_owned(), 0);
    };
    let name = inner[..open].trim().to_owned();
    let args = inner[open + 1..].trim_end_matches(')');
    if args.trim().is_empty() {
        return (name, 0);
    }
    let mut count = 1;
    let mut in_str = false;
    let mut depth = 0i32;
    let mut escaped = false;
    for c in args.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => in_str = !in_str,
            '(' if !in_str => depth += 1,
            ')' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => count += 1,
            _ => {}
        }
    }
    (name, count)
}

/// The `Model.Dataset` (or `Model`) names a search reads through `datamodel=`.
pub fn datamodel_refs(text: &str, tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let word = t.text(text);
        if t.kind == TokenKind::Word
            && word.eq_ignore_ascii_case("datamodel")
            && tokens.get(i + 1).is_some_and(|n| n.kind == TokenKind::Eq)
            && let Some(value) = tokens.get(i + 2).filter(|n| n.kind == TokenKind::Word)
        {
            out.push(value.text(text).to_owned());
        }
        // `datamodel:Endpoint.Processes` in a search term.
        if let Some(rest) = word.strip_prefix("datamodel:") {
            out.push(rest.trim_matches('"').to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::*;
    use qlint_linter::Language;

    #[test]
    fn macro_calls() {
        assert_eq!(macro_call("`sysmon`"), ("sysmon".into(), 0));
        assert_eq!(macro_call("`f(a, \"x,y\", g(1,2))`"), ("f".into(), 3));
        assert_eq!(macro_call("`f()`"), ("f".into(), 0));
        assert_eq!(macro_call("`unterminated(a"), ("unterminated".into(), 1));
    }

    #[test]
    fn datamodels() {
        let text =
            "| tstats count from datamodel=Endpoint.Processes where Processes.process_name=x";
        let tokens = scan(Language::Spl, text);
        assert_eq!(datamodel_refs(text, &tokens), ["Endpoint.Processes"]);
        assert!(at_command_position(&tokens, None));
        assert!(at_command_position(&tokens, Some(0)));
        assert!(!at_command_position(&tokens, Some(1)));
    }
}
