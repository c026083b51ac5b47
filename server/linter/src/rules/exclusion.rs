//! The missing-exclusion check shared by KQL403 and SPL403: a query that selects events with
//! broad matches (`startswith`, `contains`, `has_any`, `in~`, regexes, SPL wildcards) and
//! excludes nothing anywhere.
//!
//! Both halves are read off the condition model. An *inclusion* is a positive test with a
//! literal on an event field; it is *broad* when the operator matches more than the literal
//! itself. An *exclusion* is any negated test (`!=`, `!in~`, `not(...)`, SPL `NOT`), an
//! anti-join, an ESCU `*_filter` macro, or the allow-list pattern `lookup ... | where
//! isempty(x)`. Tests that only check the shape of a value (`contains "@"`, `!= ""`,
//! `isnotempty(x)`) are neither.

use qlint_grammar::Span;

use crate::analysis::logic::{Comparison, Condition, Literal, LiteralKind, LogicModel, OpKind};

/// Fields that pick the data source or the event type rather than narrow the events: an
/// exclusion is never tuned on them.
const SCOPING_FIELDS: &[&str] = &[
    "index",
    "sourcetype",
    "source",
    "eventtype",
    "tag",
    "actiontype",
    "eventid",
    "eventcode",
    "type",
    "$table",
    "category",
    "operationname",
    "operationnamevalue",
    "resourceprovider",
    "resourcetype",
    "sourcesystem",
    "eventname",
    "logname",
    "channel",
];

/// A broad inclusion in a query that excludes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingExclusion {
    /// Where to report: the first broad inclusion, from its field to its first literal.
    pub span: Span,
    /// The field to tune, when the inclusion names one (`None` for SPL bare terms).
    pub field: Option<String>,
    /// The first broad inclusion as written (`FileName startswith "psexec"`), shortened.
    pub written: String,
    /// How many broad inclusions the query has.
    pub count: usize,
}

/// The first broad inclusion of a query that has no exclusion, if any.
pub fn missing_exclusion(logic: &LogicModel, text: &str) -> Option<MissingExclusion> {
    if is_template(text) || excludes_something(logic, text) {
        return None;
    }
    let positives = positive_tests(logic);
    let broad: Vec<&Comparison> = positives.iter().copied().filter(|c| is_broad(c)).collect();
    let first = broad.first()?;
    let end = first.values.first().map_or(first.span.end, |v| v.span.end);
    let start = first.field.as_ref().map_or(first.span.start, |f| f.span.start.min(end));
    let span = Span::new(start, end);
    Some(MissingExclusion {
        span,
        field: first.field.as_ref().map(|f| f.name.clone()),
        written: shorten(text.get(span.start as usize..span.end as usize).unwrap_or("")),
        count: broad.len(),
    })
}

/// A text with `$name$` tokens is a template (a drilldown, a macro body): a fragment of the
/// search that will run, whose exclusions live elsewhere.
fn is_template(text: &str) -> bool {
    let pieces: Vec<&str> = text.split('$').collect();
    // The pieces between two `$` are those at odd positions that have a `$` after them.
    pieces.iter().enumerate().skip(1).step_by(2).any(|(i, piece)| {
        i + 1 < pieces.len()
            && !piece.is_empty()
            && piece.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    })
}

/// One line of at most 60 characters.
fn shorten(written: &str) -> String {
    let line = written.lines().next().unwrap_or("").trim_end();
    if line.chars().count() > 60 || line.len() < written.trim_end().len() {
        let cut: String = line.chars().take(57).collect();
        format!("{}...", cut.trim_end())
    } else {
        line.to_owned()
    }
}

/// Positive, non-negated comparisons with at least one literal, in text order.
fn positive_tests(logic: &LogicModel) -> Vec<&Comparison> {
    logic
        .comparisons()
        .into_iter()
        .filter(|(c, positive, _)| *positive && !c.op.negated && !c.values.is_empty())
        .map(|(c, _, _)| c)
        .collect()
}

fn on_scoping_field(c: &Comparison) -> bool {
    c.field.as_ref().is_some_and(|f| {
        let name = f.base_name().to_ascii_lowercase();
        SCOPING_FIELDS.contains(&name.as_str())
    })
}

/// A literal that names something worth excluding around: at least two letters or digits
/// besides wildcards. Single characters, emoji and homoglyph lists (`has_any ("а", "е")`),
/// UNC and path markers (`startswith @"\\"`) and shape checks (`contains "@"`) are not.
fn is_meaningful(literal: &Literal) -> bool {
    literal.kind == LiteralKind::String
        && literal.value.chars().filter(|c| c.is_alphanumeric()).count() >= 2
}

