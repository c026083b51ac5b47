//! SPL403 `missing-exclusion`: the search selects events with wildcards or other broad
//! matches and excludes nothing anywhere.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::exclusion::{Wording, report};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL403",
    slug: "missing-exclusion",
    summary: "Wildcard or other broad matches and no exclusion anywhere",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL403`.
pub const DOCS: &str = r#"## What it does
Reports a search that selects events with broad matches — wildcard values
(`process_name=psexec*`, `CommandLine="*-enc*"`, `IN ("*\\temp\\*")`), bare wildcard terms,
`like()`, `match()`, `| regex` — on the fields a detection is tuned on (processes, files,
paths, command lines, URLs, queries, registry paths, services, scripts) and excludes nothing
anywhere: no `NOT`, no `!=`, no `| search NOT ...`, no `` `*_filter` `` macro, no
`| where isnull(x)` after a lookup of an allow list. It is reported once per search, at the
first broad match, naming the field to tune.

Left alone: terms that pick the data or the event type (`index`, `sourcetype`, `EventCode`,
`action`, `signature`), searches that also test an exact value of an entity field
(`process_name=cmd.exe`), published indicators (a file hash in the search, a GUID, a
command-line fragment of three words or more), `field=*` and values with fewer than two
letters or digits, templates with `$token$`s, `macros.conf` definitions and ESCU baselines
and investigations (support searches, not detections). A macro in the
search counts as an exclusion when its definition holds one, or, when qlint does not know
its definition, when its name says so (`..._filter`, `..._exclusions`, `..._allowlist`).

The severity follows what the search is: a **warning** in an alerting rule (an ESCU
detection of `type: TTP`, `Anomaly` or `Correlation`, a `savedsearches.conf` stanza with an
alert action or `alert.*` settings), **info** otherwise (a `.spl` file, a Markdown fence, an
ESCU `Hunting` search).

In the editor the finding has a quick fix that adds a skeleton exclusion stage after the broad
match, `| search NOT field IN ("known-good value")` (which ignores case), for you to fill in;
`--fix` never applies it.

## Why is this bad?
A wildcard matches the attack and every benign tool that looks like it. A detection with no
exclusion has nowhere to put the first false positive, so the usual reaction is to disable
it. ESCU detections end with a `` `<name>_filter` `` macro precisely so that each site has
a place for its exclusions.

## Example
```spl
index=windows sourcetype=XmlWinEventLog process_name=psexec*
```

## Use instead
```spl
index=windows sourcetype=XmlWinEventLog process_name=psexec* NOT user IN ("svc_deploy", "svc_patching")
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Wildcards
- https://help.splunk.com/en/splunk-enterprise-security-8/user-guide/8.0/analytics/use-filter-macros-to-exclude-false-positives
"#;

/// Reports the first broad match of a search that excludes nothing.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let wording = Wording {
        noun: "search",
        without_field: "add a `NOT` term or a filter macro for the known-good events",
    };
    report(cx, &META, &wording, out);
}
