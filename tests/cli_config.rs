//! `qlint check` configuration, inline suppressions and `--fix`/`--diff`; `qlint rule`,
//! `qlint --version`, `qlint lsp`. Runs the real binary on files written to a temp folder.

#[path = "support/cli.rs"]
mod cli;

use cli::write;

use std::path::Path;
use std::process::{Command, Stdio};

fn qlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    cli::run(dir, args, None, true)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn concise(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["check", "--format", "concise"];
    args.extend_from_slice(extra);
    if !extra.iter().any(|a| !a.starts_with("--") && !a.contains('=')) {
        args.push(".");
    }
    let (_, stdout, stderr) = qlint(dir, &args);
    assert!(!stderr.contains("error:"), "{stderr}");
    stdout.lines().map(str::to_owned).collect()
}

/// Two QL003 findings in different folders, for selection tests.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "rules/r.kql",
        "SigninLogs\n| where TimeGenerated > ago(1h) // qlint: ignore KQL401\n",
    );
    write(dir.path(), "hunts/h.spl", "index=x earliest=-1h ```qlint: ignore SPL401```\n");
    dir
}

#[test]
fn select_ignore_and_severity_from_the_file() {
    let dir = tree();
    assert_eq!(concise(dir.path(), &[]).len(), 2);
    write(dir.path(), "qlint.toml", "select = [\"KQL\", \"SPL\"]\n");
    assert_eq!(concise(dir.path(), &[]), Vec::<String>::new());
    write(dir.path(), "qlint.toml", "ignore = [\"QL\"]\n");
    assert_eq!(concise(dir.path(), &[]), Vec::<String>::new());
    write(dir.path(), "qlint.toml", "[severity]\nQL003 = \"error\"\n");
    let (_, stdout, _) = qlint(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(stdout.matches("\"severity\": \"error\"").count(), 2, "{stdout}");
    write(dir.path(), "qlint.toml", "[severity]\nQL003 = \"off\"\n");
    assert_eq!(concise(dir.path(), &[]), Vec::<String>::new());
}

#[test]
fn per_path_overrides_and_nearest_file_wins() {
    let dir = tree();
    write(
        dir.path(),
        "qlint.toml",
        "[[overrides]]\npaths = [\"hunts/**\"]\nignore = [\"QL003\"]\n",
    );
    let lines = concise(dir.path(), &[]);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("rules/r.kql"), "{lines:?}");
    // A nearer qlint.toml replaces the outer one for its folder.
    write(dir.path(), "hunts/qlint.toml", "select = [\"ALL\"]\n");
    assert_eq!(concise(dir.path(), &[]).len(), 2);
    write(dir.path(), "rules/qlint.toml", "ignore = [\"QL003\"]\n");
    let lines = concise(dir.path(), &[]);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("hunts/h.spl"), "{lines:?}");
}

#[test]
fn flags_win_over_the_file() {
    let dir = tree();
    write(dir.path(), "qlint.toml", "select = [\"KQL\", \"SPL\"]\n");
    assert_eq!(concise(dir.path(), &[]).len(), 0);
    assert_eq!(concise(dir.path(), &["--select", "ALL"]).len(), 2);
    // An unused suppression is only reported when the code it names is selected.
    assert_eq!(concise(dir.path(), &["--select", "QL003,KQL"]).len(), 1);
    write(dir.path(), "qlint.toml", "select = [\"QL003\"]\n[severity]\nQL003 = \"error\"\n");
    assert_eq!(concise(dir.path(), &["--ignore", "QL"]).len(), 0);
    // --config replaces discovery.
    write(dir.path(), "other.toml", "ignore = [\"QL003\"]\n");
    assert_eq!(concise(dir.path(), &["--config", "other.toml"]).len(), 0);
}

