//! `--fix` and `--diff`: apply the safe fixes of a file's diagnostics, re-lint, repeat until
//! stable; write atomically (temp file in the same directory, then rename, keeping the
//! permissions).

use std::io::Write;
use std::path::Path;

use crate::check::{FileReport, check_source};
use crate::config::Config;
use crate::sources::SourceKind;
use qlint_knowledge::Knowledge;
use qlint_linter::fix::apply_safe_fixes;

/// How many lint-and-fix rounds to run at most.
pub const MAX_ROUNDS: usize = 10;

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
