//! SPL001 `syntax-error`: the search does not parse. Reported by the parser.

use crate::diagnostic::{Category, Severity};
use crate::rules::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL001",
    slug: "syntax-error",
    summary: "The search does not parse as SPL",
    docs: DOCS,
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL001`.
pub const DOCS: &str = r#"## What it does
Reports text that is not valid SPL: unbalanced quotes, brackets, parentheses or backticks,
an empty pipe segment, `| eval x=` with no expression, `| stats count by` with no field.
The message names what the parser expected.

## Why is this bad?
Splunk refuses to run the search, so a scheduled detection never fires.

## Example
```spl
index=main sourcetype=WinEventLog | stats count by
```

## Use instead
```spl
index=main sourcetype=WinEventLog | stats count by host
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Search
"#;
