//! Inline suppressions: `// qlint: ignore KQL401` and `// qlint: ignore-query KQL401,KQL403` in
//! KQL, ```` ```qlint: ignore SPL401``` ```` in SPL.
//!
//! `ignore` applies to the line of the comment, or to the next non-blank line when the comment
//! is alone on its line; `ignore-query` applies to the whole query. No codes means every code.
//! Comments come from the grammar's lexers, so strings, verbatim strings and multi-line
//! strings never hold a directive.

use qlint_grammar::Span;

use crate::query::Language;

/// Where a suppression applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Diagnostics starting on this 0-based line of the query.
    Line(usize),
    /// The whole query.
    Query,
}

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The comment, in query offsets.
    pub comment: Span,
    /// What it applies to.
    pub scope: Scope,
    /// The codes (or prefixes) it names; empty means all.
    pub codes: Vec<String>,
    /// The bytes to delete to remove the comment cleanly.
    pub removal: Span,
}

impl Suppression {
    /// The index in `codes` that matches `code` (`Some(0)` for a catch-all), if any.
    pub fn matches(&self, code: &str) -> Option<usize> {
        if self.codes.is_empty() {
            return Some(0);
        }
        self.codes.iter().position(|c| {
            code.len() >= c.len() && code.as_bytes()[..c.len()].eq_ignore_ascii_case(c.as_bytes())
        })
    }
}

/// Finds the comments of a query: byte spans of the whole comment and of its body.
pub fn comments(language: Language, text: &str) -> Vec<(Span, Span)> {
    match language {
        Language::Kql => kql_comments(text),
        Language::Spl => spl_comments(text),
        Language::Yaral => yaral_comments(text),
        Language::Sigma => yaml_comments(text),
    }
}

/// YAML comments: `#` at the start of a line or after a blank, outside quotes, to the end of
/// the line. (Quotes are tracked per line, which is what comments in rule files need.)
fn yaml_comments(text: &str) -> Vec<(Span, Span)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if (c == '\'' || c == '"')
                    && (prev == ' '
                        || prev == ':'
                        || prev == '-'
                        || prev == '['
                        || prev == ',') =>
                {
                    quote = Some(c)
                }
                None if c == '#' && (prev == ' ' || prev == '\t' || i == 0) => {
                    let end = line.trim_end_matches(['\n', '\r']).len();
                    let start = (line_start + i) as u32;
                    out.push((
                        Span::new(start, (line_start + end) as u32),
                        Span::new(start + 1, (line_start + end) as u32),
                    ));
                    break;
                }
                None => {}
            }
            prev = c;
        }
        line_start += line.len();
    }
    out
}

/// YARA-L comments come from the grammar's lexer: `// ...` and `/* ... */`.
fn yaral_comments(text: &str) -> Vec<(Span, Span)> {
    qlint_grammar::yaral::lex(text)
        .into_iter()
        .filter(|token| token.kind == qlint_grammar::yaral::lexer::TokenKind::Comment)
        .map(|token| {
            let raw = token.span.text(text);
            let tail = if raw.starts_with("/*") { 2 } else { 0 };
            (token.span, Span::new(token.span.start + 2, token.span.end - tail))
        })
        .collect()
}

/// KQL comments come from the grammar's lexer: `// ...` to the end of the line.
fn kql_comments(text: &str) -> Vec<(Span, Span)> {
    qlint_grammar::kql::lex(text)
        .into_iter()
        .filter(|token| token.kind == qlint_grammar::kql::lexer::TokenKind::Comment)
        .map(|token| (token.span, Span::new(token.span.start + 2, token.span.end)))
        .collect()
}

/// SPL comments come from the grammar's lexer: ```` ```...``` ```` blocks.
fn spl_comments(text: &str) -> Vec<(Span, Span)> {
    qlint_grammar::spl::lex(text)
        .into_iter()
        .filter(|token| token.kind == qlint_grammar::spl::lexer::TokenKind::Comment)
        .filter(|token| token.span.len() >= 6)
        .map(|token| (token.span, Span::new(token.span.start + 3, token.span.end - 3)))
        .collect()
}

