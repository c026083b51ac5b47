//! SPL312 `transaction`: `transaction` is slow and bounded; `stats` groups events faster.

use qlint_grammar::spl::ast::CommandKind;
use qlint_grammar::spl::visit::all_commands;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL312",
    slug: "transaction",
    summary: "`transaction` is slow and silently bounded: prefer `stats`",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule SPL312`.
pub const DOCS: &str = r#"## What it does
Reports the `transaction` command.

## Why is this bad?
`transaction` runs on the search head, holds open transactions in memory, and evicts them
past its limits (`maxopentxn`, `maxopenevents`, `maxevents` default 1,000 events): in a
detection, the groups it builds can be cut short or dropped without a message. When the
grouping is by field values, `stats min(_time) max(_time) values(...) by field` does the
same work on the indexers and has no such limits. Keep `transaction` for what only it does
(`startswith`/`endswith` boundaries, `maxpause` between events).

This rule is off by default; select it with `SPL312` or `ALL`.

## Example
```spl
index=vpn sourcetype=cisco:asa
| transaction user maxspan=1h
| where eventcount > 20
```

## Use instead
```spl
index=vpn sourcetype=cisco:asa
| bin _time span=1h
| stats count AS eventcount by user, _time
| where eventcount > 20
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Abouttransactions
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Transaction
"#;

/// Reports `transaction` commands.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    for command in all_commands(search) {
        if matches!(command.kind, CommandKind::Transaction(_)) {
            out.push(META.diagnostic(
                command.name.span,
                "`transaction` is slow and drops groups past its limits: `stats ... by` groups without them",
            ));
        }
    }
}
