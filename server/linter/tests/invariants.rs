//! Property tests of what every lint must hold, on queries assembled from real fragments,
//! mangled by cuts and stray characters (multi-byte ones included):
//! - every diagnostic span and fix edit lies inside the text, on char boundaries;
//! - applying the safe fixes to a query that parsed leaves a query that parses.
//!
//! Few cases per run (CI time); `PROPTEST_CASES=5000` runs more.

use proptest::prelude::*;
use qlint_grammar::Span;
use qlint_knowledge::Knowledge;
use qlint_linter::fix::apply_safe_fixes;
use qlint_linter::{Category, Diagnostic, Language, lint_query};

const KQL_PARTS: &[&str] = &[
    "DeviceProcessEvents",
    "SecurityEvent",
    "\n| where ",
    "FileName == \"PowerShell.exe\"",
    "FileName in~ (\"cmd.exe\", \"CMD.exe\")",
    "Timestamp > ago(\"1d\")",
    "tolower(AccountName) == \"ADMIN\"",
    " and ",
    " or ",
    "not(",
    ")",
    "\n| summarize count() by DeviceName",
    "\n| project ",
    "\n| extend x = strcat(\"é\", \"日本\")",
    "let t = 1h;\n",
    "// qlint: ignore KQL401\n",
    "\"unterminated",
    "@\"C:\\temp\"",
    "🙂",
    "(",
    ", ",
];

const SPL_PARTS: &[&str] = &[
    "index=edr sourcetype=process_start",
    " earliest=-24h",
    "\n| where ",
    "process_name=\"*.exe\"",
    "process_name!=\"OneDrive.exe\"",
    " AND ",
    " OR ",
    "NOT ",
    "\n| stats count by user",
    "\n| eval x=lower(user)",
    "`macro(arg)`",
    "```qlint: ignore SPL401```",
    "[search index=x]",
    "\"unterminated",
    "é日本🙂",
    "(",
    ")",
];

fn assembled(parts: &'static [&'static str]) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => prop::sample::select(parts).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    (prop::collection::vec(piece, 0..24), any::<prop::sample::Index>()).prop_map(|(pieces, cut)| {
        let text: String = pieces.concat();
        // Cut at a char boundary somewhere (often the whole text).
        let boundaries: Vec<usize> =
            text.char_indices().map(|(i, _)| i).chain([text.len(); 4]).collect();
        text[..boundaries[cut.index(boundaries.len())]].to_owned()
    })
}

fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
    KNOWLEDGE.get_or_init(Knowledge::builtin)
}

fn inside(text: &str, span: Span) -> bool {
    span.start <= span.end
        && (span.end as usize) <= text.len()
        && text.is_char_boundary(span.start as usize)
        && text.is_char_boundary(span.end as usize)
}

fn check_spans(text: &str, diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in diagnostics {
        prop_assert!(inside(text, d.span), "{} span {:?} in {:?}", d.code, d.span, text);
        for edit in d.fix.iter().flat_map(|f| &f.edits) {
            prop_assert!(inside(text, edit.span), "{} edit {:?} in {:?}", d.code, edit.span, text);
        }
    }
    Ok(())
}

fn parses(language: Language, text: &str) -> bool {
    !lint_query(language, text, knowledge()).iter().any(|d| d.category == Category::Syntax)
}

fn check_fix(language: Language, text: &str, found: &[Diagnostic]) -> Result<(), TestCaseError> {
    if found.iter().any(|d| d.category == Category::Syntax) {
        return Ok(());
    }
    let (fixed, applied) = apply_safe_fixes(text, found);
    if applied > 0 {
        prop_assert!(parses(language, &fixed), "{text:?} fixed to {fixed:?} does not parse");
    }
    Ok(())
}

/// 48 cases unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn kql_spans_are_inside_and_fixes_keep_it_parsing(text in assembled(KQL_PARTS)) {
        let found = lint_query(Language::Kql, &text, knowledge());
        check_spans(&text, &found)?;
        check_fix(Language::Kql, &text, &found)?;
    }

    #[test]
    fn spl_spans_are_inside_and_fixes_keep_it_parsing(text in assembled(SPL_PARTS)) {
        let found = lint_query(Language::Spl, &text, knowledge());
        check_spans(&text, &found)?;
        check_fix(Language::Spl, &text, &found)?;
    }

    #[test]
    fn any_text_gets_spans_inside_in_every_language(text in any::<String>(), pick in 0..4usize) {
        let language = [Language::Kql, Language::Spl, Language::Yaral, Language::Sigma][pick];
        check_spans(&text, &lint_query(language, &text, knowledge()))?;
    }
}

/// The fragments above do reach the fixer: without this the fix property could pass vacuously.
#[test]
fn the_fragments_hold_safe_fixes() {
    let kql = "DeviceProcessEvents\n| where FileName in~ (\"cmd.exe\", \"CMD.exe\")";
    let (_, applied) = apply_safe_fixes(kql, &lint_query(Language::Kql, kql, knowledge()));
    assert!(applied > 0, "no safe fix in {kql:?}");
    let spl = "index=edr sourcetype=process_start earliest=-24h\n| where process_name=\"*.exe\"";
    let (_, applied) = apply_safe_fixes(spl, &lint_query(Language::Spl, spl, knowledge()));
    assert!(applied > 0, "no safe fix in {spl:?}");
}
