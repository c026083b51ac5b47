//! The rule registry: every code qlint can report, with its documentation.
//!
//! MINIMAL REGISTRY (created by the CLI branch so that `qlint rule` and SARIF have something to
//! read): it lists the syntax and meta codes only. The rules branch extends [`all`] with one
//! entry per rule file and keeps these names.

use crate::diagnostic::{Category, Severity};

/// What qlint knows about one rule code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// The code, e.g. `KQL001`.
    pub code: &'static str,
    /// Kebab-case name of the problem, e.g. `syntax-error`.
    pub slug: &'static str,
    /// One sentence for listings.
    pub summary: &'static str,
    /// Markdown documentation in fixed sections (What it does, Why is this bad?, Example, ...).
    pub docs: &'static str,
    /// The family of the rule.
    pub category: Category,
    /// Severity unless the configuration says otherwise.
    pub default_severity: Severity,
    /// Whether the rule offers a fix.
    pub fixable: bool,
}

/// Every rule, sorted by code.
pub fn all() -> &'static [RuleMeta] {
    RULES
}

/// The rule with `code` (case-insensitive).
pub fn find(code: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|rule| rule.code.eq_ignore_ascii_case(code))
}

static RULES: &[RuleMeta] = &[
    RuleMeta {
        code: "KQL001",
        slug: "syntax-error",
        summary: "The KQL query does not parse.",
        docs: "## What it does\nReports KQL text that the parser cannot read, naming what it expected \
at the point where reading stopped.\n\n## Why is this bad?\nA query that does not parse never runs: \
the analytic rule or hunt silently detects nothing.\n\n## Example\n```kql\nSecurityEvent\n| where EventID ==\n```\n\n\
## Use instead\n```kql\nSecurityEvent\n| where EventID == 4625\n```\n",
        category: Category::Syntax,
        default_severity: Severity::Error,
        fixable: false,
    },
    RuleMeta {
        code: "QL001",
        slug: "unreadable-file",
        summary: "A file could not be read or is not valid UTF-8.",
        docs: "## What it does\nReports a file that qlint was asked to check but could not read: \
missing permissions, a broken symlink, or bytes that are not UTF-8.\n\n## Why is this bad?\nThe \
queries in that file were not checked. The other files of the run are still linted, and the run \
exits with code 2.\n\n## Use instead\nSave rule files as UTF-8 and make them readable, or exclude \
them in `qlint.toml` (`exclude = [\"vendor/**\"]`).\n",
        category: Category::Meta,
        default_severity: Severity::Error,
        fixable: false,
    },
    RuleMeta {
        code: "QL002",
        slug: "malformed-container",
        summary: "A YAML rule file does not parse, so its queries cannot be found.",
        docs: "## What it does\nReports a YAML file that is not well-formed (bad indentation, an \
unclosed bracket or quote), pointing at the place where the YAML parser stopped.\n\n## Why is \
this bad?\nSentinel and Splunk refuse to import the rule, and qlint cannot find the query inside \
it.\n\n## Example\n```yaml\nquery: |\n  SigninLogs\nseverity: [High\n```\n\n## Use instead\n```yaml\n\
query: |\n  SigninLogs\nseverity: High\n```\n",
        category: Category::Syntax,
        default_severity: Severity::Error,
        fixable: false,
    },
    RuleMeta {
        code: "QL003",
        slug: "unused-suppression",
        summary: "A `qlint: ignore` comment suppresses nothing.",
        docs: "## What it does\nReports an inline suppression (`// qlint: ignore KQL401` in KQL, \
```` ```qlint: ignore SPL401``` ```` in SPL) that matched no diagnostic.\n\n## Why is this bad?\n\
Stale suppressions hide future findings on that line and mislead readers about what is wrong \
with the query.\n\n## Example\n```kql\nSecurityEvent // qlint: ignore KQL401\n| take 10\n```\n\n\
## Use instead\nRemove the comment. `--fix` removes a suppression comment when none of its codes \
is used.\n",
        category: Category::Meta,
        default_severity: Severity::Warning,
        fixable: true,
    },
    RuleMeta {
        code: "SPL001",
        slug: "syntax-error",
        summary: "The SPL search does not parse.",
        docs: "## What it does\nReports SPL text that the parser cannot read: unbalanced quotes, \
brackets or backticks, a command with a missing argument, an empty pipe segment.\n\n## Why is \
this bad?\nSplunk rejects the search, so the detection never fires.\n\n## Example\n```spl\n\
index=main | stats count by\n```\n\n## Use instead\n```spl\nindex=main | stats count by host\n```\n",
        category: Category::Syntax,
        default_severity: Severity::Error,
        fixable: false,
    },
];

#[cfg(test)]
mod tests {
    #[test]
    fn registry_is_sorted_and_unique() {
        let codes: Vec<_> = super::all().iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}
