//! SPL211 `field-gone-after-stats`: a field read after `stats`/`tstats`/`table` that they did
//! not keep.

use std::collections::BTreeSet;

use qlint_grammar::spl::ast::{Command, CommandKind};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::spl::flow::{FieldRef, aggregation_name, expr_fields, reads};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL211",
    slug: "field-gone-after-stats",
    summary: "A field used after `stats`/`table` that they did not keep",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL211`.
pub const DOCS: &str = r#"## What it does
Follows the fields of the search from the first `stats` (or a leading `tstats`), which
keeps only its `by` fields and its results, through `eval`, `rename`, `lookup`, `table`,
`fields` and further `stats`, and reports a field read that is no longer there:
`| stats count by user | where count > 5 AND src="10.1.1.1"`.

Commands whose effect on the fields qlint does not know (most other commands and macros,
except ESCU's `drop_dm_object_name`, `security_content_ctime` and `*_filter` macros) end the
check, so it stays silent rather than guess.

## Why is this bad?
The field is null from there on: a filter on it drops every result, a `by` on it puts
everything in one group, a `table` shows an empty column. Typical causes are a field that was
not added to the `by` clause, an aggregation named with `as` and used by its default name
(`count(x)` vs `total`), or a case mistake (`Count` vs `count`).

## Example
```spl
index=main sourcetype=WinEventLog EventCode=4625
| stats count by user
| where count > 10 AND src!="127.0.0.1"
```

## Use instead
```spl
index=main sourcetype=WinEventLog EventCode=4625
| stats count by user, src
| where count > 10 AND src!="127.0.0.1"
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Stats
"#;

/// What a command does to the set of fields, once tracking has started.
enum Effect {
    /// Replace the set.
    Set(BTreeSet<String>),
    /// Add these fields.
    Add(Vec<String>),
    /// Keep only these (table / fields +).
    Keep(Vec<String>),
    /// Remove these (fields -).
    Remove(Vec<String>),
    /// Rename `from` to `to`.
    Rename(Vec<(String, String)>),
    /// `drop_dm_object_name(X)`: `X.f` becomes `f`.
    DropPrefix(String),
    /// No change.
    None,
    /// Unknown: stop tracking.
    Unknown,
}

fn effect(command: &Command, text: &str) -> Effect {
    match &command.kind {
        CommandKind::Stats(s) => {
            let name = command.name.text.to_ascii_lowercase();
            let aggs = || s.aggregations.iter().map(|a| aggregation_name(a, text));
            let wild = s.by.iter().any(|n| n.has_wildcard())
                || !s.macros.is_empty()
                || s.aggregations.iter().any(|a| {
                    a.span.text(text).contains('*')
                        || a.alias.as_ref().is_some_and(|n| n.has_wildcard())
                });
            match name.as_str() {
                _ if wild => Effect::Unknown,
                "stats" => Effect::Set(s.by.iter().map(|n| n.text.clone()).chain(aggs()).collect()),
                "eventstats" | "streamstats" => Effect::Add(aggs().collect()),
                _ => Effect::Unknown,
            }
        }
        CommandKind::Tstats(t) => {
            let prestats =
                t.option("prestats").is_some_and(|v| v.text.starts_with(['t', 'T', '1']));
            let wild = t.by.iter().any(|n| n.has_wildcard())
                || t.aggregations.iter().any(|a| {
                    a.span.text(text).contains('*')
                        || a.alias.as_ref().is_some_and(|n| n.has_wildcard())
                });
            if prestats || wild {
                return Effect::Unknown;
            }
            let aggs = t.aggregations.iter().map(|a| aggregation_name(a, text));
            let mut set: BTreeSet<String> =
                t.by.iter().map(|n| n.text.clone()).chain(aggs).collect();
            // `by ... span=1h` groups by `_time` too.
            if t.option("span").is_some() || command.span.text(text).contains("span=") {
                set.insert("_time".to_owned());
            }
            Effect::Set(set)
        }
        CommandKind::Eval(e) => {
            Effect::Add(e.assignments.iter().map(|a| a.field.text.clone()).collect())
        }
        CommandKind::Rename(r)
            if r.renames.iter().all(|r| !r.from.has_wildcard() && !r.to.has_wildcard()) =>
        {
            Effect::Rename(
                r.renames.iter().map(|r| (r.from.text.clone(), r.to.text.clone())).collect(),
            )
        }
        CommandKind::Fields(f)
            if f.macros.is_empty() && f.fields.iter().all(|n| !n.has_wildcard()) =>
        {
            let names = f.fields.iter().map(|n| n.text.clone()).collect();
            if f.remove { Effect::Remove(names) } else { Effect::Keep(names) }
        }
        CommandKind::Lookup(l) if !l.outputs.is_empty() => Effect::Add(
            l.outputs.iter().map(|f| f.alias.as_ref().unwrap_or(&f.field).text.clone()).collect(),
        ),
        CommandKind::FillNull(f) => Effect::Add(f.fields.iter().map(|n| n.text.clone()).collect()),
        CommandKind::Bin(b) => Effect::Add(b.alias.iter().map(|n| n.text.clone()).collect()),
        CommandKind::Where(_)
        | CommandKind::Search(_)
        | CommandKind::Sort(_)
        | CommandKind::Dedup(_)
        | CommandKind::Head(_)
        | CommandKind::MvExpand(_) => Effect::None,
        CommandKind::Macro(m) => {
            let name = m.name.to_ascii_lowercase();
            if name == "drop_dm_object_name" && m.args.len() == 1 {
                Effect::DropPrefix(m.args[0].text.trim_matches(['"', '\'']).to_owned())
            } else if name.ends_with("_filter") || name == "security_content_ctime" {
                Effect::None
            } else {
                Effect::Unknown
            }
        }
        _ => Effect::Unknown,
    }
}

