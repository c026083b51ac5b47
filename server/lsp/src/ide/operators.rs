//! KQL scalar operators as the editor shows them: what each one matches, in one line, with the
//! case and term semantics that decide whether a detection fires. Used by hover and by
//! completion after a scalar operand.

/// One scalar operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalarOperator {
    /// As written (`has`, `!~`, `matches regex`).
    pub name: &'static str,
    /// One line of semantics.
    pub note: &'static str,
    /// Snippet body (LSP snippet syntax) for operators that take a structured argument.
    pub snippet: Option<&'static str>,
    /// Rank among operators after a column (lower first): the common string filters first.
    pub rank: u8,
}

const fn op(name: &'static str, rank: u8, note: &'static str) -> ScalarOperator {
    ScalarOperator { name, note, snippet: None, rank }
}

const fn snip(
    name: &'static str,
    rank: u8,
    snippet: &'static str,
    note: &'static str,
) -> ScalarOperator {
    ScalarOperator { name, note, snippet: Some(snippet), rank }
}

/// Every scalar operator, in a fixed order.
pub const SCALAR_OPERATORS: &[ScalarOperator] = &[
    op("==", 0, "equal; case-sensitive for strings (`\"A\" == \"a\"` is false)"),
    op("!=", 1, "not equal; case-sensitive for strings, so an exclusion can miss `CMD.EXE`"),
    op("=~", 0, "equal, ignoring case"),
    op("!~", 1, "not equal, ignoring case: the robust exclusion"),
    op(
        "has",
        0,
        "whole term, case-insensitive: `has \"power\"` does not match `powershell`; uses the term index",
    ),
    op("!has", 1, "does not contain the whole term, case-insensitive"),
    op("has_cs", 2, "whole term, case-sensitive"),
    op("!has_cs", 3, "does not contain the whole term, case-sensitive"),
    op("hasprefix", 3, "a term starts with the value, case-insensitive"),
    op("!hasprefix", 4, "no term starts with the value, case-insensitive"),
    op("hassuffix", 3, "a term ends with the value, case-insensitive"),
    op("!hassuffix", 4, "no term ends with the value, case-insensitive"),
    op("contains", 1, "substring anywhere, case-insensitive; slower than `has` (no term index)"),
    op("!contains", 2, "no such substring, case-insensitive"),
    op("contains_cs", 2, "substring anywhere, case-sensitive"),
    op("!contains_cs", 3, "no such substring, case-sensitive"),
    op("startswith", 1, "the string starts with the value, case-insensitive"),
    op("!startswith", 2, "the string does not start with the value, case-insensitive"),
    op("startswith_cs", 2, "the string starts with the value, case-sensitive"),
    op("!startswith_cs", 3, "the string does not start with the value, case-sensitive"),
    op("endswith", 1, "the string ends with the value, case-insensitive"),
    op("!endswith", 2, "the string does not end with the value, case-insensitive"),
    op("endswith_cs", 2, "the string ends with the value, case-sensitive"),
    op("!endswith_cs", 3, "the string does not end with the value, case-sensitive"),
    snip("in", 1, "in (${1})", "equal to one of the values; case-sensitive for strings"),
    snip("!in", 2, "!in (${1})", "equal to none of the values; case-sensitive for strings"),
    snip("in~", 1, "in~ (${1})", "equal to one of the values, ignoring case"),
    snip("!in~", 2, "!in~ (${1})", "equal to none of the values, ignoring case"),
    snip("has_any", 1, "has_any (${1})", "contains any of the whole terms, case-insensitive"),
    snip("has_all", 2, "has_all (${1})", "contains all of the whole terms, case-insensitive"),
    snip(
        "matches regex",
        2,
        "matches regex @\"${1}\"",
        "RE2 regular expression, case-sensitive unless it starts with `(?i)`",
    ),
    snip("between", 2, "between (${1:low} .. ${2:high})", "within the range, both ends included"),
    snip("!between", 3, "!between (${1:low} .. ${2:high})", "outside the range"),
    op("<", 3, "less than"),
    op("<=", 3, "less than or equal"),
    op(">", 3, "greater than"),
    op(">=", 3, "greater than or equal"),
    op("and", 4, "both conditions hold"),
    op("or", 4, "either condition holds"),
];

/// The operator called `name`.
pub fn scalar_operator(name: &str) -> Option<&'static ScalarOperator> {
    SCALAR_OPERATORS.iter().find(|o| o.name == name)
}

/// Hover Markdown for an operator.
pub fn markdown(o: &ScalarOperator) -> String {
    format!("**operator** `{}`\n\n{}", o.name, o.note)
}

/// Values of `kind=` after the tabular operators that take one.
pub fn kind_values(operator: &str) -> &'static [(&'static str, &'static str)] {
    match operator {
        "join" => &[
            ("innerunique", "default: inner join after deduplicating the left side on the key"),
            ("inner", "every matching pair of rows"),
            ("leftouter", "every left row, with matches or empty right columns"),
            ("rightouter", "every right row, with matches or empty left columns"),
            ("fullouter", "every row of both sides"),
            ("leftanti", "left rows without a match (anti-join)"),
            ("rightanti", "right rows without a match"),
            ("leftsemi", "left rows with a match, left columns only"),
            ("rightsemi", "right rows with a match, right columns only"),
        ],
        "lookup" => &[
            ("leftouter", "default: every left row, extended with the matching right columns"),
            ("inner", "only left rows with a match"),
        ],
        "mv-expand" => &[
            ("bag", "property bags expand into property bags (default)"),
            ("array", "property bags expand into [key, value] arrays"),
        ],
        _ => &[],
    }
}

/// Named arguments (hints) a tabular operator takes before its other arguments.
pub fn named_arguments(operator: &str) -> &'static [(&'static str, &'static str)] {
    match operator {
        "join" => &[
            ("kind=", "the join flavour (innerunique, inner, leftouter, leftanti, ...)"),
            ("hint.strategy=", "broadcast or shuffle: how the join is distributed"),
            ("hint.shufflekey=", "the key to shuffle on"),
            ("hint.remote=", "auto, left, local, right: where a cross-cluster join runs"),
        ],
        "lookup" => &[("kind=", "leftouter (default) or inner")],
        "summarize" => &[
            ("hint.shufflekey=", "the key to shuffle on for high-cardinality groups"),
            ("hint.strategy=", "shuffle"),
            ("hint.num_partitions=", "how many partitions the shuffle uses"),
        ],
        "mv-expand" => &[
            ("kind=", "bag (default) or array"),
            ("bagexpansion=", "bag or array"),
            ("with_itemindex=", "a column receiving the item's index"),
        ],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_notes_short() {
        for (i, a) in SCALAR_OPERATORS.iter().enumerate() {
            assert!(SCALAR_OPERATORS[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
            assert!(!a.note.is_empty() && !a.note.contains('\n'), "{}", a.name);
            if let Some(s) = a.snippet {
                assert!(s.starts_with(a.name), "{}", a.name);
            }
        }
        assert!(scalar_operator("has").unwrap().note.contains("case-insensitive"));
        assert!(scalar_operator("==").unwrap().note.contains("case-sensitive"));
        assert!(kind_values("join").iter().any(|(k, _)| *k == "leftanti"));
    }
}
