//! `qlint fmt`: format the queries of files, folders or stdin, in place or as a check.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qlint_files::config::{CliOverrides, line_column};
use qlint_files::fix;
use qlint_files::format::{Formatted, Refusal, format_file};
use qlint_files::sources::SourceKind;
use qlint_linter::Language;
use rayon::prelude::*;

use super::walk::{Resolver, Target, collect};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, FmtArgs, Lang};

/// What happened to one file.
#[derive(Default)]
struct Outcome {
    path: PathBuf,
    /// `path:line:col: message` lines for stderr.
    messages: Vec<String>,
    changed: bool,
    /// A query was refused (syntax) or the file could not be read or written.
    error: bool,
    /// Queries that kept their layout because their container cannot hold another one.
    kept: usize,
    diff: String,
}

pub fn run(args: FmtArgs) -> u8 {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && paths.len() > 1 {
        eprintln!("qlint fmt: `-` (stdin) cannot be combined with other paths");
        return EXIT_ERROR;
    }
    let roots: Vec<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
    let resolver =
        match Resolver::new(args.config.as_deref(), CliOverrides::default(), &args.exclude, &roots)
        {
            Ok(resolver) => Arc::new(resolver),
            Err(error) => {
                eprintln!("qlint: {error}");
                return EXIT_ERROR;
            }
        };
    if stdin {
        return run_stdin(&args, &resolver);
    }
    let (targets, missing) = collect(&paths, &resolver);
    if let Some(error) = resolver.errors.lock().unwrap_or_else(|e| e.into_inner()).first() {
        eprintln!("qlint: {error}");
        return EXIT_ERROR;
    }
    let mut outcomes: Vec<Outcome> =
        targets.par_iter().map(|target| format_target(target, &resolver, &args)).collect();
    for (path, message) in missing {
        outcomes.push(Outcome {
            messages: vec![format!("{}: cannot read: {message}", path.display())],
            path,
            error: true,
            ..Outcome::default()
        });
    }
    outcomes.sort_by(|a, b| a.path.cmp(&b.path));
    report(&args, &outcomes, targets.len())
}

fn report(args: &FmtArgs, outcomes: &[Outcome], files: usize) -> u8 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for outcome in outcomes {
        for message in &outcome.messages {
            eprintln!("{message}");
        }
        if args.diff {
            let _ = out.write_all(outcome.diff.as_bytes());
        } else if args.check && outcome.changed {
            let _ = writeln!(out, "would reformat: {}", outcome.path.display());
        }
    }
    let _ = out.flush();
    let changed = outcomes.iter().filter(|o| o.changed).count();
    let errors = outcomes.iter().filter(|o| o.error).count();
    let kept: usize = outcomes.iter().map(|o| o.kept).sum();
    let verb = if args.check || args.diff { "would be reformatted" } else { "reformatted" };
    let mut summary = format!("qlint fmt: {files} files, {changed} {verb}");
    if errors > 0 {
        summary.push_str(&format!(", {errors} with queries left as they were"));
    }
    if kept > 0 {
        summary.push_str(&format!(
            "; {kept} queries in quoted or plain YAML strings keep their layout (a block scalar `|` takes one)"
        ));
    }
    eprintln!("{summary}");
    if errors > 0 {
        EXIT_ERROR
    } else if changed > 0 && (args.check || args.diff) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn format_target(target: &Target, resolver: &Resolver, args: &FmtArgs) -> Outcome {
    let path = &target.path;
    let mut outcome = Outcome { path: path.clone(), ..Outcome::default() };
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(error)) => {
            let at = error.utf8_error().valid_up_to();
            outcome.messages.push(format!("{}: not valid UTF-8 (byte {at})", path.display()));
            outcome.error = true;
            return outcome;
        }
        Err(error) => {
            outcome.messages.push(format!("{}: cannot read: {error}", path.display()));
            outcome.error = true;
            return outcome;
        }
    };
    let options = options_for(resolver, path, args);
    let formatted = format_file(target.kind, &text, &options);
    note(&mut outcome, path, &text, &formatted);
    if formatted.text == text {
        return outcome;
    }
    outcome.changed = true;
    if args.diff {
        outcome.diff = fix::unified_diff(path, &text, &formatted.text);
    } else if !args.check
        && let Err(error) = fix::write_atomic(path, &formatted.text)
    {
        outcome.messages.push(format!("{}: cannot write: {error}", path.display()));
        outcome.error = true;
    }
    outcome
}

fn options_for(resolver: &Resolver, path: &Path, args: &FmtArgs) -> qlint_fmt::Options {
    let mut options = resolver.for_path(path).config.format.clone();
    if let Some(width) = args.line_width {
        options.line_width = width.max(20);
    }
    options
}

/// Records why queries were left alone: syntax errors and malformed containers are errors;
/// queries whose container cannot hold a new layout are counted or noted, not failed.
fn note(outcome: &mut Outcome, path: &Path, text: &str, formatted: &Formatted) {
    for skipped in &formatted.skipped {
        if matches!(skipped.reason, Refusal::Encoding(_)) {
            outcome.kept += 1;
            continue;
        }
        let (line, column) = line_column(text, skipped.span.start as usize);
        outcome.messages.push(format!("{}:{line}:{column}: {}", path.display(), skipped.reason));
        // A layout the container cannot hold is not the user's error; a syntax error is.
        outcome.error |= !matches!(skipped.reason, Refusal::RoundTrip);
    }
}

fn run_stdin(args: &FmtArgs, resolver: &Resolver) -> u8 {
    let shown = args.stdin_filename.clone().unwrap_or_else(|| PathBuf::from("-"));
    let language = match args.lang.unwrap_or(Lang::Kql) {
        Lang::Kql => Language::Kql,
        Lang::Spl => Language::Spl,
        Lang::Yaral => Language::Yaral,
    };
    let kind = match (&args.stdin_filename, args.lang) {
        (Some(name), None) => SourceKind::of_path(name).unwrap_or(SourceKind::Query(language)),
        _ => SourceKind::Query(language),
    };
    let mut bytes = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("qlint fmt: cannot read stdin: {error}");
        return EXIT_ERROR;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("qlint fmt: stdin is not valid UTF-8");
        return EXIT_ERROR;
    };
    let formatted = format_file(kind, &text, &options_for(resolver, &shown, args));
    let mut outcome = Outcome { path: shown.clone(), ..Outcome::default() };
    note(&mut outcome, &shown, &text, &formatted);
    for message in &outcome.messages {
        eprintln!("{message}");
    }
    let changed = formatted.text != text;
    if args.diff {
        print!("{}", fix::unified_diff(&shown, &text, &formatted.text));
    } else if !args.check {
        // The text goes to stdout whatever happened, so a pipe never loses the input.
        print!("{}", formatted.text);
    }
    if outcome.error {
        EXIT_ERROR
    } else if changed && (args.check || args.diff) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
