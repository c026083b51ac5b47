//! KQL203 `unknown-function`: a call to a function that is neither built in nor defined.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::{Context, RuleMeta, did_you_mean_fix};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL203",
    slug: "unknown-function",
    summary: "A call to a function that is not built in and not defined by the query",
    docs: DOCS,
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL203`.
pub const DOCS: &str = r#"## What it does
Reports a call `name(...)` where `name` is not a Kusto scalar, aggregation or plugin
function and not a function defined with `let` in the query, suggesting the closest built-in
name. Calls that look like workspace functions (ASIM parsers such as `imProcessCreate`,
`_GetWatchlist`, names with `_CL`) are not reported: qlint cannot see them.

## Why is this bad?
Kusto rejects the query. Typical slips are `tolwer()` for `tolower()` or `strcat_arrays()` for `strcat_array()`.

## Example
```kql
DeviceProcessEvents
| extend Name = tolwer(FileName)
```

## Use instead
```kql
DeviceProcessEvents
| extend Name = tolower(FileName)
```

## References
- https://learn.microsoft.com/kusto/query/scalar-functions
"#;

/// Reports the functions that did not resolve.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kql) = cx.analysis.kql() else { return };
    for name in &kql.unknown_functions {
        let message = match &name.suggestion {
            Some(s) => format!("unknown function `{}`; did you mean `{s}`?", name.name),
            None => format!("unknown function `{}`", name.name),
        };
        let mut diagnostic = META.diagnostic(name.span, message);
        if let Some(s) = &name.suggestion
            && let Some(fix) = did_you_mean_fix(cx.text, &[name.span], &name.name, s)
        {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use qlint_knowledge::Knowledge;

    use crate::{Language, lint_query};

    /// The generated list of Kusto.Language's built-in functions (`F kind name signature`).
    const BUILTINS: &str = include_str!("../../../../../corpus/catalog/kql_functions.tsv");

    fn builtin_names(list: &str) -> Vec<&str> {
        let mut names: Vec<&str> = list
            .lines()
            .filter_map(|line| line.strip_prefix("F\t"))
            .filter_map(|rest| rest.split('\t').nth(1))
            .collect();
        names.dedup();
        names
    }

    #[test]
    fn every_kusto_builtin_is_known() {
        let knowledge = Knowledge::builtin();
        let names = builtin_names(BUILTINS);
        assert!(names.len() > 500, "{} names", names.len());
        let mut unknown = Vec::new();
        for name in names {
            if knowledge.kql_function(name).is_none() {
                unknown.push(name);
                continue;
            }
            // A close built-in name must not make the linter take it for a typo.
            let query = format!("print x = {name}()");
            let diagnostics = lint_query(Language::Kql, &query, &knowledge);
            if diagnostics.iter().any(|d| d.code == "KQL203") {
                unknown.push(name);
            }
        }
        assert!(unknown.is_empty(), "not known to qlint: {unknown:?}");
    }

    #[test]
    fn functions_the_issue_named_are_known() {
        let knowledge = Knowledge::builtin();
        for name in ["replace_strings", "ipv6_is_in_any_range", "parse_ipv6_mask"] {
            let f = knowledge.kql_function(name).unwrap_or_else(|| panic!("{name}"));
            assert!(!f.signatures.is_empty(), "{name} has no signature");
        }
        // Arity comes from Kusto's signatures.
        let diagnostics = lint_query(
            Language::Kql,
            "print x = replace_strings(\"a\", dynamic([\"a\"]))",
            &knowledge,
        );
        assert!(diagnostics.iter().any(|d| d.code == "KQL102"), "{diagnostics:?}");
    }

    /// The oracle copy with its `node_modules` (see tests/oracle/README.md), from
    /// `KUSTO_ORACLE`.
    fn oracle_dir() -> Option<PathBuf> {
        let dir = PathBuf::from(std::env::var_os("KUSTO_ORACLE")?);
        dir.join("node_modules/@kusto/language-service-next").is_dir().then_some(dir)
    }

    /// The checked-in list is what the script prints from the pinned oracle today.
    #[test]
    fn checked_in_list_matches_the_oracle() {
        let Some(oracle) = oracle_dir() else {
            eprintln!("SKIPPED: set KUSTO_ORACLE to an oracle copy after `npm ci`");
            return;
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let output = std::process::Command::new("node")
            .arg(root.join("corpus/scripts/gen_kql_functions.js"))
            .arg(&oracle)
            .output();
        let Ok(output) = output else {
            eprintln!("SKIPPED: node is not installed");
            return;
        };
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let fresh = String::from_utf8(output.stdout).expect("utf-8");
        assert_eq!(
            builtin_names(&fresh),
            builtin_names(BUILTINS),
            "rerun corpus/scripts/gen_kql_functions.js"
        );
        assert_eq!(fresh, BUILTINS, "rerun corpus/scripts/gen_kql_functions.js");
    }
}
