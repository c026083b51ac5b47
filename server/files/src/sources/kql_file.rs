//! A `.kql`/`.csl`/`.kusto` file may hold several queries separated by blank lines, the way
//! Kusto Explorer and Azure Data Explorer treat a query window.
//!
//! The whole text stays one query when it parses as one (a query may have blank lines inside
//! it). Otherwise it is cut at the blank lines outside tokens (a blank line inside a
//! multi-line string is not a separator) into parts; a part that starts with `|`, or follows
//! a part ending in an open bracket, a dangling operator or the `;` of a `let`, belongs to the
//! part before. The
//! parts become separate queries when at least one of them parses cleanly — so while the
//! second query is being typed, the first keeps its own diagnostics and the error stays in
//! the second.

use qlint_grammar::Span;
use qlint_grammar::kql::{self, lexer::TokenKind};
use qlint_linter::Language;
use qlint_linter::stack::with_stack_for;

use super::{EmbeddedQuery, Encoding, OffsetMap};
use qlint_linter::QueryFacts;

/// The queries of a KQL file.
pub fn extract(text: &str) -> Vec<EmbeddedQuery> {
    let whole = EmbeddedQuery::whole_file(Language::Kql, text);
    let skip = text.len() - whole.text.len();
    let parts = parts(&whole.text);
    if parts.len() < 2 || parses(&whole.text) {
        return vec![whole];
    }
    if !parts.iter().any(|p| parses(p.text(&whole.text))) {
        return vec![whole];
    }
    let skip = skip as u32;
    parts.into_iter().map(|p| part_query(text, Span::new(p.start + skip, p.end + skip))).collect()
}

fn parses(text: &str) -> bool {
    with_stack_for(text, || kql::parse(text).is_ok())
}

fn part_query(file: &str, span: Span) -> EmbeddedQuery {
    let (start, end) = (span.start as usize, span.end as usize);
    let mut map = OffsetMap::default();
    map.push(0, end - start, start, end - start);
    map.set_file_end(end);
    EmbeddedQuery {
        language: Language::Kql,
        text: file[start..end].to_owned(),
        name: None,
        span_in_file: span,
        map,
        encoding: Encoding::Verbatim,
        exact: true,
        facts: QueryFacts::default(),
    }
}

/// The blank-line separated parts of `text`, joined where a part plainly continues the one
/// before; empty when the text has no blank line between two non-blank ones.
fn parts(text: &str) -> Vec<Span> {
    let tokens = kql::lex(text);
    let mut parts: Vec<Span> = Vec::new();
    let mut open = 0i32;
    let mut start: Option<usize> = None;
    let mut last: Option<(TokenKind, Span)> = None;
    let mut glue_next = false;
    for token in &tokens {
        let (s, e) = (token.span.start as usize, token.span.end as usize);
        if let Some((_, prev)) = last
            && open == 0
            && !glue_next
            && has_blank_line(&text[prev.end as usize..s])
            && token.kind != TokenKind::Pipe
        {
            parts.push(Span::new(start.unwrap_or(0) as u32, prev.end));
            start = None;
        }
        start.get_or_insert(s);
        match token.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => open += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => open -= 1,
            _ => {}
        }
        if token.kind != TokenKind::Comment {
            glue_next = dangling(token.kind, &text[s..e]);
        }
        last = Some((token.kind, Span::new(s as u32, e as u32)));
    }
    if let (Some(s), Some((_, prev))) = (start, last) {
        parts.push(Span::new(s as u32, prev.end));
    }
    // A part made only of comments is not a query: it belongs to the next one.
    merge_comment_only(&tokens, parts)
}

/// True for a token after which the query must go on (`and`, `==`, `,`, `=`, `|`), and for
/// the `;` that ends a `let`: the statements before a query belong to it.
fn dangling(kind: TokenKind, text: &str) -> bool {
    use TokenKind::*;
    match kind {
        Semi | Comma | Pipe | Assign | Dot | DotDot | EqEq | NotEq | LtGt | Lt | Le | Gt | Ge
        | EqTilde | BangTilde | FatArrow | Plus | Minus | Star | Slash | Percent | Colon
        | Question | BangWord => true,
        Ident => matches!(text, "and" | "or" | "let" | "in" | "in~" | "by" | "on" | "with"),
        _ => false,
    }
}