#[test]
fn unknown_keys_and_bad_values_are_errors_with_a_location() {
    let dir = tree();
    write(dir.path(), "qlint.toml", "select = [\"KQL\"]\n\n[severity]\nKQL401 = \"loud\"\n");
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("qlint.toml:4:10:"), "{stderr}");
    write(dir.path(), "qlint.toml", "select = [\"KQL\"]\nignroe = [\"QL003\"]\n");
    let (code, _, stderr) = qlint(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert!(stderr.contains("qlint.toml:2:1:") && stderr.contains("ignroe"), "{stderr}");
    write(dir.path(), "qlint.toml", "[[overrides]]\npaths = [\"x\"]\nselekt = []\n");
    let (code, _, stderr) = qlint(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert!(stderr.contains("qlint.toml:3:1:") && stderr.contains("selekt"), "{stderr}");
}

#[test]
fn schema_and_macro_sources_are_loaded_relative_to_the_config() {
    let dir = tree();
    write(
        dir.path(),
        "schemas/tables.json",
        "{\"tables\": [{\"name\": \"MyAppLogs_CL\", \"columns\": [{\"name\": \"User\", \"type\": \"string\"}]}]}\n",
    );
    write(dir.path(), "macros/macros.conf", "[m]\ndefinition = index=x\n");
    write(
        dir.path(),
        "qlint.toml",
        "schemas = [\"schemas/tables.json\"]\nmacros = [\"macros/macros.conf\"]\n",
    );
    let (code, _, stderr) = qlint(dir.path(), &["check", "rules"]);
    assert_eq!(code, 1, "loaded without complaint: {stderr}");
    assert!(!stderr.contains("qlint: /"), "{stderr}");
    // A missing or broken source is an error with its location; the files are still linted.
    write(dir.path(), "qlint.toml", "schemas = [\"schemas/missing.json\"]\n");
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "--format", "concise", "rules"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("missing.json"), "{stderr}");
    assert!(stdout.contains("rules/r.kql:2:33: QL003"), "{stdout}");
    write(dir.path(), "schemas/tables.json", "{\"tables\": [{\"columns\": []}]}\n");
    write(dir.path(), "qlint.toml", "schemas = [\"schemas/tables.json\"]\n");
    let (code, _, stderr) = qlint(dir.path(), &["check", "rules"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("tables.json:1:"), "{stderr}");
}

#[test]
fn suppressions_by_line_next_line_and_query() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "q.kql",
        "// qlint: ignore-query KQL999\nSigninLogs | where TimeGenerated > ago(1h)\n// qlint: ignore QL9, KQL401\n\n| take 1 // qlint: ignore KQL402\n",
    );
    let lines = concise(dir.path(), &[]);
    assert_eq!(
        lines,
        [
            "q.kql:1:1: QL003 unused suppression of `KQL999`: no such diagnostic here",
            "q.kql:3:1: QL003 unused suppression of `QL9`, `KQL401`: no such diagnostic here",
            "q.kql:5:10: QL003 unused suppression of `KQL402`: no such diagnostic here",
        ]
    );
    // One suppression can silence another: QL003 reported on line 2 is covered by line 1.
    write(
        dir.path(),
        "q.kql",
        "// qlint: ignore QL003\nSigninLogs | where TimeGenerated > ago(1h) // qlint: ignore KQL401\n",
    );
    assert_eq!(concise(dir.path(), &[]), Vec::<String>::new());
    // A catch-all that silences nothing is reported; one that silences something is used.
    write(
        dir.path(),
        "q.kql",
        "// qlint: ignore-query\nSigninLogs | where TimeGenerated > ago(1h)\n",
    );
    assert_eq!(
        concise(dir.path(), &[]),
        ["q.kql:1:1: QL003 this suppression matches no diagnostic"]
    );
    write(dir.path(), "q.kql", "// qlint: ignore-query\nSigninLogs // qlint: ignore KQL1\n");
    assert_eq!(concise(dir.path(), &[]), Vec::<String>::new());
    // ignore-query with codes covers the whole query.
    write(
        dir.path(),
        "q.kql",
        "// qlint: ignore-query QL003\nSigninLogs | where TimeGenerated > ago(1h)\n| take 1 // qlint: ignore KQL1\n",
    );
    assert_eq!(concise(dir.path(), &[]), Vec::<String>::new());
    // SPL comment blocks.
    write(dir.path(), "q.kql", "");
    write(
        dir.path(),
        "s.spl",
        "```qlint: ignore-query QL003```\nindex=x earliest=-1h ```qlint: ignore SPL1```\n",
    );
    assert_eq!(concise(dir.path(), &[]), Vec::<String>::new());
}

