//! YL001 `syntax-error`: text that is not YARA-L 2.0.

use crate::diagnostic::{Category, Severity};
use crate::rules::RuleMeta;

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL001",
    slug: "syntax-error",
    summary: "Text that does not parse as a YARA-L 2.0 rule",
    docs: DOCS,
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL001`.
pub const DOCS: &str = r#"## What it does
Reports where a rule file stops being YARA-L 2.0: a section name that does not exist
(`evnts:`), a parenthesis or brace left open, a comparison without its right-hand side, a
string or regex without its closing quote. Each message says what was expected there.
The parser recovers at the next line or section, so one mistake gives one error.

## Why is this bad?
Google SecOps refuses to save or run a rule that does not compile; the detection never
fires. Finding the mistake offline saves a round trip through the rules editor.

## Example
```yaral
rule login_burst {
  evnts:
    $e.metadata.event_type = "USER_LOGIN"
  condition:
    $e
}
```

## Use instead
```yaral
rule login_burst {
  events:
    $e.metadata.event_type = "USER_LOGIN"
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;
