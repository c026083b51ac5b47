//! Editor features for Sigma rule documents: hover on modifiers, taxonomy fields and the
//! search identifiers of a condition; go-to-definition from a condition to its selection;
//! completion of modifiers after `|` and of search identifiers in `condition:`. Offsets are
//! region (document) offsets; the caller maps spans to the file.

use qlint_grammar::Span;
use qlint_grammar::sigma::ast::Reference;
use qlint_grammar::sigma::pattern_matches;
use qlint_linter::analysis::sigma::{self, SigmaRule};
use qlint_linter::rules::sigma::{MODIFIER_DOCS, fields_of};

/// Hover markdown and the document span it is about.
pub(super) fn hover(text: &str, q: u32) -> Option<(String, Span)> {
    let rule = sigma::analyze(text).rule?;
    let detection = rule.detection.as_ref()?;
    for search in &detection.searches {
        for field in &search.fields {
            for modifier in &field.modifiers {
                if modifier.span.contains_offset(q) && modifier.span != field.key_span {
                    let doc = MODIFIER_DOCS.iter().find(|(m, _)| *m == modifier.name)?.1;
                    return Some((
                        format!("**`|{}`** (Sigma modifier)\n\n{doc}", modifier.name),
                        modifier.span,
                    ));
                }
            }
            if field.field_span.contains_offset(q) && !field.field.is_empty() {
                return Some((field_hover(&rule, &field.field)?, field.field_span));
            }
        }
    }
    let (name, span) = reference_at(&rule, q)?;
    let searches: Vec<_> = match &name {
        Target::Name(n) => detection.searches.iter().filter(|s| &s.name == n).collect(),
        Target::Pattern(p) => {
            detection.searches.iter().filter(|s| pattern_matches(p, &s.name)).collect()
        }
    };
    let mut markdown = match &name {
        Target::Name(n) => format!("**`{n}`** (search identifier)"),
        Target::Pattern(p) => format!("**`{p}`** matches {} search identifier(s)", searches.len()),
    };
    for search in searches.iter().take(5) {
        let end = search.value_span.end.max(search.span.end) as usize;
        let start = search.span.start as usize;
        let body = text.get(start..end).unwrap_or("");
        markdown.push_str(&format!("\n\n```yaml\n{body}\n```"));
    }
    Some((markdown, span))
}

/// The search identifiers of a rule for the outline: name, whole span (key and value), key span.
pub(super) fn outline(text: &str) -> Vec<(String, Span, Span)> {
    let Some(rule) = sigma::analyze(text).rule else { return Vec::new() };
    let Some(detection) = rule.detection else { return Vec::new() };
    detection
        .searches
        .into_iter()
        .map(|s| (s.name, Span::new(s.span.start, s.value_span.end.max(s.span.end)), s.span))
        .collect()
}

/// The selection a condition identifier names: its key span.
pub(super) fn definition(text: &str, q: u32) -> Option<Span> {
    let rule = sigma::analyze(text).rule?;
    let (Target::Name(name), _) = reference_at(&rule, q)? else { return None };
    rule.search(&name).map(|s| s.span)
}

