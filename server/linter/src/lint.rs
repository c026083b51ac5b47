//! The one entry point the CLI and the language server share.

use qlint_grammar::{kql, spl, yaral};

use qlint_knowledge::Knowledge;

use crate::analysis::{self, Analysis};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::query::{Language, QueryFacts};
use crate::rules;
use crate::stack::with_stack_for;

/// Lints one query text that has no container facts; spans in the result are byte offsets
/// into `text`.
pub fn lint_query(language: Language, text: &str, knowledge: &Knowledge) -> Vec<Diagnostic> {
    lint_query_with(language, text, knowledge, &QueryFacts::default())
}

/// Lints one query text with what its container says about it (see [`QueryFacts`]).
pub fn lint_query_with(
    language: Language,
    text: &str,
    knowledge: &Knowledge,
    facts: &QueryFacts,
) -> Vec<Diagnostic> {
    with_stack_for(text, || lint_on_this_stack(language, text, knowledge, facts))
}

/// The syntax errors of one query only (`KQL001`, `SPL001`, `YL001`), without analysis or
/// rules: what `lint_query` reports under those codes, for runs that select nothing else.
/// `None` for Sigma, whose syntax findings come from reading the YAML document.
pub fn syntax_errors(language: Language, text: &str) -> Option<Vec<Diagnostic>> {
    let (code, errors) = with_stack_for(text, || match language {
        Language::Kql => Some(("KQL001", kql::syntax_errors(text))),
        Language::Spl => Some(("SPL001", spl::parse(text).errors)),
        Language::Yaral => Some(("YL001", yaral::parse(text).errors)),
        Language::Sigma => None,
    })?;
    let mut diagnostics: Vec<Diagnostic> = errors
        .into_iter()
        .map(|error| {
            let span = error.span.widen_empty(text);
            Diagnostic::new(code, Category::Syntax, Severity::Error, span, error.message)
        })
        .collect();
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    Some(diagnostics)
}

fn lint_on_this_stack(
    language: Language,
    text: &str,
    knowledge: &Knowledge,
    facts: &QueryFacts,
) -> Vec<Diagnostic> {
    match language {
        Language::Kql => {
            let parse = kql::parse(text);
            let analysis = analysis::kql::analyze_for_rules(
                &parse.tree,
                text,
                knowledge,
                facts.parameters.as_deref(),
            );
            let cx = rules::Context {
                text,
                knowledge,
                analysis: &Analysis::Kql(analysis),
                facts,
                syntax: rules::Syntax::Kql(&parse.tree),
            };
            diagnose(&cx, "KQL001", parse.errors)
        }
        Language::Spl => {
            let parse = spl::parse(text);
            let analysis = analysis::spl::analyze_tree(&parse.tree, text, knowledge);
            let cx = rules::Context {
                text,
                knowledge,
                analysis: &Analysis::Spl(analysis),
                facts,
                syntax: rules::Syntax::Spl(&parse.tree),
            };
            diagnose(&cx, "SPL001", parse.errors)
        }
        Language::Yaral => {
            let parse = yaral::parse(text);
            let cx = rules::Context {
                text,
                knowledge,
                analysis: &Analysis::Yaral(analysis::yaral::YaralAnalysis::new(parse.tree)),
                facts,
                syntax: rules::Syntax::Yaral,
            };
            diagnose(&cx, "YL001", parse.errors)
        }
        Language::Sigma => {
            let cx = rules::Context {
                text,
                knowledge,
                analysis: &Analysis::Sigma(Box::new(analysis::sigma::analyze(text))),
                facts,
                syntax: rules::Syntax::Sigma,
            };
            diagnose(&cx, "SIG001", Vec::new())
        }
    }
}

