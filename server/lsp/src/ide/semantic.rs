//! Semantic tokens: what each token of every query in a file is, so that editors without our
//! TextMate grammar (Neovim, Helix, Zed, Emacs) can colour queries.

use qlint_grammar::Span;
use qlint_linter::Language;

use super::catalog::Catalog;
use super::kql;
use super::operators;
use super::scan::{Token, TokenKind, scan};
use super::source::SourceFile;
use super::spl;

/// The token types, in legend order (the index is what the protocol sends).
pub const TOKEN_TYPES: &[&str] = &[
    "keyword",
    "operator",
    "function",
    "variable",
    "property",
    "class",
    "string",
    "number",
    "comment",
    "macro",
    "regexp",
    "parameter",
];

/// What a token is (an index into [`TOKEN_TYPES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum SemanticKind {
    /// Tabular operator, SPL command, `and`/`by`/`kind`.
    Keyword,
    /// `==`, `has`, `|`.
    Operator,
    /// A function call.
    Function,
    /// A `let` name.
    Variable,
    /// A column or field.
    Property,
    /// A table.
    Table,
    /// A string literal.
    Str,
    /// A number or timespan.
    Number,
    /// A comment.
    Comment,
    /// An SPL macro call.
    Macro,
    /// A regular expression literal.
    Regex,
    /// A declared parameter.
    Parameter,
}

/// Semantic tokens of every query in the file, in file bytes, in file order.
pub fn semantic_tokens(file: &SourceFile, catalog: &dyn Catalog) -> Vec<(Span, SemanticKind)> {
    let mut out = Vec::new();
    for region in &file.regions {
        let tokens = scan(region.language, &region.text);
        let kinds = match region.language {
            Language::Kql => kql_kinds(&region.text, &tokens, region, catalog),
            Language::Spl => spl_kinds(&region.text, &tokens),
            Language::Yaral => {
                let kinds = super::yaral::semantic_kinds(&region.text);
                out.extend(kinds.into_iter().map(|(s, k)| (region.span_to_file(s), k)));
                continue;
            }
            // A Sigma rule is YAML: the editor's YAML grammar colours it.
            Language::Sigma => continue,
        };
        for (i, kind) in kinds.into_iter().enumerate() {
            if let Some(kind) = kind {
                out.push((region.span_to_file(tokens[i].span), kind));
            }
        }
    }
    out.sort_by_key(|(s, _)| s.start);
    out
}

const KQL_KEYWORDS: &[&str] = &[
    "let", "by", "on", "kind", "with", "asc", "desc", "nulls", "first", "last", "true", "false",
    "not", "view", "of", "step", "from", "to", "typeof",
];

const REGEX_FUNCTIONS: &[&str] = &["extract", "extract_all", "replace_regex", "matches"];

fn kql_kinds(
    text: &str,
    tokens: &[Token],
    region: &super::source::Region,
    catalog: &dyn Catalog,
) -> Vec<Option<SemanticKind>> {
    let lets = kql::let_bindings(text, tokens);
    let prev_sig = |i: usize| (0..i).rev().find(|&j| !tokens[j].is_trivia());
    let next_sig = |i: usize| (i + 1..tokens.len()).find(|&j| !tokens[j].is_trivia());
    (0..tokens.len())
        .map(|i| {
            let t = tokens[i];
            let word = t.text(text);
            let prev = prev_sig(i);
            let prev_text = prev.map_or("", |p| tokens[p].text(text));
            Some(match t.kind {
                TokenKind::Comment => SemanticKind::Comment,
                TokenKind::Number => SemanticKind::Number,
                TokenKind::Str => {
                    // `matches regex "..."`, `extract("...", ...)`: a regular expression.
                    let call = prev
                        .filter(|&p| tokens[p].kind == TokenKind::LParen)
                        .and_then(prev_sig)
                        .map_or("", |f| tokens[f].text(text));
                    if prev_text == "regex" || REGEX_FUNCTIONS.contains(&call) {
                        SemanticKind::Regex
                    } else {
                        SemanticKind::Str
                    }
                }
                TokenKind::Pipe | TokenKind::Op | TokenKind::Eq => SemanticKind::Operator,
                TokenKind::Word => {
                    let after_pipe = prev.is_some_and(|p| tokens[p].kind == TokenKind::Pipe);
                    let call = next_sig(i).is_some_and(|n| tokens[n].kind == TokenKind::LParen);
                    if after_pipe {
                        SemanticKind::Keyword
                    } else if operators::scalar_operator(word).is_some()
                        || word == "matches"
                        || word == "regex"
                    {
                        SemanticKind::Operator
                    } else if KQL_KEYWORDS.contains(&word) {
                        SemanticKind::Keyword
                    } else if call {
                        SemanticKind::Function
                    } else if lets.iter().any(|b| b.name == word) {
                        SemanticKind::Variable
                    } else if region.facts.declared_parameters().iter().any(|p| p.name == word) {
                        SemanticKind::Parameter
                    } else if catalog.table(word).is_some() {
                        SemanticKind::Table
                    } else {
                        SemanticKind::Property
                    }
                }
                _ => return None,
            })
        })
        .collect()
}

