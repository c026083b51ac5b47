//! SPL105 `literal-asterisk-in-eval`: a `*` in a string compared in `where` / `eval`, where it
//! is a literal asterisk and not a wildcard.

use crate::analysis::logic::FilterOrigin;
use crate::analysis::spl::{AsteriskComparison, LiteralAsterisk, SplAnalysis};
use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::spl::check_with_macro_bodies;
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "SPL105",
    slug: "literal-asterisk-in-eval",
    summary: "A `*` in a `where` / `eval` comparison is a literal asterisk, not a wildcard",
    docs: DOCS,
    category: Category::Correctness,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule SPL105`.
pub const DOCS: &str = r#"## What it does
Finds string literals holding `*` that are compared in an eval expression — in `| where`, in
an `eval` condition such as `if()` or `case()`, in a stats `count(eval(...))` — with `=`,
`==`, `!=`, `IN`, `in()`, or as a `like()` pattern that uses no `%`. Only the search command
(the base search, `| search`, `tstats ... where`) treats `*` as a wildcard; regexes in
`match()` / `replace()` and `searchmatch()` strings are not looked at. Left alone, because
the data holds the asterisk itself: only asterisks (a cloud policy's `"Action": "*"`, a
masked value), an IAM service wildcard such as `"s3:*"`, an LDAP presence filter
(`(servicePrincipalName=*)`), and a share name as Windows events 5140 / 5145 log it
(`"\\\\*\\IPC$"` is the string `\\*\IPC$`).

The same comparisons inside a macro that the search calls are checked too, when a loaded
`macros.conf` or `macros/*.yml` defines it (arguments substituted, nested macros expanded,
ESCU `*_filter` macros skipped). Such a finding is reported on the call as "in macro
`name`: ..." and has no fix here: the edit belongs in the macro's definition, where
`qlint check` on the macros file reports it with its fix.

## Why is this bad?
Eval expressions compare strings exactly, and their only pattern matching is `like()`, where
`%` stands for any run of characters and `_` for one character. So
`| where process_name="*.exe"` keeps only events whose process name is the four characters
`*.exe`: the detection never fires, and an exclusion such as `x!="*\\Temp\\*"` excludes
nothing. Nothing warns about it: the search runs and finds no match.

The fix rewrites `x="*.exe"` as `like(x, "%.exe")` and `x!="*.exe"` as `NOT like(x, "%.exe")`,
and a `like()` pattern's `*` as `%`. It is safe (applied by `--fix`) only in a `| where` test
that includes events, where matching at last widens the rule; on an exclusion, under `NOT`
or in an `eval` it would make the rule match less, so it is offered in the editor only. It
also needs a literal with no `%` or `_` (which
`like()` would read as wildcards; then no fix is offered) and no backslash: the Splunk docs do
not say whether `like()` reads `\` as an escape, so a Windows path gets the same rewrite as an
unsafe fix (editor only) to check by hand. `IN` lists get no fix: split them into `like()`
tests, or move the filter into the search command, where `*` is a wildcard.

## Example
```spl
index=edr sourcetype=process_start earliest=-24h
| where process_name="*.exe" AND parent_process_name!="*explorer*"
```

## Use instead
```spl
index=edr sourcetype=process_start earliest=-24h
| where like(process_name, "%.exe") AND NOT like(parent_process_name, "%explorer%")
```

## References
- https://help.splunk.com/splunk-enterprise/search/search-manual/9.3/search-primer/wildcards
- https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/where
- https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/evaluation-functions/comparison-and-conditional-functions
"#;

/// Reports literal asterisks in eval comparisons.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(spl) = cx.analysis.spl() else { return };
    check_with_macro_bodies(spl, cx.text, out, check_analysis);
}

fn check_analysis(spl: &SplAnalysis, text: &str, out: &mut Vec<Diagnostic>) {
    for found in spl.literal_asterisks.iter().filter(|f| !means_an_asterisk(&f.literal.value)) {
        let compared = match found.comparison {
            AsteriskComparison::Like => "used as a `like()` pattern".to_owned(),
            _ => format!("compared with `{}`", found.subject.text(text)),
        };
        let diagnostic = META.diagnostic(
            found.literal.span,
            format!(
                "`*` in `{}` is a literal asterisk when {compared} in an eval expression; \
                 `like()` takes `%` as its wildcard",
                found.literal.value
            ),
        );
        out.push(match like_fix(found, text) {
            Some(mut fix) => {
                // A `like()` that starts to match widens an including `where` test but would
                // narrow an exclusion or an eval flag used who knows how: review those.
                if !in_including_where(spl, found.literal.span) {
                    fix.applicability = Applicability::Unsafe;
                }
                diagnostic.with_fix(fix)
            }
            None => diagnostic,
        });
    }
}

/// True when the literal at `span` is tested by a `| where` comparison that includes events.
fn in_including_where(spl: &SplAnalysis, span: qlint_grammar::Span) -> bool {
    let mut found = false;
    for filter in spl.logic.filters.iter().filter(|f| f.origin == FilterOrigin::SplWhere) {
        filter.condition.for_each_comparison(true, &mut |c, positive| {
            if c.op.negated != positive && c.values.iter().any(|v| v.span == span) {
                found = true;
            }
        });
    }
    found
}

/// Values in which `*` is likely the data itself: only asterisks (an IAM or role policy that
/// grants every action or resource is logged as `"Action": "*"`; parsers use `*` as "any";
/// masked secrets), a share name as Windows logs it in events 5140 / 5145 (`\\*\IPC$`: the
/// server part is a literal `*`), an LDAP presence filter (`(servicePrincipalName=*)`), and an
/// IAM service wildcard such as `s3:*` or `iam:*`, which policies hold literally.
fn means_an_asterisk(value: &str) -> bool {
    if value.chars().all(|c| c == '*') || value.starts_with("\\\\*\\") || value.contains("=*)") {
        return true;
    }
    value.strip_suffix(":*").is_some_and(|service| {
        !service.is_empty()
            && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// `x="*.exe"` -> `like(x, "%.exe")`, `x!=...` -> `NOT like(...)`, `like(x, "*.exe")` ->
/// `like(x, "%.exe")`. None for `IN` lists and for literals that hold `%` or `_`.
fn like_fix(found: &LiteralAsterisk, text: &str) -> Option<Fix> {
    let value = &found.literal.value;
    let raw = found.literal.span.text(text);
    if !(raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"')) {
        return None;
    }
    let pattern = raw.replace('*', "%");
    match found.comparison {
        AsteriskComparison::In => None,
        AsteriskComparison::Like => Some(Fix {
            title: "Write the wildcard as `%`".to_owned(),
            applicability: Applicability::Safe,
            edits: vec![Edit { span: found.literal.span, replacement: pattern }],
        }),
        AsteriskComparison::Equal { .. } if value.contains(['%', '_']) => None,
        AsteriskComparison::Equal { negated } => {
            let not = if negated { "NOT " } else { "" };
            let subject = found.subject.text(text);
            let applicability =
                if value.contains('\\') { Applicability::Unsafe } else { Applicability::Safe };
            Some(Fix {
                title: format!("Use `{not}like()` with `%` as the wildcard"),
                applicability,
                edits: vec![Edit {
                    span: found.span,
                    replacement: format!("{not}like({subject}, {pattern})"),
                }],
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Diagnostic};
    use qlint_knowledge::Knowledge;

    use crate::{Language, lint_query};

    fn spl105(text: &str) -> Vec<Diagnostic> {
        lint_query(Language::Spl, text, &Knowledge::builtin())
            .into_iter()
            .filter(|d| d.code == "SPL105")
            .collect()
    }

    /// The text with the finding's fix applied.
    fn fixed(text: &str, d: &Diagnostic) -> String {
        let mut out = text.to_owned();
        let mut edits = d.fix.as_ref().expect("a fix").edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for e in edits {
            out.replace_range(e.span.start as usize..e.span.end as usize, &e.replacement);
        }
        out
    }

    #[test]
    fn equality_becomes_like() {
        let text = r#"index=edr | where process_name="*.exe""#;
        let found = spl105(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].span.text(text), r#""*.exe""#);
        assert_eq!(found[0].fix.as_ref().unwrap().applicability, Applicability::Safe);
        assert_eq!(fixed(text, &found[0]), r#"index=edr | where like(process_name, "%.exe")"#);
    }

    #[test]
    fn inequality_becomes_not_like_and_literal_on_the_left_works() {
        let text = r#"index=edr | eval x=if("*svc*"!=lower(user), 1, 0)"#;
        let found = spl105(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            fixed(text, &found[0]),
            r#"index=edr | eval x=if(NOT like(lower(user), "%svc%"), 1, 0)"#
        );
    }

    #[test]
    fn backslashes_make_the_fix_unsafe_and_keep_their_escapes() {
        let text = r#"index=edr | where path=="C:\\Windows\\*""#;
        let found = spl105(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].fix.as_ref().unwrap().applicability, Applicability::Unsafe);
        assert_eq!(fixed(text, &found[0]), r#"index=edr | where like(path, "C:\\Windows\\%")"#);
    }

    #[test]
    fn like_wildcards_in_the_value_mean_no_fix() {
        let found = spl105(r#"index=edr | where file_name="*_backup*""#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fix.is_none());
        let found = spl105(r#"index=edr | where x IN ("a*", "b")"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn policy_wildcards_are_data() {
        assert!(spl105(r#"index=aws | where key_policy_action_1 = "*""#).is_empty());
        assert!(spl105(r#"index=aws | where action IN ("s3:*", "iam:*")"#).is_empty());
        let share = r#"index=wineventlog EventCode=5145 | where ShareName="\\\\*\\IPC$""#;
        assert!(spl105(share).is_empty());
        let ldap =
            r#"index=ad | where SearchFilter="(&(objectCategory=user)(servicePrincipalName=*))""#;
        assert!(spl105(ldap).is_empty());
        assert!(spl105(r#"index=app | where password!="********""#).is_empty());
        assert_eq!(spl105(r#"index=aws | where action="s3:Get*""#).len(), 1);
    }

    #[test]
    fn a_like_pattern_written_with_star_gets_percent() {
        let text = r#"index=edr | stats count(eval(like(process, "*-enc*"))) as n"#;
        let found = spl105(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            fixed(text, &found[0]),
            r#"index=edr | stats count(eval(like(process, "%-enc%"))) as n"#
        );
    }
}