/// Completions at `q`: `(label, detail, span replaced)`.
pub(super) fn completions(text: &str, q: u32) -> Vec<(String, String, Span)> {
    let q_usize = (q as usize).min(text.len());
    let Some(before) = text.get(..q_usize) else { return Vec::new() };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    let trimmed = line.trim_start().trim_start_matches("- ");
    // After `Field|...|partial`: modifiers.
    if !trimmed.contains([':', ' ', '#', '\'', '"'])
        && let Some(bar) = trimmed.rfind('|')
    {
        let partial = &trimmed[bar + 1..];
        let replace = Span::new(q - partial.len() as u32, q);
        return MODIFIER_DOCS
            .iter()
            .filter(|(m, _)| m.starts_with(partial))
            .map(|(m, doc)| (m.to_string(), doc.to_string(), replace))
            .collect();
    }
    // A key under a search identifier: the field names of the logsource's taxonomy.
    if let Some(fields) = field_completions(text, q, line_start, line) {
        return fields;
    }
    // In a `condition:` value: search identifiers.
    if let Some(rest) = line.trim_start().strip_prefix("condition:") {
        let partial_len = rest.len()
            - rest
                .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                .len();
        let partial = &rest[rest.len() - partial_len..];
        let replace = Span::new(q - partial_len as u32, q);
        let Ok(documents) = sigma::parse_stream(text) else { return Vec::new() };
        let names = documents.iter().filter_map(|d| d.root.as_ref()).find_map(|root| {
            let detection = root.get("detection")?;
            Some(
                detection
                    .entries()
                    .iter()
                    .filter_map(|(k, _)| k.as_str())
                    .filter(|k| !["condition", "timeframe"].contains(k))
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            )
        });
        let mut out: Vec<(String, String, Span)> = names
            .unwrap_or_default()
            .into_iter()
            .filter(|n| n.starts_with(partial))
            .map(|n| (n, "search identifier".to_owned(), replace))
            .collect();
        for keyword in ["and", "or", "not", "1 of", "all of", "them"] {
            if keyword.starts_with(partial) && !partial.is_empty() {
                out.push((keyword.to_owned(), "condition keyword".to_owned(), replace));
            }
        }
        return out;
    }
    Vec::new()
}

/// Field names for a key being typed directly under a search identifier of `detection:`.
fn field_completions(
    text: &str,
    q: u32,
    line_start: usize,
    line: &str,
) -> Option<Vec<(String, String, Span)>> {
    let trimmed = line.trim_start();
    let mut indent = line.len() - trimmed.len();
    let partial = match trimmed.strip_prefix("- ") {
        Some(rest) => {
            indent += 2;
            rest
        }
        None => trimmed,
    };
    if !partial.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return None;
    }
    let parents = enclosing_keys(&text[..line_start], indent);
    let [search, detection, ..] = parents.as_slice() else { return None };
    if detection != "detection" || ["condition", "timeframe"].contains(&search.as_str()) {
        return None;
    }
    // The key being typed has no `:` yet, which is no YAML: read the rule without that line.
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let rest = format!("{}{}", &text[..line_start], &text[line_end..]);
    let rule = sigma::analyze(&rest).rule?;
    let known = fields_of(&rule.logsource)?;
    let replace = Span::new(q - partial.len() as u32, q);
    let lower = partial.to_ascii_lowercase();
    let detail = format!("field of the {} taxonomy", known.label.replace('`', ""));
    Some(
        known
            .fields
            .iter()
            .filter(|f| f.to_ascii_lowercase().starts_with(&lower))
            .map(|f| (f.to_string(), detail.clone(), replace))
            .collect(),
    )
}

/// The keys enclosing a line indented by `indent`, innermost first (`["selection",
/// "detection"]`), read from the lines before it.
fn enclosing_keys(before: &str, mut indent: usize) -> Vec<String> {
    let mut keys = Vec::new();
    for line in before.lines().rev() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let at = line.len() - trimmed.len();
        if let Some(item) = trimmed.strip_prefix("- ") {
            // A list item: a sibling when its content lines up, else the sequence's item.
            if at + 2 + (item.len() - item.trim_start().len()) < indent {
                indent = at;
            }
            continue;
        }
        if at >= indent {
            continue;
        }
        let Some(key) =
            trimmed.strip_suffix(':').or_else(|| trimmed.split_once(": ").map(|(k, _)| k))
        else {
            return keys;
        };
        keys.push(key.trim().trim_matches(['\'', '"']).to_owned());
        indent = at;
        if at == 0 {
            break;
        }
    }
    keys
}

enum Target {
    Name(String),
    Pattern(String),
}

/// The condition reference under `q`, with its document span.
fn reference_at(rule: &SigmaRule, q: u32) -> Option<(Target, Span)> {
    let detection = rule.detection.as_ref()?;
    for condition in &detection.conditions {
        for reference in condition.parse.tree.references() {
            let (target, span) = match reference {
                Reference::Ident(n) => (Target::Name(n.text.clone()), n.span),
                Reference::Pattern(p) => (Target::Pattern(p.text.clone()), p.span),
                Reference::Them(span) => (Target::Pattern("*".to_owned()), span),
            };
            let span = condition.to_document(span);
            if span.contains_offset(q) {
                return Some((target, span));
            }
        }
    }
    None
}

