//! `qlint check`: walk, lint in parallel, fix, report.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use qlint_files::check::{FileReport, check_source, unreadable};
use qlint_files::config::CliOverrides;
use qlint_files::fix;
use qlint_files::sources::SourceKind;
use qlint_linter::Language;
use rayon::prelude::*;

use super::output::{self, Checked};
use super::walk::{Resolver, Target, collect};
use super::{CheckArgs, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Format, Lang};

/// Files above which a progress bar is worth showing.
const PROGRESS_THRESHOLD: usize = 200;

pub fn run(args: CheckArgs) -> u8 {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let stdin_count = paths.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 0 && (stdin_count > 1 || paths.len() > 1) {
        eprintln!("qlint check: `-` (stdin) cannot be combined with other paths");
        return EXIT_ERROR;
    }
    if args.stdin_filename.is_some() && stdin_count == 0 {
        eprintln!("qlint check: `--stdin-filename` needs `-` as the path");
        return EXIT_ERROR;
    }
    let roots: Vec<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
    let cli = CliOverrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    let resolver = match Resolver::new(args.config.as_deref(), cli, &args.exclude, &roots) {
        Ok(resolver) => Arc::new(resolver),
        Err(error) => {
            eprintln!("qlint: {error}");
            return EXIT_ERROR;
        }
    };

    let mut io_error = false;
    let mut checked: Vec<Checked> = Vec::new();
    let mut fixed_files = 0;
    let mut fixes_applied = 0;
    let mut diffs = String::new();

    if stdin_count == 1 {
        let shown = args.stdin_filename.clone().unwrap_or_else(|| PathBuf::from("-"));
        let language = match args.lang.unwrap_or(Lang::Kql) {
            Lang::Kql => Language::Kql,
            Lang::Spl => Language::Spl,
            Lang::Yaral => Language::Yaral,
        };
        let kind = match (&args.stdin_filename, args.lang) {
            (_, Some(_)) | (None, None) => SourceKind::Query(language),
            (Some(name), None) => SourceKind::of_path(name).unwrap_or(SourceKind::Query(language)),
        };
        let mut bytes = Vec::new();
        if let Err(error) = std::io::stdin().read_to_end(&mut bytes) {
            eprintln!("qlint: cannot read stdin: {error}");
            return EXIT_ERROR;
        }
        let loaded = resolver.for_path(&shown);
        match String::from_utf8(bytes) {
            Ok(text) => {
                let report = if args.fix || args.diff {
                    let outcome =
                        fix::fix_text(&shown, kind, &text, &loaded.knowledge, &loaded.config);
                    if args.diff {
                        diffs.push_str(&fix::unified_diff(&shown, &text, &outcome.text));
                    } else {
                        // With stdin, the fixed text goes to stdout; diagnostics stay silent.
                        print!("{}", outcome.text);
                        return if outcome.report.diagnostics.is_empty() {
                            EXIT_CLEAN
                        } else {
                            EXIT_FINDINGS
                        };
                    }
                    fixes_applied += outcome.applied;
                    outcome.report
                } else {
                    check_source(&shown, kind, &text, &loaded.knowledge, &loaded.config)
                };
                checked.push(Checked { report, text: Some(text) });
            }
            Err(error) => {
                io_error = true;
                checked.push(Checked {
                    report: unreadable(
                        &shown,
                        format!(
                            "stdin is not valid UTF-8 (byte {})",
                            error.utf8_error().valid_up_to()
                        ),
                    ),
                    text: None,
                });
            }
        }
    } else {
        let (targets, missing) = collect(&paths, &resolver);
        if let Some(error) = resolver.errors.lock().unwrap_or_else(|e| e.into_inner()).first() {
            eprintln!("qlint: {error}");
            return EXIT_ERROR;
        }
        for (path, message) in missing {
            io_error = true;
            checked.push(Checked {
                report: unreadable(&path, format!("cannot read: {message}")),
                text: None,
            });
        }
        let progress = progress_bar(targets.len(), args.no_progress);
        let results: Vec<FileResult> = targets
            .par_iter()
            .map(|target| {
                let result = check_file(target, &resolver, args.fix || args.diff, args.diff);
                if let Some(bar) = &progress {
                    bar.inc(1);
                }
                result
            })
            .collect();
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        for result in results {
            io_error |= result.io_error;
            if result.applied > 0 {
                fixed_files += 1;
                fixes_applied += result.applied;
            }
            diffs.push_str(&result.diff);
            checked.push(result.checked);
        }
    }

    let problems = resolver.problems.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for problem in &problems {
        eprintln!("qlint: {problem}");
    }
    io_error |= !problems.is_empty();

    checked.sort_by(|a, b| a.report.path.cmp(&b.report.path));
    // Checks across the files of the run: repeated rule ids, names and queries.
    let mut reports: Vec<_> = checked.iter_mut().map(|c| std::mem::take(&mut c.report)).collect();
    qlint_files::across::report(&mut reports);
    for (c, report) in checked.iter_mut().zip(reports) {
        c.report = report;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.diff {
        let _ = out.write_all(diffs.as_bytes());
        let _ = out.flush();
        if fixes_applied > 0 {
            eprintln!("qlint: {fixes_applied} fix(es) available; run with --fix to apply");
        }
        return if io_error {
            EXIT_ERROR
        } else if fixes_applied > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        };
    }
    if let Err(error) = output::write(&mut out, args.format, &checked) {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("qlint: cannot write the report: {error}");
        }
        return EXIT_ERROR;
    }
    let _ = out.flush();
    if matches!(args.format, Format::Human | Format::Concise) {
        eprintln!("{}", output::summary(&checked));
        if args.fix && fixes_applied > 0 {
            eprintln!("qlint: fixed {fixes_applied} issue(s) in {fixed_files} file(s)");
        }
    }
    let failing = checked.iter().flat_map(|c| &c.report.diagnostics).any(|d| {
        matches!(d.severity, qlint_linter::Severity::Error | qlint_linter::Severity::Warning)
    });
    if io_error {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

struct FileResult {
    checked: Checked,
    io_error: bool,
    applied: usize,
    diff: String,
}

fn check_file(target: &Target, resolver: &Resolver, fixing: bool, diff_only: bool) -> FileResult {
    let path = &target.path;
    let failed = |message: String| FileResult {
        checked: Checked { report: unreadable(path, message), text: None },
        io_error: true,
        applied: 0,
        diff: String::new(),
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return failed(format!("cannot read: {error}")),
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            return failed(format!(
                "not valid UTF-8 (first bad byte at offset {})",
                error.utf8_error().valid_up_to()
            ));
        }
    };
    let loaded = resolver.for_path(path);
    if !fixing {
        let report = check_source(path, target.kind, &text, &loaded.knowledge, &loaded.config);
        return FileResult {
            io_error: report.diagnostics.iter().any(|d| d.code == "QL004"),
            checked: Checked { report, text: Some(text) },
            applied: 0,
            diff: String::new(),
        };
    }
    let outcome = fix::fix_text(path, target.kind, &text, &loaded.knowledge, &loaded.config);
    let mut result = FileResult {
        checked: Checked { report: FileReport::default(), text: None },
        io_error: false,
        applied: outcome.applied,
        diff: String::new(),
    };
    if outcome.text != text {
        if diff_only {
            result.diff = fix::unified_diff(path, &text, &outcome.text);
        } else if let Err(error) = fix::write_atomic(path, &outcome.text) {
            result.io_error = true;
            result.applied = 0;
            let mut report = loaded_report(path, target.kind, &text, resolver);
            report.diagnostics.push(
                unreadable(path, format!("cannot write the fixes: {error}")).diagnostics.remove(0),
            );
            result.checked = Checked { report, text: Some(text) };
            return result;
        }
    }
    let final_text = if diff_only { text } else { outcome.text };
    let report = if diff_only {
        loaded_report(path, target.kind, &final_text, resolver)
    } else {
        outcome.report
    };
    result.io_error |= report.diagnostics.iter().any(|d| d.code == "QL004");
    result.checked = Checked { report, text: Some(final_text) };
    result
}

fn loaded_report(
    path: &std::path::Path,
    kind: SourceKind,
    text: &str,
    resolver: &Resolver,
) -> FileReport {
    let loaded = resolver.for_path(path);
    check_source(path, kind, text, &loaded.knowledge, &loaded.config)
}

fn progress_bar(files: usize, disabled: bool) -> Option<indicatif::ProgressBar> {
    if disabled || files < PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(files as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
    {
        bar.set_style(style);
    }
    Some(bar)
}
