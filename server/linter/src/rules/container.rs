//! Helpers for rules about what the rule file around a query says (its schedule, its
//! ATT&CK mapping) rather than about the query text.

use qlint_grammar::Span;
use qlint_knowledge::{ATTACK_VERSION, TechniqueStatus, attack_technique};

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

/// What is wrong with one well-formed technique id, or `None` when ATT&CK Enterprise lists
/// it as current. ICS ids (`T0800`–`T0899`) belong to another matrix and are not judged.
fn unknown_technique_problem(id: &str) -> Option<String> {
    if id.starts_with("T0") {
        return None;
    }
    if let Some(technique) = attack_technique(id) {
        return match technique.status {
            TechniqueStatus::Active => None,
            TechniqueStatus::Revoked => {
                Some(match technique.replaced_by.and_then(attack_technique) {
                    Some(new) => format!(
                        "`{id}` ({}) was revoked; ATT&CK merged it into {} ({})",
                        technique.name, new.id, new.name
                    ),
                    None => format!("`{id}` ({}) was revoked", technique.name),
                })
            }
            TechniqueStatus::Deprecated => {
                Some(format!("`{id}` ({}) is deprecated, with no replacement", technique.name))
            }
        };
    }
    if let Some((parent, sub)) = id.split_once('.')
        && let Some(parent) = attack_technique(parent)
    {
        return Some(format!(
            "`{id}`: {} ({}) has no sub-technique .{sub}",
            parent.id, parent.name
        ));
    }
    Some(format!("`{id}` is no ATT&CK Enterprise technique"))
}

/// A message for the well-formed technique ids the container lists that ATT&CK Enterprise
/// does not have as current techniques (unknown, revoked, deprecated, or a sub-technique its
/// parent lacks), or `None` when there are none. Malformed ids are left to the format rules.
pub(crate) fn unknown_techniques_message(facts: &QueryFacts, key: &str) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut problems = Vec::new();
    for id in facts.techniques.iter().filter(|id| is_technique_id(id)) {
        if seen.contains(&id.as_str()) {
            continue;
        }
        seen.push(id);
        problems.extend(unknown_technique_problem(id));
    }
    if problems.is_empty() {
        return None;
    }
    let noun = if problems.len() == 1 { "id" } else { "ids" };
    Some(format!(
        "{key} has {} {noun} that ATT&CK Enterprise v{ATTACK_VERSION} does not list as a current \
         technique: {}",
        problems.len(),
        problems.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_revoked_and_missing_sub_techniques_are_named() {
        let facts = QueryFacts {
            techniques: [
                "T1059.001",
                "T1002",
                "T1043",
                "T1059.099",
                "T9999",
                "T0866",
                "t1",
                "T1002",
            ]
            .map(String::from)
            .to_vec(),
            ..QueryFacts::default()
        };
        let message = unknown_techniques_message(&facts, "relevantTechniques").unwrap();
        assert!(message.starts_with("relevantTechniques has 4 ids that ATT&CK Enterprise v"));
        for part in [
            "`T1002` (Data Compressed) was revoked; ATT&CK merged it into T1560 (Archive Collected Data)",
            "`T1043` (Commonly Used Port) is deprecated",
            "`T1059.099`: T1059 (Command and Scripting Interpreter) has no sub-technique .099",
            "`T9999` is no ATT&CK Enterprise technique",
        ] {
            assert!(message.contains(part), "{part} in {message}");
        }
        assert!(!message.contains("T0866") && !message.contains("T1059.001"), "{message}");
        let fine = QueryFacts { techniques: vec!["T1110.003".into()], ..QueryFacts::default() };
        assert_eq!(unknown_techniques_message(&fine, "relevantTechniques"), None);
    }

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