fn field_hover(rule: &SigmaRule, field: &str) -> Option<String> {
    let known = fields_of(&rule.logsource)?;
    Some(if known.fields.contains(&field) {
        format!("**`{field}`**: a field of the {} taxonomy", known.label)
    } else {
        format!(
            "**`{field}`** is not in the {} taxonomy, whose fields are: {}",
            known.label,
            known.fields.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  selection_img:\n    Image|endswith: '\\\\x.exe'\n  filter_a:\n    User: x\n  condition: selection_img and not 1 of filter_*\n";

    #[test]
    fn hover_on_a_modifier_a_field_and_a_condition_identifier() {
        let at = |needle: &str| RULE.find(needle).unwrap() as u32 + 1;
        let (md, span) = hover(RULE, at("endswith")).unwrap();
        assert!(md.contains("`|endswith`"), "{md}");
        assert_eq!(span.text(RULE), "endswith");
        let (md, _) = hover(RULE, at("Image")).unwrap();
        assert!(
            md.contains("a field of the `windows` `process_creation` category taxonomy"),
            "{md}"
        );
        let (md, span) = hover(RULE, RULE.rfind("selection_img").unwrap() as u32 + 2).unwrap();
        assert_eq!(span.text(RULE), "selection_img");
        assert!(md.contains("Image|endswith"), "{md}");
        let (md, _) = hover(RULE, RULE.rfind("filter_*").unwrap() as u32 + 2).unwrap();
        assert!(md.contains("matches 1 search identifier"), "{md}");
    }

    #[test]
    fn definition_goes_from_the_condition_to_the_selection() {
        let q = RULE.rfind("selection_img").unwrap() as u32 + 3;
        let span = definition(RULE, q).unwrap();
        assert_eq!(span.start as usize, RULE.find("selection_img").unwrap());
    }

    #[test]
    fn completion_of_modifiers_and_identifiers() {
        let text = "detection:\n  sel:\n    Image|ends";
        let found = completions(text, text.len() as u32);
        assert_eq!(found.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["endswith"]);
        assert_eq!(found[0].2.text(text), "ends");
        let text = "detection:\n  selection:\n    Image: x\n  filter:\n    User: y\n  condition: selection and not fi";
        let found = completions(text, text.len() as u32);
        assert_eq!(found.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["filter"]);
    }

    #[test]
    fn completion_of_field_names_from_the_logsource() {
        let rule = "title: t\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  selection:\n    Image|endswith: x\n    Comm\n  condition: selection\n";
        let q = rule.find("Comm").unwrap() as u32 + 4;
        let found = completions(rule, q);
        let labels: Vec<&str> = found.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(labels, ["CommandLine"]);
        assert_eq!(found[0].2.text(rule), "Comm");
        assert!(found[0].1.contains("windows process_creation"), "{}", found[0].1);
        // In a list of maps, and for a service with a field list.
        let rule = "title: t\nlogsource:\n  product: windows\n  service: ntlm\ndetection:\n  selection:\n    - WorkstationName: x\n      Client\n  condition: selection\n";
        let q = rule.find("Client").unwrap() as u32 + 6;
        let labels: Vec<String> = completions(rule, q).into_iter().map(|c| c.0).collect();
        assert_eq!(labels, ["ClientDomainName", "ClientLUID", "ClientUserName"]);
        // Not for the logsource's own keys, nor without a taxonomy.
        let rule = "title: t\nlogsource:\n  product: windows\n  cat\n";
        assert!(completions(rule, rule.len() as u32 - 1).is_empty());
        let rule = "title: t\nlogsource:\n  product: mine\ndetection:\n  selection:\n    Im\n  condition: selection\n";
        let q = rule.find("Im\n").unwrap() as u32 + 2;
        assert!(completions(rule, q).is_empty());
    }
}
