//! YL401 `case-sensitive-exclusion`: an exclusion on a Windows file path, file name or
//! registry key without `nocase`.

use qlint_grammar::Span;
use qlint_grammar::yaral::ast::{BinaryOp, Expr, FieldPath, Segment, UnaryOp};

use crate::diagnostic::{Applicability, Category, Diagnostic, Edit, Fix, Severity};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "YL401",
    slug: "case-sensitive-exclusion",
    summary: "A case-sensitive exclusion on a Windows path, file name or registry key",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Warning,
    fixable: true,
    default_enabled: true,
};

/// `qlint rule YL401`.
pub const DOCS: &str = r#"## What it does
Finds exclusions — `field != "value"`, `not field = "value"`, `field != /regex/` — without
`nocase` on a value that Windows treats without regard to case: a registry key, or a file
path or file name (`full_path`, `names`) whose value is a Windows path (a drive letter or a
backslash) or ends in a Windows extension (`.exe`, `.dll`, ...). Unix paths are left alone:
they are case-sensitive.

## Why is this bad?
In YARA-L `=` and `!=` compare case-sensitively unless the comparison ends with `nocase`.
`C:\Windows\System32\svchost.exe` and `C:\WINDOWS\system32\svchost.exe` are the same file,
but the exclusion removes only the spelling you wrote, so the others come back as alerts.

The fix appends `nocase`. It is marked safe: it keeps what the author meant (exclude this
file) and only widens the exclusion to the other spellings of the same name.

## Example
```yaral
rule rare_child {
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
    $e.target.process.file.full_path != "C:\\Windows\\System32\\conhost.exe"
  condition:
    $e
}
```

## Use instead
```yaral
rule rare_child {
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
    $e.target.process.file.full_path != "C:\\Windows\\System32\\conhost.exe" nocase
  condition:
    $e
}
```

## References
- https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-syntax
"#;

const EXTENSIONS: &[&str] =
    &[".exe", ".dll", ".sys", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".msi", ".scr", ".hta"];

/// Whether `value` of the field ending in `field` is case-insensitive on Windows.
fn windows_value(field: &str, value: &str) -> bool {
    if !value.chars().any(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    match field {
        "registry_key" => true,
        "full_path" | "names" => {
            let lower = value.to_ascii_lowercase();
            let drive =
                lower.as_bytes().get(1) == Some(&b':') && lower.as_bytes()[0].is_ascii_alphabetic();
            drive || lower.contains('\\') || EXTENSIONS.iter().any(|x| lower.ends_with(x))
        }
        _ => false,
    }
}

fn last_field(path: &FieldPath) -> Option<&str> {
    path.segments.iter().rev().find_map(|s| match s {
        Segment::Field(i) => Some(i.text.as_str()),
        Segment::Index { .. } => None,
    })
}

/// A comparison `field op literal` whose literal is a case-insensitive Windows value.
fn windows_comparison(lhs: &Expr, rhs: &Expr) -> Option<String> {
    let (Expr::Field(path), Expr::String(l) | Expr::Regex(l)) = (lhs, rhs) else { return None };
    let field = last_field(path)?;
    windows_value(field, &l.value).then(|| path.dotted())
}

/// Walks `e`, collecting exclusions not under `nocase`: (operator span, comparison end, field).
fn exclusions(e: &Expr, negated: bool, out: &mut Vec<(Span, u32, String)>) {
    match e {
        Expr::Nocase { .. } => {}
        Expr::Unary { op: UnaryOp::Not, operand, .. } => exclusions(operand, !negated, out),
        Expr::Paren { inner, .. } => exclusions(inner, negated, out),
        Expr::Binary { op: BinaryOp::And | BinaryOp::Or, lhs, rhs, .. } => {
            exclusions(lhs, negated, out);
            exclusions(rhs, negated, out);
        }
        Expr::Binary { op, op_span, lhs, rhs, span } => {
            let excludes = (*op == BinaryOp::Ne && !negated) || (*op == BinaryOp::Eq && negated);
            if excludes && let Some(field) = windows_comparison(lhs, rhs) {
                out.push((*op_span, span.end, field));
            }
        }
        _ => {}
    }
}

/// Reports case-sensitive exclusions of Windows values.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(yl) = cx.analysis.yaral() else { return };
    for rule in &yl.tree.rules {
        for (_, top) in crate::analysis::yaral::top_level(rule) {
            let mut found = Vec::new();
            exclusions(top, false, &mut found);
            for (op_span, end, field) in found {
                let op = op_span.text(cx.text);
                out.push(
                    META.diagnostic(
                        op_span,
                        format!(
                            "`{op}` on `{field}` is case-sensitive, but Windows paths and names \
                             are not: other spellings are not excluded"
                        ),
                    )
                    .with_fix(Fix {
                        title: "Append `nocase`".into(),
                        applicability: Applicability::Safe,
                        edits: vec![Edit { span: Span::empty(end), replacement: " nocase".into() }],
                    }),
                );
            }
        }
    }
}