const SPL_KEYWORDS: &[&str] = &[
    "AND",
    "OR",
    "NOT",
    "by",
    "BY",
    "as",
    "AS",
    "OUTPUT",
    "OUTPUTNEW",
    "from",
    "where",
    "in",
    "IN",
];

fn spl_kinds(text: &str, tokens: &[Token]) -> Vec<Option<SemanticKind>> {
    (0..tokens.len())
        .map(|i| {
            let t = tokens[i];
            let word = t.text(text);
            let prev = (0..i).rev().find(|&j| !tokens[j].is_trivia());
            Some(match t.kind {
                TokenKind::Comment => SemanticKind::Comment,
                TokenKind::Number => SemanticKind::Number,
                TokenKind::Macro => SemanticKind::Macro,
                TokenKind::Str => {
                    let is_rex = (0..i)
                        .rev()
                        .find(|&j| tokens[j].kind == TokenKind::Pipe)
                        .and_then(|p| tokens.get(p + 1))
                        .is_some_and(|c| c.text(text).eq_ignore_ascii_case("rex"));
                    if is_rex { SemanticKind::Regex } else { SemanticKind::Str }
                }
                TokenKind::Pipe | TokenKind::Op | TokenKind::Eq => SemanticKind::Operator,
                TokenKind::Word => {
                    let command = spl::at_command_position(tokens, prev) && prev.is_some();
                    if command || SPL_KEYWORDS.contains(&word) {
                        SemanticKind::Keyword
                    } else if tokens
                        .get(i + 1)
                        .is_some_and(|n| n.kind == TokenKind::LParen && n.span.start == t.span.end)
                    {
                        SemanticKind::Function
                    } else if tokens.get(i + 1).is_some_and(|n| n.kind == TokenKind::Eq) {
                        SemanticKind::Property
                    } else {
                        return None;
                    }
                }
                _ => return None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::catalog::EmptyCatalog;
    use super::*;

    fn kinds(file: &SourceFile) -> Vec<(&str, SemanticKind)> {
        semantic_tokens(file, &EmptyCatalog)
            .into_iter()
            .map(|(s, k)| (s.text(&file.text), k))
            .collect()
    }

    #[test]
    fn kql_and_spl_tokens() {
        let text = "let n = 5;\nT | where A has \"x\" and B matches regex \"a+\" | extend c = tolower(A) // c";
        let file = SourceFile::new(Some("q.kql".into()), "kql", text.to_owned());
        let k = kinds(&file);
        for expected in [
            ("let", SemanticKind::Keyword),
            ("n", SemanticKind::Variable),
            ("where", SemanticKind::Keyword),
            ("A", SemanticKind::Property),
            ("has", SemanticKind::Operator),
            ("\"x\"", SemanticKind::Str),
            ("\"a+\"", SemanticKind::Regex),
            ("tolower", SemanticKind::Function),
            ("// c", SemanticKind::Comment),
            ("5", SemanticKind::Number),
        ] {
            assert!(k.contains(&expected), "{expected:?} in {k:?}");
        }
        let text = "`sysmon` EventCode=1 | rex \"(?<u>\\w+)\" | stats count by u | eval x=lower(u)";
        let file = SourceFile::new(Some("q.spl".into()), "spl", text.to_owned());
        let k = kinds(&file);
        for expected in [
            ("`sysmon`", SemanticKind::Macro),
            ("EventCode", SemanticKind::Property),
            ("rex", SemanticKind::Keyword),
            ("\"(?<u>\\w+)\"", SemanticKind::Regex),
            ("stats", SemanticKind::Keyword),
            ("by", SemanticKind::Keyword),
            ("lower", SemanticKind::Function),
        ] {
            assert!(k.contains(&expected), "{expected:?} in {k:?}");
        }
    }
}
