//! KQL301 `contains-vs-has`: `contains` with a whole-word literal, where the indexed `has`
//! would do.

use crate::analysis::logic::OpKind;
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL301",
    slug: "contains-vs-has",
    summary: "`contains` with a whole-term literal: `has` uses the term index",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule KQL301`.
pub const DOCS: &str = r#"## What it does
Finds `contains` (and `!contains`, `contains_cs`, `!contains_cs`) whose literal is a single
lowercase alphanumeric term of at least three characters, such as `contains "mimikatz"`.
Literals with capitals (`contains "Amsi"`) are not reported: they are usually fragments of
CamelCase values such as `AmsiScriptDetection`, which only `contains` finds.

## Why is this bad?
Kusto indexes string columns by term (a run of ASCII letters and digits). `has` looks the
term up in that index; `contains` scans every value. On large tables `has` is much faster.

The two are not the same, which is why the fix is unsafe (offered in the editor only):
`has "mimikatz"` matches the term `mimikatz` in `Invoke-Mimikatz` or `mimikatz.exe`, but not
inside a longer run of letters such as `mimikatz64` or `xmimikatz` — and `has "http"`
does not match `https://...`. For a detection that
must catch renamed or padded tools, keep `contains` (and say why in a comment, or silence
the rule for the line). Literals with punctuation or spaces are never reported.

## Example
```kql
DeviceProcessEvents
| where ProcessCommandLine contains "mimikatz"
```

## Use instead
```kql
DeviceProcessEvents
| where ProcessCommandLine has "mimikatz"
```

## References
- https://learn.microsoft.com/kusto/query/best-practices
- https://learn.microsoft.com/kusto/query/datatypes-string-operators#what-is-a-term
"#;

/// A lowercase alphanumeric run: `mimikatz`, `certutil`. Literals with capitals are left
/// alone: they are usually fragments of CamelCase values (`ActionType contains "Amsi"` must
/// match `AmsiScriptDetection`, which `has` would not).
fn is_whole_term(value: &str) -> bool {
    value.len() >= 3 && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Reports `contains` with a whole-term literal.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, _, _) in cx.analysis.logic().comparisons() {
        if c.op.kind != OpKind::Contains || c.op.span.is_empty() || !c.values_complete {
            continue;
        }
        let [literal] = c.values.as_slice() else { continue };
        if !is_whole_term(&literal.value) {
            continue;
        }
        let replacement = c.op.text.replace("contains", "has");
        if replacement == c.op.text {
            continue;
        }
        out.push(
            META.diagnostic(
                c.op.span,
                format!(
                    "`{}` \"{}\" scans every value; `{replacement}` uses the term index",
                    c.op.text, literal.value
                ),
            )
            .with_fix(Fix {
                title: format!("Replace `{}` with `{replacement}`", c.op.text),
                applicability: Applicability::Unsafe,
                edits: vec![Edit { span: c.op.span, replacement }],
            }),
        );
    }
}
