//! SPL402 `case-sensitive-match`: a `where` / `eval` match against a literal with capitals on
//! a value that is case-insensitive in practice.

use crate::diagnostic::{Category, Diagnostic, Severity};
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
};

/// `qlint rule SPL402`.
pub const DOCS: &str = r#"## What it does
Finds positive matches in an eval expression — `| where`, an `eval` condition such as
`if()` or `case()`, a stats `count(eval(...))` — written with `=`, `==`, `IN`, `like()` or
`match()` without `(?i)`, against a literal that contains capital letters, on a value that
is case-insensitive in practice: a file or process name, a Windows path, a registry key, a
host or domain name, a Windows account. Command lines, URLs and fields that an earlier
`eval f=lower(...)` folded are left alone.

## Why is this bad?
The search command matches field values in any case, but eval expressions compare strings
exactly. `| where process_name="PowerShell.exe"` misses `powershell.exe` — which is how
the process is usually logged — and an attacker can dodge the detection by renaming
`MSHTA.EXE`. The detection is silently blind. (An all-lowercase literal has the same
weakness but usually matches the common spelling; qlint does not report it.)

The fix for `match()` adds `(?i)` to the pattern (safe: it keeps every event matched
before). For `=`, `IN` and `like()` it compares `lower(field)` with the lowercased literal,
offered as unsafe (editor only) because `lower()` of a multivalue field is not the same test
as comparing each value. Filtering in the search command (`process_name=PowerShell.exe`
before the first pipe) is the other case-insensitive spelling.

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
        if let Some(fix) = case_fold_fix(c, cx.text) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}