fn apply(fields: &mut BTreeSet<String>, effect: Effect) -> bool {
    match effect {
        Effect::Set(set) => *fields = set,
        Effect::Add(names) => fields.extend(names),
        Effect::Keep(names) => fields.retain(|f| names.contains(f)),
        Effect::Remove(names) => fields.retain(|f| !names.contains(f)),
        Effect::Rename(pairs) => {
            for (from, to) in pairs {
                if fields.remove(&from) {
                    fields.insert(to);
                }
            }
        }
        Effect::DropPrefix(prefix) => {
            let dotted = format!("{prefix}.");
            *fields = std::mem::take(fields)
                .into_iter()
                .map(|f| f.strip_prefix(&dotted).map(str::to_owned).unwrap_or(f))
                .collect();
        }
        Effect::None => {}
        Effect::Unknown => return false,
    }
    true
}

fn describe(fields: &BTreeSet<String>) -> String {
    let shown: Vec<String> = fields.iter().take(6).map(|f| format!("`{f}`")).collect();
    let more = if fields.len() > 6 { ", …" } else { "" };
    if shown.is_empty() { "no fields".to_owned() } else { format!("{}{more}", shown.join(", ")) }
}

/// The reads of a command that are not satisfied by an earlier assignment of the same `eval`
/// (whose fields are added to `known` on the way).
fn reads_in_order<'t>(
    command: &'t Command,
    known: &mut BTreeSet<String>,
) -> Option<Vec<FieldRef<'t>>> {
    let CommandKind::Eval(e) = &command.kind else { return reads(command) };
    let mut out = Vec::new();
    for a in &e.assignments {
        let mut read = Vec::new();
        expr_fields(&a.expr, &mut read);
        out.extend(
            read.into_iter()
                .filter(|f| !known.contains(f.name) && !f.name.eq_ignore_ascii_case("null")),
        );
        known.insert(a.field.text.clone());
    }
    Some(out)
}

/// Reports reads of fields that the last transforming command did not keep.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    let mut fields: Option<(BTreeSet<String>, &str)> = None;
    let mut reported = BTreeSet::new();
    for command in &search.commands {
        if let Some((known, since)) = &mut fields {
            // `eval a=..., b=a*2`: each assignment sees the ones before it.
            let Some(read) = reads_in_order(command, known) else { return };
            for field in read {
                let special = field.name.starts_with('$') || field.name.contains('`');
                if !known.contains(field.name) && !special && reported.insert(field.name.to_owned())
                {
                    out.push(META.diagnostic(
                        field.span,
                        format!(
                            "`{}` does not exist after `{since}`, which keeps {}",
                            field.name,
                            describe(known)
                        ),
                    ));
                }
            }
        }
        let starts = matches!(&command.kind, CommandKind::Stats(_) if command.name.text.eq_ignore_ascii_case("stats"))
            || matches!(command.kind, CommandKind::Tstats(_)) && fields.is_none();
        let since = if matches!(command.kind, CommandKind::Fields(_)) {
            command.name.text.as_str()
        } else {
            ""
        };
        match (&mut fields, effect(command, cx.text)) {
            (None, Effect::Set(set)) if starts => fields = Some((set, &command.name.text)),
            (None, _) => {}
            (Some((known, last)), e) => {
                let transforming = matches!(e, Effect::Set(_) | Effect::Keep(_));
                if !apply(known, e) {
                    return;
                }
                if transforming {
                    *last = if since.is_empty() { &command.name.text } else { since };
                }
            }
        }
    }
}
