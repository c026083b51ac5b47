//! A `.kql`/`.csl`/`.kusto` file may hold several queries separated by blank lines, the way
//! Kusto Explorer and Azure Data Explorer treat a query window.
//!
//! The whole text stays one query when it parses as one (a query may have blank lines inside
//! it). Otherwise it is cut at the blank lines outside tokens (a blank line inside a
//! multi-line string is not a separator) into parts; a part that starts with `|`, or follows
//! a part ending in a dangling operator or the `;` of a `let`, belongs to the part before, and
//! so does a part that closes a bracket the part before left open (a bracket that stays open,
//! or a stray closing one, does not join the rest of the file into one query). The
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
    let skip = bom_len(text);
    let body = &text[skip..];
    let raw = scan(body, 0).parts;
    decide(text, &merge(&raw), &mut |t| parses(t))
}

/// The length of a leading byte-order mark, which stays outside every query.
fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

/// The queries of `text` given its merged parts (in body offsets, after the byte-order
/// mark): see [`chosen`]. `parses` answers whether a text parses as KQL.
fn decide(text: &str, parts: &[Span], parses: &mut dyn FnMut(&str) -> bool) -> Vec<EmbeddedQuery> {
    let skip = bom_len(text);
    let Some(parts) = chosen(&text[skip..], parts, parses) else {
        return vec![EmbeddedQuery::whole_file(Language::Kql, text)];
    };
    let skip = skip as u32;
    parts.iter().map(|p| part_query(text, Span::new(p.start + skip, p.end + skip))).collect()
}

/// The parts that become queries, or `None` for the whole text: it is one part or parses as
/// one, or no part parses on its own.
fn chosen<'a>(
    body: &str,
    parts: &'a [Span],
    parses: &mut dyn FnMut(&str) -> bool,
) -> Option<&'a [Span]> {
    let whole = parts.len() < 2
        || (!fails_early(body, parts) && parses(body))
        || !parts.iter().any(|p| parses(p.text(body)));
    (!whole).then_some(parts)
}

/// How far into a text [`fails_early`] looks.
const EARLY: usize = 64 * 1024;

/// True when a statement near the start of `body` does not parse, so that the whole text
/// does not parse either (false when that is not known). A text parses when each of its
/// statements — the stretches between `;`s outside brackets — parses, and a statement parses
/// on its own as it does in the text. This spares parsing a file of many queries as one
/// (10 MB for a big hunting file) to learn that it is not one.
fn fails_early(body: &str, parts: &[Span]) -> bool {
    // Lex up to the end of a part: a token never reaches past the blank line after it.
    let Some(last) = parts.last().map(|p| p.end as usize) else { return false };
    let end = parts.iter().map(|p| p.end as usize).find(|&e| e >= EARLY).unwrap_or(last);
    let window = &body[..end];
    let tokens = kql::lex(window);
    let mut depth = 0usize;
    let mut start = 0usize;
    for token in &tokens {
        match token.kind {
            // Tokens whose extent may depend on text after the window.
            TokenKind::Error if token.span.text(window).contains('@') => return false,
            TokenKind::Error | TokenKind::UnterminatedString
                if token.span.end as usize == window.len() && end < last =>
            {
                return false;
            }
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                depth = depth.saturating_sub(1);
            }
            TokenKind::Semi if depth == 0 => {
                if !parses(&window[start..token.span.start as usize]) {
                    return true;
                }
                start = token.span.end as usize;
            }
            _ => {}
        }
    }
    end == last && !parses(&window[start..])
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

/// A blank-line separated part of the text, before comment-only parts are merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RawPart {
    span: Span,
    /// It holds only comments (it then belongs to the next part).
    comments_only: bool,
    /// It holds a `@"` or `@'` that starts no token: a verbatim string that does not close, which
    /// a quote typed anywhere after it would close (so its extent depends on far-away text).
    open_verbatim: bool,
}

