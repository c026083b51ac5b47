//! KQL202 `unknown-column`: a column that is not in scope at that point of the pipeline.

use crate::analysis::Unresolved;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::query::QueryRole;
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL202",
    slug: "unknown-column",
    summary: "A column that is not in scope at this point of the pipeline",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL202`.
pub const DOCS: &str = r#"## What it does
Tracks the columns of a known table through each pipe stage (`project`, `project-away`,
`project-rename`, `extend`, `summarize`, `join`, `union`, `mv-expand`, `parse`, ...) and
reports a column that is not in scope where it is used, with the closest column name.
When qlint cannot know the columns after a stage (`evaluate bag_unpack()`, a fuzzy union, an
unknown table), it stops reporting for the rest of that pipeline rather than guess.

A name that is unknown several times in the same place is reported once, at its first use,
with the number of uses: one fix (or one schema entry) settles them all.

Parameters that the file around the query declares (`FunctionParams` or `ParserParams` in a
Sentinel parser) are in scope with their types. Where nothing declares them — a parser body
in a `.kql` file or a Markdown fence — an all-lowercase name that matches no column, not even
by case, is taken for a parameter of the enclosing stored function (`starttime`, `disabled`)
and not reported. The query of a Sentinel analytic rule or hunting query takes no parameters,
so there every unknown name is reported.

Only what is evidently wrong is reported here: a column of a table the query reads that an
earlier stage dropped, a name that differs from a column in scope by case or by a typo of
one or two characters (`IpAddress` for `IPAddress`, `Tota` for `Total`), and Defender's
`Timestamp` on a table that has `TimeGenerated`. Other names that
the built-in schemas do not list are most often columns newer than qlint's table snapshot;
they are KQL204 (`unlisted-column`), off unless selected.

## Why is this bad?
Kusto rejects the query. The usual causes are a typo, a column dropped by an earlier
`project` or `summarize`, or a column of another table (`Timestamp` in Sentinel tables is
`TimeGenerated`).

The built-in schemas come from Microsoft's published table references, which lag behind
tables that gain columns (and connector tables differ between workspaces). If your workspace
has the column, add it in a schema file named in `qlint.toml` (`schemas = [...]`): a schema for
a table qlint knows adds to its columns, so list only the missing ones.

## Example
```kql
DeviceProcessEvents
| summarize count() by DeviceName
| where FileName =~ "powershell.exe"
```

## Use instead
```kql
DeviceProcessEvents
| where FileName =~ "powershell.exe"
| summarize count() by DeviceName
```

## References
- https://learn.microsoft.com/kusto/query/summarize-operator
"#;

/// Reports the columns that did not resolve and are evidently misspelt: the first use of
/// each name in each scope.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    report(cx, &META, true, out);
}

/// Reports the first use of each unresolved name whose evidence matches `evident` (KQL202
/// takes the misspellings, KQL204 the rest), as `meta`.
pub fn report(cx: &Context<'_>, meta: &RuleMeta, evident: bool, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for (name, uses) in first_uses(&kql.unknown_columns) {
        // In a parser body an all-lowercase name is a parameter of the function
        // (`targetusername`) even when a column differs only by case.
        let parameter = cx.facts.role == QueryRole::Function
            && name.name.chars().all(|c| !c.is_ascii_uppercase());
        let suggestion = close_suggestion(name).filter(|_| !parameter);
        let dropped = match &suggestion {
            None => dropped_from(cx, name),
            Some(_) => None,
        };
        if (suggestion.is_some() || dropped.is_some()) != evident {
            continue;
        }
        let mut message = format!("unknown column `{}`", name.name);
        if let Some(scope) = &name.scope {
            message.push_str(&format!(" in `{scope}`"));
        }
        if uses > 1 {
            message.push_str(&format!(" ({uses} uses, the first marked)"));
        }
        if let Some(table) = dropped {
            message.push_str(&format!("; it is a column of `{table}`, but not in scope here"));
        }
        let mut fix = None;
        if let Some(s) = &suggestion {
            message.push_str(&format!("; did you mean `{s}`?"));
            // Every use of the name in the scope: fixing only the first would leave the rest.
            let spans: Vec<_> = kql
                .unknown_columns
                .iter()
                .filter(|u| u.name == name.name && u.scope == name.scope)
                .map(|u| u.span)
                .collect();
            fix = did_you_mean_fix(cx.text, &spans, &name.name, s);
        } else if !evident {
            message.push_str(
                "; qlint's table schemas may predate it: add it to a schema file if your \
                 workspace has it",
            );
        }
        let diagnostic = meta.diagnostic(name.span, message);
        out.push(match fix {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        });
    }
}

/// Each unresolved name once per scope, at its first use, with the number of uses.
fn first_uses(unknown: &[Unresolved]) -> Vec<(&Unresolved, usize)> {
    let mut first_uses: Vec<(&Unresolved, usize)> = Vec::new();
    for name in unknown {
        let same = first_uses
            .iter_mut()
            .find(|(first, _)| first.name == name.name && first.scope == name.scope);
        match same {
            Some((first, uses)) => {
                *uses += 1;
                if name.span.start < first.span.start {
                    *first = name;
                }
            }
            None => first_uses.push((name, 1)),
        }
    }
    first_uses
}

/// The table the query reads that has the column, when the column is not in scope where it
/// is used: a `project`, `summarize` or `join` before it dropped it, or another branch of a
/// `union` lacks it. Only for derived schemas (no table `scope`).
fn dropped_from<'k>(cx: &Context<'k>, name: &Unresolved) -> Option<&'k str> {
    if name.scope.is_some() {
        return None;
    }
    cx.text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.len() > 2)
        .filter_map(|word| cx.knowledge.kql_table(word))
        .find(|table| table.columns.iter().any(|c| c.name == name.name))
        .map(|table| table.name.as_str())
}

/// The column the name evidently means: one that differs only by case, or by one or two
/// edits after the same first three characters (`Tota` → `Total`; `SrcIpAddr` is not a
/// typo of `DvcIpAddr`); `TimeGenerated` for Defender's `Timestamp` on a table without it.
fn close_suggestion(name: &Unresolved) -> Option<String> {
    if name.name == "Timestamp" && name.scope.is_some() {
        return Some("TimeGenerated".to_owned());
    }
    let suggestion = name.suggestion.as_ref()?;
    let (a, b) = (name.name.to_ascii_lowercase(), suggestion.to_ascii_lowercase());
    let same_start = a.chars().take(3).eq(b.chars().take(3));
    (a == b || (same_start && a.len().min(b.len()) >= 4 && edit_distance(&a, &b) <= 2))
        .then(|| suggestion.clone())
}

/// Levenshtein distance between two short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use qlint_grammar::Span;

    fn unresolved(name: &str, suggestion: Option<&str>, scope: Option<&str>) -> Unresolved {
        Unresolved {
            name: name.into(),
            span: Span::default(),
            suggestion: suggestion.map(Into::into),
            scope: scope.map(Into::into),
        }
    }

    #[test]
    fn close_suggestions() {
        let close = |n, s| close_suggestion(&unresolved(n, Some(s), None));
        assert_eq!(close("IpAddress", "IPAddress").as_deref(), Some("IPAddress"));
        assert_eq!(close("Tota", "Total").as_deref(), Some("Total"));
        assert_eq!(close("count", "count_").as_deref(), Some("count_"));
        assert_eq!(close("SrcIpAddr", "DvcIpAddr"), None);
        assert_eq!(close("EventDetail", "EventData"), None);
        let timestamp = unresolved("Timestamp", None, Some("AADRiskyUsers"));
        assert_eq!(close_suggestion(&timestamp).as_deref(), Some("TimeGenerated"));
        assert_eq!(close_suggestion(&unresolved("EventOriginId", None, Some("Event"))), None);
    }

    #[test]
    fn parser_parameters_differing_by_case_are_left_alone() {
        use crate::{Language, QueryFacts, lint_query_with};
        let knowledge = qlint_knowledge::Knowledge::builtin();
        let text = "SigninLogs\n| where ipaddress == \"*\" or IPAddress == ipaddress\n";
        let declared =
            |role| QueryFacts { parameters: Some(Vec::new()), role, ..QueryFacts::default() };
        let codes = |facts: &QueryFacts| -> Vec<&'static str> {
            lint_query_with(Language::Kql, text, &knowledge, facts).iter().map(|d| d.code).collect()
        };
        assert!(!codes(&declared(QueryRole::Function)).contains(&"KQL202"));
        assert!(codes(&declared(QueryRole::Hunt)).contains(&"KQL202"));
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("tota", "total"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
