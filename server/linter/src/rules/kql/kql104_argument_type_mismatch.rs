//! KQL104 `argument-type-mismatch`: a built-in function called with an argument of a type
//! that none of its overloads takes.

use crate::analysis::ArgumentMismatch;
use crate::analysis::kql_types::typed_literal;
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};
use qlint_knowledge::ScalarType;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL104",
    slug: "argument-type-mismatch",
    summary: "A function argument has a type the function does not accept",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule KQL104`.
pub const DOCS: &str = r#"## What it does
Checks the type of each argument of a built-in function call against the function's
documented overloads: `ago("1d")` (a string where a `timespan` goes), `startofday(FileName)`,
`extract("x", 1, ProcessId)` on a number. Arguments of unknown or `dynamic` type are not
judged, numbers of any kind are accepted for each other, and functions that convert their
argument (`tostring`, `tolower`, `strcat`, `hash_sha256`, ...) accept any scalar, as in Kusto.

## Why is this bad?
Kusto rejects the query ("a value of type timespan expected"). The usual slips are a quoted
time span, a string date passed where a `datetime` goes, and a string function applied to a
numeric column.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago("1d")
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
```
`--fix` rewrites a quoted time span (`"1d"`, `"30min"`) as the literal; the editor also offers
`datetime(...)` for a quoted date.

## References
- https://learn.microsoft.com/kusto/query/scalar-functions
"#;

fn type_list(given: &[Option<qlint_knowledge::ScalarType>]) -> String {
    let names: Vec<&str> = given.iter().map(|t| t.map_or("?", |t| t.name())).collect();
    names.join(", ")
}

/// Reports the arguments that no overload accepts.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for m in &kql.argument_mismatches {
        let message = match m.index.and_then(|i| m.given.get(i).copied().flatten()) {
            Some(given) => {
                format!("`{}` takes {} here but the argument is `{given}`", m.function, m.expected)
            }
            None => {
                format!("`{}` has no overload for arguments ({})", m.function, type_list(&m.given))
            }
        };
        let mut diagnostic = META.diagnostic(m.span, message);
        if let Some(fix) = literal_fix(cx.text, m) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

/// `ago("1d")`: a quoted time span becomes the literal (safe: `"1d"` can mean nothing else);
/// a quoted date becomes `datetime(...)` (editor only: the time zone may have been meant
/// otherwise).
fn literal_fix(text: &str, m: &ArgumentMismatch) -> Option<Fix> {
    let given = m.index.and_then(|i| m.given.get(i).copied().flatten())?;
    if given != ScalarType::String {
        return None;
    }
    let quoted = text.get(m.span.start as usize..m.span.end as usize)?;
    let (literal, applicability) = if m.expected.contains("`timespan`") {
        (typed_literal(quoted, ScalarType::Timespan)?, Applicability::Safe)
    } else if m.expected.contains("`datetime`") {
        (typed_literal(quoted, ScalarType::Datetime)?, Applicability::Unsafe)
    } else {
        return None;
    };
    Some(Fix {
        title: format!("Write `{literal}`"),
        applicability,
        edits: vec![Edit { span: m.span, replacement: literal }],
    })
}

#[cfg(test)]
mod tests {
    use crate::fix::apply_safe_fixes;
    use qlint_knowledge::Knowledge;

    use crate::{Language, lint_query};

    #[test]
    fn a_quoted_time_span_is_fixed_and_a_quoted_date_is_offered() {
        let knowledge = Knowledge::builtin();
        let text = "DeviceProcessEvents\n| where Timestamp > ago(\"1d\")\n| where Timestamp < startofday(\"2024-01-01\")";
        let found = lint_query(Language::Kql, text, &knowledge);
        let fixes: Vec<_> = found
            .iter()
            .filter(|d| d.code == "KQL104")
            .map(|d| d.fix.as_ref().map(|f| (f.edits[0].replacement.as_str(), f.applicability)))
            .collect();
        assert_eq!(
            fixes,
            [
                Some(("1d", crate::diagnostic::Applicability::Safe)),
                Some(("datetime(2024-01-01)", crate::diagnostic::Applicability::Unsafe)),
            ]
        );
        let (fixed, applied) = apply_safe_fixes(text, &found);
        assert_eq!(applied, 1);
        assert!(fixed.contains("ago(1d)"), "{fixed}");
        let again = lint_query(Language::Kql, &fixed, &knowledge);
        assert_eq!(again.iter().filter(|d| d.code == "KQL104").count(), 1, "{again:?}");
    }
}
