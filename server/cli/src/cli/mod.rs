//! Command-line edge: argument parsing and dispatch.

mod check;
mod fmt;
mod output;
mod rule;
mod test;
mod walk;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: nothing to report.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings (errors or warnings).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, bad configuration, or a file that could not be read.
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "qlint",
    version = env!("QLINT_VERSION"),
    about = "Linter and language server for KQL and SPL detection queries"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint queries in files, folders, or stdin (`-`).
    Check(CheckArgs),
    /// Format the queries of files, folders, or stdin (`-`).
    Fmt(FmtArgs),
    /// Print a rule's documentation, or list every rule with `--all`.
    Rule(RuleArgs),
    /// Run detection unit tests (`*.test.yaml`) over their sample events, offline.
    Test(TestArgs),
    /// Run the language server on stdin/stdout.
    Lsp(LspArgs),
}

/// Flags of `qlint lsp`.
#[derive(Debug, clap::Args)]
struct LspArgs {
    /// Accepted for editor clients that pass it by default; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Output formats of `qlint check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered diagnostics with the source line (miette).
    Human,
    /// `path:line:col: CODE message`, one per line.
    Concise,
    /// `{"diagnostics": [...]}`.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// GitLab code-quality report.
    Gitlab,
    /// JUnit XML.
    Junit,
}

/// Query language for stdin and `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// Kusto Query Language.
    Kql,
    /// Splunk SPL.
    Spl,
    /// YARA-L 2.0 (Google SecOps rules).
    Yaral,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads stdin. Defaults to the current folder.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, visible_alias = "output-format", value_enum, default_value = "human")]
    format: Format,
    /// Language of stdin when `--stdin-filename` does not say (default kql).
    #[arg(long, value_enum)]
    lang: Option<Lang>,
    /// File name to report (and to pick the container format) for stdin.
    #[arg(long)]
    stdin_filename: Option<PathBuf>,
    /// Rule codes or prefixes to enable (replaces `select` of qlint.toml and the default
    /// rule set; `ALL` for every rule). Comma-separated.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Rule codes or prefixes to enable in addition to the selected ones. Comma-separated.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rule codes or prefixes to disable, whatever qlint.toml says. Comma-separated.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Use this configuration file for every file instead of the nearest qlint.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Globs of paths to skip (in addition to `exclude` in qlint.toml and .gitignore).
    #[arg(long)]
    exclude: Vec<String>,
    /// Apply safe fixes to the files.
    #[arg(long)]
    fix: bool,
    /// Print the safe fixes as a unified diff instead of writing them.
    #[arg(long)]
    diff: bool,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files or folders to format; `-` reads stdin and writes the result to stdout.
    /// Defaults to the current folder.
    paths: Vec<PathBuf>,
    /// Write nothing; exit 1 if any file would change.
    #[arg(long)]
    check: bool,
    /// Print what would change as a unified diff; write nothing.
    #[arg(long)]
    diff: bool,
    /// Language of stdin when `--stdin-filename` does not say (default kql).
    #[arg(long, value_enum)]
    lang: Option<Lang>,
    /// File name for stdin (picks the container format and the qlint.toml).
    #[arg(long)]
    stdin_filename: Option<PathBuf>,
    /// Use this configuration file for every file instead of the nearest qlint.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Globs of paths to skip (in addition to `exclude` in qlint.toml and .gitignore).
    #[arg(long)]
    exclude: Vec<String>,
    /// Maximum line width (overrides `line-width` of `[format]`).
    #[arg(long)]
    line_width: Option<usize>,
}

/// Output formats of `qlint test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One line per test; failures show expected and actual rows.
    Human,
    /// `{"tests": [{"file", "name", "status", "message", "rows"}]}`.
    Json,
    /// JUnit XML for CI.
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files (`*.test.yaml`, `*.test.yml`) or folders to search. Defaults to the current
    /// folder.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: TestFormat,
    /// Run the query of this test file over each test's data and print the result tables
    /// (for writing expectations); no pass/fail.
    #[arg(long, value_name = "FILE", conflicts_with = "paths")]
    show: Option<PathBuf>,
    /// Use this configuration file instead of the nearest qlint.toml.
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// The rule code, e.g. KQL001.
    code: Option<String>,
    /// List every rule.
    #[arg(long, conflicts_with = "code")]
    all: bool,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            let code = if error.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN };
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Rule(args) => rule::run(&args),
        Command::Test(args) => test::run(args),
        Command::Lsp(_) => match qlint_lsp::serve_stdio() {
            Ok(()) => EXIT_CLEAN,
            Err(error) => {
                eprintln!("qlint lsp: {error}");
                EXIT_ERROR
            }
        },
    };
    ExitCode::from(code)
}
