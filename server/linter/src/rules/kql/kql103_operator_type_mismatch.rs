//! KQL103 `operator-type-mismatch`: an operator applied to operand types Kusto rejects.

use crate::analysis::OperatorMismatch;
use crate::analysis::kql_types::typed_literal;
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};
use qlint_knowledge::ScalarType;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL103",
    slug: "operator-type-mismatch",
    summary: "An operator is applied to operand types it does not accept",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Error,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule KQL103`.
pub const DOCS: &str = r#"## What it does
Infers the scalar type of both sides of an operator (from table schemas, literals, `let`
values and function results) and reports an operator that Kusto does not define for those
types: ordering a `datetime` against a string or a number, `has` or `contains` on a number,
`=~` on a non-string, arithmetic on strings, `and` on a non-boolean, a `between` bound of the
wrong type, a `where` condition that is not a `bool`. Only sides whose type is known for sure are judged; `dynamic` values and
equality (`==`, `!=`, `in`), which Kusto accepts between any types, are never reported.

## Why is this bad?
Kusto rejects the query with "the operator is not defined for the operand types". A rule
that compares `Timestamp > "2024-01-01"` or filters `ProcessId has "4624"` never runs.

## Example
```kql
DeviceProcessEvents
| where Timestamp > "2024-01-01"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > datetime(2024-01-01)
```
The editor offers this rewrite when the string holds a date (`"2024-01-01"`,
`"2024-01-01T10:00:00Z"`) or a time span (`"1d"`); it is not applied by `--fix`, as the string
may have meant another time zone.

## References
- https://learn.microsoft.com/kusto/query/scalar-data-types/
- https://learn.microsoft.com/kusto/query/datetime-timespan-arithmetic
"#;

/// Reports the operators whose operand types Kusto rejects.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for m in &kql.operator_mismatches {
        let message = match (m.op.as_str(), m.right) {
            ("between", Some(bound)) => {
                format!("a `{}` value cannot be `between` bounds of type `{bound}`", m.left)
            }
            (op, Some(right)) => {
                format!("`{op}` is not defined for operand types `{}` and `{right}`", m.left)
            }
            ("where", None) => {
                format!("the `where` condition must be `bool` but it is `{}`", m.left)
            }
            (op, None) => format!("`{op}` is not defined for operand type `{}`", m.left),
        };
        let mut diagnostic = META.diagnostic(m.span, message);
        if let Some(fix) = literal_fix(cx.text, m) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

/// `Timestamp > "2024-01-01"`: the quoted side becomes the literal of the other side's type.
/// Only offered in the editor: the string may have been meant in another time zone or format.
fn literal_fix(text: &str, m: &OperatorMismatch) -> Option<Fix> {
    let right = m.right?;
    let (want, quoted) = match (m.left, right, m.operands.as_slice()) {
        (ScalarType::Datetime | ScalarType::Timespan, ScalarType::String, [_, r]) => (m.left, *r),
        (ScalarType::String, ScalarType::Datetime | ScalarType::Timespan, [l, _])
            if m.op != "between" =>
        {
            (right, *l)
        }
        _ => return None,
    };
    let literal = typed_literal(text.get(quoted.start as usize..quoted.end as usize)?, want)?;
    Some(Fix {
        title: format!("Write `{literal}`"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit { span: quoted, replacement: literal }],
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use qlint_knowledge::Knowledge;

    use crate::{Language, lint_query};

    fn fixes(text: &str) -> Vec<Option<(String, Applicability)>> {
        let knowledge = Knowledge::builtin();
        lint_query(Language::Kql, text, &knowledge)
            .into_iter()
            .filter(|d| d.code == "KQL103")
            .map(|d| d.fix.map(|f| (f.edits[0].replacement.clone(), f.applicability)))
            .collect()
    }

    #[test]
    fn a_quoted_date_compared_with_a_datetime_is_offered_as_a_literal() {
        let offered = Some(("datetime(2024-01-01)".to_owned(), Applicability::Unsafe));
        assert_eq!(fixes("DeviceProcessEvents | where Timestamp > \"2024-01-01\""), [offered]);
        let between = "DeviceProcessEvents | where Timestamp between ('2024-01-01' .. 1d)";
        let offered = Some(("datetime(2024-01-01)".to_owned(), Applicability::Unsafe));
        assert_eq!(fixes(between), [offered]);
        // Not a date: reported without a fix.
        assert_eq!(fixes("DeviceProcessEvents | where Timestamp > \"yesterday\""), [None]);
        assert_eq!(fixes("DeviceProcessEvents | where ProcessId has \"1d\""), [None]);
    }
}
