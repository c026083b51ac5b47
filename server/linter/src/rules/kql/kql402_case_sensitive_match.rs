//! KQL402 `case-sensitive-match`: a case-sensitive match against a mixed-case literal on a
//! value that is case-insensitive in practice, or against a literal that a `tolower()` /
//! `toupper()` value can never equal.

use crate::analysis::fields;
use crate::analysis::logic::CaseFold;
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::detection::fold_mismatch;
use crate::rules::kql::case_insensitive_operator;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL402",
    slug: "case-sensitive-match",
    summary: "`==` / `in` / `*_cs` against a literal with capitals on a case-insensitive value",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule KQL402`.
pub const DOCS: &str = r#"## What it does
Finds positive matches written with a case-sensitive operator (`==`, `in`, `has_cs`,
`startswith_cs`, ...) against a literal that contains capital letters, on a value that is
case-insensitive in practice: a file or process name, a Windows path, a host or domain
name, a Windows account or UPN. Left alone: registry keys (they reach the log as Windows
stores them, with the root spelt by the sensor, so a key copied from the telemetry matches), `OriginalFileName` columns (the
vendor's fixed spelling, so an exact match is intended), placeholders such as `Unknown`
or `N/A`, which parsers write in one spelling, a template's stand-in values (`Example.File`,
`user@example.com`), and values whose spelling the product fixes
(processes Windows or a service manager starts such as `WmiPrvSE.exe` or `WerFault.exe`,
built-in accounts, service values such as `ImagePath`).

It also reports the opposite slip, on any column and with any case-sensitive operator
(`==`, `!=`, `in`, `!in`, the `_cs` operators, `matches regex` without `(?i)`): a
`tolower()` value compared with a literal that has capitals, or a `toupper()` value with one
that has lowercase letters. `tolower(FileName) == "PowerShell.exe"` never matches, and
`tolower(FileName) != "PowerShell.exe"` excludes nothing.

## Why is this bad?
The telemetry keeps the case that the file system, the registry or the user typed, so
`FileName == "PowerShell.exe"` misses `powershell.exe` — which is how it is usually logged —
and an attacker can dodge the rule by renaming `MSHTA.EXE`. The detection is silently blind.
(An all-lowercase literal has the same weakness but usually matches the common spelling;
qlint does not report it.) A folded value compared with the other case is blind for every
event.

The fix switches to `=~`, `in~`, `has`, ...: safe, since it keeps every event the rule
matched before and adds the other spellings of the same name. For a folded value, the safe
fix writes the literal in the same case (offered when the literal is ASCII and has no
escapes).

## Example
```kql
DeviceProcessEvents
| where FileName == "PowerShell.exe" or tolower(InitiatingProcessFileName) == "WINWORD.EXE"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName =~ "PowerShell.exe" or tolower(InitiatingProcessFileName) == "winword.exe"
```

## References
- https://learn.microsoft.com/kusto/query/datatypes-string-operators
- https://learn.microsoft.com/kusto/query/tolower-function
"#;

/// Reports case-sensitive matches that miss other spellings, and folded values compared with
/// the other case.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, positive, _) in cx.analysis.logic().comparisons() {
        let includes = c.op.negated != positive;
        if !includes || !c.op.case_sensitive || c.op.span.is_empty() {
            continue;
        }
        let Some(field) = &c.field else { continue };
        if fields::has_vendor_fixed_spelling(&field.name)
            || c.values.iter().any(|v| fields::is_placeholder(&v.value) || is_example(&v.value))
            || c.values.iter().all(|v| fields::has_product_fixed_spelling(&v.value))
        {
            continue;
        }
        let Some(literal) = c.values.iter().find(|v| v.has_uppercase()) else { continue };
        let Some(kind) =
            fields::case_insensitive(&field.name, c.values.iter().map(|v| v.value.as_str()))
        else {
            continue;
        };
        // Registry keys reach the log as Windows stores them and the sensor normalises
        // their root (`HKEY_LOCAL_MACHINE\SYSTEM\...`, Sysmon's `HKLM\System\...`): an
        // inclusion spelt as the product writes it misses nothing.
        if kind == fields::CaseInsensitive::Registry {
            continue;
        }
        let Some(replacement) = case_insensitive_operator(&c.op.text) else { continue };
        out.push(
            META.diagnostic(
                c.op.span,
                format!(
                    "`{}` compares `{}` case-sensitively with `{}`, but {} can be spelt in any case",
                    c.op.text,
                    field.name,
                    literal.value,
                    kind.describe()
                ),
            )
            .with_fix(Fix {
                title: format!("Replace `{}` with `{replacement}`", c.op.text),
                applicability: Applicability::Safe,
                edits: vec![Edit { span: c.op.span, replacement: replacement.to_owned() }],
            }),
        );
    }
    let Some(kql) = cx.analysis.kql() else { return };
    for m in &kql.fold_mismatches {
        let folded = fold_literal(m.literal.span.text(cx.text), m.fold);
        out.push(fold_mismatch(&META, m, folded, cx.analysis.logic()));
    }
}

/// `Example.File`, `user@example.com`: a template's stand-in, to be replaced by a real value.
fn is_example(value: &str) -> bool {
    value.split(|c: char| !c.is_alphanumeric()).any(|part| part.eq_ignore_ascii_case("example"))
}

/// A KQL string literal as written (`"Abc"`, `'Abc'`, `@"C:\Abc"`, `h"Abc"`) with its text
/// folded; `None` for anything else: escapes (`\t` must not become `\T`), quotes inside,
/// adjacent literals, multi-line strings, non-ASCII text.
fn fold_literal(raw: &str, fold: CaseFold) -> Option<String> {
    let body_start = raw.find(['"', '\''])?;
    let (prefix, quoted) = raw.split_at(body_start);
    if prefix.len() > 2 || !prefix.chars().all(|c| matches!(c, '@' | 'h' | 'H')) {
        return None;
    }
    let quote = quoted.chars().next()?;
    let inner = quoted.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner.contains(quote) || (!prefix.contains('@') && inner.contains('\\')) {
        return None;
    }
    Some(format!("{prefix}{quote}{}{quote}", fold.apply(inner)?))
}

#[cfg(test)]
mod tests {
    use super::fold_literal;
    use crate::analysis::logic::CaseFold;
    use crate::diagnostic::{Applicability, Diagnostic};
    use qlint_knowledge::Knowledge;

    use crate::{Language, lint_query};

    fn kql402(text: &str) -> Vec<Diagnostic> {
        lint_query(Language::Kql, text, &Knowledge::builtin())
            .into_iter()
            .filter(|d| d.code == "KQL402")
            .collect()
    }

    #[test]
    fn a_lowered_value_against_capitals_gets_a_safe_folding_fix() {
        let text =
            r#"DeviceProcessEvents | where tolower(ProcessCommandLine) has_cs "Invoke-Mimikatz""#;
        let found = kql402(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].span.text(text), r#""Invoke-Mimikatz""#);
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(fix.edits[0].replacement, r#""invoke-mimikatz""#);
    }

    #[test]
    fn folded_values_in_lists_extend_and_regexes() {
        let text = r#"DeviceProcessEvents
| extend Office = iff(toupper(InitiatingProcessFileName) in ("WINWORD.EXE", "excel.exe"), 1, 0)
| where tolower(FolderPath) matches regex @"\\Temp\\" or tolower(FolderPath) matches regex "(?i)Temp"
| where tolower(AccountName) != "admin" and toupper(DeviceName) =~ "dc01""#;
        let found: Vec<String> =
            kql402(text).iter().map(|d| d.span.text(text).to_owned()).collect();
        assert_eq!(found, [r#""excel.exe""#, r#"@"\\Temp\\""#]);
    }

    #[test]
    fn exact_spellings_are_left_alone() {
        assert!(kql402(r#"DeviceProcessEvents | where ProcessVersionInfoOriginalFileName == "PowerShell.EXE""#).is_empty());
        assert!(kql402(r#"SecurityEvent | where TargetUserName == "N/A""#).is_empty());
        assert_eq!(kql402(r#"SecurityEvent | where TargetUserName == "Administrator""#).len(), 1);
    }

    #[test]
    fn literal_folding() {
        assert_eq!(fold_literal(r#""Abc""#, CaseFold::Lower).as_deref(), Some(r#""abc""#));
        assert_eq!(fold_literal("'Abc'", CaseFold::Upper).as_deref(), Some("'ABC'"));
        assert_eq!(
            fold_literal(r#"@"C:\Temp""#, CaseFold::Lower).as_deref(),
            Some(r#"@"c:\temp""#)
        );
        assert_eq!(fold_literal(r#"h"Secret""#, CaseFold::Lower).as_deref(), Some(r#"h"secret""#));
        assert_eq!(fold_literal(r#""a\tB""#, CaseFold::Lower), None);
        assert_eq!(fold_literal(r#""A" "B""#, CaseFold::Lower), None);
        assert_eq!(fold_literal(r#""Ärger""#, CaseFold::Lower), None);
        assert_eq!(fold_literal("```Abc```", CaseFold::Lower), None);
        assert_eq!(fold_literal("", CaseFold::Lower), None);
    }

    /// Safe fixes never make a rule match less: a folded literal is rewritten by `--fix`
    /// only where the comparison includes events.
    #[test]
    fn folded_literal_fix_is_safe_only_when_it_widens() {
        use crate::diagnostic::Applicability;
        use crate::{Language, lint_query};
        let knowledge = qlint_knowledge::Knowledge::builtin();
        let fix_of = |text: &str| {
            let found = lint_query(Language::Kql, text, &knowledge);
            let d = found.iter().find(|d| d.code == "KQL402").expect("a KQL402 finding");
            d.fix.as_ref().expect("a fix").applicability
        };
        let include = "DeviceProcessEvents | where tolower(FileName) == \"PowerShell.exe\"";
        assert_eq!(fix_of(include), Applicability::Safe);
        let exclude = "DeviceProcessEvents | where tolower(FileName) != \"PowerShell.exe\"";
        assert_eq!(fix_of(exclude), Applicability::Unsafe);
        let negated = "DeviceProcessEvents | where not(tolower(FileName) == \"PowerShell.exe\")";
        assert_eq!(fix_of(negated), Applicability::Unsafe);
    }
}