/// The gap between two tokens is whitespace; a blank line in it means two line breaks.
fn has_blank_line(gap: &str) -> bool {
    gap.matches('\n').count() >= 2
}

fn merge_comment_only(tokens: &[kql::lexer::Token], parts: Vec<Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut pending: Option<u32> = None;
    for part in parts {
        let only_comments = tokens
            .iter()
            .filter(|t| part.start <= t.span.start && t.span.end <= part.end)
            .all(|t| t.kind == TokenKind::Comment);
        if only_comments {
            pending.get_or_insert(part.start);
            continue;
        }
        out.push(Span::new(pending.take().unwrap_or(part.start), part.end));
    }
    // Trailing comments stay with the last query.
    if let (Some(_), Some(last)) = (pending, out.last_mut()) {
        last.end = tokens.last().map_or(last.end, |t| t.span.end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        extract(text).into_iter().map(|q| q.text).collect()
    }

    #[test]
    fn two_hunts_separated_by_a_blank_line_are_two_queries() {
        let text = "DeviceProcessEvents\n| where FileName == \"a.exe\"\n\nSigninLogs\n| take 10\n";
        assert_eq!(
            texts(text),
            ["DeviceProcessEvents\n| where FileName == \"a.exe\"", "SigninLogs\n| take 10"]
        );
        let queries = extract(text);
        let second = &queries[1];
        assert_eq!(second.span_in_file.start as usize, text.find("SigninLogs").unwrap());
        assert_eq!(second.map.to_file_start(4) as usize, text.find("SigninLogs").unwrap() + 4);
    }

    #[test]
    fn a_query_that_parses_whole_stays_one() {
        let text = "let a = 1;\n\nT\n| where x == a\n\n| take 1\n";
        assert_eq!(texts(text).len(), 1);
        let text = "T\n| take 1\n";
        assert_eq!(texts(text).len(), 1);
    }

    #[test]
    fn broken_second_query_keeps_the_first_clean() {
        let text = "T\n| take 1\n\n// second\nU\n| where x ==\n";
        let parts = texts(text);
        assert_eq!(parts, ["T\n| take 1", "// second\nU\n| where x =="]);
    }

    #[test]
    fn continuations_and_strings_are_not_cut() {
        // A pipe after the blank line, an open bracket, and a blank line inside a string.
        let text = "T\n| where x in (\n\n1)\n\n| where y == ```a\n\nb```\n| take 1 |\n";
        assert_eq!(texts(text).len(), 1);
    }

    #[test]
    fn nothing_parses_stays_one_query() {
        let text = "T | where ==\n\nU | where ==\n";
        assert_eq!(texts(text).len(), 1);
    }

    /// Each corpus entry is one query: count the ones the splitter would cut (they do not parse
    /// whole, or they would stay one), and show a few so that a reader can judge them.
    #[test]
    fn corpus_queries_that_would_be_split() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/kql");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} is absent", dir.display());
            return;
        };
        let (mut total, mut broken, mut split) = (0, 0, Vec::new());
        for entry in
            entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for line in text.lines() {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else { continue };
                let Some(query) = value.get("query").and_then(|q| q.as_str()) else { continue };
                total += 1;
                if !parses(query) {
                    broken += 1;
                    let n = extract(query).len();
                    if n > 1 {
                        split.push((value["id"].as_str().unwrap_or("?").to_owned(), n));
                    }
                }
            }
        }
        eprintln!(
            "{total} corpus queries, {broken} do not parse whole, {} would be split",
            split.len()
        );
        for (id, n) in split.iter().take(15) {
            eprintln!("  {id}: {n} parts");
        }
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = "\u{feff}T\n| take 1\n\nU | take 2\n\nV |";
        let queries = extract(text);
        assert_eq!(queries.len(), 3);
        assert_eq!(queries[0].span_in_file.start, 3);
        assert_eq!(&text[queries[1].span_in_file.start as usize..][..1], "U");
    }
}
