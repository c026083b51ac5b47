//! QL103 `duplicate-query`: two rule files of one run hold the same query.

use crate::diagnostic::{Category, Severity};
use crate::rules::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "QL103",
    slug: "duplicate-query",
    summary: "Two rule files of the run hold the same query",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule QL103`.
pub const DOCS: &str = r#"## What it does
Compares the queries of the rules of one `qlint check` run — Sentinel analytic rules and
hunting queries, ESCU detections, Defender custom detections, `savedsearches.conf` stanzas
— within each language after removing comments (`//` in KQL, ```` ``` ```` in SPL) and
reducing every run of whitespace to one space (strings are kept as written), and reports a
rule whose query an earlier file (in path order) already holds, once, at the later file,
naming the file and line of the first. Queries of fewer than 60 characters (spaces and
comments aside) are not compared. Sigma and YARA-L rules are not compared by text (their
text carries their own title and name); parser and function bodies, `.kql` files and
Markdown fences do not take part.

This is a check across files: the CLI reports it; the language server does not.

## Why is this bad?
Two rules with one query raise every alert twice, under two names, and a tuning made to
one copy is missing from the other. The usual cause is a rule copied into a second folder
(a solution package and a detections folder) that then drifts.

## Example
```yaml
# Detections/SecurityEvent/new_service.yaml
name: New service installed
query: |
  SecurityEvent
  | where EventID == 7045
  | project TimeGenerated, Computer, ServiceName, ImagePath
# Hunting/new_service.yaml
name: Services installed
query: SecurityEvent | where EventID == 7045 | project TimeGenerated, Computer, ServiceName, ImagePath
```

## Use instead
Keep the rule in one place; reference it from the other (a Sentinel solution lists the
rule file; a hunt can `invoke` a saved function).

## References
- https://learn.microsoft.com/azure/sentinel/detection-tuning
"#;