/// Finds the suppression comments in a query.
pub fn scan(language: Language, text: &str) -> Vec<Suppression> {
    // Every directive is a comment whose text starts with `qlint:`: a text without those six
    // characters has none, and is not lexed for its comments (most queries).
    if !text.contains("qlint:") {
        return Vec::new();
    }
    let mut suppressions = Vec::new();
    for (comment, body) in comments(language, text) {
        let body_text = body.text(text).trim();
        let Some(directive) = body_text.strip_prefix("qlint:") else { continue };
        let directive = directive.trim_start();
        let (whole_query, rest) = if let Some(rest) = directive.strip_prefix("ignore-query") {
            (true, rest)
        } else if let Some(rest) = directive.strip_prefix("ignore") {
            (false, rest)
        } else {
            continue;
        };
        if rest.starts_with(|c: char| c.is_alphanumeric() || c == '-') {
            continue;
        }
        let codes: Vec<String> = rest
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let start = comment.start as usize;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let alone = text[line_start..start].trim().is_empty();
        let line = text[..start].matches('\n').count();
        let scope = if whole_query {
            Scope::Query
        } else if alone {
            // The next non-blank line.
            let mut target = line + 1;
            for next in text[comment.end as usize..].split('\n').skip(1) {
                if !next.trim().is_empty() {
                    break;
                }
                target += 1;
            }
            Scope::Line(target)
        } else {
            Scope::Line(line)
        };
        suppressions.push(Suppression {
            comment,
            scope,
            codes,
            removal: removal_span(text, comment, line_start, alone),
        });
    }
    suppressions
}

/// The bytes to delete so that the comment disappears without leaving a blank line or
/// trailing spaces.
fn removal_span(text: &str, comment: Span, line_start: usize, alone: bool) -> Span {
    let end = comment.end as usize;
    let rest_of_line_blank = text[end..].split('\n').next().is_some_and(|r| r.trim().is_empty());
    if alone && rest_of_line_blank {
        if let Some(newline) = text[end..].find('\n') {
            return Span::from(line_start..end + newline + 1);
        }
        if line_start > 0 {
            let mut from = line_start - 1;
            if from > 0 && text.as_bytes()[from - 1] == b'\r' {
                from -= 1;
            }
            return Span::from(from..end);
        }
        return Span::from(line_start..end);
    }
    let mut start = comment.start as usize;
    while start > line_start && matches!(text.as_bytes()[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    Span::from(start..end)
}

/// The 0-based line of a byte offset.
pub fn line_of(text: &str, offset: u32) -> usize {
    let offset = (offset as usize).min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kql_line_next_line_and_query_scopes() {
        let text = "T // qlint: ignore KQL401\n// qlint: ignore KQL402, KQL403\n| where x\n// qlint: ignore-query\n| where s == \"// qlint: ignore X\"";
        let found = scan(Language::Kql, text);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].scope, Scope::Line(0));
        assert_eq!(found[0].codes, ["KQL401"]);
        assert_eq!(found[1].scope, Scope::Line(2));
        assert_eq!(found[1].codes, ["KQL402", "KQL403"]);
        assert_eq!(found[2].scope, Scope::Query);
        assert!(found[2].codes.is_empty());
        // Removing the alone comment removes its whole line.
        assert_eq!(found[1].removal.text(text), "// qlint: ignore KQL402, KQL403\n");
        assert_eq!(found[0].removal.text(text), " // qlint: ignore KQL401");
    }

    #[test]
    fn spl_comment_blocks() {
        let text = "index=main \"```qlint: ignore X```\" ```qlint: ignore SPL401``` | stats count";
        let found = scan(Language::Spl, text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].codes, ["SPL401"]);
        assert_eq!(found[0].scope, Scope::Line(0));
    }

    #[test]
    fn verbatim_and_multiline_strings_hide_comments() {
        let text = "print @\"C:\\// qlint: ignore A\", ```\n// qlint: ignore B\n```";
        assert!(scan(Language::Kql, text).is_empty());
    }
}
