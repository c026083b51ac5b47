//! KQL301 `contains-vs-has`: `contains` with a whole-word literal, where the indexed `has`
//! would do.

use crate::analysis::logic::{Comparison, OpKind};
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
    default_enabled: false,
};

/// `qlint rule KQL301`.
pub const DOCS: &str = r#"## What it does
Finds `contains` (and `!contains`, `contains_cs`, `!contains_cs`) whose literal is a single
lowercase alphanumeric term of at least three characters, such as `contains "mimikatz"`.
A query gets one finding, on the first such test, saying how many there are; its fix
rewrites them all. Not in the default rule set (select `KQL301` or `KQL3` to turn it on):
whether the speed is worth the different matching is the team's call.
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

/// Reports the `contains` tests with a whole-term literal: one finding on the first, with one
/// fix that rewrites them all.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut found: Vec<(&Comparison, String)> = Vec::new();
    for (c, _, _) in cx.analysis.logic().comparisons() {
        if c.op.kind != OpKind::Contains || c.op.span.is_empty() || !c.values_complete {
            continue;
        }
        let [literal] = c.values.as_slice() else { continue };
        if !is_whole_term(&literal.value) {
            continue;
        }
        let replacement = c.op.text.replace("contains", "has");
        if replacement != c.op.text {
            found.push((c, replacement));
        }
    }
    let Some((first, replacement)) = found.first() else { return };
    let mut message = format!(
        "`{}` \"{}\" scans every value; `{replacement}` uses the term index",
        first.op.text, first.values[0].value
    );
    if found.len() > 1 {
        message.push_str(&format!(" ({} such `contains` tests in the query)", found.len()));
    }
    let title = match found.len() {
        1 => format!("Replace `{}` with `{replacement}`", first.op.text),
        n => format!("Replace the {n} whole-term `contains` tests with `has`"),
    };
    let edits = found
        .iter()
        .map(|(c, replacement)| Edit { span: c.op.span, replacement: replacement.clone() })
        .collect();
    out.push(META.diagnostic(first.op.span, message).with_fix(Fix {
        title,
        applicability: Applicability::Unsafe,
        edits,
    }));
}
