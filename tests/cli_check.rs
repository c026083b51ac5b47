//! `qlint check`: walking, stdin, output formats, the summary and exit codes. Runs the real
//! binary on files written to a temp folder.

#[path = "support/cli.rs"]
mod cli;

use cli::write;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn qlint_with_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    cli::run(dir, &cli::with_mechanics_selection(args), stdin, false)
}

fn qlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    qlint_with_stdin(dir, args, None)
}

/// A small tree: two findings in two files, one clean file, one ignored file.
fn sample_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b/second.kql", "T\n| take 1 // qlint: ignore KQL001\n");
    write(dir.path(), "a/first.spl", "index=main ```qlint: ignore SPL001``` | stats count\n");
    write(dir.path(), "a/clean.kql", "SigninLogs\n| take 10\n");
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "generated/out.kql", "T // qlint: ignore KQL009\n");
    dir
}

#[test]
fn walks_folders_in_a_deterministic_order_honouring_gitignore_and_exclude() {
    let dir = sample_tree();
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "a/first.spl:1:12: QL003 unused suppression of `SPL001`: no such diagnostic here",
            "b/second.kql:2:10: QL003 unused suppression of `KQL001`: no such diagnostic here",
        ]
    );
    assert!(
        stderr.contains("qlint: 3 files checked, 3 queries: 0 errors, 2 warnings, 0 info"),
        "{stderr}"
    );

    let (_, stdout, _) =
        qlint(dir.path(), &["check", "--format", "concise", "--exclude", "b/**", "."]);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let (_, stdout, _) =
        qlint(dir.path(), &["check", "--format", "concise", "--exclude", "*.spl", "a", "b"]);
    assert_eq!(stdout.lines().collect::<Vec<_>>().len(), 1);
    assert!(stdout.starts_with("b/second.kql"), "{stdout}");

    write(dir.path(), "qlint.toml", "exclude = [\"a\"]\n");
    let (_, stdout, _) = qlint(dir.path(), &["check", "--format", "concise", "."]);
    assert!(stdout.starts_with("b/second.kql") && stdout.lines().count() == 1, "{stdout}");
}

