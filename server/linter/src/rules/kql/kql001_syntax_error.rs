//! KQL001 `syntax-error`: the text does not parse. Reported by the parser, not by a check.

use crate::diagnostic::{Category, Severity};
use crate::rules::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL001",
    slug: "syntax-error",
    summary: "The query does not parse as KQL",
    docs: DOCS,
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL001`.
pub const DOCS: &str = r#"## What it does
Reports text that is not valid KQL: a missing operand, an unbalanced parenthesis, a dangling
pipe, an unterminated string. The message names what the parser expected at that point.

## Why is this bad?
Kusto rejects the whole query, so the detection never runs. A scheduled rule with a syntax
error fails silently until someone looks at its health.

## Example
```kql
SecurityEvent
| where EventID == 
```

## Use instead
```kql
SecurityEvent
| where EventID == 4688
```

## References
- https://learn.microsoft.com/kusto/query/
"#;