/// What [`scan`] found in a stretch of text.
struct Scan {
    /// Its parts, in the offsets of the whole body.
    parts: Vec<RawPart>,
    /// The state after its last token: brackets open, a dangling token, where it ended.
    open: i32,
    glue_next: bool,
    last_end: Option<u32>,
    /// A token runs to the end of the scanned text (an unclosed ``` string): in a longer
    /// text it might have ended elsewhere.
    open_at_end: bool,
}

/// The blank-line separated parts of `text` (which starts at `base` in the body), joined where
/// a part plainly continues the one before.
///
/// The text is first cut at every blank line that ends no dangling token and is not followed
/// by a `|` (the pieces). A bracket left open at such a cut joins the next piece only when
/// that piece closes it; otherwise the cut stands and the count of open brackets starts again
/// from zero, and a closing bracket with nothing open is not counted. So one query with a
/// stray bracket (in a file of thousands) stays one query instead of joining every query after
/// it into one.
fn scan(text: &str, base: u32) -> Scan {
    let tokens = kql::lex(text);
    // Pass one: the pieces, as ranges of tokens, and whether each closes a bracket it did
    // not open.
    struct Piece {
        tokens: std::ops::Range<usize>,
        closes_outer: bool,
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut glue_next = false;
    let mut last_end: Option<u32> = None;
    let mut piece_start = 0usize;
    let (mut relative, mut closes_outer) = (0i32, false);
    for (i, token) in tokens.iter().enumerate() {
        let (s, e) = (token.span.start, token.span.end);
        if let Some(prev) = last_end
            && !glue_next
            && has_blank_line(&text[prev as usize..s as usize])
            && token.kind != TokenKind::Pipe
        {
            pieces.push(Piece { tokens: piece_start..i, closes_outer });
            piece_start = i;
            (relative, closes_outer) = (0, false);
        }
        match token.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => relative += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                relative -= 1;
                closes_outer |= relative < 0;
            }
            _ => {}
        }
        if token.kind != TokenKind::Comment {
            glue_next = dangling(token.kind, &text[s as usize..e as usize]);
        }
        last_end = Some(e);
    }
    if piece_start < tokens.len() {
        pieces.push(Piece { tokens: piece_start..tokens.len(), closes_outer });
    }
    // Pass two: join the pieces into parts.
    let mut out = Scan { parts: Vec::new(), open: 0, glue_next, last_end, open_at_end: false };
    let mut start: Option<u32> = None;
    let mut part_end = 0u32;
    let mut comments_only = true;
    let mut open_verbatim = false;
    for piece in &pieces {
        if let Some(s) = start
            && (out.open == 0 || !piece.closes_outer)
        {
            let span = Span::new(s + base, part_end + base);
            out.parts.push(RawPart { span, comments_only, open_verbatim });
            start = None;
            comments_only = true;
            open_verbatim = false;
            out.open = 0;
        }
        for token in &tokens[piece.tokens.clone()] {
            start.get_or_insert(token.span.start);
            match token.kind {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => out.open += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    out.open = (out.open - 1).max(0);
                }
                TokenKind::Error | TokenKind::String => {
                    open_verbatim |= opens_verbatim(text, token.kind, token.span);
                }
                _ => {}
            }
            out.open_at_end |= token.span.end as usize == text.len()
                && matches!(token.kind, TokenKind::Error | TokenKind::UnterminatedString);
            comments_only &= token.kind == TokenKind::Comment;
            part_end = token.span.end;
        }
    }
    if let Some(s) = start {
        let span = Span::new(s + base, part_end + base);
        out.parts.push(RawPart { span, comments_only, open_verbatim });
    }
    out
}

