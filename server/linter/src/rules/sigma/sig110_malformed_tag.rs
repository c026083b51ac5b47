//! SIG110 `malformed-tag`: a tag that does not follow Sigma's tag conventions.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SIG110",
    slug: "malformed-tag",
    summary: "A tag without a namespace, or one that breaks its namespace's format",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule SIG110`.
pub const DOCS: &str = r#"## What it does
Checks every entry of `tags`: it must be `namespace.name` in lower case (letters, digits, `_`,
`-`, `.`); in the `attack` namespace a technique is `t` and four digits with an optional
`.` and three digits (`attack.t1059.001`), a group `g0001`, software `s0001`, a data source
`ds0001`, or a tactic written in words (`attack.execution`); `cve.` takes `YYYY-NNNN`;
`detection.` takes `emerging-threats`, `threat-hunting` or `dfir`; `tlp.` takes a TLP colour.
Other namespaces are free-form.

## Why is this bad?
A tag without a `.` makes pySigma reject the rule. Other deviations (`attack.T1059`,
`attack.t1059-001`) are kept as written, so ATT&CK coverage reports and tag filters in
converters miss the rule.

## Example
```yaml
title: Whoami
tags:
  - attack.T1033
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
  condition: selection
```

## Use instead
```yaml
title: Whoami
tags:
  - attack.discovery
  - attack.t1033
logsource:
  category: process_creation
  product: windows
detection:
  selection:
    Image|endswith: '\whoami.exe'
  condition: selection
```

## References
- https://github.com/SigmaHQ/sigma-specification/blob/main/appendix/sigma-tags-appendix.md
"#;

/// Reports each malformed tag.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(rule) = super::rule(cx) else { return };
    let Some(tags) = rule.root.get("tags") else { return };
    for tag in tags.items() {
        let Some(text) = tag.as_str() else { continue };
        if let Some(problem) = problem(text) {
            out.push(META.diagnostic(tag.span, problem));
        }
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn problem(tag: &str) -> Option<String> {
    let Some((namespace, name)) = tag.split_once('.') else {
        return Some(format!(
            "`{tag}` has no namespace: write `namespace.name` (`attack.execution`)"
        ));
    };
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.');
    if !tag.chars().all(allowed) {
        return Some(format!("`{tag}`: tags are lower case letters, digits, `_`, `-` and `.`"));
    }
    let ok = match namespace {
        "attack" => attack(name),
        "cve" => name.split_once('-').is_some_and(|(y, n)| {
            digits(y, 4) && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit())
        }),
        "detection" => matches!(name, "emerging-threats" | "threat-hunting" | "dfir"),
        "tlp" => matches!(name, "red" | "amber" | "amber-strict" | "green" | "clear" | "white"),
        _ => !name.is_empty(),
    };
    (!ok).then(|| format!("`{tag}` does not follow the format of the `{namespace}` namespace"))
}

fn attack(name: &str) -> bool {
    let id = |prefix: &str| name.strip_prefix(prefix).filter(|rest| digits(rest, 4)).is_some();
    if let Some(rest) = name.strip_prefix('t')
        && rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
    {
        return match rest.split_once('.') {
            Some((t, sub)) => digits(t, 4) && digits(sub, 3),
            None => digits(rest, 4),
        };
    }
    id("g")
        || id("s")
        || id("ds")
        || (name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') && !name.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tag_formats() {
        for good in [
            "attack.t1059.001",
            "attack.t1059",
            "attack.execution",
            "attack.g0032",
            "attack.s0002",
            "cve.2021-44228",
            "detection.emerging-threats",
            "tlp.amber-strict",
            "car.2013-05-002",
            "stp.1u",
        ] {
            assert_eq!(super::problem(good), None, "{good}");
        }
        for bad in [
            "attack",
            "attack.T1059",
            "attack.t1059-001",
            "attack.t105",
            "cve.21-4",
            "detection.hunting",
            "tlp.blue",
        ] {
            assert!(super::problem(bad).is_some(), "{bad}");
        }
    }
}
