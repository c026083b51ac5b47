//! Helpers for rules about what the rule file around a query says (its schedule, its
//! ATT&CK mapping) rather than about the query text.

use qlint_grammar::Span;

use crate::query::QueryFacts;

/// The first line of the query that holds more than blanks and `//` comments, trimmed; the
/// start of the text when there is none. Rules about the container report here.
pub(crate) fn first_line(text: &str) -> Span {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        let trimmed = body.trim_start();
        if !trimmed.is_empty() && !trimmed.starts_with("//") {
            let start = offset + (body.len() - trimmed.len());
            return Span::new(start as u32, (offset + body.len()) as u32);
        }
        offset += line.len();
    }
    Span::new(0, 0).widen_empty(text)
}

/// True for an ATT&CK technique or sub-technique id as ATT&CK writes it: `T1059`,
/// `T1059.001`.
pub(crate) fn is_technique_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    let digits = |range: &[u8]| range.iter().all(u8::is_ascii_digit);
    match bytes {
        [b'T', rest @ ..] if rest.len() == 4 => digits(rest),
        [b'T', rest @ ..] if rest.len() == 8 => {
            digits(&rest[..4]) && rest[4] == b'.' && digits(&rest[5..])
        }
        _ => false,
    }
}

/// Why a listed technique id is malformed, for the message.
fn problem(id: &str) -> &'static str {
    let upper = id.to_ascii_uppercase();
    if id.is_empty() {
        "an empty entry"
    } else if upper.starts_with("TA") && upper[2..].bytes().all(|b| b.is_ascii_digit()) {
        "a tactic id, not a technique"
    } else if is_technique_id(&upper) {
        "ATT&CK ids are written with a capital `T`"
    } else if upper.contains('.') {
        "sub-technique ids are `T` + 4 digits + `.` + 3 digits"
    } else {
        "not of the form `T1234` or `T1234.001`"
    }
}

/// A message for the malformed technique ids the container lists, or `None` when all are
/// well-formed. `key` names the list (`relevantTechniques`, `mitre_attack_id`).
pub(crate) fn malformed_techniques_message(facts: &QueryFacts, key: &str) -> Option<String> {
    let bad: Vec<String> = facts
        .techniques
        .iter()
        .filter(|id| !is_technique_id(id))
        .map(|id| {
            if id.is_empty() { problem(id).to_owned() } else { format!("`{id}` ({})", problem(id)) }
        })
        .collect();
    if bad.is_empty() {
        return None;
    }
    let noun = if bad.len() == 1 { "entry" } else { "entries" };
    Some(format!(
        "{key} has {} malformed {noun}: {}; ATT&CK coverage views map the rule to no \
         technique for them",
        bad.len(),
        bad.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technique_ids() {
        for ok in ["T1059", "T1059.001", "T0800"] {
            assert!(is_technique_id(ok), "{ok}");
        }
        for bad in ["", "T105", "T10591", "T1059.01", "T1059.0011", "t1059", "TA0001", "T1059."] {
            assert!(!is_technique_id(bad), "{bad}");
        }
    }

    #[test]
    fn messages_explain_each_bad_entry() {
        let facts = QueryFacts {
            techniques: vec!["T1059".into(), "t1003".into(), "TA0002".into(), "".into()],
            ..QueryFacts::default()
        };
        let message = malformed_techniques_message(&facts, "relevantTechniques").unwrap();
        assert!(message.starts_with("relevantTechniques has 3 malformed entries"), "{message}");
        assert!(message.contains("`t1003` (ATT&CK ids are written with a capital `T`)"));
        assert!(message.contains("`TA0002` (a tactic id, not a technique)"));
        assert!(message.contains("an empty entry"));
        let fine = QueryFacts { techniques: vec!["T1110.003".into()], ..QueryFacts::default() };
        assert_eq!(malformed_techniques_message(&fine, "relevantTechniques"), None);
    }
}
