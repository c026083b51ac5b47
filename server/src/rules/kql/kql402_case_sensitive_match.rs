//! KQL402 `case-sensitive-match`: a case-sensitive match against a mixed-case literal on a
//! value that is case-insensitive in practice.

use crate::analysis::fields;
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
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
};

/// `qlint rule KQL402`.
pub const DOCS: &str = r#"## What it does
Finds positive matches written with a case-sensitive operator (`==`, `in`, `has_cs`,
`startswith_cs`, ...) against a literal that contains capital letters, on a value that is
case-insensitive in practice: a file or process name, a Windows path, a registry key, a host
or domain name, a Windows account or UPN.

## Why is this bad?
The telemetry keeps the case that the file system, the registry or the user typed, so
`FileName == "PowerShell.exe"` misses `powershell.exe` — which is how it is usually logged —
and an attacker can dodge the rule by renaming `MSHTA.EXE`. The detection is silently blind.
(An all-lowercase literal has the same weakness but usually matches the common spelling;
qlint does not report it.)

The fix switches to `=~`, `in~`, `has`, ...: safe, since it keeps every event the rule
matched before and adds the other spellings of the same name.

## Example
```kql
DeviceProcessEvents
| where FileName == "PowerShell.exe"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName =~ "PowerShell.exe"
```

## References
- https://learn.microsoft.com/kusto/query/datatypes-string-operators
"#;

/// Reports case-sensitive matches that miss other spellings.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, positive, _) in cx.analysis.logic().comparisons() {
        let includes = c.op.negated != positive;
        if !includes || !c.op.case_sensitive || c.op.span.is_empty() {
            continue;
        }
        let Some(field) = &c.field else { continue };
        let Some(literal) = c.values.iter().find(|v| v.has_uppercase()) else { continue };
        let Some(kind) =
            fields::case_insensitive(&field.name, c.values.iter().map(|v| v.value.as_str()))
        else {
            continue;
        };
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
}