#[test]
fn many_files_come_out_sorted_whatever_the_thread_order() {
    let dir = tempfile::tempdir().unwrap();
    for i in (0..60).rev() {
        write(dir.path(), &format!("d{}/q{:02}.kql", i % 7, i), "T // qlint: ignore KQL001\n");
    }
    let (_, first, _) = qlint(dir.path(), &["check", "--format", "concise", "."]);
    let (_, second, _) = qlint(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(first, second);
    let paths: Vec<_> = first.lines().map(|l| l.split(':').next().unwrap().to_owned()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 60);
}

#[test]
fn stdin_with_lang_and_filename() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = qlint_with_stdin(
        dir.path(),
        &["check", "--format", "concise", "--lang", "spl", "-"],
        Some("index=main ```qlint: ignore SPL0``` // qlint: ignore KQL0\n"),
    );
    assert_eq!(code, 1);
    assert_eq!(stdout, "-:1:12: QL003 unused suppression of `SPL0`: no such diagnostic here\n");

    // Default language is KQL; --stdin-filename names the file and picks the container.
    let (_, stdout, _) = qlint_with_stdin(
        dir.path(),
        &["check", "--format", "concise", "-"],
        Some("T // qlint: ignore KQL0\n"),
    );
    assert_eq!(stdout, "-:1:3: QL003 unused suppression of `KQL0`: no such diagnostic here\n");
    let (_, stdout, _) = qlint_with_stdin(
        dir.path(),
        &["check", "--format", "concise", "--stdin-filename", "rules/x.yaml", "-"],
        Some("name: n\nquery: |\n  T\n  // qlint: ignore KQL0\n"),
    );
    assert_eq!(
        stdout,
        "rules/x.yaml:4:3: QL003 unused suppression of `KQL0`: no such diagnostic here\n"
    );

    // --fix on stdin prints the fixed text; --diff prints the diff.
    let (code, stdout, _) = qlint_with_stdin(
        dir.path(),
        &["check", "--fix", "-"],
        Some("T // qlint: ignore KQL0\n| take 1\n"),
    );
    assert_eq!((code, stdout.as_str()), (0, "T\n| take 1\n"));
    let (code, stdout, _) =
        qlint_with_stdin(dir.path(), &["check", "--diff", "-"], Some("T // qlint: ignore KQL0\n"));
    assert_eq!(code, 1);
    assert!(stdout.contains("-T // qlint: ignore KQL0\n+T\n"), "{stdout}");

    let (code, _, stderr) = qlint_with_stdin(dir.path(), &["check", "-", "x.kql"], Some(""));
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn json_has_exactly_the_documented_shape() {
    let dir = sample_tree();
    write(dir.path(), "c.yaml", "query: [\n");
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(code, 1);
    assert!(stderr.is_empty(), "no summary in machine formats: {stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    let object = value.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), ["diagnostics"]);
    let diagnostics = value["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 3);
    for d in diagnostics {
        let mut keys: Vec<_> = d.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["category", "code", "end", "message", "path", "severity", "start"]);
        let mut position_keys: Vec<_> = d["start"].as_object().unwrap().keys().cloned().collect();
        position_keys.sort();
        assert_eq!(position_keys, ["column", "line"]);
    }
    assert_eq!(diagnostics[2]["path"], "c.yaml");
    assert_eq!(diagnostics[2]["code"], "QL002");
    assert_eq!(diagnostics[2]["category"], "syntax");
    assert_eq!(diagnostics[2]["severity"], "error");
    assert_eq!(diagnostics[2]["start"]["line"], 1);
    assert_eq!(diagnostics[0]["category"], "meta");
    assert_eq!(diagnostics[0]["severity"], "warning");
}

#[test]
fn human_output_shows_the_place_without_colour_when_piped() {
    let dir = sample_tree();
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "b"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("b/second.kql:2:10"), "{stdout}");
    assert!(stdout.contains("| take 1 // qlint: ignore KQL001"), "source line: {stdout}");
    assert!(stdout.contains("QL003"), "{stdout}");
    assert!(stdout.contains("unused suppression of `KQL001`"), "{stdout}");
    assert!(stdout.contains('─'), "a label under the span: {stdout}");
    assert!(!stdout.contains('\u{1b}'), "no ANSI escapes when stdout is not a terminal");
    assert!(stderr.contains("1 file checked, 1 query: 0 errors, 1 warning, 0 info"), "{stderr}");
}

#[test]
fn sarif_lists_rules_with_help_and_results_with_regions() {
    let dir = sample_tree();
    let (code, stdout, _) = qlint(dir.path(), &["check", "--format", "sarif", "."]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "qlint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ql003 = rules.iter().find(|r| r["id"] == "QL003").expect("QL003 rule");
    assert!(ql003["help"]["markdown"].as_str().unwrap().contains("## What it does"));
    assert_eq!(ql003["defaultConfiguration"]["level"], "warning");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let second = &results[1];
    assert_eq!(second["ruleId"], "QL003");
    assert_eq!(second["level"], "warning");
    assert_eq!(rules[second["ruleIndex"].as_u64().unwrap() as usize]["id"], "QL003");
    let location = &second["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "b/second.kql");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(location["region"]["startColumn"], 10);
    assert_eq!(location["region"]["endColumn"], 33);
}

#[test]
fn github_annotations() {
    let dir = sample_tree();
    let (_, stdout, _) = qlint(dir.path(), &["check", "--format", "github", "b"]);
    assert_eq!(
        stdout,
        "::warning file=b/second.kql,line=2,col=10,endLine=2,endColumn=33,title=QL003::QL003 unused suppression of `KQL001`: no such diagnostic here\n"
    );
}

#[test]
fn gitlab_code_quality_with_stable_unique_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.kql", "T // qlint: ignore KQL001\n| take 1 // qlint: ignore KQL001\n");
    let (_, stdout, _) = qlint(dir.path(), &["check", "--format", "gitlab", "."]);
    let issues: Value = serde_json::from_str(&stdout).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0]["check_name"], "QL003");
    assert_eq!(issues[0]["severity"], "minor");
    assert_eq!(issues[0]["location"]["path"], "x.kql");
    assert_eq!(issues[1]["location"]["positions"]["begin"]["line"], 2);
    assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
    // Moving the findings down a line keeps their fingerprints.
    write(dir.path(), "x.kql", "\nT // qlint: ignore KQL001\n| take 1 // qlint: ignore KQL001\n");
    let (_, moved, _) = qlint(dir.path(), &["check", "--format", "gitlab", "."]);
    let moved: Value = serde_json::from_str(&moved).unwrap();
    assert_eq!(moved[0]["fingerprint"], issues[0]["fingerprint"]);
    assert_eq!(moved[0]["location"]["positions"]["begin"]["line"], 2);
}

