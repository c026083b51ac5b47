//! SPL302 `leading-wildcard`: a search term that starts with `*` in the event search.

use crate::analysis::logic::{FilterOrigin, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL302",
    slug: "leading-wildcard",
    summary: "A term or value that starts with `*` in the event search",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Warning,
    fixable: false,
};

/// `qlint rule SPL302`.
pub const DOCS: &str = r#"## What it does
Reports a term or `field=value` of the first, event-retrieving search whose value starts
with `*` (`*\\cmd.exe`, `CommandLine=*-enc*`). A lone `*` (the field exists) is fine, and so
are later `| search` and `| where` filters, which run on events already retrieved.

## Why is this bad?
Splunk finds events through the lexicon of its index. A term that starts with a wildcard
cannot use it: every event of the index and time range is read and matched, which can be
orders of magnitude slower and may hit search quotas. Filter on the indexed parts first
(`sourcetype`, `EventCode`, `process_name=cmd.exe`), then apply the wildcard with
`| search` or `| where like(...)` — or use the data model with `tstats`.

## Example
```spl
index=windows EventCode=4688 *\\powershell.exe
```

## Use instead
```spl
index=windows EventCode=4688 New_Process_Name="C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Wildcards
"#;

/// Reports leading wildcards in the base search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (c, _, origin) in cx.analysis.logic().comparisons() {
        if origin != FilterOrigin::SplBaseSearch || !c.op.wildcards {
            continue;
        }
        if !matches!(c.op.kind, OpKind::Equal | OpKind::Term | OpKind::In) {
            continue;
        }
        for literal in &c.values {
            let value = literal.value.as_str();
            if value.starts_with('*') && value.trim_matches('*').chars().any(|c| c != ' ') {
                out.push(META.diagnostic(
                    literal.span,
                    format!(
                        "`{value}` starts with a wildcard, so the index lexicon cannot be used"
                    ),
                ));
            }
        }
    }
}
