//! YL403 `missing-exclusion`: a rule that selects events with broad matches and excludes
//! nothing.

use qlint_grammar::Span;
use qlint_grammar::yaral::ast::{Expr, Rule};

use crate::analysis::yaral::top_level;
use crate::analysis::yaral_logic::rule_logic;
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::exclusion::missing_exclusion;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL403",
    slug: "missing-exclusion",
    summary: "Broad matches (regexes, `strings.contains`, ...) and no exclusion in the rule",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule YL403`.
pub const DOCS: &str = r#"## What it does
The YARA-L side of KQL403 and SPL403. Reports a rule whose `events` select with broad
matches — a regex (`$e.f = /.../`, `re.regex($e.f, ...)`), `strings.contains`,
`strings.starts_with`, `strings.ends_with` — on the fields a detection is tuned on (process
paths and names, command lines, file paths, URLs, registry keys, user agents, ...) and
excludes nothing: no `!=`, no `not`, no `not ... in %allow_list`, and no event that must be
absent (`!$e2` in the condition). It is reported once per rule, at the first broad match,
naming the field to tune.

Left alone, as for KQL and SPL: a rule that also pins an entity field to an exact value
(`$e.target.process.file.full_path = "C:\\Windows\\System32\\certutil.exe" nocase`),
patterns anchored at both ends with no repetition, literals so specific that look-alikes are
not expected (a three-word command line, a GUID), rules that sweep for file hashes, and
matches that only check a value's shape.

## Why is this bad?
A broad match on a process path or a command line meets software the author never saw:
installers, management agents, developer tools. Without a place for exclusions the rule's
first false positives are tuned by disabling it. An explicit `not ... in %allow_list` (or a
`!=` on the known-good values) gives the next analyst somewhere to put them.

## Example
```yaral
rule encoded_powershell {
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
    re.regex($e.target.process.command_line, `-enc(odedcommand)?\s`) nocase
  condition:
    $e
}
```

## Use instead
```yaral
rule encoded_powershell {
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
    re.regex($e.target.process.command_line, `-enc(odedcommand)?\s`) nocase
    not $e.principal.process.file.full_path in %powershell_allowed_parents
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
- https://cloud.google.com/chronicle/docs/detection/reference-lists
"#;

/// Reports, per rule, the first broad match of a rule that excludes nothing.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for rule in &yl.tree.rules {
        let logic = rule_logic(rule, cx.text);
        let Some(found) = missing_exclusion(&logic, cx.text) else { continue };
        // `re.regex($e.f, `x`)`: the whole call, not the inside of its parentheses.
        let (span, written) = match enclosing_call(rule, found.span) {
            Some(call) => (call, one_line(call.text(cx.text))),
            None => (found.span, found.written),
        };
        let tune = match &found.field {
            Some(field) => format!("exclude the known-good values of `{field}`"),
            None => "add an exclusion for the known-good events".to_owned(),
        };
        let more = match found.count {
            1 => String::new(),
            n => format!(" ({n} broad matches)"),
        };
        out.push(META.diagnostic(
            span,
            format!("`{written}` is a broad match and the rule excludes nothing: {tune}{more}"),
        ));
    }
}

/// The span of the call (`re.regex(...)`, `strings.contains(...)`) around `inner`, if any.
fn enclosing_call(rule: &Rule, inner: Span) -> Option<Span> {
    let mut found = None;
    for (_, top) in top_level(rule) {
        top.walk(&mut |e| {
            if let Expr::Call { span, .. } = e
                && span.start <= inner.start
                && inner.end <= span.end
                && found.is_none()
            {
                found = Some(*span);
            }
        });
    }
    found
}

/// The first line of `text`, at most 60 characters.
fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim_end();
    if line.chars().count() > 60 || line.len() < text.trim_end().len() {
        let cut: String = line.chars().take(57).collect();
        format!("{}...", cut.trim_end())
    } else {
        line.to_owned()
    }
}
