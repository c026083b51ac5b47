//! QL102 `duplicate-rule-name`: two rule files of one run give their rules the same name.

use crate::diagnostic::{Category, Severity};
use crate::rules::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "QL102",
    slug: "duplicate-rule-name",
    summary: "Two rule files of the run give their rules the same name",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule QL102`.
pub const DOCS: &str = r#"## What it does
Compares the names of the rules of one `qlint check` run — Sentinel and ESCU `name`, Sigma
`title`, Defender `displayName`, YARA-L `rule <name>`, `savedsearches.conf` stanza names —
within each language, ignoring case and runs of spaces, and reports a rule whose name an
earlier file (in path order) already uses, once, at the later file, naming the file and line
of the first. Two documents of one file (a Sigma collection sharing its title) are not
compared with each other; parser and function bodies do not take part. In KQL, alerting
rules and hunting queries are compared separately: Sentinel keeps analytic rules and hunting
queries apart, and a hunt often carries the name of the rule it led to.

This is a check across files: the CLI reports it; the language server does not.

## Why is this bad?
The name is what an analyst sees on the alert and what the SOC's reports group by: two
rules with one name raise alerts nobody can trace to the right rule. Splunk keeps one saved
search per name in an app, so a second stanza of that name overrides the first; Chronicle
refuses a second YARA-L rule of the same name.

## Example
```yaml
# sentinel/Detections/SigninLogs/spray.yaml
name: Password spray
# sentinel/Solutions/Identity/spray.yaml
name: Password spray
```

## Use instead
Keep one copy of the rule, or name the variants after what sets them apart.

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Admin/Savedsearchesconf
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;
