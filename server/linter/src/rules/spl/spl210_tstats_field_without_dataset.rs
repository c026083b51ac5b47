//! SPL210 `tstats-field-without-dataset`: a data-model field named in `tstats` without its
//! dataset prefix (`process_name` for `Processes.process_name`).

use qlint_grammar::spl::ast::CommandKind;
use qlint_grammar::spl::visit::all_commands;

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::spl::flow::{FieldRef, expr_fields};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL210",
    slug: "tstats-field-without-dataset",
    summary: "A `tstats` data-model field without its dataset prefix matches nothing",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule SPL210`.
pub const DOCS: &str = r#"## What it does
In `tstats ... from datamodel=Model.Dataset`, reports a field of that dataset written without
the dataset prefix, in the `where` clause, the `by` clause or an aggregation:
`where process_name=cmd.exe` for `where Processes.process_name=cmd.exe`.

## Why is this bad?
In the accelerated summaries of a data model every field is stored under its dataset's name.
A bare `process_name` is not a field there: a `where` test on it matches nothing, a `by` on
it produces one empty group, and the search finds nothing without any error. `_time`,
`host`, `source` and `sourcetype` are the exceptions and need no prefix.

The fix adds the prefix (offered in the editor only).

## Example
```spl
| tstats summariesonly=true count from datamodel=Endpoint.Processes where process_name=cmd.exe by Processes.dest
```

## Use instead
```spl
| tstats summariesonly=true count from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe by Processes.dest
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Tstats
- https://docs.splunk.com/Documentation/CIM/latest/User/Endpoint
"#;

const ROOT_FIELDS: &[&str] =
    &["_time", "host", "source", "sourcetype", "_raw", "_indextime", "index", "nodename"];

/// Reports bare data-model fields in `tstats`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    for command in all_commands(search) {
        let CommandKind::Tstats(t) = &command.kind else { continue };
        let Some(datamodel) = &t.datamodel else { continue };
        let Some((_, dataset)) = cx.knowledge.dataset(datamodel.text.trim()) else { continue };
        // Child datasets: which prefix the summaries use depends on the model; stay silent.
        if dataset.parent.is_some() {
            continue;
        }
        let mut fields: Vec<FieldRef<'_>> = Vec::new();
        if let Some(clause) = &t.where_clause {
            for leaf in qlint_grammar::spl::visit::clause_leaves(clause) {
                match leaf {
                    qlint_grammar::spl::ast::SearchExpr::Compare(c) if !c.is_time_modifier() => {
                        fields.push(FieldRef { name: &c.field.text, span: c.field.span })
                    }
                    qlint_grammar::spl::ast::SearchExpr::In(i) => {
                        fields.push(FieldRef { name: &i.field.text, span: i.field.span })
                    }
                    _ => {}
                }
            }
        }
        fields.extend(t.by.iter().map(|n| FieldRef { name: &n.text, span: n.span }));
        t.aggregations.iter().flat_map(|a| &a.args).for_each(|e| expr_fields(e, &mut fields));
        for field in fields {
            let bare =
                !field.name.contains('.') && !field.name.contains('*') && !field.name.contains('$');
            if !bare || ROOT_FIELDS.contains(&field.name) || dataset.field(field.name).is_none() {
                continue;
            }
            let prefixed = format!("{}.{}", dataset.name, field.name);
            out.push(
                META.diagnostic(
                    field.span,
                    format!("`{}` is not a field of the summaries: write `{prefixed}`", field.name),
                )
                .with_fix(Fix {
                    title: format!("Write `{prefixed}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit {
                        span: qlint_grammar::Span::empty(field.span.start),
                        replacement: format!("{}.", dataset.name),
                    }],
                }),
            );
        }
    }
}
