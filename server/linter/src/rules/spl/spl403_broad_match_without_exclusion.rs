//! SPL403 `broad-match-without-exclusion`: a short wildcard match is the only filter and
//! nothing is excluded.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::detection::broad_matches;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL403",
    slug: "broad-match-without-exclusion",
    summary: "A short wildcard match is the only filter and nothing is excluded",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL403`.
pub const DOCS: &str = r#"## What it does
Reports a wildcard match of the form `*x*` whose core is very short (three letters or digits
or fewer, such as `CommandLine="*-e*"`) when nothing else in the search narrows the events —
`index`, `sourcetype`, `EventCode` and similar only pick the data — and nothing is excluded:
no `NOT`, no `!=`, no `*_filter` macro.

## Why is this bad?
A short wildcard matches far more than intended, and with nothing excluded the first
benign tool that matches floods the alert queue. ESCU detections end with a
`` `<name>_filter` `` macro precisely so that each site can add its exclusions.

## Example
```spl
index=windows sourcetype=XmlWinEventLog CommandLine="*-e*"
```

## Use instead
```spl
index=windows sourcetype=XmlWinEventLog process_name=powershell.exe CommandLine="*-e*" NOT parent_process_name=ccmexec.exe
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Wildcards
"#;

/// Reports broad matches in searches that never exclude anything.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (span, literal) in broad_matches(cx.analysis.logic()) {
        out.push(META.diagnostic(
            span,
            format!("broad match on `{literal}` with no exclusion anywhere in the search"),
        ));
    }
}