#[test]
fn junit_xml() {
    let dir = sample_tree();
    let (_, stdout, _) = qlint(dir.path(), &["check", "--format", "junit", "."]);
    assert!(stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"qlint\" tests=\"3\" failures=\"2\">"), "{stdout}");
    assert!(
        stdout.contains("<testsuite name=\"a/clean.kql\" tests=\"1\" failures=\"0\">"),
        "{stdout}"
    );
    assert!(stdout.contains("<failure type=\"QL003\" message=\"unused suppression of `KQL001`: no such diagnostic here\">b/second.kql:2:10: QL003"), "{stdout}");
    assert_eq!(stdout.matches("<testsuite ").count(), stdout.matches("</testsuite>").count());
}

#[test]
fn exit_codes() {
    let dir = sample_tree();
    assert_eq!(qlint(dir.path(), &["check", "a/clean.kql"]).0, 0);
    assert_eq!(qlint(dir.path(), &["check", "a"]).0, 1);
    // Ignored findings do not fail the run; info does not either.
    assert_eq!(qlint(dir.path(), &["check", "--ignore", "QL003", "."]).0, 0);
    write(dir.path(), "qlint.toml", "[severity]\nQL003 = \"info\"\n");
    assert_eq!(qlint(dir.path(), &["check", "."]).0, 0);
    // Usage errors.
    assert_eq!(qlint(dir.path(), &["check", "--format", "xml", "."]).0, 2);
    assert_eq!(qlint(dir.path(), &["frobnicate"]).0, 2);
    let (code, stdout, _) =
        qlint(dir.path(), &["check", "--format", "concise", "missing.kql", "a"]);
    assert_eq!(code, 2);
    assert!(
        stdout.contains("missing.kql:1:1: QL001 cannot read: no such file or folder"),
        "{stdout}"
    );
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    // `script` runs the command on a pseudo-terminal; skip where it is missing.
    if Command::new("script").arg("--version").output().is_err() {
        println!("SKIP: `script` (util-linux) is not installed; cannot attach a terminal");
        return;
    }
    let dir = sample_tree();
    let qlint = env!("CARGO_BIN_EXE_qlint");
    let run = |no_color: bool| {
        let mut command = Command::new("script");
        command
            .args(["-qec", &format!("{qlint} check --select QL,KQL0,SPL0 b"), "/dev/null"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&command.output().unwrap().stdout).into_owned()
    };
    let coloured = run(false);
    assert!(coloured.contains("b/second.kql:2:10"), "{coloured}");
    assert!(coloured.contains('\u{1b}'), "ANSI colour on a terminal: {coloured:?}");
    let plain = run(true);
    assert!(plain.contains("b/second.kql:2:10"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "NO_COLOR: {plain:?}");
}

#[test]
fn lsp_accepts_the_stdio_flag_that_editor_clients_pass() {
    let dir = tempfile::tempdir().unwrap();
    let request = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}"#;
    let exit = r#"{"jsonrpc":"2.0","method":"exit","params":null}"#;
    let input = format!(
        "Content-Length: {}\r\n\r\n{request}Content-Length: {}\r\n\r\n{exit}",
        request.len(),
        exit.len()
    );
    let (_, stdout, stderr) = qlint_with_stdin(dir.path(), &["lsp", "--stdio"], Some(&input));
    assert!(!stderr.contains("unexpected argument"), "{stderr}");
    assert!(stdout.contains("\"id\":1"), "the server answered nothing: {stdout} {stderr}");
}