#[test]
fn fix_is_atomic_keeps_permissions_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "q.kql",
        "SecurityEvent // qlint: ignore KQL401\n// qlint: ignore KQL402\n| where TimeGenerated > ago(1d)\n",
    );
    write(
        dir.path(),
        "rule.yaml",
        "name: x\nquery: |\n  SigninLogs\n  // qlint: ignore KQL401\n  | where TimeGenerated > ago(1h)\nsearch: \"index=main earliest=-1h ```qlint: ignore SPL4``` | stats count\"\n",
    );
    write(
        dir.path(),
        "hunt.md",
        "# H\n\n```kql\nSigninLogs\n// qlint: ignore KQL1\n| where TimeGenerated > ago(1h)\n```\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path().join("q.kql"), std::fs::Permissions::from_mode(0o640))
            .unwrap();
    }
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "--format", "concise", "--fix", "."]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("fixed 5 issue(s) in 3 file(s)"), "{stderr}");
    assert_eq!(read(dir.path(), "q.kql"), "SecurityEvent\n| where TimeGenerated > ago(1d)\n");
    assert_eq!(
        read(dir.path(), "rule.yaml"),
        "name: x\nquery: |\n  SigninLogs\n  | where TimeGenerated > ago(1h)\nsearch: \"index=main earliest=-1h | stats count\"\n"
    );
    assert_eq!(
        read(dir.path(), "hunt.md"),
        "# H\n\n```kql\nSigninLogs\n| where TimeGenerated > ago(1h)\n```\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("q.kql")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // No temp files are left behind.
    let mut names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["hunt.md", "q.kql", "rule.yaml"]);
    // A second run changes nothing.
    let (code, _, stderr) = qlint(dir.path(), &["check", "--fix", "."]);
    assert_eq!(code, 0);
    assert!(!stderr.contains("fixed"), "{stderr}");
    assert_eq!(read(dir.path(), "q.kql"), "SecurityEvent\n| where TimeGenerated > ago(1d)\n");
}

#[test]
fn real_rule_fixes_are_written_back_through_yaml_scalars() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "block.yaml",
        "name: x\nquery: |\n  DeviceProcessEvents\n  | where Timestamp > ago(1d)\n  | where FileName == \"CMD.exe\" or FolderPath == \"C:\\\\Temp\"\n",
    );
    write(
        dir.path(),
        "quoted.yaml",
        "id: 1\nquery: \"DeviceProcessEvents | where Timestamp > ago(1d) | where FileName == \\\"CMD.exe\\\"\"\n",
    );
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "--format", "concise", "--fix", "."]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("fixed 3 issue(s) in 2 file(s)"), "{stderr}");
    assert_eq!(
        read(dir.path(), "block.yaml"),
        "name: x\nquery: |\n  DeviceProcessEvents\n  | where Timestamp > ago(1d)\n  | where FileName =~ \"CMD.exe\" or FolderPath =~ \"C:\\\\Temp\"\n"
    );
    assert_eq!(
        read(dir.path(), "quoted.yaml"),
        "id: 1\nquery: \"DeviceProcessEvents | where Timestamp > ago(1d) | where FileName =~ \\\"CMD.exe\\\"\"\n"
    );
}

#[test]
fn fixes_are_never_applied_to_a_query_with_a_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    // KQL402 offers a safe fix on line 3, but line 4 does not parse: nothing is written.
    let text = "DeviceProcessEvents\n| where Timestamp > ago(1d)\n| where FileName == \"CMD.exe\"\n| where EventID ==\n";
    write(dir.path(), "q.kql", text);
    let (code, stdout, stderr) = qlint(dir.path(), &["check", "--format", "concise", "--fix", "."]);
    assert_eq!(code, 1);
    assert!(stdout.contains("q.kql:4:17: KQL001"), "{stdout}");
    assert!(!stderr.contains("fixed"), "{stderr}");
    assert_eq!(read(dir.path(), "q.kql"), text);
    let (_, diff, _) = qlint(dir.path(), &["check", "--diff", "."]);
    assert_eq!(diff, "");
}