/// The syntax errors, then the findings of the rules, sorted.
fn diagnose(
    cx: &rules::Context<'_>,
    code: &'static str,
    errors: Vec<qlint_grammar::SyntaxError>,
) -> Vec<Diagnostic> {
    let text = cx.text;
    let mut diagnostics = Vec::new();
    let broken = !errors.is_empty();
    for error in errors {
        diagnostics.push(Diagnostic::new(
            code,
            Category::Syntax,
            Severity::Error,
            error.span.widen_empty(text),
            error.message,
        ));
    }
    for mut diagnostic in rules::run(cx) {
        // Names in a partial tree are unreliable: fix the syntax first.
        if broken && matches!(diagnostic.category, Category::Schema | Category::Correctness) {
            continue;
        }
        diagnostic.span = diagnostic.span.widen_empty(text);
        diagnostics.push(diagnostic);
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    diagnostics
}

#[cfg(test)]
mod tests {
    use qlint_grammar::kql;

    use qlint_knowledge::ScalarType;

    use super::*;
    use crate::analysis::kql::{Schema, SymbolKind, analyze_tree_with};
    use crate::query::{Parameter, ParameterType, TimeWindow};

    fn codes(found: &[Diagnostic]) -> Vec<&'static str> {
        found.iter().map(|d| d.code).collect()
    }

    #[test]
    fn syntax_errors_are_the_syntax_findings_of_a_full_lint() {
        let knowledge = Knowledge::builtin();
        for (language, text) in [
            (Language::Kql, "SecurityEvent\n| where EventID == \n| project"),
            (Language::Spl, "index=main | stats count by"),
            (Language::Yaral, "rule r {\n events:\n $e.metadata = \n condition:\n}"),
            (Language::Kql, "SecurityEvent | take 1"),
        ] {
            let full: Vec<_> = lint_query(language, text, &knowledge)
                .into_iter()
                .filter(|d| d.category == Category::Syntax)
                .collect();
            assert_eq!(syntax_errors(language, text).unwrap(), full, "{text}");
        }
        assert!(syntax_errors(Language::Sigma, "title: x").is_none());
    }

    #[test]
    fn a_window_from_the_container_silences_kql404() {
        let knowledge = Knowledge::builtin();
        let text = "SigninLogs\n| where ResultType != \"0\"\n";
        assert_eq!(codes(&lint_query(Language::Kql, text, &knowledge)), ["KQL404"]);
        for window in [
            TimeWindow::Lookback { setting: "queryPeriod", value: "14d".into() },
            TimeWindow::NearRealTime,
        ] {
            let facts = QueryFacts { time_window: Some(window), ..QueryFacts::default() };
            assert!(lint_query_with(Language::Kql, text, &knowledge, &facts).is_empty());
        }
    }

    #[test]
    fn declared_parameters_resolve_with_their_types() {
        let knowledge = Knowledge::builtin();
        let text = "Syslog\n| where TimeGenerated >= starttime\n| extend Since = starttime, Hosts = hostnames\n";
        let parameters = [
            Parameter::new("starttime", ParameterType::Scalar(Some(ScalarType::Datetime))),
            Parameter::new("hostnames", ParameterType::Scalar(None)),
        ];
        let parse = kql::parse(text);
        let analysis = analyze_tree_with(&parse.tree, text, &knowledge, Some(&parameters));
        assert!(analysis.unknown_columns.is_empty(), "{:?}", analysis.unknown_columns);
        let use_at = text.rfind("starttime").unwrap() as u32;
        let symbol = analysis.symbols.iter().find(|s| s.span.start == use_at).unwrap();
        assert_eq!(symbol.kind, SymbolKind::Parameter { ty: Some(ScalarType::Datetime) });
        // The type flows into the columns computed from the parameter.
        let last = analysis.scopes.iter().rfind(|s| s.after).unwrap();
        let Schema::Known(columns) = &last.schema else { panic!("{:?}", last.schema) };
        let since = columns.iter().find(|c| c.name == "Since").unwrap();
        assert_eq!(since.ty, Some(ScalarType::Datetime));
        // Declared parameters replace the guess: an undeclared lowercase name is reported
        // (KQL202 for the near miss of `HostName`, KQL204 for the name no column resembles).
        let declared_none = QueryFacts { parameters: Some(Vec::new()), ..QueryFacts::default() };
        let found = lint_query_with(Language::Kql, text, &knowledge, &declared_none);
        assert_eq!(codes(&found), ["KQL204", "KQL202"], "{found:?}");
        // Without facts the lowercase names are taken for parameters of a stored function.
        assert!(lint_query(Language::Kql, text, &knowledge).iter().all(|d| d.code != "KQL202"));
    }

    #[test]
    fn a_tabular_parameter_is_a_table_of_unknown_columns() {
        let knowledge = Knowledge::builtin();
        // Without the declaration the name is taken for a misspelt `SecurityEvent`.
        let text = "SecurityEvents\n| extend Resolved = strcat(field, Anything)\n";
        let facts = QueryFacts {
            time_window: None,
            parameters: Some(vec![
                Parameter::new("SecurityEvents", ParameterType::Tabular),
                Parameter::new("field", ParameterType::Scalar(Some(ScalarType::String))),
            ]),
            ..QueryFacts::default()
        };
        assert_eq!(lint_query_with(Language::Kql, text, &knowledge, &facts), []);
        assert_eq!(codes(&lint_query(Language::Kql, text, &knowledge)), ["KQL201"]);
    }
}
