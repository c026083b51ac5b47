//! SPL111 `renamed-field-used`: a field is used under its old name after `rename`.

use std::collections::HashMap;

use qlint_grammar::Span;
use qlint_grammar::spl::ast::{Command, CommandKind};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::spl::flow::reads;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL111",
    slug: "renamed-field-used",
    summary: "A field used by its old name after `rename`",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL111`.
pub const DOCS: &str = r#"## What it does
Reports a command that reads a field by the name it had before a `rename` earlier in the
pipeline (and that nothing in between created again).

## Why is this bad?
After `rename src_ip AS src`, events no longer have `src_ip`. A later `where`, `stats`,
`table` or `search` on `src_ip` sees null: the filter drops every event, or the column is
empty. The search runs without error and the detection misses everything.

## Example
```spl
index=proxy sourcetype=squid
| rename c_ip AS src
| stats count by c_ip
```

## Use instead
```spl
index=proxy sourcetype=squid
| rename c_ip AS src
| stats count by src
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Rename
"#;

/// Fields a command (re)creates, when it is one that this rule models.
fn creates(command: &Command) -> Option<Vec<&str>> {
    Some(match &command.kind {
        CommandKind::Eval(e) => e.assignments.iter().map(|a| a.field.text.as_str()).collect(),
        CommandKind::Rename(r) => r.renames.iter().map(|r| r.to.text.as_str()).collect(),
        CommandKind::Lookup(l) => {
            l.outputs.iter().map(|f| f.alias.as_ref().unwrap_or(&f.field).text.as_str()).collect()
        }
        CommandKind::FillNull(f) => f.fields.iter().map(|n| n.text.as_str()).collect(),
        CommandKind::Stats(s) => {
            let mut out: Vec<&str> = s.by.iter().map(|n| n.text.as_str()).collect();
            out.extend(
                s.aggregations.iter().filter_map(|a| a.alias.as_ref().map(|n| n.text.as_str())),
            );
            out
        }
        CommandKind::Where(_)
        | CommandKind::Search(_)
        | CommandKind::Fields(_)
        | CommandKind::Sort(_)
        | CommandKind::Dedup(_)
        | CommandKind::Head(_)
        | CommandKind::Bin(_)
        | CommandKind::MvExpand(_) => Vec::new(),
        _ => return None,
    })
}

/// Reports reads of renamed-away fields.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    let mut gone: HashMap<&str, (&str, Span)> = HashMap::new();
    for command in &search.commands {
        if !gone.is_empty()
            && let Some(read) = reads(command)
        {
            for field in read {
                if let Some((new, _)) = gone.remove(field.name) {
                    out.push(META.diagnostic(
                        field.span,
                        format!(
                            "`{}` was renamed to `{new}` earlier: it no longer exists here",
                            field.name
                        ),
                    ));
                }
            }
        }
        if let CommandKind::Rename(r) = &command.kind {
            for rename in &r.renames {
                if !rename.from.has_wildcard() && rename.from.text != rename.to.text {
                    gone.insert(&rename.from.text, (&rename.to.text, rename.span));
                }
            }
        }
        match creates(command) {
            Some(created) => created.iter().for_each(|f| {
                if !matches!(command.kind, CommandKind::Rename(_)) {
                    gone.remove(f);
                }
            }),
            None => gone.clear(),
        }
        if let CommandKind::Rename(r) = &command.kind {
            for rename in &r.renames {
                gone.remove(rename.to.text.as_str());
            }
        }
    }
}
