//! Regular-expression checks in the dialect of each language.
//!
//! KQL evaluates regexes with RE2; Splunk with PCRE. We parse both with `regex-syntax` and
//! then decide, error kind by error kind, whether the engine that will really run the pattern
//! rejects it too. A construct that the real engine accepts is never reported: PCRE-only
//! features such as look-around, back-references, possessive quantifiers or atomic groups are
//! fine in SPL; RE2 rejects look-around and back-references, so they are errors in KQL.

use regex_syntax::ast::{self, ErrorKind};

/// The regex engine a pattern is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// RE2, used by Kusto (`matches regex`, `extract()`, `parse kind=regex`, ...).
    Re2,
    /// PCRE, used by Splunk (`rex`, `regex`, `match()`, `replace()`).
    Pcre,
}

/// A pattern that the engine of its dialect will reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexProblem {
    /// Byte range inside the pattern (not inside the query text).
    pub start: usize,
    /// One past the last byte of the offending part of the pattern.
    pub end: usize,
    /// What is wrong, as a short phrase ("unclosed group").
    pub message: String,
}

/// Checks `pattern` for the engine of `dialect`; `None` when the engine accepts it (as far as
/// we can tell: when in doubt we accept).
pub fn check_regex(pattern: &str, dialect: Dialect) -> Option<RegexProblem> {
    let Some(normalised) = normalise_classes(pattern) else {
        return Some(RegexProblem {
            start: 0,
            end: pattern.len(),
            message: "unclosed character class: a `[` has no matching `]`".to_owned(),
        });
    };
    let pattern = normalised.as_str();
    let mut parser = ast::parse::ParserBuilder::new().nest_limit(250).build();
    let error = match parser.parse(pattern) {
        Ok(tree) => return check_translation(pattern, &tree, dialect),
        Err(error) => error,
    };
    let span = error.span();
    let (start, end) = (span.start.offset, span.end.offset.max(span.start.offset));
    let at = pattern.get(start..).and_then(|rest| rest.chars().next());
    let message = match (error.kind(), dialect) {
        (ErrorKind::GroupUnclosed, _) => "unclosed group: a `(` has no matching `)`",
        (ErrorKind::GroupUnopened, _) => "unopened group: a `)` has no matching `(`",
        (ErrorKind::ClassUnclosed, _) => "unclosed character class: a `[` has no matching `]`",
        (ErrorKind::ClassRangeInvalid, _) => "invalid range in a character class (start > end)",
        (ErrorKind::RepetitionCountInvalid, _) => "invalid repetition count (`{m,n}` with m > n)",
        (ErrorKind::EscapeUnexpectedEof, _) => "the pattern ends with a lone `\\`",
        (ErrorKind::RepetitionMissing, _) if matches!(at, Some('*' | '+' | '?')) => {
            if dialect == Dialect::Pcre && pcre_possessive_or_lazy(pattern, start) {
                return None;
            }
            "a quantifier (`*`, `+`, `?`) follows nothing"
        }
        (ErrorKind::UnsupportedLookAround, Dialect::Re2) => {
            "look-around (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported by RE2, which KQL uses"
        }
        (ErrorKind::UnsupportedBackreference, Dialect::Re2) => {
            // RE2 reads `\12` as an octal escape; only a lone digit is a back-reference.
            let next = pattern.get(end..).and_then(|rest| rest.chars().next());
            let digit = pattern.get(start..end).and_then(|s| s.chars().nth(1));
            if next.is_some_and(|c| c.is_ascii_digit()) || digit == Some('0') {
                return None;
            }
            "back-references (`\\1`) are not supported by RE2, which KQL uses"
        }
        (ErrorKind::EscapeUnrecognized, Dialect::Re2) => {
            let escaped = pattern.get(start..end).and_then(|s| s.chars().nth(1));
            match escaped {
                // RE2 understands these although regex-syntax does not.
                Some('C' | 'Q' | 'E' | 'z' | 'A') | None => return None,
                Some(c) if !c.is_ascii_alphanumeric() => return None,
                Some(_) => "unrecognised escape sequence (RE2 rejects unknown letter escapes)",
            }
        }
        (ErrorKind::FlagUnrecognized, Dialect::Re2) => {
            // RE2 knows i, m, s, U; `(?P<`, `(?<` named groups parse fine above.
            "unrecognised group flag (RE2 knows only `i`, `m`, `s` and `U`)"
        }
        // Everything else is either accepted by the real engine (`{` as a literal, PCRE
        // extensions, superfluous escapes) or too uncertain to report.
        _ => return None,
    };
    Some(RegexProblem { start, end, message: message.to_owned() })
}

