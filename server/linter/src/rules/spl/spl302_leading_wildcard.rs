//! SPL302 `leading-wildcard`: a search term that starts with `*` in the event search.

use crate::analysis::logic::{Comparison, Condition, FilterOrigin, LogicModel, OpKind};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL302",
    slug: "leading-wildcard",
    summary: "A term or value that starts with `*` in the event search",
    docs: DOCS,
    category: Category::Performance,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SPL302`.
pub const DOCS: &str = r#"## What it does
Reports a term or `field=value` of the first, event-retrieving search whose value starts
with `*` (`*\\cmd.exe`, `CommandLine=*-enc*`) when nothing else in that search can use the
index: no other positive term or value without a leading wildcard (`index`, `sourcetype` and
similar only pick the data). A lone `*` (the field exists) is fine, and so are later
`| search` and `| where` filters, which run on events already retrieved. A search is
reported once, on its first leading wildcard, with the number of such terms. A fragment
that names no `index` or `sourcetype` (and calls no macro that could), such as a converted
Sigma rule, is left alone: whoever completes it decides how the events are retrieved.

## Why is this bad?
Splunk finds events through the lexicon of its index. A term that starts with a wildcard
cannot use it: every event of the index and time range is read and matched, which can be
orders of magnitude slower and may hit search quotas. Filter on the indexed parts first
(`sourcetype`, `EventCode`, `process_name=cmd.exe`), then apply the wildcard with
`| search` or `| where like(...)` — or use the data model with `tstats`.

## Example
```spl
index=windows CommandLine="*-encodedcommand*"
```

## Use instead
```spl
index=windows EventCode=4688 process_name=powershell.exe CommandLine="*-encodedcommand*"
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Wildcards
"#;

/// Fields that pick the data rather than find events within it.
const SCOPING: &[&str] =
    &["index", "sourcetype", "source", "host", "eventtype", "tag", "earliest", "latest"];

/// Reports the leading wildcards of a base search that names its data and has no other
/// term the index can use: one finding on the first, saying how many there are.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // `$name$` marks a template (a macro definition, a drilldown): only a fragment of the
    // search that will run, so whether the index can be used is not decided here.
    if has_template_token(cx.text) {
        return;
    }
    let logic = cx.analysis.logic();
    let base: Vec<_> = logic
        .comparisons()
        .into_iter()
        .filter(|(c, positive, origin)| {
            *origin == FilterOrigin::SplBaseSearch && *positive && !c.op.negated && c.op.wildcards
        })
        .filter(|(c, _, _)| matches!(c.op.kind, OpKind::Equal | OpKind::Term | OpKind::In))
        .map(|(c, _, _)| c)
        .collect();
    // A fragment without `index` / `sourcetype` (or a macro that sets them) is meant to be
    // completed by whoever runs it, such as a converted rule: how the events are retrieved
    // is decided there.
    if !base.iter().any(|c| is_scoping(c)) && !base_search_has_macro(logic, cx.text) {
        return;
    }
    // A term the lexicon can use (`EventCode=4688`, `powershell.exe`) retrieves the events
    // first; a leading wildcard then only filters them.
    let anchored = base.iter().any(|c| {
        !is_scoping(c) && !c.values.is_empty() && c.values.iter().all(|v| !v.value.starts_with('*'))
    });
    if anchored {
        return;
    }
    let leading: Vec<_> = base
        .iter()
        .flat_map(|c| &c.values)
        .filter(|v| v.value.starts_with('*') && v.value.trim_matches('*').chars().any(|c| c != ' '))
        .collect();
    let Some(first) = leading.first() else { return };
    let mut message =
        format!("`{}` starts with a wildcard, so the index lexicon cannot be used", first.value);
    if leading.len() > 1 {
        message.push_str(&format!(" ({} terms start with `*`)", leading.len()));
    }
    out.push(META.diagnostic(first.span, message));
}

fn is_scoping(c: &Comparison) -> bool {
    c.field.as_ref().is_some_and(|f| SCOPING.iter().any(|s| f.name.eq_ignore_ascii_case(s)))
}

/// A macro call in the event search (`` `sysmon` ``), which usually names the index.
fn base_search_has_macro(logic: &LogicModel, text: &str) -> bool {
    logic.filters.iter().filter(|f| f.origin == FilterOrigin::SplBaseSearch).any(|f| {
        let mut found = false;
        f.condition.walk(&mut |c| {
            if let Condition::Opaque(span) = c {
                found |= text
                    .get(span.start as usize..span.end as usize)
                    .is_some_and(|t| t.starts_with('`'));
            }
        });
        found
    })
}

/// True when the text holds a `$word$` token.
fn has_template_token(text: &str) -> bool {
    let mut parts = text.split('$');
    parts.next();
    let inner: Vec<&str> = parts.collect();
    // Every other piece between two `$` is a candidate token.
    inner.iter().step_by(2).take(inner.len().saturating_sub(1)).any(|t| {
        !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn template_tokens() {
        assert!(super::has_template_token(r#"Image="*\\$name$""#));
        assert!(!super::has_template_token(r#"ShareName="\\*\\IPC$""#));
        assert!(!super::has_template_token("a=$5 b=1"));
    }
}