/// A positive test that matches more than its literal: substring, prefix, suffix, term and
/// regex operators, `in~` lists, SPL values with `*`.
fn is_broad(c: &Comparison) -> bool {
    if on_scoping_field(c) {
        return false;
    }
    let broad_operator = match c.op.kind {
        OpKind::StartsWith
        | OpKind::EndsWith
        | OpKind::Contains
        | OpKind::Has
        | OpKind::HasPrefix
        | OpKind::HasSuffix
        | OpKind::HasAny
        | OpKind::HasAll
        | OpKind::Regex
        | OpKind::Like => true,
        OpKind::Equal | OpKind::Term | OpKind::In if c.op.wildcards => {
            c.values.iter().any(|v| v.value.contains('*'))
        }
        // `in~`: any of these values, in any case.
        OpKind::In => !c.op.case_sensitive,
        OpKind::Equal | OpKind::Term | OpKind::Order | OpKind::Between => false,
    };
    broad_operator && c.values.iter().any(is_meaningful) && !is_sanity_match(c)
}

/// Matches that check a value is well formed rather than select events: `startswith "http"`,
/// SPL `field=*`.
fn is_sanity_match(c: &Comparison) -> bool {
    c.values.iter().all(|v| {
        let core = v.value.trim_matches('*').to_ascii_lowercase();
        core.is_empty() || matches!(core.as_str(), "http" | "https" | "http://" | "https://")
    })
}

/// True when the query excludes anything: a negated test on a value, a `not(...)` around a
/// test, an anti-join or filter macro (`exclusion_elsewhere`), or an emptiness test that
/// keeps what a lookup did not find.
fn excludes_something(logic: &LogicModel, text: &str) -> bool {
    logic.exclusion_elsewhere
        || logic.filters.iter().any(|filter| excludes(&filter.condition, true, text))
}

fn excludes(condition: &Condition, positive: bool, text: &str) -> bool {
    match condition {
        Condition::And(items, _) | Condition::Or(items, _) => {
            items.iter().any(|item| excludes(item, positive, text))
        }
        Condition::Not(inner, _) => excludes(inner, !positive, text),
        Condition::Compare(c) => c.op.negated == positive && !is_shape_test(c),
        Condition::Opaque(span) => {
            let call = span_text(text, *span);
            match emptiness_test(&call) {
                // `isempty(x)` keeps what a lookup left empty; `not(isempty(x))` is a sanity check.
                Some(empty) => empty == positive,
                // `not(ipv4_is_private(ip))`, `not(my_allowlist(x))`.
                None => !positive,
            }
        }
        Condition::Constant(..) => false,
    }
}

/// `x != ""`, `x != "-"`, `x!=*`... only drop empty values.
fn is_shape_test(c: &Comparison) -> bool {
    !c.values.is_empty()
        && c.values.iter().all(|v| {
            let core = v.value.trim_matches(|ch: char| ch == '*' || ch.is_whitespace());
            core.is_empty() || core == "-"
        })
        && !c.values.iter().any(|v| v.value.trim() == "*")
}

fn span_text(text: &str, span: Span) -> String {
    text.get(span.start as usize..span.end as usize).unwrap_or("").trim().to_ascii_lowercase()
}

/// `Some(true)` for `isempty(...)` / `isnull(...)`, `Some(false)` for their `isnot` forms.
fn emptiness_test(call: &str) -> Option<bool> {
    let name = call.split('(').next()?.trim();
    match name {
        "isempty" | "isnull" => Some(true),
        "isnotempty" | "isnotnull" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_keeps_one_line() {
        assert_eq!(shorten("FileName startswith \"x\""), "FileName startswith \"x\"");
        assert_eq!(shorten("a has_any (\"x\",\n \"y\")"), "a has_any (\"x\",...");
        assert_eq!(shorten(&"x".repeat(80)).chars().count(), 60);
    }

    #[test]
    fn templates() {
        assert!(is_template(r#"Image="*\\$name$""#));
        assert!(is_template("user=$user$ | stats count"));
        assert!(!is_template(r#"ShareName="\\*\\IPC$""#));
        assert!(!is_template("a=$5 b=1"));
    }

    #[test]
    fn emptiness_tests() {
        assert_eq!(emptiness_test("isempty(x)"), Some(true));
        assert_eq!(emptiness_test("isnotnull (x)"), Some(false));
        assert_eq!(emptiness_test("strlen(x) > 3"), None);
    }
}
