//! KQL401 `case-sensitive-exclusion`: an exclusion that only removes one spelling of a value
//! that is case-insensitive in practice.

use crate::analysis::fields;
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::kql::case_insensitive_operator;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL401",
    slug: "case-sensitive-exclusion",
    summary: "A case-sensitive exclusion on a file name, path, host or account",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule KQL401`.
pub const DOCS: &str = r#"## What it does
Finds exclusions written with a case-sensitive operator — `!=`, `!in`, `!has_cs`,
`!contains_cs`, `!startswith_cs`, `!endswith_cs`, or `==`/`in` under `not()` — on a value
that is case-insensitive in practice: a file or process name, a Windows path, a registry
key, a host or domain name, a Windows account or UPN (recognised by the column name, or by a
literal such as `svchost.exe` or `C:\Windows\`). Command lines and URLs are left alone:
parts of them are case-sensitive; so are `OriginalFileName` columns (the vendor's fixed
spelling), placeholders such as `Unknown` or `N/A`, and values whose spelling the product
fixes: processes Windows or a service manager starts (`WmiPrvSE.exe`, `MsMpEng.exe`,
`conhost.exe`), built-in accounts as Defender (`system`) or the event log (`SYSTEM`) write
them, service values the service control manager writes (`ImagePath`), and lowercase paths
on Defender's `InitiatingProcessFolderPath`, which Defender writes in lowercase.

## Why is this bad?
Windows does not care about case: `SHUTDOWN.EXE` and `shutdown.exe` are the same program.
A case-sensitive exclusion removes only the spelling you wrote, so the other spellings come
back as noise — and an allow-list written this way (`where FileName !in ("a.exe")` before an
alert) behaves differently from what a reviewer reads. It is also slower than needed for no
gain.

The fix switches to the case-insensitive operator (`!~`, `!in~`, `!has`, ...). It is offered
in the editor but not applied by `--fix`: widening an exclusion makes the rule match less,
and qlint's safe fixes never reduce what a rule matches. Review it, then apply it.

## Example
```kql
DeviceProcessEvents
| where FileName != "shutdown.exe"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName !~ "shutdown.exe"
```

## References
- https://learn.microsoft.com/kusto/query/datatypes-string-operators
"#;

/// Reports case-sensitive exclusions on case-insensitive values.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, positive, _) in cx.analysis.logic().comparisons() {
        let excludes = c.op.negated == positive;
        if !excludes || !c.op.case_sensitive || c.op.span.is_empty() {
            continue;
        }
        let Some(field) = &c.field else { continue };
        // The vendor's fixed spelling and placeholders (`-`, `N/A`) are exact on purpose.
        if fields::has_vendor_fixed_spelling(&field.name)
            || c.values.iter().any(|v| fields::is_placeholder(&v.value))
            || c.values.iter().all(|v| fields::has_product_fixed_spelling(&v.value))
        {
            continue;
        }
        if !c.values.iter().any(|v| v.has_letters()) {
            continue;
        }
        // Defender writes the initiating process's path in lowercase
        // (`c:\windows\system32\svchost.exe`): a lowercase literal matches every event.
        if field.base_name().eq_ignore_ascii_case("InitiatingProcessFolderPath")
            && c.values.iter().all(|v| !v.has_uppercase())
        {
            continue;
        }
        let Some(kind) =
            fields::case_insensitive(&field.name, c.values.iter().map(|v| v.value.as_str()))
        else {
            continue;
        };
        let Some(replacement) = case_insensitive_operator(&c.op.text) else { continue };
        let diagnostic = META
            .diagnostic(
                c.op.span,
                format!(
                    "`{}` on `{}` is case-sensitive, but {} are not: other spellings are not excluded",
                    c.op.text,
                    field.name,
                    kind.describe()
                ),
            )
            .with_fix(Fix {
                title: format!("Replace `{}` with `{replacement}`", c.op.text),
                // Narrows what the rule matches: never applied without review.
                applicability: Applicability::Unsafe,
                edits: vec![Edit { span: c.op.span, replacement: replacement.to_owned() }],
            });
        out.push(diagnostic);
    }
}
