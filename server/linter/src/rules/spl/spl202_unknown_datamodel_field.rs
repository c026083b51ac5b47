//! SPL202 `unknown-datamodel-field`: a `Dataset.field` that the data model does not have.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL202",
    slug: "unknown-datamodel-field",
    summary: "A data-model field that the dataset does not define",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL202`.
pub const DOCS: &str = r#"## What it does
In a `tstats ... from datamodel=Model.Dataset` search, checks every `Dataset.field` name of
the `where` and `by` clauses and of the aggregations against the fields the CIM defines for
that dataset (inherited fields included), and suggests the closest field.

The built-in models are those of the current Splunk CIM add-on (the message names its
version). If your deployment runs another version or custom models, point `datamodels` in
`qlint.toml` at the app's data model JSON files (`Splunk_SA_CIM/default/data/models`, a
folder or single files): a model read there replaces the built-in model of the same name.

## Why is this bad?
`tstats` treats an unknown field as absent: a `where` on it matches nothing and a `by` on it
drops every row. The detection never fires and nothing says why.

## Example
```spl
| tstats count from datamodel=Endpoint.Processes where Processes.process_nam="cmd.exe" by Processes.dest
```

## Use instead
```spl
| tstats count from datamodel=Endpoint.Processes where Processes.process_name="cmd.exe" by Processes.dest
```

## References
- https://docs.splunk.com/Documentation/CIM/latest/User/Endpoint
"#;

/// Reports unknown data-model fields.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    for name in &spl.unknown_datamodel_fields {
        let mut message = format!("unknown data-model field `{}`", name.name);
        if let Some(scope) = &name.scope {
            message.push_str(&format!(" in `{scope}` ({})", model_source(cx, scope)));
        }
        let mut fix = None;
        if let Some(s) = &name.suggestion {
            message.push_str(&format!("; did you mean `{s}`?"));
            fix = did_you_mean_fix(cx.text, &[name.span], &name.name, s);
        }
        let diagnostic = META.diagnostic(name.span, message);
        out.push(match fix {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        });
    }
}

/// Which definition of the model was checked: the built-in CIM version or the user's file.
fn model_source(cx: &Context<'_>, scope: &str) -> String {
    let model = scope.split('.').next().unwrap_or(scope);
    match cx.knowledge.datamodel(model).and_then(|m| m.file.as_ref()) {
        Some(file) => format!("as defined in `{}`", file.display()),
        None => format!("CIM {}", qlint_knowledge::CIM_VERSION),
    }
}
