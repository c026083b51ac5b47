//! Inlay hints: the inferred type after each column a KQL `extend` defines (`Name: string`),
//! and, when the user asks for them, the expanded text after each SPL macro call.

use qlint_knowledge::Knowledge;
use qlint_linter::Language;

use super::actions::expansion_of;
use super::scan::{TokenKind, scan};
use super::source::SourceFile;

/// What a hint shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintKind {
    /// A type after a name.
    Type,
    /// What a macro call expands to.
    Expansion,
}

/// One hint, shown at a file offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// File offset the hint sits after.
    pub offset: u32,
    /// The text shown.
    pub label: String,
    /// What it is.
    pub kind: HintKind,
    /// The full text, when the label is shortened.
    pub tooltip: Option<String>,
}

/// Which hints to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HintOptions {
    /// Types of `extend` columns (on unless turned off).
    pub extend_types: bool,
    /// Expanded macro text (off unless turned on: the text can be long).
    pub macro_expansion: bool,
}

/// Longest expansion shown in full; longer ones are cut and shown whole in the tooltip.
const MAX_EXPANSION_CHARS: usize = 60;

/// The hints of the file between the offsets `start` and `end`.
pub fn inlay_hints(
    file: &SourceFile,
    start: u32,
    end: u32,
    knowledge: &Knowledge,
    options: HintOptions,
) -> Vec<Hint> {
    let mut out = Vec::new();
    for region in &file.regions {
        if region.span_in_file.end < start || region.span_in_file.start > end {
            continue;
        }
        match region.language {
            Language::Kql if options.extend_types => {
                let analysis = qlint_linter::analysis::kql::analyze(&region.text, knowledge);
                out.extend(analysis.extended.iter().map(|(span, ty)| Hint {
                    offset: region.span_to_file(*span).end,
                    label: format!(": {ty}"),
                    kind: HintKind::Type,
                    tooltip: None,
                }));
            }
            Language::Spl if options.macro_expansion => {
                for tok in scan(Language::Spl, &region.text) {
                    if tok.kind != TokenKind::Macro {
                        continue;
                    }
                    let Some(expanded) = expansion_of(tok.text(&region.text), knowledge) else {
                        continue;
                    };
                    let one_line = expanded.split_whitespace().collect::<Vec<_>>().join(" ");
                    let shortened = one_line.chars().count() > MAX_EXPANSION_CHARS;
                    let label = if shortened {
                        let cut: String = one_line.chars().take(MAX_EXPANSION_CHARS - 3).collect();
                        format!("= {}...", cut.trim_end())
                    } else {
                        format!("= {one_line}")
                    };
                    out.push(Hint {
                        offset: region.span_to_file(tok.span).end,
                        label,
                        kind: HintKind::Expansion,
                        tooltip: shortened.then_some(expanded),
                    });
                }
            }
            _ => {}
        }
    }
    out.retain(|h| (start..=end).contains(&h.offset));
    out.sort_by_key(|h| h.offset);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: HintOptions = HintOptions { extend_types: true, macro_expansion: true };

    #[test]
    fn extend_columns_get_their_types() {
        let knowledge = Knowledge::builtin();
        let text = "DeviceProcessEvents\n| extend Lower = tolower(FileName), Hour = hourofday(Timestamp), Odd = mystery(1)\n";
        let file = SourceFile::new(Some("h.kql".into()), "kql", text.to_owned());
        let hints = inlay_hints(&file, 0, text.len() as u32, &knowledge, ALL);
        let shown: Vec<(&str, &str)> = hints
            .iter()
            .map(|h| (&text[h.offset as usize - 5..h.offset as usize], h.label.as_str()))
            .collect();
        assert_eq!(shown, [("Lower", ": string"), (" Hour", ": int")]);
        let off = HintOptions { extend_types: false, macro_expansion: true };
        assert!(inlay_hints(&file, 0, text.len() as u32, &knowledge, off).is_empty());
    }

    #[test]
    fn macro_calls_show_their_expansion_only_when_asked() {
        let mut knowledge = Knowledge::builtin();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("macros.conf");
        std::fs::write(&path, "[wrap(1)]\nargs = x\ndefinition = index=sysmon EventCode=1 $x$\n")
            .unwrap();
        knowledge.load_macro_file(&path).unwrap();
        let text = "`wrap(host=a)` | stats count by host";
        let file = SourceFile::new(Some("h.spl".into()), "spl", text.to_owned());
        let hints = inlay_hints(&file, 0, text.len() as u32, &knowledge, ALL);
        assert_eq!(hints.len(), 1);
        assert_eq!(hints[0].label, "= index=sysmon EventCode=1 host=a");
        assert_eq!(hints[0].offset, 14);
        let off = HintOptions { extend_types: true, macro_expansion: false };
        assert!(inlay_hints(&file, 0, text.len() as u32, &knowledge, off).is_empty());
    }
}
