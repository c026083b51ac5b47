//! Output formats of `qlint check`. Line and column numbers are 1-based; columns count
//! characters.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};

use qlint_files::check::FileReport;
use qlint_linter::{Diagnostic, Severity};
use serde::Serialize;

use super::Format;

/// One checked file with its text (absent when it could not be read).
pub struct Checked {
    pub report: FileReport,
    pub text: Option<String>,
}

/// Byte offsets to 1-based lines and character columns.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    fn position(&self, offset: u32) -> (usize, usize) {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let column = self.text[self.starts[line]..offset].chars().count();
        (line + 1, column + 1)
    }

    fn line_text(&self, line: usize) -> &'a str {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(self.text.len(), |&e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }
}

/// A diagnostic with its file position, as every format needs it.
struct Located<'a> {
    path: String,
    diagnostic: &'a Diagnostic,
    start: (usize, usize),
    end: (usize, usize),
    line_text: &'a str,
}

fn locate(checked: &[Checked]) -> Vec<Located<'_>> {
    let mut located = Vec::new();
    for file in checked {
        let index = file.text.as_deref().map(LineIndex::new);
        let path = display_path(&file.report.path);
        for diagnostic in &file.report.diagnostics {
            let (start, end, line_text) = match &index {
                Some(index) => {
                    let start = index.position(diagnostic.span.start);
                    let end = index.position(diagnostic.span.end);
                    (start, end, index.line_text(start.0))
                }
                None => ((1, 1), (1, 1), ""),
            };
            located.push(Located { path: path.clone(), diagnostic, start, end, line_text });
        }
    }
    located
}

fn display_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Writes the report in `format`.
pub fn write(out: &mut impl Write, format: Format, checked: &[Checked]) -> io::Result<()> {
    match format {
        Format::Human => human(out, checked),
        Format::Concise => concise(out, checked),
        Format::Json => json(out, checked),
        Format::Sarif => sarif(out, checked),
        Format::Github => github(out, checked),
        Format::Gitlab => gitlab(out, checked),
        Format::Junit => junit(out, checked),
    }
}

/// The one-line summary printed on stderr.
pub fn summary(checked: &[Checked]) -> String {
    let files = checked.len();
    let queries: usize = checked.iter().map(|c| c.report.queries).sum();
    let count = |severity| {
        checked
            .iter()
            .flat_map(|c| &c.report.diagnostics)
            .filter(|d| d.severity == severity)
            .count()
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "qlint: {} checked, {}: {}, {}, {}",
        plural(files, "file"),
        plural(queries, "query").replace("querys", "queries"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "info").replace("infos", "info"),
    )
}

fn colour_wanted() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && io::stdout().is_terminal()
}

