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
    let product = rule.logsource.product.as_deref()?;
    let category = rule.logsource.category.as_deref()?;
    let known = fields_of(product, category)?;
    Some(if known.contains(&field) {
        format!("**`{field}`**: a field of the `{product}` `{category}` taxonomy")
    } else {
        format!(
            "**`{field}`** is not in the `{product}` `{category}` taxonomy, whose fields are: {}",
            known.join(", ")
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
        assert!(md.contains("a field of the `windows` `process_creation` taxonomy"), "{md}");
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
}
