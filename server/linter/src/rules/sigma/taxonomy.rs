//! Sigma's field taxonomy as the rules read it (the facts live in `qlint-knowledge`, from
//! SigmaHQ's `tests/logsource.json`), and small text helpers.

use qlint_knowledge::{SourceKind, sigma_logsource, sigma_products, sigma_sources};

use crate::analysis::sigma::Logsource;

/// The taxonomy's fields for a rule's log source.
#[derive(Debug, Clone)]
pub struct TaxonomyFields {
    /// How messages name the source: `` `windows` `process_creation` ``.
    pub label: String,
    /// The fields it defines (the product's common fields included).
    pub fields: &'static [&'static str],
}

/// The product as the taxonomy is looked up: a product the taxonomy does not know reads as
/// none, so that its generic sources (`category: proxy`) still apply, as in SigmaHQ's tests.
fn taxonomy_product(logsource: &Logsource) -> Option<&str> {
    let product = logsource.product.as_deref()?;
    sigma_products().contains(&product).then_some(product)
}

/// The known fields of a rule's log source, when the taxonomy lists them.
pub fn fields_of(logsource: &Logsource) -> Option<TaxonomyFields> {
    let product = taxonomy_product(logsource);
    let source =
        sigma_logsource(product, logsource.category.as_deref(), logsource.service.as_deref())?;
    if source.fields.is_empty() {
        return None;
    }
    let kind = match source.kind {
        SourceKind::Category => "category",
        SourceKind::Service => "service",
    };
    let label = match product {
        Some(p) => format!("`{p}` `{}` {kind}", source.name),
        None => format!("`{}` {kind}", source.name),
    };
    Some(TaxonomyFields { label, fields: &source.fields })
}

/// True when `field` is a field of some source of the rule's product (a field used outside its
/// usual category is usually deliberate: an EDR that adds `CommandLine` to network events).
pub(crate) fn known_anywhere(logsource: &Logsource, field: &str) -> bool {
    let product = taxonomy_product(logsource);
    [SourceKind::Category, SourceKind::Service]
        .into_iter()
        .flat_map(|kind| sigma_sources(product, kind))
        .any(|s| s.fields.contains(&field))
}

/// A value as messages quote it: one line, at most 40 characters.
pub(crate) fn excerpt(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut shown: String = line.chars().take(40).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}