fn human(out: &mut impl Write, checked: &[Checked]) -> io::Result<()> {
    use miette::{
        GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource,
    };
    let theme =
        if colour_wanted() { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    for file in checked {
        let path = display_path(&file.report.path);
        let Some(text) = &file.text else {
            for d in &file.report.diagnostics {
                writeln!(out, "{path}: {} {}", d.code, d.message)?;
            }
            continue;
        };
        let index = LineIndex::new(text);
        let shared: std::sync::Arc<str> = std::sync::Arc::from(text.as_str());
        for d in &file.report.diagnostics {
            let (line, column) = index.position(d.span.start);
            if too_wide_to_draw(&index, d) {
                // miette draws whole lines (and pads with `{:width$}`, which panics past
                // 65535 columns): for a long line, show a window around the finding instead.
                write_excerpt(out, &path, &index, d)?;
                continue;
            }
            let severity = match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            };
            let mut report = MietteDiagnostic::new(d.message.clone())
                .with_code(d.code)
                .with_severity(severity)
                .with_label(LabeledSpan::new_primary_with_span(
                    Some(d.code.to_owned()),
                    d.span.start as usize..d.span.end as usize,
                ));
            if let Some(fix) = &d.fix {
                report = report.with_help(fix.title.clone());
            }
            let source = NamedSource::new(path.clone(), shared.clone());
            let report = miette::Report::new(report).with_source_code(source);
            let mut rendered = String::new();
            if handler.render_report(&mut rendered, report.as_ref()).is_err() {
                rendered = format!("{path}:{line}:{column}: {} {}\n", d.code, d.message);
            }
            write!(out, "{rendered}")?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Lines longer than this (in characters) are shown as a window around the finding.
const MAX_DRAWN_LINE: usize = 200;
/// Characters of the line shown before and after the start of a finding in a window.
const EXCERPT_CONTEXT: usize = 60;

/// True when a line the snippet of `d` would draw (its lines and one line of context each
/// side) is longer than [`MAX_DRAWN_LINE`] characters.
fn too_wide_to_draw(index: &LineIndex<'_>, d: &Diagnostic) -> bool {
    let (first, _) = index.position(d.span.start);
    let (last, _) = index.position(d.span.end);
    let lines = first.saturating_sub(1).max(1)..=(last + 1).min(index.starts.len());
    lines
        .map(|line| index.line_text(line))
        .any(|text| text.len() > MAX_DRAWN_LINE && text.chars().count() > MAX_DRAWN_LINE)
}

/// A finding on a long line: its location and message, then the part of the line around it
/// with the finding underlined (`…` where the line is cut).
///
/// ```text
/// rule.yaml:4:320: KQL104 `ago` takes `timespan` here but the argument is `datetime`
///   │ …between (startofday(ago(starttime))..startofday(ago(endtime)))\n  | where…
///   │                          ^^^^^^^^^
/// ```
fn write_excerpt(
    out: &mut impl Write,
    path: &str,
    index: &LineIndex<'_>,
    d: &Diagnostic,
) -> io::Result<()> {
    let (line, column) = index.position(d.span.start);
    let (end_line, end_column) = index.position(d.span.end);
    writeln!(out, "{path}:{line}:{column}: {} {}", d.code, d.message)?;
    let chars: Vec<char> = index.line_text(line).chars().collect();
    let start = column - 1;
    let end = if end_line == line { (end_column - 1).max(start + 1) } else { chars.len() };
    let from = start.saturating_sub(EXCERPT_CONTEXT);
    let to = (start + EXCERPT_CONTEXT).min(chars.len()).max(from);
    let shown = |c: &char| if c.is_control() { ' ' } else { *c };
    let mut window: String = chars[from..to].iter().map(shown).collect();
    let mut pad = start - from;
    if from > 0 {
        window.insert(0, '…');
        pad += 1;
    }
    if to < chars.len() {
        window.push('…');
    }
    let carets = end.min(to).saturating_sub(start).max(1);
    writeln!(out, "  │ {window}")?;
    writeln!(out, "  │ {}{}", " ".repeat(pad), "^".repeat(carets))?;
    if let Some(fix) = &d.fix {
        writeln!(out, "  help: {}", fix.title)?;
    }
    writeln!(out)
}

fn concise(out: &mut impl Write, checked: &[Checked]) -> io::Result<()> {
    for l in locate(checked) {
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            l.path,
            l.start.0,
            l.start.1,
            l.diagnostic.code,
            one_line(&l.diagnostic.message)
        )?;
    }
    Ok(())
}

/// `message` on one line (a message may quote query text that spans lines): each line break,
/// with the indentation after it, becomes one space.
fn one_line(message: &str) -> std::borrow::Cow<'_, str> {
    if !message.contains(['\n', '\r']) {
        return message.into();
    }
    let mut lines = message.lines().map(str::trim_start);
    let mut joined = lines.next().unwrap_or("").to_owned();
    for line in lines {
        joined.push(' ');
        joined.push_str(line);
    }
    joined.into()
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'a str,
    category: qlint_linter::Category,
    severity: Severity,
    message: &'a str,
    start: JsonPosition,
    end: JsonPosition,
}

fn json(out: &mut impl Write, checked: &[Checked]) -> io::Result<()> {
    let located = locate(checked);
    let diagnostics: Vec<JsonDiagnostic> = located
        .iter()
        .map(|l| JsonDiagnostic {
            path: &l.path,
            code: l.diagnostic.code,
            category: l.diagnostic.category,
            severity: l.diagnostic.severity,
            message: &l.diagnostic.message,
            start: JsonPosition { line: l.start.0, column: l.start.1 },
            end: JsonPosition { line: l.end.0, column: l.end.1 },
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "diagnostics": diagnostics }))?;
    writeln!(out)
}

