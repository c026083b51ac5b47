//! What qlint reports: diagnostics with a code, a span and maybe a fix.

use qlint_grammar::Span;
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run on its own.
    Info,
    /// Probably wrong or weak.
    Warning,
    /// Broken: the query will not run, or will not do what it says.
    Error,
}

/// The family a diagnostic belongs to; it follows the code ranges (0xx syntax, 1xx
/// correctness, 2xx schema, 3xx performance, 4xx detection logic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The text does not parse (`KQL001`, `SPL001`) or a file cannot be read (`IO001`).
    Syntax,
    /// The query parses but is wrong (types, arity, regexes, macros).
    Correctness,
    /// Names that the schema does not know: tables, columns, data models.
    Schema,
    /// Slower than it needs to be.
    Performance,
    /// The detection logic is weak or can be bypassed.
    Detection,
    /// qlint itself: unused suppressions, unreadable files.
    Meta,
}

/// Whether a fix may be applied without a human looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the meaning the author intended; applied by `--fix`.
    Safe,
    /// Changes behaviour; offered in the editor only.
    Unsafe,
}

/// One text replacement, in the same coordinates as the diagnostic's span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The bytes to replace.
    #[serde(skip)]
    pub span: Span,
    /// What to put there.
    pub replacement: String,
}

/// A fix a rule offers for its diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// Imperative title, e.g. "Replace `!=` with `!~`".
    pub title: String,
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// Non-overlapping edits.
    pub edits: Vec<Edit>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Rule code, e.g. `KQL001`.
    pub code: &'static str,
    /// Family of the rule.
    pub category: Category,
    /// Severity after configuration.
    pub severity: Severity,
    /// One sentence naming the offending token in backticks.
    pub message: String,
    /// Byte range: into the query while rules run, into the file once mapped.
    pub span: Span,
    /// An optional fix.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with no fix.
    pub fn new(
        code: &'static str,
        category: Category,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self { code, category, severity, message: message.into(), span, fix: None }
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}
