//! Our docs (`corpus/docs/*.md`), parsed and merged into the catalog.
//!
//! Each file is a list of entries:
//!
//! ```text
//! ## strlen
//! kind: scalar
//! cat: string
//! sig: strlen(source: string) -> long
//! aka: other_name
//! One or two sentences: what it is and when to use it.
//! Pitfall: a trap worth knowing.
//! Example: strlen("abc")
//! ```
//!
//! Signatures: `name(param: type, opt?: type, rest: type...) -> type`; types are KQL type
//! names, `any`, `numeric`, `table` or `$N` (the type of argument N). SPL signatures may
//! omit types. `syntax:` lines document operators and commands.

use super::catalog::Catalog;
use super::kql::{Doc, Function, FunctionKind, Operator, OperatorKind, Param, Signature, TypeSpec};
use super::spl::{Command, SplFunction, SplFunctionKind};

const KQL_FUNCTIONS: &str = corpus_file!("docs/kql_functions.md");
const KQL_OPERATORS: &str = corpus_file!("docs/kql_operators.md");
const SPL_COMMANDS: &str = corpus_file!("docs/spl_commands.md");
const SPL_FUNCTIONS: &str = corpus_file!("docs/spl_functions.md");

/// One parsed `## name` entry.
#[derive(Debug, Default, Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub line: usize,
    pub kind: String,
    pub category: String,
    pub sigs: Vec<String>,
    pub syntax: Vec<String>,
    pub aliases: Vec<String>,
    pub doc: Doc,
}

/// A problem in a docs file (reported by tests; entries with problems are still used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocProblem {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Summary,
    Pitfall,
    Example,
}

pub(crate) fn parse_entries(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut section = Section::Summary;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if let Some(name) = line.strip_prefix("## ") {
            entries.push(Entry { name: name.trim().to_owned(), line: i + 1, ..Entry::default() });
            section = Section::Summary;
            continue;
        }
        let Some(entry) = entries.last_mut() else { continue };
        if line.trim().is_empty() || line.starts_with("<!--") {
            continue;
        }
        let keyed = |key: &str| line.strip_prefix(key).map(str::trim);
        if let Some(v) = keyed("kind:") {
            entry.kind = v.to_owned();
        } else if let Some(v) = keyed("cat:") {
            entry.category = v.to_owned();
        } else if let Some(v) = keyed("sig:") {
            entry.sigs.push(v.to_owned());
        } else if let Some(v) = keyed("syntax:") {
            entry.syntax.push(v.to_owned());
        } else if let Some(v) = keyed("aka:") {
            entry
                .aliases
                .extend(v.split(',').map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()));
        } else if let Some(v) = keyed("Pitfall:") {
            entry.doc.pitfall = Some(v.to_owned());
            section = Section::Pitfall;
        } else if let Some(v) = keyed("Example:") {
            entry.doc.example = Some(v.to_owned());
            section = Section::Example;
        } else {
            let target = match section {
                Section::Summary => &mut entry.doc.summary,
                Section::Pitfall => entry.doc.pitfall.get_or_insert_with(String::new),
                Section::Example => entry.doc.example.get_or_insert_with(String::new),
            };
            if !target.is_empty() {
                target.push(if section == Section::Example { '\n' } else { ' ' });
            }
            target.push_str(line.trim());
        }
    }
    entries
}

/// Parses `name(a: string, b?: long, c: any...) -> type`.
pub(crate) fn parse_signature(text: &str) -> Result<(String, Signature), String> {
    let open = text.find('(').ok_or("missing `(`")?;
    let name = text[..open].trim().to_owned();
    let close = text.rfind(')').ok_or("missing `)`")?;
    if close < open {
        return Err("`)` before `(`".into());
    }
    let ret = match text[close + 1..].trim().strip_prefix("->") {
        Some(r) => {
            TypeSpec::parse(r).ok_or_else(|| format!("unknown return type `{}`", r.trim()))?
        }
        None => TypeSpec::Any,
    };
    let mut params = Vec::new();
    let inner = text[open + 1..close].trim();
    if !inner.is_empty() {
        for part in inner.split(',') {
            let part = part.trim();
            let (part, repeated) = match part.strip_suffix("...") {
                Some(p) => (p.trim(), true),
                None => (part, false),
            };
            let (pname, ty) = match part.split_once(':') {
                Some((n, t)) => (
                    n.trim(),
                    TypeSpec::parse(t).ok_or_else(|| format!("unknown type `{}`", t.trim()))?,
                ),
                None => (part, TypeSpec::Any),
            };
            let (pname, optional) = match pname.strip_suffix('?') {
                Some(n) => (n, true),
                None => (pname, false),
            };
            if pname.is_empty() && !repeated {
                return Err("empty parameter".into());
            }
            params.push(Param { name: pname.to_owned(), ty, optional, repeated });
        }
    }
    if params.iter().rev().skip(1).any(|p| p.repeated) {
        return Err("only the last parameter may repeat".into());
    }
    Ok((name, Signature { label: text.trim().to_owned(), params, ret }))
}

fn function_kind(kind: &str) -> Option<FunctionKind> {
    match kind {
        "scalar" | "" => Some(FunctionKind::Scalar),
        "aggregation" => Some(FunctionKind::Aggregation),
        "window" => Some(FunctionKind::Window),
        "plugin" => Some(FunctionKind::Plugin),
        "tabular" => Some(FunctionKind::Tabular),
        _ => None,
    }
}

