//! QL101 `duplicate-rule-id`: two rule files of one run give their rules the same id.

use crate::diagnostic::{Category, Severity};
use crate::rules::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "QL101",
    slug: "duplicate-rule-id",
    summary: "Two rule files of the run give their rules the same id",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule QL101`.
pub const DOCS: &str = r#"## What it does
Compares the `id` of every rule that one `qlint check` run reads — Sentinel analytic rules and
hunting queries, Splunk ESCU detections, Sigma rules, Defender custom detections
(`detectorId`) — and reports a rule whose id an earlier file (in path order) already uses,
once, at the later file, naming the file and line of the first. Ids are compared ignoring
case, across languages (they are GUIDs). Two documents of one file (a Sigma collection) are
not compared with each other. Parser and function bodies do not take part.

This is a check across files: the CLI reports it; the language server, which sees one
file at a time, does not.

## Why is this bad?
The id is what deployment tools key a rule by: deploying both to Sentinel keeps one rule
and silently replaces the other, `contentctl` refuses the second ESCU detection, and Sigma
rule references (`related:`, correlations, filters) point at either. The usual cause is a
copied rule whose id was not regenerated.

## Example
```yaml
# rules/brute_force.yaml
id: 0b4f1a2c-1111-4a5b-9c3d-2e6f7a8b9c0d
name: Brute force against Entra ID
# rules/brute_force_copy.yaml
id: 0b4f1a2c-1111-4a5b-9c3d-2e6f7a8b9c0d
name: Password spray against Entra ID
```

## Use instead
Give the copy a new id (`uuidgen`).

## References
- https://learn.microsoft.com/azure/sentinel/ci-cd
- https://github.com/SigmaHQ/sigma-specification
"#;