/// Rewrites character classes into the syntax `regex-syntax` reads the way PCRE and RE2 do:
/// inside a class, a `[` that does not open a POSIX class (`[:alpha:]`) is a literal, and
/// `&&`, `--`, `~~` are literals, not Rust's set operations. `None` when a class is not
/// closed by PCRE's own rules (a `]` right after `[` or `[^` is a literal).
fn normalise_classes(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(&next) = chars.get(i + 1) {
                out.push(next);
            }
            i += 2;
            continue;
        }
        if c != '[' {
            out.push(c);
            i += 1;
            continue;
        }
        // A class: copy the opening, then the members up to the closing `]`.
        out.push('[');
        i += 1;
        if chars.get(i) == Some(&'^') {
            out.push('^');
            i += 1;
        }
        if chars.get(i) == Some(&']') {
            out.push_str("\\]");
            i += 1;
        }
        let mut closed = false;
        while i < chars.len() {
            let m = chars[i];
            match m {
                '\\' => {
                    out.push(m);
                    if let Some(&next) = chars.get(i + 1) {
                        out.push(next);
                    }
                    i += 2;
                    continue;
                }
                ']' => {
                    out.push(']');
                    i += 1;
                    closed = true;
                    break;
                }
                '[' if chars.get(i + 1) == Some(&':') => {
                    // POSIX class: copy through `:]`.
                    let rest: String = chars[i..].iter().collect();
                    match rest.find(":]") {
                        Some(end) => {
                            out.push_str(&rest[..end + 2]);
                            i += rest[..end + 2].chars().count();
                        }
                        None => {
                            out.push_str("\\[");
                            i += 1;
                        }
                    }
                    continue;
                }
                '[' => out.push_str("\\["),
                '&' | '-' | '~' if chars.get(i + 1) == Some(&m) => {
                    out.push('\\');
                    out.push(m);
                    out.push('\\');
                    out.push(m);
                    i += 2;
                    continue;
                }
                _ => out.push(m),
            }
            i += 1;
        }
        if !closed {
            return None;
        }
    }
    Some(out)
}

/// `a++`, `a*+`, `a?+`, `a{2}+` are possessive quantifiers in PCRE.
fn pcre_possessive_or_lazy(pattern: &str, at: usize) -> bool {
    let before = pattern[..at].chars().next_back();
    matches!(before, Some('*' | '+' | '?' | '}'))
}

fn check_translation(pattern: &str, tree: &ast::Ast, dialect: Dialect) -> Option<RegexProblem> {
    if dialect == Dialect::Pcre {
        return None;
    }
    // RE2 rejects unknown Unicode classes too; other translation errors (UTF-8 mode) do not
    // apply to Kusto, which matches text.
    let mut translator = regex_syntax::hir::translate::TranslatorBuilder::new().build();
    match translator.translate(pattern, tree) {
        Err(error)
            if matches!(
                error.kind(),
                regex_syntax::hir::ErrorKind::UnicodePropertyNotFound
                    | regex_syntax::hir::ErrorKind::UnicodePropertyValueNotFound
            ) =>
        {
            let span = error.span();
            Some(RegexProblem {
                start: span.start.offset,
                end: span.end.offset,
                message: "unknown Unicode class".to_owned(),
            })
        }
        _ => None,
    }
}

/// Names of the capture groups of a pattern (`(?<name>…)`, `(?P<name>…)`, `(?'name'…)`),
/// found by scanning so that PCRE-only syntax elsewhere in the pattern does not hide them.
pub fn named_groups(pattern: &str) -> Vec<&str> {
    let bytes = pattern.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                let rest = &pattern[i + 1..];
                let open = ["?P<", "?<", "?'"].iter().find(|p| rest.starts_with(**p));
                if let Some(open) = open {
                    let body = &rest[open.len()..];
                    let close = if open.ends_with('\'') { '\'' } else { '>' };
                    if let Some(len) = body.find(close) {
                        let name = &body[..len];
                        let first = name.chars().next();
                        // `(?<=` / `(?<!` are look-behind, not names.
                        if first.is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
                            names.push(name);
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re2(p: &str) -> Option<String> {
        check_regex(p, Dialect::Re2).map(|e| e.message)
    }
    fn pcre(p: &str) -> Option<String> {
        check_regex(p, Dialect::Pcre).map(|e| e.message)
    }

    #[test]
    fn valid_in_both() {
        for p in [
            r"\d+\.\d+",
            r"(?i)powershell(\.exe)?",
            r"(?P<user>[^\\]+)\\(?P<host>.*)",
            r"a{2,3}",
            r"[a-z0-9_\-]+",
            r"\/api\/",
            r"^\s*$",
            r"x{",
            r"{foo}",
            r"[[]",
            r"[]a]",
            r"[^]]+",
            r"[[:alpha:]_]+",
            r"[a&&b]",
        ] {
            assert_eq!(re2(p), None, "{p}");
            assert_eq!(pcre(p), None, "{p}");
        }
    }

    #[test]
    fn broken_in_both() {
        for p in [r"(abc", r"abc)", r"[abc", r"[z-a]", r"*abc", r"a{3,1}", "abc\\"] {
            assert!(re2(p).is_some(), "re2 {p}");
            assert!(pcre(p).is_some(), "pcre {p}");
        }
    }

    #[test]
    fn pcre_features_are_not_errors_in_spl() {
        for p in [
            r"foo(?=bar)",
            r"(?<!\\)cmd",
            r"(\w)\1",
            r"a++b",
            r"(?>atomic)",
            r"\Qa.b\E",
            r"(?#comment)x",
            r"\h+\R",
            r"x{,3}",
        ] {
            assert_eq!(pcre(p), None, "{p}");
        }
    }

    #[test]
    fn re2_rejects_lookaround_and_backrefs() {
        assert!(re2(r"foo(?=bar)").unwrap().contains("look-around"));
        assert!(re2(r"(\w)\1").unwrap().contains("back-references"));
        assert_eq!(re2(r"\123"), None, "octal escape");
        assert_eq!(re2(r"\0"), None, "NUL escape");
        assert_eq!(re2(r"\Qa.b\E"), None);
    }

    #[test]
    fn finds_named_groups() {
        assert_eq!(named_groups(r"(?<user>\w+)@(?P<dom>[^ ]+)(?<=x)"), vec!["user", "dom"]);
        assert_eq!(named_groups(r"[(?<x>]"), Vec::<&str>::new());
    }
}
