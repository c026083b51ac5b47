//! Kusto's string operators.
//!
//! `has` matches whole terms: a term is a maximal run of ASCII letters and digits, so the
//! needle must be bounded by non-alphanumeric characters (or the ends of the text) wherever
//! it starts or ends with an alphanumeric one (`has "psexec"` matches `C:\psexec.exe`, not
//! `psexecsvc`). `hasprefix`/`hassuffix` require the boundary on one side only.
//! Every operator without `_cs` ignores case (Unicode lower-casing of both sides).

use qlint_grammar::kql::ast::BinaryOp;

/// How a needle must sit in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    /// Anywhere (`contains`).
    Anywhere,
    /// A whole term (`has`).
    Term,
    /// At the start of a term (`hasprefix`).
    TermPrefix,
    /// At the end of a term (`hassuffix`).
    TermSuffix,
    /// At the start of the text (`startswith`).
    Start,
    /// At the end of the text (`endswith`).
    End,
    /// The whole text (`=~`).
    Whole,
}

/// The match, case sensitivity and negation of a string operator.
pub(crate) fn string_op(op: BinaryOp) -> Option<(Match, bool, bool)> {
    use BinaryOp::*;
    use Match::*;
    // (kind, case_sensitive, negated)
    Some(match op {
        Has => (Term, false, false),
        NotHas => (Term, false, true),
        HasCs => (Term, true, false),
        NotHasCs => (Term, true, true),
        HasPrefix => (TermPrefix, false, false),
        NotHasPrefix => (TermPrefix, false, true),
        HasPrefixCs => (TermPrefix, true, false),
        NotHasPrefixCs => (TermPrefix, true, true),
        HasSuffix => (TermSuffix, false, false),
        NotHasSuffix => (TermSuffix, false, true),
        HasSuffixCs => (TermSuffix, true, false),
        NotHasSuffixCs => (TermSuffix, true, true),
        Contains => (Anywhere, false, false),
        NotContains => (Anywhere, false, true),
        ContainsCs => (Anywhere, true, false),
        NotContainsCs => (Anywhere, true, true),
        StartsWith => (Start, false, false),
        NotStartsWith => (Start, false, true),
        StartsWithCs => (Start, true, false),
        NotStartsWithCs => (Start, true, true),
        EndsWith => (End, false, false),
        NotEndsWith => (End, false, true),
        EndsWithCs => (End, true, false),
        NotEndsWithCs => (End, true, true),
        EqCi => (Whole, false, false),
        NotEqCi => (Whole, false, true),
        _ => return None,
    })
}

/// True when `needle` sits in `text` as `kind` says.
pub(crate) fn matches(kind: Match, text: &str, needle: &str, case_sensitive: bool) -> bool {
    let (text, needle) = if case_sensitive {
        (text.to_string(), needle.to_string())
    } else {
        (text.to_lowercase(), needle.to_lowercase())
    };
    match kind {
        Match::Anywhere => text.contains(&needle),
        Match::Start => text.starts_with(&needle),
        Match::End => text.ends_with(&needle),
        Match::Whole => text == needle,
        Match::Term => find_bounded(&text, &needle, true, true),
        Match::TermPrefix => find_bounded(&text, &needle, true, false),
        Match::TermSuffix => find_bounded(&text, &needle, false, true),
    }
}

fn is_term_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// True when `needle` occurs in `text` with a term boundary before it (`left`) and after it
/// (`right`), where the needle's own edge is a term character.
fn find_bounded(text: &str, needle: &str, left: bool, right: bool) -> bool {
    if needle.is_empty() {
        return true;
    }
    let needs_left = left && needle.chars().next().is_some_and(is_term_char);
    let needs_right = right && needle.chars().next_back().is_some_and(is_term_char);
    text.match_indices(needle).any(|(at, _)| {
        let before_ok = !needs_left || !text[..at].chars().next_back().is_some_and(is_term_char);
        let after = &text[at + needle.len()..];
        let after_ok = !needs_right || !after.chars().next().is_some_and(is_term_char);
        before_ok && after_ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Match::*;

    #[test]
    fn has_matches_whole_terms_ignoring_case() {
        assert!(matches(Term, r"C:\Tools\PsExec.exe", "psexec", false));
        assert!(!matches(Term, "psexecsvc.exe", "psexec", false));
        assert!(!matches(Term, "my-psexec2", "psexec", false));
        assert!(matches(Term, "run --encodedcommand ZQ", "encodedcommand", false));
        assert!(matches(Term, r"C:\Windows\Temp\x.exe", r"\Temp\", false));
        assert!(matches(Term, "ticket 0x17 issued", "0x17", false));
        assert!(!matches(Term, "ticket 0x170", "0x17", false));
        assert!(!matches(Term, "PsExec", "psexec", true));
        assert!(matches(Term, "a PsExec", "PsExec", true));
    }

    #[test]
    fn prefix_and_suffix_need_one_boundary() {
        assert!(matches(TermPrefix, "North America", "amer", false));
        assert!(!matches(TermPrefix, "North America", "meri", false));
        assert!(matches(TermSuffix, "North America", "rica", false));
        assert!(!matches(TermSuffix, "North America", "eric", false));
    }

    #[test]
    fn substring_and_edge_operators() {
        assert!(matches(Anywhere, "PowerShell.exe", "SHELL", false));
        assert!(!matches(Anywhere, "PowerShell.exe", "SHELL", true));
        assert!(matches(Start, "PowerShell.exe", "power", false));
        assert!(matches(End, "PowerShell.exe", ".EXE", false));
        assert!(matches(Whole, "LSASS.exe", "lsass.EXE", false));
        assert!(!matches(Whole, "lsass.exe ", "lsass.exe", false));
    }
}
