//! SPL302 `leading-wildcard`: a search term that starts with `*` in the event search.

use crate::analysis::logic::{FilterOrigin, OpKind};
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
`| search` and `| where` filters, which run on events already retrieved.

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

/// Reports leading wildcards in a base search that has no other term the index can use.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // `$name$` marks a template (a macro definition, a drilldown): only a fragment of the
    // search that will run, so whether the index can be used is not decided here.
    if has_template_token(cx.text) {
        return;
    }
    let base: Vec<_> = cx
        .analysis
        .logic()
        .comparisons()
        .into_iter()
        .filter(|(c, positive, origin)| {
            *origin == FilterOrigin::SplBaseSearch && *positive && !c.op.negated && c.op.wildcards
        })
        .filter(|(c, _, _)| matches!(c.op.kind, OpKind::Equal | OpKind::Term | OpKind::In))
        .map(|(c, _, _)| c)
        .collect();
    // A term the lexicon can use (`EventCode=4688`, `powershell.exe`) retrieves the events
    // first; a leading wildcard then only filters them.
    let anchored = base.iter().any(|c| {
        let scoping = c
            .field
            .as_ref()
            .is_some_and(|f| SCOPING.iter().any(|s| f.name.eq_ignore_ascii_case(s)));
        !scoping && !c.values.is_empty() && c.values.iter().all(|v| !v.value.starts_with('*'))
    });
    if anchored {
        return;
    }
    for c in base {
        for literal in &c.values {
            let value = literal.value.as_str();
            if value.starts_with('*') && value.trim_matches('*').chars().any(|c| c != ' ') {
                out.push(META.diagnostic(
                    literal.span,
                    format!(
                        "`{value}` starts with a wildcard, so the index lexicon cannot be used"
                    ),
                ));
            }
        }
    }
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
