//! SPL201 `unknown-datamodel`: a data model or dataset that the CIM does not define.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL201",
    slug: "unknown-datamodel",
    summary: "`datamodel=X.Y` names a data model or dataset that does not exist",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL201`.
pub const DOCS: &str = r#"## What it does
Checks `from datamodel=Model.Dataset` (in `tstats`, `datamodel`, `from`) and `nodename=`
against the Common Information Model data models and their datasets, and suggests the
closest name. The data models Splunk Enterprise Security adds (`Identity_Management`,
`Domain_Analysis`, `Incident_Management`, `Threat_Intelligence`, `UEBA`) are known by name
only: their datasets are not checked. `Risk` is checked like a CIM model.

## Why is this bad?
`tstats` on a data model or dataset that does not exist returns no results and no error:
the detection is silently blind.

## Example
```spl
| tstats count from datamodel=Endpoint.Process by Processes.dest
```

## Use instead
```spl
| tstats count from datamodel=Endpoint.Processes by Processes.dest
```

## References
- https://docs.splunk.com/Documentation/CIM/latest/User/Overview
- https://dev.splunk.com/enterprise/docs/devtools/enterprisesecurity/datamodelsusedbyes
"#;

/// Reports unknown data models and datasets.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    for name in &spl.unknown_datamodels {
        let mut message = format!("unknown data model or dataset `{}`", name.name);
        if let Some(scope) = &name.scope {
            message.push_str(&format!(" in `{scope}`"));
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
