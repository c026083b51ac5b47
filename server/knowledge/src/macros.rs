//! Splunk search macros from `macros.conf` and security-content `macros/*.yml`.

use std::path::{Path, PathBuf};

use qlint_grammar::Span;
use serde::Deserialize;

use super::KnowledgeError;
use super::spl::MacroDef;

/// Parses a `macros.conf`: stanzas `[name]` / `[name(N)]` with `definition = ...` (lines
/// ending in `\` continue), `args = a, b`, `iseval`, `description`. Returns the macros that
/// parsed and the problems found; a bad stanza does not hide the good ones.
pub fn parse_macros_conf(text: &str, path: &Path) -> Result<Vec<MacroDef>, KnowledgeError> {
    let (defs, mut errors) = parse_macros_conf_all(text, path);
    if errors.is_empty() { Ok(defs) } else { Err(errors.swap_remove(0)) }
}

struct Stanza {
    name: String,
    arity: Option<usize>,
    line: u32,
    name_span: Span,
    definition: Option<(String, Span)>,
    args: Option<(Vec<String>, usize)>,
    iseval: bool,
    description: Option<String>,
}

/// Like [`parse_macros_conf`], returning every macro that parsed and every problem.
pub(crate) fn parse_macros_conf_all(
    text: &str,
    path: &Path,
) -> (Vec<MacroDef>, Vec<KnowledgeError>) {
    let mut defs = Vec::new();
    let mut errors = Vec::new();
    let mut current: Option<Stanza> = None;
    let lines = logical_lines(text);
    for line in &lines {
        let content = line.text.trim();
        if content.is_empty() || content.starts_with('#') || content.starts_with(';') {
            continue;
        }
        let indent = line.text.len() - line.text.trim_start().len();
        if content.starts_with('[') {
            if let Some(stanza) = current.take() {
                finish(stanza, path, &mut defs, &mut errors);
            }
            let Some(close) = content.rfind(']') else {
                errors.push(KnowledgeError::invalid(
                    path,
                    line.number,
                    indent + 1,
                    "stanza header without closing `]`",
                ));
                continue;
            };
            let header = &content[1..close];
            let name_start = line.start + indent + 1 + (header.len() - header.trim_start().len());
            let header = header.trim();
            let (name, arity) = match split_arity(header) {
                Ok(x) => x,
                Err(message) => {
                    errors.push(KnowledgeError::invalid(path, line.number, indent + 2, message));
                    continue;
                }
            };
            current = Some(Stanza {
                name: name.to_owned(),
                arity,
                line: line.number as u32,
                name_span: Span::new(name_start as u32, (name_start + name.len()) as u32),
                definition: None,
                args: None,
                iseval: false,
                description: None,
            });
            continue;
        }
        let Some(eq) = content.find('=') else {
            errors.push(KnowledgeError::invalid(
                path,
                line.number,
                indent + 1,
                format!("expected `key = value`, found `{}`", truncate(content)),
            ));
            continue;
        };
        let Some(stanza) = current.as_mut() else { continue }; // global settings
        let key = content[..eq].trim();
        let raw_value = &line.text[indent + eq + 1..];
        let value_offset = raw_value.len() - raw_value.trim_start().len();
        let value = joined_value(raw_value.trim());
        let value_start = line.start + indent + eq + 1 + value_offset;
        match key {
            "definition" => {
                let span =
                    Span::new(value_start as u32, (line.start + line.text.trim_end().len()) as u32);
                stanza.definition = Some((value, span));
            }
            "args" => {
                let args = value
                    .split(',')
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect();
                stanza.args = Some((args, line.number));
            }
            "iseval" => stanza.iseval = matches!(value.trim(), "1" | "true" | "True" | "t" | "yes"),
            "description" => stanza.description = Some(value),
            _ => {}
        }
    }
    if let Some(stanza) = current.take() {
        finish(stanza, path, &mut defs, &mut errors);
    }
    (defs, errors)
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(40) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn finish(stanza: Stanza, path: &Path, defs: &mut Vec<MacroDef>, errors: &mut Vec<KnowledgeError>) {
    if stanza.name == "default" {
        return;
    }
    let Some((definition, definition_span)) = stanza.definition else {
        errors.push(KnowledgeError::invalid(
            path,
            stanza.line as usize,
            1,
            format!("macro `{}` has no `definition`", stanza.name),
        ));
        return;
    };
    let (args, args_line) = stanza.args.unwrap_or((Vec::new(), stanza.line as usize));
    let arity = stanza.arity.unwrap_or(0);
    if args.len() != arity {
        errors.push(KnowledgeError::invalid(
            path,
            args_line,
            1,
            format!(
                "macro `{}` takes {arity} argument(s) but `args` names {}",
                stanza.name,
                args.len()
            ),
        ));
        return;
    }
    defs.push(MacroDef {
        name: stanza.name,
        args,
        definition,
        iseval: stanza.iseval,
        description: stanza.description,
        file: path.to_owned(),
        line: stanza.line,
        span: stanza.name_span,
        definition_span,
    });
}

/// `name(2)` → (`name`, Some(2)); `name` → (`name`, None).
fn split_arity(header: &str) -> Result<(&str, Option<usize>), String> {
    if header.is_empty() {
        return Err("empty stanza name".into());
    }
    let Some(open) = header.find('(') else { return Ok((header, None)) };
    let Some(inner) = header[open + 1..].strip_suffix(')') else {
        return Err(format!("malformed macro stanza `[{header}]`: expected `name(N)`"));
    };
    let n: usize = inner
        .trim()
        .parse()
        .map_err(|_| format!("malformed argument count `{inner}` in `[{header}]`"))?;
    Ok((header[..open].trim_end(), Some(n)))
}

/// A physical-line-joined logical line: the text of the first physical line up to the end
/// of the last continuation, with its 1-based line number and byte offset in the file.
pub(crate) struct LogicalLine<'a> {
    pub text: &'a str,
    pub number: usize,
    pub start: usize,
}

