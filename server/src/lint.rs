//! The one entry point the CLI and the language server share.

use qlint_grammar::{kql, spl};

use crate::analysis::{self, Analysis};
use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::knowledge::Knowledge;
use crate::rules;

/// The query language of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Kusto Query Language.
    Kql,
    /// Splunk Search Processing Language.
    Spl,
}

/// Lints one query text; spans in the result are byte offsets into `text`.
pub fn lint_query(language: Language, text: &str, knowledge: &Knowledge) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let (code, errors, analysis) = match language {
        Language::Kql => {
            let parse = kql::parse(text);
            let analysis = analysis::kql::analyze_tree(&parse.tree, text, knowledge);
            ("KQL001", parse.errors, Analysis::Kql(analysis))
        }
        Language::Spl => {
            let parse = spl::parse(text);
            let analysis = analysis::spl::analyze_tree(&parse.tree, text, knowledge);
            ("SPL001", parse.errors, Analysis::Spl(analysis))
        }
    };
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
    let cx = rules::Context { text, knowledge, analysis: &analysis };
    for mut diagnostic in rules::run(&cx) {
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
