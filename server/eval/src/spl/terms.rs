//! Bare search terms against an event's raw text, the way Splunk's segmentation sees them.
//!
//! Splunk splits `_raw` at major breakers (spaces, brackets, `|`, `;`, `,`, quotes, ...) and
//! again at minor breakers (`/ : = @ . - $ # % \ _`). A term without `*` must start and end
//! on such a boundary (`foo` finds `a.foo-b` but not `foobar`); case is ignored. A `*` of an
//! unquoted term spans no major breaker. `CASE(x)` keeps the case; `TERM(x)` requires major
//! breakers (or the text's ends) on both sides.

use regex::Regex;

/// Characters that end a whole token.
const MAJOR: &str = r#"\s\[\]<>(){}|!;,'"&"#;
/// Characters that split a token into smaller searchable pieces.
const MINOR: &str = r"/:=@.\-$#%\\_";

/// How a term is compared with the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermMode {
    /// An ordinary term or quoted phrase: case-insensitive, minor boundaries.
    Plain,
    /// `CASE(term)`: case-sensitive.
    CaseSensitive,
    /// `TERM(term)`: case-insensitive, bounded by major breakers only.
    WholeToken,
}

/// A search term compiled into a regular expression over the raw text.
#[derive(Debug, Clone)]
pub struct TermMatcher {
    regex: Regex,
}

impl TermMatcher {
    /// Compiles `term` (unquoted text with `*` wildcards); `quoted` lets `*` span spaces.
    pub fn new(term: &str, quoted: bool, mode: TermMode) -> TermMatcher {
        let boundary = match mode {
            TermMode::WholeToken => MAJOR.to_owned(),
            _ => format!("{MAJOR}{MINOR}"),
        };
        let mut pattern = String::new();
        if mode != TermMode::CaseSensitive {
            pattern.push_str("(?i)");
        }
        pattern.push_str("(?s)");
        if !starts_on_boundary(term, mode) {
            pattern.push_str(&format!("(?:^|[{boundary}])"));
        }
        let wildcard = if quoted { ".*".to_owned() } else { format!("[^{MAJOR}]*") };
        let pieces: Vec<String> = term.split('*').map(regex::escape).collect();
        pattern.push_str(&pieces.join(&wildcard));
        if !ends_on_boundary(term, mode) {
            pattern.push_str(&format!("(?:$|[{boundary}])"));
        }
        // The pattern is built from escaped text and fixed classes: it always compiles.
        let regex = Regex::new(&pattern).unwrap_or_else(|_| Regex::new("$^").expect("valid"));
        TermMatcher { regex }
    }

    /// True when the raw text holds the term.
    pub fn is_match(&self, raw: &str) -> bool {
        self.regex.is_match(raw)
    }
}

fn starts_on_boundary(term: &str, mode: TermMode) -> bool {
    term.chars().next().is_none_or(|c| c == '*' || (mode != TermMode::WholeToken && is_breaker(c)))
}

fn ends_on_boundary(term: &str, mode: TermMode) -> bool {
    term.chars()
        .next_back()
        .is_none_or(|c| c == '*' || (mode != TermMode::WholeToken && is_breaker(c)))
}

fn is_breaker(c: char) -> bool {
    c.is_whitespace() || "[]<>(){}|!;,'\"&/:=@.-$#%\\_".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(term: &str, raw: &str) -> bool {
        TermMatcher::new(term, false, TermMode::Plain).is_match(raw)
    }

    #[test]
    fn terms_match_whole_segments_ignoring_case() {
        assert!(plain("error", "2024 ERROR disk full"));
        assert!(plain("foo", "path=a.foo-b"));
        assert!(!plain("foo", "foobar baz"));
        assert!(plain("error", "disk.error: full"));
        assert!(!plain("error", "3 errors"));
        assert!(plain("10.0.0.1", "src=10.0.0.1 dst=x"));
        assert!(!plain("10.0.0.1", "src=10.0.0.10"));
    }

    #[test]
    fn wildcards_stay_inside_a_token_unless_quoted() {
        assert!(plain("foo*", "x.foobar y"));
        assert!(plain("*\\IPC$", r"share=\\srv\IPC$ ok"));
        assert!(!plain("a*c", "a b c"));
        assert!(TermMatcher::new("a*c", true, TermMode::Plain).is_match("a b c"));
    }

    #[test]
    fn case_and_term_directives() {
        assert!(!TermMatcher::new("error", false, TermMode::CaseSensitive).is_match("ERROR"));
        assert!(TermMatcher::new("error", false, TermMode::CaseSensitive).is_match("an error"));
        let whole = TermMatcher::new("10.0.0.1", false, TermMode::WholeToken);
        assert!(whole.is_match("from 10.0.0.1 to"));
        assert!(!whole.is_match("ip=10.0.0.1"));
    }

    #[test]
    fn phrases_match_as_written() {
        let phrase = TermMatcher::new("failed password", true, TermMode::Plain);
        assert!(phrase.is_match("sshd: Failed password for root"));
        assert!(!phrase.is_match("failed passwords"));
    }
}
