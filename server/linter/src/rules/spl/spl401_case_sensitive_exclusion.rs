//! SPL401 `case-sensitive-exclusion`: a `where` / `eval` exclusion that only removes one
//! spelling of a value that is case-insensitive in practice.

use crate::analysis::fields::{self, CaseInsensitive};
use crate::analysis::logic::{Comparison, Field, LiteralKind, OpKind};
use crate::analysis::spl::{SplAnalysis, regex_ignores_case, regex_literal_chars};
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::spl::check_with_macro_bodies;
use crate::rules::{Context, RuleMeta};

use qlint_grammar::Span;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL401",
    slug: "case-sensitive-exclusion",
    summary: "A case-sensitive `where` exclusion on a file name, path, host or account",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule SPL401`.
pub const DOCS: &str = r#"## What it does
Finds exclusions that compare case-sensitively — in `| where`, in an `eval` condition such
as `if()` or `case()`, in a stats `count(eval(...))`, or with `| regex` — on a value that is
case-insensitive in practice: a file or process name, a Windows path, a registry key, a host
or domain name, a Windows account, a hex file hash (recognised by the field name, or by a
literal such as `svchost.exe`, `C:\Windows\` or a 64-digit SHA-256). The exclusions are
`!=`, `NOT x=...`, `NOT x IN (...)`, `NOT like()`, and `NOT match()`, `isnull(mvfind())` or
`| regex x!="..."` without `(?i)`. Command lines (CIM `process`, `CommandLine`), URLs,
`_raw`, placeholders such as `"unknown"`, literals without letters and fields that an
earlier `eval f=lower(...)` folded are left alone.

The same comparisons inside a macro that the search calls are checked too, when a loaded
`macros.conf` or `macros/*.yml` defines it (arguments substituted, nested macros expanded,
ESCU `*_filter` macros skipped). Such a finding is reported on the call as "in macro
`name`: ..." and has no fix here: the edit belongs in the macro's definition, where
`qlint check` on the macros file reports it with its fix.

## Why is this bad?
Unlike the search command, which matches field values in any case, eval expressions and
regular expressions compare strings exactly: `| where process_name!="OneDrive.exe"` keeps
`onedrive.exe` and `ONEDRIVE.EXE`. Windows does not care about case, so the same program
comes back as noise under another spelling — and an attacker who renames a tool can slip
through an allow list.

The fix for `match()`, `mvfind()` and `| regex` adds `(?i)` to the pattern. It is offered in
the editor, not applied by `--fix`: a wider exclusion makes the rule match less, and qlint's
safe fixes never reduce what a rule matches. For `=`, `!=`, `IN` and `like()` the fix
compares `lower(field)` with the lowercased literal; it is offered as unsafe (editor only)
because `lower()` of a multivalue field may not behave like a test of each value.
Moving the test into the search command (`| search process_name!="OneDrive.exe"`) is the
other spelling a reviewer would accept.

## Example
```spl
index=edr sourcetype=process_start earliest=-24h
| where process_name!="OneDrive.exe"
```

## Use instead
```spl
index=edr sourcetype=process_start earliest=-24h
| where lower(process_name)!="onedrive.exe"
```

## References
- https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/where
- https://help.splunk.com/splunk-enterprise/search/search-manual/9.0/search-primer/use-case-and-term-to-match-phrases
- https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/evaluation-functions/comparison-and-conditional-functions
"#;

/// Reports case-sensitive eval exclusions on case-insensitive values, in the search and in
/// the macros it calls.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    check_with_macro_bodies(spl, cx.text, out, check_analysis);
}

fn check_analysis(spl: &SplAnalysis, text: &str, out: &mut Vec<Diagnostic>) {
    for (c, positive) in spl.eval_comparisons() {
        if c.op.negated != positive {
            continue;
        }
        let Some((field, kind)) = case_insensitive_target(c) else { continue };
        if !c.values.iter().any(|v| letters(c.op.kind, &v.value).chars().any(char::is_alphabetic)) {
            continue;
        }
        let mut diagnostic = META.diagnostic(
            finding_span(c),
            format!(
                "`{}` compares `{}` case-sensitively, but {} are not: other spellings are not excluded",
                operator_text(c),
                field.name,
                kind.describe()
            ),
        );
        if let Some(fix) = case_fold_fix(c, text, false) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

/// The field and its class when `c` is a case-sensitive string comparison (`=`, `IN`,
/// `like()`, `match()`) of a plain field against literals, on a value that is
/// case-insensitive in practice. Shared with SPL402.
pub(crate) fn case_insensitive_target(c: &Comparison) -> Option<(&Field, CaseInsensitive)> {
    if !c.op.case_sensitive
        || !matches!(c.op.kind, OpKind::Equal | OpKind::In | OpKind::Like | OpKind::Regex)
    {
        return None;
    }
    let field = c.field.as_ref()?;
    // CIM `process` is a command line and `_raw` the whole event; `OriginalFileName` is the
    // name the vendor wrote into the binary's version resource, fixed per file: matching its
    // shipped spelling is exact.
    if fields::is_cim_command_line(&field.name)
        || field.name == "_raw"
        || fields::has_vendor_fixed_spelling(&field.name)
    {
        return None;
    }
    if c.values.is_empty() || c.values.iter().any(|v| v.kind != LiteralKind::String) {
        return None;
    }
    // In eval expressions `*` is a plain character: `where process_name="*PowerShell*"` is a
    // different mistake (a search-command wildcard in `where`, SPL105), and lowering it fixes
    // nothing.
    if c.op.kind != OpKind::Regex && c.values.iter().any(|v| v.value.contains('*')) {
        return None;
    }
    // `dest!="unknown"`: a placeholder that the add-on writes in one spelling, not a name.
    if c.values.iter().any(|v| fields::is_placeholder(&v.value)) {
        return None;
    }
    let shapes: Vec<String> = c.values.iter().map(|v| shape(c.op.kind, &v.value)).collect();
    let kind = fields::case_insensitive(&field.name, shapes.iter().map(String::as_str))?;
    Some((field, kind))
}

/// The characters of a literal that are matched as written: a regex without its escapes and
/// group names, otherwise the literal itself.
pub(crate) fn letters(kind: OpKind, value: &str) -> String {
    if kind == OpKind::Regex { regex_literal_chars(value) } else { value.to_owned() }
}

/// A literal in the shape the value classifier knows: `like()` `%` as `*`, a regex's literal
/// characters without anchors.
fn shape(kind: OpKind, value: &str) -> String {
    match kind {
        OpKind::Like => value.replace('%', "*"),
        OpKind::Regex => {
            letters(kind, value).trim_start_matches('^').trim_end_matches('$').to_owned()
        }
        _ => value.to_owned(),
    }
}

/// The operator as written, `IN` for an implicit list test.
pub(crate) fn operator_text(c: &Comparison) -> &str {
    if c.op.text.is_empty() { "IN" } else { &c.op.text }
}

/// The operator (or function name) when written, else the whole comparison.
pub(crate) fn finding_span(c: &Comparison) -> Span {
    if c.op.span.is_empty() { c.span } else { c.op.span }
}

/// The case-insensitive spelling of a comparison: `(?i)` in front of a `match()` pattern
/// (safe when the comparison `includes` events: it widens the match; unsafe on an exclusion,
/// where it narrows what the rule matches), or `lower(field)` against lowercased literals (unsafe: a multivalue field may behave
/// differently). `None` when a literal cannot be rewritten faithfully (not quoted, not ASCII,
/// not every candidate of an `IN` list is a literal).
pub(crate) fn case_fold_fix(c: &Comparison, text: &str, includes: bool) -> Option<Fix> {
    let field = c.field.as_ref()?;
    let quoted = |span: Span| {
        let raw = span.text(text);
        (raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"')).then_some(raw)
    };
    if c.op.kind == OpKind::Regex {
        let mut edits = Vec::new();
        for value in &c.values {
            quoted(value.span)?;
            if regex_ignores_case(&value.value) {
                return None;
            }
            let at = Span { start: value.span.start + 1, end: value.span.start + 1 };
            edits.push(Edit { span: at, replacement: "(?i)".to_owned() });
        }
        return Some(Fix {
            title: "Add `(?i)` to the pattern".to_owned(),
            // A wider exclusion narrows what the rule matches: never applied without review.
            applicability: if includes { Applicability::Safe } else { Applicability::Unsafe },
            edits,
        });
    }
    if !c.values_complete {
        return None;
    }
    let mut edits =
        vec![Edit { span: field.span, replacement: format!("lower({})", field.span.text(text)) }];
    for value in &c.values {
        let raw = quoted(value.span)?;
        if !raw.is_ascii() {
            return None;
        }
        let lowered = raw.to_ascii_lowercase();
        if lowered != raw {
            edits.push(Edit { span: value.span, replacement: lowered });
        }
    }
    Some(Fix {
        title: format!("Compare `lower({})` with a lowercase literal", field.name),
        applicability: Applicability::Unsafe,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use qlint_knowledge::Knowledge;

    use crate::{Language, lint_query};

    fn spl401(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        lint_query(Language::Spl, text, &Knowledge::builtin())
            .into_iter()
            .filter(|d| d.code == "SPL401")
            .collect()
    }

    fn apply(text: &str, d: &crate::diagnostic::Diagnostic) -> String {
        let fix = d.fix.as_ref().expect("a fix");
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut out = text.to_owned();
        for e in edits {
            out.replace_range(e.span.start as usize..e.span.end as usize, &e.replacement);
        }
        out
    }

    #[test]
    fn where_exclusion_is_lowered_by_an_unsafe_fix() {
        let text = r#"index=edr | where process_name!="OneDrive.exe" AND dest="x""#;
        let found = spl401(text);
        assert_eq!(found.len(), 1, "{found:?}");
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            apply(text, &found[0]),
            r#"index=edr | where lower(process_name)!="onedrive.exe" AND dest="x""#
        );
    }

    #[test]
    fn not_in_list_is_lowered_whole() {
        let text = r#"index=edr | where NOT process_name IN ("Teams.exe", "svchost.exe")"#;
        let found = spl401(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            apply(text, &found[0]),
            r#"index=edr | where NOT lower(process_name) IN ("teams.exe", "svchost.exe")"#
        );
    }

    #[test]
    fn match_gets_an_inline_flag_offered_for_review() {
        let text = r#"index=edr | where NOT match(process_path, "C:\\\\Program Files\\\\")"#;
        let found = spl401(text);
        assert_eq!(found.len(), 1, "{found:?}");
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            apply(text, &found[0]),
            r#"index=edr | where NOT match(process_path, "(?i)C:\\\\Program Files\\\\")"#
        );
    }

    #[test]
    fn an_in_list_with_a_field_member_has_no_fix() {
        let text = r#"index=edr | where NOT process_name IN ("Teams.exe", parent_process_name)"#;
        let found = spl401(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fix.is_none());
    }
}
