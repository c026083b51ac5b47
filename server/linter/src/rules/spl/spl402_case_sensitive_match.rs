//! SPL402 `case-sensitive-match`: a `where` / `eval` match against a literal with capitals on
//! a value that is case-insensitive in practice.

use crate::analysis::spl::SplAnalysis;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::detection::fold_mismatch;
use crate::rules::spl::check_with_macro_bodies;
use crate::rules::spl::spl401_case_sensitive_exclusion::{
    case_fold_fix, case_insensitive_target, finding_span, letters, operator_text,
};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL402",
    slug: "case-sensitive-match",
    summary: "A `where` match against a literal with capitals on a case-insensitive value",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule SPL402`.
pub const DOCS: &str = r#"## What it does
Finds positive matches that compare case-sensitively — in `| where`, in an `eval` condition
such as `if()` or `case()`, in a stats `count(eval(...))`, or with `| regex` — against a
literal that contains capital letters, on a value that is case-insensitive in practice: a
file or process name, a Windows path, a registry key, a host or domain name, a Windows
account, a hex file hash (Sysmon logs hashes in uppercase, many other sources in
lowercase). The matches are `=`, `==`, `IN`, `like()`, and `match()`, `mvfind()` or
`| regex` without `(?i)`. Command lines, URLs, `_raw`, `OriginalFileName` (the vendor's
fixed spelling) and fields that an earlier `eval f=lower(...)` folded are left alone.

It also reports the opposite slip, on any field: a value folded with `lower()` / `upper()`
(in the comparison, or by an earlier `eval f=lower(...)`) compared with a literal that has
letters of the other case — `where lower(process_name)="PowerShell.exe"` never matches.

The same comparisons inside a macro that the search calls are checked too, when a loaded
`macros.conf` or `macros/*.yml` defines it (arguments substituted, nested macros expanded,
ESCU `*_filter` macros skipped). Such a finding is reported on the call as "in macro
`name`: ..." and has no fix here: the edit belongs in the macro's definition, where
`qlint check` on the macros file reports it with its fix.

## Why is this bad?
The search command matches field values in any case, but eval expressions and regular
expressions compare strings exactly. `| where process_name="PowerShell.exe"` misses
`powershell.exe` — which is how the process is usually logged — and an attacker can dodge
the detection by renaming `MSHTA.EXE`. The detection is silently blind. (An all-lowercase
literal has the same weakness but usually matches the common spelling; qlint does not
report it.)

The fix for `match()`, `mvfind()` and `| regex` adds `(?i)` to the pattern (safe: it keeps
every event matched before). For `=`, `IN` and `like()` it compares `lower(field)` with the
lowercased literal, offered as unsafe (editor only) because `lower()` of a multivalue field
may not behave like a test of each value. Filtering in the search command
(`process_name=PowerShell.exe` before the first pipe) is the other case-insensitive
spelling. For a folded value compared with the wrong case, the safe fix folds the literal
the same way.

## Example
```spl
index=edr sourcetype=process_start earliest=-24h
| where process_name="PowerShell.exe"
```

## Use instead
```spl
index=edr sourcetype=process_start earliest=-24h
| where lower(process_name)="powershell.exe"
```

## References
- https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/where
- https://help.splunk.com/splunk-enterprise/search/search-manual/9.0/search-primer/use-case-and-term-to-match-phrases
- https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/evaluation-functions/comparison-and-conditional-functions
"#;

/// Reports case-sensitive eval matches that miss other spellings.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    check_with_macro_bodies(spl, cx.text, out, check_analysis);
}

fn check_analysis(spl: &SplAnalysis, text: &str, out: &mut Vec<Diagnostic>) {
    for (c, positive) in spl.eval_comparisons() {
        if c.op.negated == positive {
            continue;
        }
        let Some((field, kind)) = case_insensitive_target(c) else { continue };
        let Some(literal) =
            c.values.iter().find(|v| letters(c.op.kind, &v.value).chars().any(char::is_uppercase))
        else {
            continue;
        };
        let mut diagnostic = META.diagnostic(
            finding_span(c),
            format!(
                "`{}` compares `{}` case-sensitively with `{}`, but {} can be spelt in any case",
                operator_text(c),
                field.name,
                literal.value,
                kind.describe()
            ),
        );
        if let Some(fix) = case_fold_fix(c, text, true) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
    for m in &spl.fold_mismatches {
        // Only a plain double-quoted literal is folded: no escapes or macros to mind.
        let raw = m.literal.span.text(text);
        let quoted = raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"');
        let folded = m.fold.apply(raw).filter(|_| quoted);
        out.push(fold_mismatch(&META, m, folded, &spl.logic));
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use qlint_knowledge::Knowledge;

    use crate::{Language, lint_query};

    fn spl402(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        lint_query(Language::Spl, text, &Knowledge::builtin())
            .into_iter()
            .filter(|d| d.code == "SPL402")
            .collect()
    }

    #[test]
    fn a_mixed_case_match_gets_an_unsafe_lower_fix() {
        let found = spl402(r#"index=edr | where process_name IN ("cmd.exe", "PowerShell.exe")"#);
        assert_eq!(found.len(), 1, "{found:?}");
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        let replacements: Vec<&str> = fix.edits.iter().map(|e| e.replacement.as_str()).collect();
        assert_eq!(replacements, ["lower(process_name)", r#""powershell.exe""#]);
    }

    #[test]
    fn a_folded_value_against_the_other_case_gets_a_fix_for_review() {
        // The SPL condition model does not see comparisons of `upper(...)`, so qlint cannot
        // tell an inclusion from an exclusion here: the fix is offered, never applied alone.
        let text = r#"index=edr | where upper(dest)="dc01.Corp" OR lower(user)="admin""#;
        let found = spl402(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].span.text(text), r#""dc01.Corp""#);
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(fix.edits[0].replacement, r#""DC01.CORP""#);
    }

    #[test]
    fn non_ascii_literals_get_no_fix() {
        let found = spl402(r#"index=edr | where lower(user)="Ärger""#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fix.is_none());
    }
}
