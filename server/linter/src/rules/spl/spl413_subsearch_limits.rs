//! SPL413 `subsearch-limits`: `join`, `append` and event subsearches are cut at their result
//! and time limits without an error.

use qlint_grammar::spl::ast::{Command, CommandKind, Search};
use qlint_grammar::spl::visit::{all_commands, subsearches_of};

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL413",
    slug: "subsearch-limits",
    summary: "`join`/`append`/subsearch results are silently truncated at their limits",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: false,
};

/// `qlint rule SPL413`.
pub const DOCS: &str = r#"## What it does
Reports the first `join`, `append` or `appendcols` of a search, or the first subsearch that
searches events (subsearches that only read a lookup, `| rest` or `| makeresults` are left
alone), once per search.

## Why is this bad?
Subsearches stop at a result limit (10,000 rows by default for a subsearch, 50,000 for
`join`) and a run-time limit (60 seconds by default), and `join` keeps one match per row
unless `max=0`. When the limit is hit the search carries on with the partial results: a
detection that joins process events with network events works in the lab and misses
events in production. `stats ... by` over both data sets (`(search A) OR (search B) | stats
values(...) by key`) has no such limits.

This rule is off by default; select it with `SPL413` or `ALL`.

## Example
```spl
index=edr sourcetype=process
| join type=inner dest [search index=edr sourcetype=network]
```

## Use instead
```spl
index=edr (sourcetype=process OR sourcetype=network)
| stats values(process) AS process, values(dest_ip) AS dest_ip by dest
```

## References
- https://docs.splunk.com/Documentation/Splunk/latest/Search/Aboutsubsearches
- https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Join
"#;

/// True when a subsearch pipeline reads events (not only a lookup or generated rows).
fn reads_events(search: &Search) -> bool {
    let Some(first) = search.commands.first() else { return false };
    let name = first.name.text.to_ascii_lowercase();
    !matches!(first.kind, CommandKind::InputLookup(_))
        && !["rest", "makeresults", "inputcsv", "loadjob"].contains(&name.as_str())
}

fn limited(command: &Command) -> Option<String> {
    let name = command.name.text.to_ascii_lowercase();
    if let CommandKind::Join(j) = &command.kind
        && ["join", "append", "appendcols"].contains(&name.as_str())
    {
        let unlimited_join = name == "join"
            && j.options
                .iter()
                .any(|o| o.key.text.eq_ignore_ascii_case("max") && o.value.text == "0");
        let lookup_only = j.subsearch.as_ref().is_some_and(|s| !reads_events(&s.search));
        return (!lookup_only && !unlimited_join).then(|| format!("`{name}`"));
    }
    if matches!(command.kind, CommandKind::Join(_)) {
        return None;
    }
    subsearches_of(command)
        .iter()
        .any(|s| reads_events(&s.search))
        .then(|| "this subsearch".to_owned())
}

/// Reports the first limited construct of the search.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(search) = cx.spl() else { return };
    for command in all_commands(search) {
        if let Some(what) = limited(command) {
            let span = if command.name.span.is_empty() { command.span } else { command.name.span };
            out.push(META.diagnostic(
                span,
                format!("{what} is cut at its result and time limits without an error: prefer `stats ... by` over both data sets"),
            ));
            return;
        }
    }
}
