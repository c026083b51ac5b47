//! Codes about qlint itself rather than a query: unreadable files, malformed containers,
//! unused suppressions, internal errors. They are reported by the CLI, not by a check.

use crate::diagnostic::{Category, Severity};
use crate::rules::RuleMeta;

/// Registry entry.
pub const QL001_UNREADABLE_FILE: RuleMeta = RuleMeta {
    code: "QL001",
    slug: "unreadable-file",
    summary: "A file could not be read or is not valid UTF-8",
    docs: "## What it does\nReports a file that qlint was asked to check but could not read: \
missing permissions, a broken symlink, or bytes that are not UTF-8.\n\n## Why is this bad?\nThe \
queries in that file were not checked. The other files of the run are still linted, and the run \
exits with code 2.\n\n## Use instead\nSave rule files as UTF-8 and make them readable, or exclude \
them in `qlint.toml` (`exclude = [\"vendor/**\"]`).\n",
    category: Category::Meta,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// Registry entry.
pub const QL002_MALFORMED_CONTAINER: RuleMeta = RuleMeta {
    code: "QL002",
    slug: "malformed-container",
    summary: "A YAML or JSON rule file does not parse, so its queries cannot be found",
    docs: "## What it does\nReports a YAML file that is not well-formed (bad indentation, an \
unclosed bracket or quote), pointing at the place where the YAML parser stopped. A JSON file is \
reported the same way when it is meant as a Defender XDR custom detection (it names \
`queryCondition`) but is not well-formed JSON, e.g. cut short or with an unescaped line break \
in the query string; other JSON files are not read.\n\n## Why is \
this bad?\nSentinel and Splunk refuse to import the rule, and qlint cannot find the query inside \
it.\n\n## Example\n```yaml\nquery: |\n  SigninLogs\nseverity: [High\n```\n\n## Use instead\n```yaml\n\
query: |\n  SigninLogs\nseverity: High\n```\n",
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// Registry entry.
pub const QL003_UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    code: "QL003",
    slug: "unused-suppression",
    summary: "A `qlint: ignore` comment suppresses nothing",
    docs: "## What it does\nReports an inline suppression (`// qlint: ignore KQL401` in KQL, \
```` ```qlint: ignore SPL401``` ```` in SPL) that matched no diagnostic.\n\n## Why is this bad?\n\
Stale suppressions hide future findings on that line and mislead readers about what is wrong \
with the query.\n\n## Example\n```kql\nSecurityEvent // qlint: ignore KQL401\n| take 10\n```\n\n\
## Use instead\nRemove the comment. `--fix` removes a suppression comment when none of its codes \
is used.\n",
    category: Category::Meta,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// Registry entry.
pub const QL004_INTERNAL_ERROR: RuleMeta = RuleMeta {
    code: "QL004",
    slug: "internal-error",
    summary: "qlint itself failed on a query, which was therefore not checked",
    docs: "## What it does\nReports a query on which qlint hit a bug (a panic in the parser, the \
analysis or a rule). The finding sits on the query and quotes the internal error.\n\n## Why is \
this bad?\nThat query was not checked. The other queries of the file and the other files of the \
run are still checked, no fix is written into the file, and `qlint check` exits with code 2.\n\n\
## Use instead\nPlease report it with the query (or a smaller query that shows it). Until it is \
fixed, `exclude` the file in `qlint.toml` if it blocks a pipeline.\n",
    category: Category::Meta,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};