#[test]
fn diff_shows_fixes_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let original = "SigninLogs // qlint: ignore KQL401\n| take 1\n";
    write(dir.path(), "q.kql", original);
    let (code, stdout, _) = qlint(dir.path(), &["check", "--diff", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "--- a/q.kql\n+++ b/q.kql\n@@ -1,2 +1,2 @@\n-SigninLogs // qlint: ignore KQL401\n+SigninLogs\n | take 1\n"
    );
    assert_eq!(read(dir.path(), "q.kql"), original);
}

#[test]
fn fixes_are_never_applied_to_a_container_that_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    // The Markdown query is fine but the file also has a YAML twin that is broken: the
    // broken file must stay untouched while the good one is fixed.
    let broken = "query: |\n  SigninLogs // qlint: ignore KQL401\nseverity: [High\n";
    write(dir.path(), "broken.yaml", broken);
    write(dir.path(), "good.kql", "SigninLogs // qlint: ignore KQL401\n");
    let (code, stdout, _) = qlint(dir.path(), &["check", "--format", "concise", "--fix", "."]);
    assert_eq!(code, 1);
    assert!(stdout.contains("broken.yaml:3:11: QL002"), "{stdout}");
    assert_eq!(read(dir.path(), "broken.yaml"), broken);
    assert_eq!(read(dir.path(), "good.kql"), "SigninLogs\n");
}

#[test]
fn rule_docs_and_listing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = qlint(dir.path(), &["rule", "ql003"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# QL003 (unused-suppression)\n"), "{stdout}");
    assert!(stdout.contains("## What it does"), "{stdout}");
    assert!(stdout.contains("## Why is this bad?"), "{stdout}");
    let (code, stdout, _) = qlint(dir.path(), &["rule", "--all"]);
    assert_eq!(code, 0);
    let lines: Vec<_> = stdout.lines().collect();
    assert!(lines.len() >= 5, "{stdout}");
    for code in ["KQL001", "SPL001", "QL001", "QL002", "QL003"] {
        let line = lines.iter().find(|l| l.starts_with(code)).unwrap_or_else(|| panic!("{code}"));
        assert!(
            line.contains("error") || line.contains("warning") || line.contains("info"),
            "{line}"
        );
    }
    // The default set: team-dependent rules are marked `off`.
    let line = |code: &str| *lines.iter().find(|l| l.starts_with(code)).unwrap();
    assert!(line("KQL404").contains(" off "), "{stdout}");
    assert!(line("KQL301").contains(" off "), "{stdout}");
    assert!(line("KQL403").contains(" on "), "{stdout}");
    assert!(stdout.contains("extend-select"), "{stdout}");
    let (code, _, stderr) = qlint(dir.path(), &["rule", "XYZ999"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule code `XYZ999`"), "{stderr}");
}

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = qlint(dir.path(), &["--version"]);
    assert_eq!(code, 0);
    // The commit it was built from follows the version when known (see cli_version).
    assert!(stdout.starts_with(&format!("qlint {}", env!("CARGO_PKG_VERSION"))), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let (code, stdout, _) = qlint(dir.path(), &["check", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("--stdin-filename") && stdout.contains("--output-format"), "{stdout}");
}

#[test]
fn lsp_subcommand_speaks_the_protocol() {
    use std::io::{Read, Write};
    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_qlint"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let initialize =
        frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    stdin.write_all(initialize.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Wait for the answer before going on, as a client does.
    let mut out = String::new();
    let mut chunk = [0u8; 4096];
    while !(out.contains("\"id\":1") && out.contains("\"capabilities\"")) {
        let n = stdout.read(&mut chunk).unwrap();
        assert!(n > 0, "server closed its output: {out}");
        out.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    let rest = [
        frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
    ]
    .concat();
    stdin.write_all(rest.as_bytes()).unwrap();
    stdin.flush().unwrap();
    while !out.contains("\"id\":2") {
        let n = stdout.read(&mut chunk).unwrap();
        assert!(n > 0, "server closed its output: {out}");
        out.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    stdin.write_all(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#).as_bytes()).unwrap();
    drop(stdin);
    stdout.read_to_string(&mut out).unwrap();
    let status = child.wait().unwrap();
    assert!(out.contains("\"id\":1") && out.contains("\"capabilities\""), "{out}");
    assert!(out.contains("\"id\":2"), "shutdown answered: {out}");
    assert!(status.success(), "{status:?}");
}
