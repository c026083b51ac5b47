//! `--fix` and `--diff`: apply the safe fixes of a file's diagnostics, re-lint, repeat until
//! stable; write atomically (temp file in the same directory, then rename, keeping the
//! permissions).

use std::io::Write;
use std::path::Path;

use crate::check::{FileReport, check_source};
use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::knowledge::Knowledge;
use crate::sources::SourceKind;

/// How many lint-and-fix rounds to run at most.
pub const MAX_ROUNDS: usize = 10;

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

/// The result of fixing one file in memory.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    /// The fixed text (equal to the input when nothing applied).
    pub text: String,
    /// Fixes applied over all rounds.
    pub applied: usize,
    /// The report on the final text.
    pub report: FileReport,
}

/// Fixes `text` until no safe fix is left (at most [`MAX_ROUNDS`] rounds). A file with syntax
/// errors is never touched; a round whose result no longer parses, or holds a different
/// number of queries, is rolled back.
pub fn fix_text(
    path: &Path,
    kind: SourceKind,
    text: &str,
    knowledge: &Knowledge,
    config: &Config,
) -> FixOutcome {
    let mut current = text.to_owned();
    let mut report = check_source(path, kind, &current, knowledge, config);
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        if report.has_syntax_errors {
            break;
        }
        let (next, count) = apply_safe_fixes(&current, &report.diagnostics);
        if count == 0 || next == current {
            break;
        }
        let next_report = check_source(path, kind, &next, knowledge, config);
        if next_report.has_syntax_errors || next_report.queries != report.queries {
            break;
        }
        current = next;
        report = next_report;
        applied += count;
    }
    FixOutcome { text: current, applied, report }
}

/// Replaces the file at `path` with `contents` atomically, keeping its permissions.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(contents.as_bytes())?;
    temp.as_file().sync_all()?;
    std::fs::set_permissions(temp.path(), permissions)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A unified diff of `old` and `new` for `path`.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let shown = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string()
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