fn sarif(out: &mut impl Write, checked: &[Checked]) -> io::Result<()> {
    use serde_sarif::sarif::{
        ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
        ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
        Sarif, Tool, ToolComponent,
    };
    let located = locate(checked);
    let mut codes: Vec<&str> = qlint_linter::rules::all().iter().map(|r| r.code).collect();
    for l in &located {
        if !codes.contains(&l.diagnostic.code) {
            codes.push(l.diagnostic.code);
        }
    }
    codes.sort_unstable();
    let rules: Vec<ReportingDescriptor> = codes
        .iter()
        .map(|code| {
            let meta = qlint_linter::rules::find(code);
            let summary = meta.map_or("", |m| m.summary);
            let mut rule = ReportingDescriptor::builder()
                .id(code.to_string())
                .short_description(
                    MultiformatMessageString::builder().text(summary.to_owned()).build(),
                )
                .build();
            if let Some(meta) = meta {
                rule.name = Some(meta.slug.to_owned());
                rule.help = Some(
                    MultiformatMessageString::builder()
                        .text(meta.summary.to_owned())
                        .markdown(meta.docs.to_owned())
                        .build(),
                );
                rule.default_configuration = Some(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(sarif_level_name(meta.default_severity)))
                        .build(),
                );
            }
            rule
        })
        .collect();
    let results: Vec<SarifResult> = located
        .iter()
        .map(|l| {
            let level = match l.diagnostic.severity {
                Severity::Error => ResultLevel::Error,
                Severity::Warning => ResultLevel::Warning,
                Severity::Info => ResultLevel::Note,
            };
            let region = Region::builder()
                .start_line(l.start.0 as i64)
                .start_column(l.start.1 as i64)
                .end_line(l.end.0 as i64)
                .end_column(l.end.1 as i64)
                .build();
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(ArtifactLocation::builder().uri(l.path.clone()).build())
                        .region(region)
                        .build(),
                )
                .build();
            let mut result = SarifResult::builder()
                .message(Message::builder().text(l.diagnostic.message.clone()).build())
                .rule_id(l.diagnostic.code.to_owned())
                .level(level)
                .locations(vec![location])
                .build();
            result.rule_index =
                codes.iter().position(|c| *c == l.diagnostic.code).map(|i| i as i64);
            result
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("qlint".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .information_uri("https://github.com/qlint/qlint".to_owned())
        .rules(rules)
        .build();
    let mut run =
        Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
    run.column_kind = Some(serde_json::json!("unicodeCodePoints"));
    let log = Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json".to_owned())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn sarif_level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn escape_github_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_github_property(text: &str) -> String {
    escape_github_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn github(out: &mut impl Write, checked: &[Checked]) -> io::Result<()> {
    for l in locate(checked) {
        let command = match l.diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_github_property(&l.path),
            l.start.0,
            l.start.1,
            l.end.0,
            l.end.1,
            escape_github_property(l.diagnostic.code),
            escape_github_data(&format!("{} {}", l.diagnostic.code, l.diagnostic.message)),
        )?;
    }
    Ok(())
}

/// FNV-1a: a stable hash for fingerprints (the std hasher may change between releases).
fn fnv1a(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn gitlab(out: &mut impl Write, checked: &[Checked]) -> io::Result<()> {
    let located = locate(checked);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let issues: Vec<serde_json::Value> = located
        .iter()
        .map(|l| {
            // Path, code, message and the trimmed source line: stable when lines move.
            let base =
                fnv1a(&[&l.path, l.diagnostic.code, &l.diagnostic.message, l.line_text.trim()]);
            let occurrence = seen.entry(base.clone()).or_insert(0);
            *occurrence += 1;
            let fingerprint = fnv1a(&[&base, &occurrence.to_string()]);
            let severity = match l.diagnostic.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            };
            serde_json::json!({
                "type": "issue",
                "check_name": l.diagnostic.code,
                "description": format!("{}: {}", l.diagnostic.code, l.diagnostic.message),
                "severity": severity,
                "fingerprint": fingerprint,
                "location": {
                    "path": l.path,
                    "positions": {
                        "begin": { "line": l.start.0, "column": l.start.1 },
                        "end": { "line": l.end.0, "column": l.end.1 }
                    }
                }
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => escaped.push(c),
        }
    }
    escaped
}

fn junit(out: &mut impl Write, checked: &[Checked]) -> io::Result<()> {
    let located = locate(checked);
    let failures = located.len();
    let tests: usize = checked.iter().map(|c| c.report.diagnostics.len().max(1)).sum();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<testsuites name=\"qlint\" tests=\"{tests}\" failures=\"{failures}\">")?;
    let mut at = 0;
    for file in checked {
        let path = xml_escape(&display_path(&file.report.path));
        let count = file.report.diagnostics.len();
        writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{count}\">",
            count.max(1)
        )?;
        if count == 0 {
            writeln!(out, "    <testcase name=\"{path}\" classname=\"qlint\"/>")?;
        }
        for l in &located[at..at + count] {
            let d = l.diagnostic;
            writeln!(
                out,
                "    <testcase name=\"{}:{}:{} {}\" classname=\"{path}\">",
                path, l.start.0, l.start.1, d.code
            )?;
            writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {} {}</failure>",
                d.code,
                xml_escape(&d.message),
                path,
                l.start.0,
                l.start.1,
                d.code,
                xml_escape(&d.message)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        at += count;
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let index = LineIndex::new("ab\nçé|x\r\nz");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        // `|` comes after two 2-byte characters.
        assert_eq!(index.position(7), (2, 3));
        assert_eq!(index.line_text(2), "çé|x");
        assert_eq!(index.position(11), (3, 1));
    }

    #[test]
    fn concise_output_keeps_each_finding_on_one_line() {
        let d = Diagnostic::new(
            "KQL406",
            qlint_linter::Category::Detection,
            Severity::Warning,
            qlint_grammar::Span::new(0, 5),
            "`x ==\n    \"a\"` and `x == \"b\"` cannot both hold",
        );
        let mut out = Vec::new();
        concise(&mut out, &[checked("q.kql", "print x = 1\n".into(), d)]).expect("written");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "q.kql:1:1: KQL406 `x == \"a\"` and `x == \"b\"` cannot both hold\n"
        );
    }

    fn checked(path: &str, text: String, diagnostic: Diagnostic) -> Checked {
        let report = FileReport {
            path: path.into(),
            diagnostics: vec![diagnostic],
            queries: 1,
            has_syntax_errors: true,
            identities: Vec::new(),
        };
        Checked { report, text: Some(text) }
    }

    #[test]
    fn a_finding_far_along_a_huge_line_is_shown_in_a_window() {
        // A generated one-line query: the finding sits past column 65535.
        let text = format!("print x = 1{}\n", " + 1".repeat(30_000));
        let at = 80_008;
        let d = Diagnostic::new(
            "KQL001",
            qlint_linter::Category::Syntax,
            Severity::Error,
            qlint_grammar::Span::new(at, at + 1),
            "statement has more than 20000 operators: split it up",
        );
        let mut out = Vec::new();
        human(&mut out, &[checked("big.kql", text, d)]).expect("rendered");
        let out = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "big.kql:1:80009: KQL001 statement has more than 20000 operators: split it up"
        );
        assert_eq!(lines[1], format!("  │ …{}…", "+ 1 ".repeat(30)));
        assert_eq!(lines[2], format!("  │ {}^", " ".repeat(61)));
    }

    #[test]
    fn a_window_underlines_the_finding_and_keeps_the_fix() {
        let line = format!("{}where FileName != \"a.exe\"{}", "x".repeat(100), " ".repeat(150));
        let start = line.find("!=").expect("operator") as u32;
        let d = Diagnostic::new(
            "KQL401",
            qlint_linter::Category::Detection,
            Severity::Warning,
            qlint_grammar::Span::new(start, start + 2),
            "case-sensitive",
        )
        .with_fix(qlint_linter::Fix {
            title: "Replace `!=` with `!~`".into(),
            applicability: qlint_linter::Applicability::Safe,
            edits: Vec::new(),
        });
        let mut out = Vec::new();
        human(&mut out, &[checked("q.kql", line, d)]).expect("rendered");
        let out = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "q.kql:1:116: KQL401 case-sensitive");
        let window = lines[1].strip_prefix("  │ ").expect("window");
        let carets = lines[2].strip_prefix("  │ ").expect("carets");
        let at = carets.find('^').expect("caret");
        assert_eq!(carets.trim_start(), "^^");
        assert_eq!(window.chars().skip(at).take(2).collect::<String>(), "!=");
        assert_eq!(lines[3], "  help: Replace `!=` with `!~`");
    }

    #[test]
    fn a_finding_next_to_a_huge_line_is_shown_in_a_window_too() {
        let text = format!("print x = 1 +\n{}\n", "1 + ".repeat(1_000) + "1");
        let d = Diagnostic::new(
            "KQL001",
            qlint_linter::Category::Syntax,
            Severity::Error,
            qlint_grammar::Span::new(12, 13),
            "expected an expression",
        );
        let mut out = Vec::new();
        human(&mut out, &[checked("q.kql", text, d.clone())]).expect("rendered");
        let out = String::from_utf8(out).expect("utf-8");
        assert!(
            out.starts_with("q.kql:1:13: KQL001") && out.contains("  │ print x = 1 +"),
            "{out}"
        );
        // A normal query gets miette's snippet.
        let mut out = Vec::new();
        human(&mut out, &[checked("q.kql", "print x = 1 +\n".into(), d)]).expect("rendered");
        let out = String::from_utf8(out).expect("utf-8");
        assert!(out.contains("╭─[q.kql:1:13]"), "{out}");
    }
}