pub(crate) fn logical_lines(text: &str) -> Vec<LogicalLine<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut pending: Option<(usize, usize)> = None;
    let mut physical = text.split_inclusive('\n').peekable();
    let mut number = 1;
    while let Some(line) = physical.next() {
        let body = line.trim_end_matches(['\n', '\r']);
        let (start, first) = *pending.get_or_insert((pos, number));
        let continues = body.ends_with('\\') && physical.peek().is_some();
        if !continues {
            out.push(LogicalLine { text: &text[start..pos + body.len()], number: first, start });
            pending = None;
        }
        pos += line.len();
        number += 1;
    }
    out
}

/// Removes the `\` of each continuation; keeps the line break (Splunk keeps it too).
pub(crate) fn joined_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for (i, part) in raw.split('\n').enumerate() {
        let part = part.trim_end_matches('\r');
        if i > 0 {
            out.push('\n');
        }
        out.push_str(part.strip_suffix('\\').unwrap_or(part));
    }
    out.trim().to_owned()
}

#[derive(Deserialize)]
struct MacroYaml {
    name: serde_saphyr::Spanned<String>,
    definition: serde_saphyr::Spanned<String>,
    #[serde(default)]
    arguments: Option<Vec<String>>,
    #[serde(default)]
    description: Option<String>,
}

/// Parses a security-content macro file (`name`, `definition`, optional `arguments`,
/// `description`).
pub fn parse_macros_yaml(text: &str, path: &Path) -> Result<Vec<MacroDef>, KnowledgeError> {
    let parsed: MacroYaml = serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) =
            e.location().map_or((1, 1), |l| (l.line().max(1) as usize, l.column().max(1) as usize));
        let message = e.to_string();
        let message = message.lines().next().unwrap_or("invalid YAML").to_owned();
        KnowledgeError::invalid(path, line, column, message)
    })?;
    let span_of = |s: &serde_saphyr::Spanned<String>| {
        let sp = s.referenced.span();
        match (sp.byte_offset(), sp.byte_len()) {
            (Some(o), Some(l)) => Span::new(o as u32, (o + l) as u32),
            _ => Span::default(),
        }
    };
    let name = parsed.name.value.trim().to_owned();
    if name.is_empty() {
        return Err(KnowledgeError::invalid(
            path,
            parsed.name.referenced.line() as usize,
            parsed.name.referenced.column() as usize,
            "macro name is empty",
        ));
    }
    Ok(vec![MacroDef {
        line: parsed.name.referenced.line() as u32,
        span: span_of(&parsed.name),
        definition_span: span_of(&parsed.definition),
        name,
        args: parsed
            .arguments
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.trim().to_owned())
            .collect(),
        definition: parsed.definition.value.trim().to_owned(),
        iseval: false,
        description: parsed.description.map(|d| d.trim().to_owned()),
        file: path.to_owned(),
    }])
}

/// Knowledge files found in a workspace, each list sorted.
#[derive(Debug, Default)]
pub(crate) struct WorkspaceFiles {
    /// `macros.conf` files and `*.yml` / `*.yaml` directly inside a `macros` directory.
    pub macros: Vec<PathBuf>,
    /// `transforms.conf` files, and `*.yml` / `*.yaml` / `*.csv` directly inside a `lookups`
    /// directory.
    pub lookups: Vec<PathBuf>,
}

/// Walks `root` for knowledge files. Skips hidden directories, `target` and `node_modules`;
/// sorted for a deterministic load order.
pub(crate) fn find_workspace_files(root: &Path) -> WorkspaceFiles {
    let mut files = WorkspaceFiles::default();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_some_and(|t| t.is_dir())
                && (name == "target" || name == "node_modules"))
        })
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let dir = path.parent().and_then(Path::file_name).map(|d| d.to_string_lossy().into_owned());
        let is_yaml = name.ends_with(".yml") || name.ends_with(".yaml");
        if name == "macros.conf" || (dir.as_deref() == Some("macros") && is_yaml) {
            files.macros.push(path.to_owned());
        } else if name == "transforms.conf"
            || (dir.as_deref() == Some("lookups") && (is_yaml || name.ends_with(".csv")))
        {
            files.lookups.push(path.to_owned());
        }
    }
    files.macros.sort();
    files.lookups.sort();
    files
}