/// True for a verbatim string whose extent depends on text after `text` ends: an error token
/// holding a `@` followed by a quote (a `@"` that does not close, which a quote typed anywhere
/// after it would close), or a `@"..."` string followed right away by its quote (the lexer
/// ran to the end of `text` looking for the end of an escaped `""` and backed off; in a longer
/// text it may run across blank lines). A `@` before anything else, as in `[@https://...]`,
/// changes only with an edit right after it.
fn opens_verbatim(text: &str, kind: TokenKind, span: Span) -> bool {
    let (start, end) = (span.start as usize, span.end as usize);
    let token = &text[start..end];
    match kind {
        TokenKind::String => {
            let verbatim = token.trim_start_matches(['h', 'H']).starts_with('@');
            let quote = token.as_bytes().last();
            verbatim && quote.is_some() && text.as_bytes().get(end) == quote
        }
        _ => token
            .match_indices('@')
            .any(|(i, _)| matches!(text.as_bytes().get(start + i + 1), Some(b'"' | b'\''))),
    }
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

/// The parts, with each part made only of comments joined to the next one (it is not a
/// query); trailing comments stay with the last query.
fn merge(raw: &[RawPart]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut pending: Option<u32> = None;
    for part in raw {
        if part.comments_only {
            pending.get_or_insert(part.span.start);
            continue;
        }
        out.push(Span::new(pending.take().unwrap_or(part.span.start), part.span.end));
    }
    if let (Some(_), Some(last), Some(end)) = (pending, out.last_mut(), raw.last()) {
        last.end = end.span.end;
    }
    out
}

/// The split of a KQL file kept up to date edit by edit, for the language server: an edit
/// re-lexes the parts around it, not the file, and gives the same parts as [`extract`] on
/// the edited text (when an edit may reach further, the whole text is scanned again).
#[derive(Debug, Clone)]
pub struct KqlSplit {
    /// Parts in body offsets (after a byte-order mark).
    raw: Vec<RawPart>,
    /// Length of the byte-order mark.
    skip: usize,
    /// The text's length.
    len: usize,
}

/// How many parts after an edit a rescan may grow to before it runs to the end of the text.
const MAX_GROWTH: usize = 4;

impl KqlSplit {
    /// The split of `text`.
    pub fn new(text: &str) -> Self {
        let skip = bom_len(text);
        Self { raw: scan(&text[skip..], 0).parts, skip, len: text.len() }
    }

    /// Takes the edit that replaced the bytes `start..old_end` of the previous text by
    /// `new_len` bytes, giving a text of `new_total` bytes; `slice(a, b)` gives the bytes
    /// `a..b` of the new text (this asks only for ranges between token starts and the ends of
    /// the text, which are character boundaries).
    pub fn edit(
        &mut self,
        (start, old_end): (usize, usize),
        new_len: usize,
        new_total: usize,
        slice: &dyn Fn(usize, usize) -> String,
    ) {
        let skip = self.skip;
        let consistent = start <= old_end
            && old_end <= self.len
            && self.len - (old_end - start) + new_len == new_total;
        // An edit at the start may add or remove a byte-order mark; an unclosed verbatim
        // string may close at a quote typed anywhere after it.
        if !consistent || start < skip.max(1) || self.raw.iter().any(|p| p.open_verbatim) {
            *self = Self::new(&slice(0, new_total));
            return;
        }
        let (a, b) = ((start - skip) as u32, (old_end - skip) as u32);
        let delta = new_len as i64 - (old_end - start) as i64;
        let body_len = (new_total - skip) as u32;
        // Two parts before the one the edit starts in: the text up to its first token is
        // unchanged, and so is the piece after it, which decides whether a bracket left open
        // there joins it to the part before (the piece after the start of the part just
        // before the edited one may reach into the edit), so the split before it stays.
        let k = self.raw.partition_point(|p| p.span.start <= a);
        let first = k.saturating_sub(3);
        let ws = if k >= 3 { self.raw[first].span.start } else { 0 };
        // The first part that starts after the edit: it and those after it only move.
        let mut last = self.raw.partition_point(|p| p.span.start <= b);
        let mut growth = 0;
        let shift = |offset: u32| (offset as i64 + delta) as u32;
        let scanned = loop {
            let we = self.raw.get(last).map_or(body_len, |p| shift(p.span.start));
            let text = slice(ws as usize + skip, we as usize + skip);
            let scanned = scan(&text, ws);
            // The next part starts a part in the edited text too when nothing is left open
            // before it and a blank line separates it from the last token. (A scan to the
            // end of the text is the scan of the whole text from `ws` on.)
            let clean_end = we == body_len
                || (scanned.open == 0
                    && !scanned.glue_next
                    && !scanned.open_at_end
                    && !scanned.parts.iter().any(|p| p.open_verbatim)
                    && scanned.last_end.is_none_or(|e| has_blank_line(&text[e as usize..])));
            if clean_end {
                break scanned;
            }
            growth += 1;
            last = if growth >= MAX_GROWTH { self.raw.len() } else { last + 1 };
        };
        let moved = self.raw.split_off(last);
        self.raw.truncate(first);
        self.raw.extend(scanned.parts);
        self.raw.extend(
            moved
                .into_iter()
                .map(|p| RawPart { span: Span::new(shift(p.span.start), shift(p.span.end)), ..p }),
        );
        self.len = new_total;
    }

    /// The merged parts in file offsets.
    pub fn parts(&self) -> Vec<Span> {
        let skip = self.skip as u32;
        merge(&self.raw).into_iter().map(|p| Span::new(p.start + skip, p.end + skip)).collect()
    }

    /// The queries, as [`extract`] gives them for `text` (the text this split is up to date
    /// with); `parses` answers whether a text parses as KQL (a caller may remember answers).
    pub fn extract(&self, text: &str, parses: &mut dyn FnMut(&str) -> bool) -> Vec<EmbeddedQuery> {
        decide(text, &merge(&self.raw), parses)
    }

    /// Where the queries [`KqlSplit::extract`] gives start (file offsets), without copying
    /// them out of the text.
    pub fn query_starts(&self, text: &str, parses: &mut dyn FnMut(&str) -> bool) -> Vec<u32> {
        let merged = merge(&self.raw);
        match chosen(&text[self.skip..], &merged, parses) {
            Some(parts) => parts.iter().map(|p| p.start + self.skip as u32).collect(),
            None => vec![self.skip as u32],
        }
    }
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
    fn a_stray_bracket_does_not_join_the_queries_after_it() {
        // An unclosed `(` and a stray `)`: each stays in its own query.
        let text = "(union T\n| take 1\n\nU\n| take 2\n\nV | take 3)\n| count\n\nW\n| take 4\n\n\
            X | take 5\n";
        assert_eq!(
            texts(text),
            [
                "(union T\n| take 1",
                "U\n| take 2",
                "V | take 3)\n| count",
                "W\n| take 4",
                "X | take 5"
            ]
        );
        // A part that closes the bracket is still joined to the one that opened it.
        let text = "T\n| where x in (\n\n1, 2)\n\nU | take 1\n\nV | where (\n\nW | take 1\n";
        assert_eq!(
            texts(text),
            ["T\n| where x in (\n\n1, 2)", "U | take 1", "V | where (", "W | take 1"]
        );
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
    fn a_statement_that_fails_near_the_start_settles_the_whole_text() {
        let fails = |text: &str| fails_early(text, &merge(&scan(text, 0).parts));
        // `T | take 1 let b = 2` is no statement.
        let text = "let a = 1;\nT | take 1\n\nlet b = 2;\nU | take 2\n";
        assert!(fails(text) && !parses(text));
        // One statement, which parses: not settled early, and it does parse whole.
        let text = "T\n| project\n\na, b\n";
        assert!(!fails(text) && parses(text));
        // The verbatim string closes only at the very end: unknown, not "fails".
        let text = "let a = @\"x;\n\n";
        assert!(!fails(&format!("{text}T | take 1;\n\nU\n")));
    }

    /// Applies `edits` one by one, keeping a split up to date, and compares it after each
    /// with a split of the edited text from scratch (and the queries with [`extract`]'s).
    fn check_edits(text: &str, edits: &[(usize, usize, &str)]) {
        let mut text = text.to_owned();
        let mut split = KqlSplit::new(&text);
        for &(start, end, insert) in edits {
            let (start, end) = (start.min(text.len()), end.min(text.len()));
            text.replace_range(start..end, insert);
            split.edit((start, end), insert.len(), text.len(), &|a, b| text[a..b].to_owned());
            let fresh = KqlSplit::new(&text);
            assert_eq!(split.parts(), fresh.parts(), "after {insert:?} at {start}: {text:?}");
            let kept: Vec<_> = split
                .extract(&text, &mut |t| parses(t))
                .into_iter()
                .map(|q| (q.span_in_file, q.text))
                .collect();
            let full: Vec<_> =
                extract(&text).into_iter().map(|q| (q.span_in_file, q.text)).collect();
            assert_eq!(kept, full, "after {insert:?} at {start}: {text:?}");
        }
    }

    #[test]
    fn a_split_kept_up_to_date_matches_a_fresh_one() {
        let text = "T\n| take 1\n\nU\n| where x == 1\n\n// note\n\nV | count\n\nW | take 2\n";
        let at = |s: &str| text.find(s).unwrap();
        check_edits(
            text,
            &[
                (at("| where") + 14, at("| where") + 14, " "),
                // Remove the blank line between the first two: they become one part.
                (at("\n\nU"), at("\n\nU") + 1, ""),
                (at("take 1") + 6, at("take 1") + 6, "\n\n"),
                // An open bracket glues the next parts until it closes.
                (at("x == 1") + 5, at("x == 1") + 6, "(1"),
                (at("V |"), at("V |"), ")\n\n"),
                // A dangling `and`, a comment-only part, a pipe starting a part.
                (at("W |") - 1, at("W |") - 1, "| where a and\n\n"),
                (0, 0, "// head\n\n"),
                (at("take 2"), at("take 2"), "\n\n| "),
                // A verbatim string that spans the blank lines, then closes far away.
                (at("U\n"), at("U\n"), "print @\""),
                (text.len(), text.len(), "\n\nprint \""),
                (at("T\n"), at("T\n"), "```"),
                (text.len(), text.len(), "```\n\nX"),
                // Deleting most of the text, then typing into an empty one.
                (5, 60, ""),
                (0, 500, ""),
                (0, 0, "T | take 1\n\n\nU | take 2"),
            ],
        );
    }

    #[test]
    fn random_edits_keep_the_split_exact() {
        // A fixed pseudo-random sequence (no dependency): insertions and deletions of pieces
        // that open and close brackets and strings, add and remove blank lines, dangle.
        let pieces = [
            "\n",
            "\n\n",
            " ",
            "(",
            ")",
            "and",
            "|",
            "// c\n",
            "T",
            "\"",
            "@\"",
            "```",
            ";",
            "let x = 1;",
            "\r\n",
            "é",
        ];
        let mut text = "T\n| take 1\n\nU\n| where x == 1\n\nV | count\n\nW | take 2\n".repeat(3);
        let mut split = KqlSplit::new(&text);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        for _ in 0..3000 {
            let mut start = next(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + next(4)).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let insert = if next(3) == 0 { "" } else { pieces[next(pieces.len())] };
            text.replace_range(start..end, insert);
            split.edit((start, end), insert.len(), text.len(), &|a, b| text[a..b].to_owned());
            assert_eq!(split.parts(), KqlSplit::new(&text).parts(), "{text:?}");
            let body = &text[bom_len(&text)..];
            let parts = merge(&scan(body, 0).parts);
            if fails_early(body, &parts) {
                assert!(!parses(body), "{text:?}");
            }
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