fn build_function(entry: &Entry, problems: &mut Vec<DocProblem>, file: &'static str) -> Function {
    let kind = function_kind(&entry.kind).unwrap_or_else(|| {
        problems.push(DocProblem {
            file,
            line: entry.line,
            message: format!("unknown kind `{}`", entry.kind),
        });
        FunctionKind::Scalar
    });
    let mut signatures = Vec::new();
    for sig in &entry.sigs {
        match parse_signature(sig) {
            Ok((name, s)) => {
                if name != entry.name && !entry.aliases.contains(&name) {
                    problems.push(DocProblem {
                        file,
                        line: entry.line,
                        message: format!("signature names `{name}`, entry is `{}`", entry.name),
                    });
                }
                signatures.push(s);
            }
            Err(message) => problems.push(DocProblem { file, line: entry.line, message }),
        }
    }
    if signatures.is_empty() {
        problems.push(DocProblem { file, line: entry.line, message: "no signature".into() });
    }
    Function {
        name: entry.name.clone(),
        aliases: entry.aliases.clone(),
        kind,
        category: entry.category.clone(),
        signatures,
        doc: entry.doc.clone(),
    }
}

fn check_doc(entry: &Entry, problems: &mut Vec<DocProblem>, file: &'static str) {
    if entry.doc.summary.is_empty() {
        problems.push(DocProblem {
            file,
            line: entry.line,
            message: format!("`{}` has no summary", entry.name),
        });
    }
}

/// Merges the docs into the catalog; returns the problems found in the docs files.
pub(crate) fn apply_builtin_docs(catalog: &mut Catalog) -> Vec<DocProblem> {
    let mut problems = Vec::new();

    let file = "kql_functions.md";
    for entry in parse_entries(KQL_FUNCTIONS) {
        check_doc(&entry, &mut problems, file);
        let function = build_function(&entry, &mut problems, file);
        if catalog.functions.iter().any(|f| f.name == function.name) {
            problems.push(DocProblem {
                file,
                line: entry.line,
                message: format!("duplicate `{}`", entry.name),
            });
            continue;
        }
        catalog.functions.push(function);
    }

    let file = "kql_operators.md";
    for entry in parse_entries(KQL_OPERATORS) {
        check_doc(&entry, &mut problems, file);
        let kind = match entry.kind.as_str() {
            "" | "tabular" => OperatorKind::Tabular,
            "scalar" => OperatorKind::Scalar,
            other => {
                problems.push(DocProblem {
                    file,
                    line: entry.line,
                    message: format!("unknown kind `{other}`"),
                });
                OperatorKind::Tabular
            }
        };
        catalog.operators.push(Operator {
            name: entry.name.clone(),
            kind,
            aliases: entry.aliases.clone(),
            syntax: entry.syntax.clone(),
            doc: entry.doc.clone(),
        });
    }

    let file = "spl_commands.md";
    for entry in parse_entries(SPL_COMMANDS) {
        check_doc(&entry, &mut problems, file);
        let key = entry.name.to_ascii_lowercase();
        let existing = catalog.commands.iter_mut().find(|c| {
            c.name.eq_ignore_ascii_case(&key)
                || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(&key))
        });
        match existing {
            Some(cmd) => {
                cmd.syntax = entry.syntax.clone();
                cmd.doc = Some(entry.doc.clone());
                for alias in &entry.aliases {
                    if !cmd.aliases.contains(alias) && *alias != cmd.name {
                        cmd.aliases.push(alias.clone());
                    }
                }
            }
            None => catalog.commands.push(Command {
                name: entry.name.clone(),
                aliases: entry.aliases.clone(),
                category: entry.category.clone(),
                options: Vec::new(),
                keywords: Vec::new(),
                related: Vec::new(),
                in_grammar: false,
                syntax: entry.syntax.clone(),
                doc: Some(entry.doc.clone()),
            }),
        }
    }

    let file = "spl_functions.md";
    for entry in parse_entries(SPL_FUNCTIONS) {
        check_doc(&entry, &mut problems, file);
        let kind = match entry.kind.as_str() {
            "eval" => SplFunctionKind::Eval,
            "stats" => SplFunctionKind::Stats,
            other => {
                problems.push(DocProblem {
                    file,
                    line: entry.line,
                    message: format!("unknown kind `{other}`"),
                });
                continue;
            }
        };
        let mut min_args = usize::MAX;
        let mut max_args = Some(0);
        for sig in &entry.sigs {
            match parse_signature(sig) {
                Ok((_, s)) => {
                    min_args = min_args.min(s.min_arity());
                    max_args = match (max_args, s.max_arity()) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                Err(message) => problems.push(DocProblem { file, line: entry.line, message }),
            }
        }
        if entry.sigs.is_empty() {
            problems.push(DocProblem { file, line: entry.line, message: "no signature".into() });
            min_args = 0;
            max_args = None;
        }
        let names = std::iter::once(entry.name.clone()).chain(entry.aliases.iter().cloned());
        for name in names {
            let doc = Some(entry.doc.clone());
            match catalog.spl_functions.iter_mut().find(|f| f.kind == kind && f.name == name) {
                Some(f) => {
                    f.signatures = entry.sigs.clone();
                    f.min_args = min_args;
                    f.max_args = max_args;
                    f.doc = doc;
                }
                None => catalog.spl_functions.push(SplFunction {
                    name,
                    kind,
                    signatures: entry.sigs.clone(),
                    min_args,
                    max_args,
                    timechart_only: false,
                    doc,
                }),
            }
        }
    }

    catalog.reindex();
    problems
}
