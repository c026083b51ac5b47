//! Applying fixes to one text: the safe ones, never two that overlap.

use crate::diagnostic::{Applicability, Diagnostic, Edit};

/// Applies the safe fixes of `diagnostics` to `text`; overlapping fixes are left for the next
/// round. Returns the new text and the number of fixes applied.
pub fn apply_safe_fixes(text: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut fixes: Vec<_> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability == Applicability::Safe && !f.edits.is_empty())
        .collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.span.start).min());
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|edit| {
            chosen.iter().any(|other| {
                edit.span.start < other.span.end && other.span.start < edit.span.end
                    || edit.span == other.span
            })
        });
        let in_bounds = fix.edits.iter().all(|e| {
            (e.span.end as usize) <= text.len()
                && text.is_char_boundary(e.span.start as usize)
                && text.is_char_boundary(e.span.end as usize)
        });
        if overlaps || !in_bounds {
            continue;
        }
        chosen.extend(fix.edits.iter());
        applied += 1;
    }
    chosen.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_owned();
    for edit in chosen {
        out.replace_range(edit.span.start as usize..edit.span.end as usize, &edit.replacement);
    }
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Category, Fix, Severity};
    use qlint_grammar::Span;

    fn fixable(start: u32, end: u32, replacement: &str) -> Diagnostic {
        Diagnostic::new("X1", Category::Meta, Severity::Warning, Span::new(start, end), "m")
            .with_fix(Fix {
                title: "t".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit { span: Span::new(start, end), replacement: replacement.into() }],
            })
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let (out, count) = apply_safe_fixes(
            "abcdef",
            &[fixable(0, 2, "X"), fixable(1, 3, "Y"), fixable(4, 5, "Z")],
        );
        assert_eq!(out, "XcdZf");
        assert_eq!(count, 2);
    }
}
