//! SPL310 `search-without-index`: an event search with no `index=` (or `index=*`) reads the
//! role's default indexes, or all of them.

use qlint_grammar::spl::ast::{CommandKind, SearchExpr};
use qlint_grammar::spl::visit::clause_leaves;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL310",
    slug: "search-without-index",
    summary: "An event search without `index=`, or with `index=*`",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule SPL310`.
pub const DOCS: &str = r#"## What it does
Reports the first search clause of a search when it names no index (and holds no macro,
`eventtype=` or `tag=` that may), and any `index=*`.

## Why is this bad?
Without `index=`, Splunk searches the default indexes of the role that runs the search: the
same saved search finds different events for different owners, and silently nothing when
the data sits in a non-default index. `index=*` searches every index, which is slow and
reads data the detection does not need. Naming the index is also the cheapest filter
Splunk has.

This rule is off by default; select it with `SPL310` or `ALL`.

## Example
```spl
sourcetype=WinEventLog:Security EventCode=4625
| stats count by user
```

## Use instead
```spl
index=wineventlog sourcetype=WinEventLog:Security EventCode=4625
| stats count by user
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Writebettersearches
"#;

/// Reports a base search without an index, and `index=*`.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    let Some(first) = search.commands.first() else { return };
    if search.leading_pipe || !first.implicit {
        return;
    }
    let CommandKind::Search(s) = &first.kind else { return };
    let Some(clause) = &s.clause else { return };
    let leaves = clause_leaves(clause);
    let mut scoped = false;
    for leaf in &leaves {
        match leaf {
            SearchExpr::Compare(c) => {
                let key = c.field.text.to_ascii_lowercase();
                if key == "index" && c.value.text == "*" {
                    out.push(META.diagnostic(c.span, "`index=*` searches every index"));
                    return;
                }
                scoped |= matches!(key.as_str(), "index" | "eventtype" | "tag" | "index_earliest")
                    || key.starts_with("tag::");
            }
            SearchExpr::In(i) => scoped |= i.field.text.eq_ignore_ascii_case("index"),
            SearchExpr::Macro(_) | SearchExpr::Subsearch(_) | SearchExpr::Error(_) => scoped = true,
            _ => {}
        }
    }
    if !scoped {
        out.push(META.diagnostic(
            clause.span(),
            "this search names no index: it reads the default indexes of whoever runs it",
        ));
    }
}
