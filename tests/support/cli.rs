//! Running the real `qlint` binary on files a test writes into a temp folder.

#![allow(dead_code)] // each test crate uses its own subset

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `qlint args…` in `dir`, feeding `stdin` when given; `NO_COLOR` is set when
/// `no_color` is true and removed otherwise. Returns the exit code, stdout and stderr.
pub fn run(
    dir: &Path,
    args: &[&str],
    stdin: Option<&str>,
    no_color: bool,
) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qlint"));
    command.args(args).current_dir(dir);
    if no_color {
        command.env("NO_COLOR", "1");
    } else {
        command.env_remove("NO_COLOR");
    }
    let mut child = command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run qlint");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Tests of the mechanics of `qlint check` (walking, formats, positions) select the syntax
/// and meta codes only, so that new rules do not change their expectations; the suppressions
/// they write name `KQL0xx`/`SPL0xx` codes, which are selected too.
pub fn with_mechanics_selection<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    if all.first() == Some(&"check") && !all.contains(&"--select") {
        all.splice(1..1, ["--select", "QL,KQL0,SPL0"]);
    }
    all
}

/// Writes `content` to `dir/name`, creating folders on the way.
pub fn write(dir: &Path, name: &str, content: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// The `diagnostics` array of `qlint check --format json --select <select> .` run in `dir`,
/// in the order qlint wrote them.
pub fn json_diagnostics(dir: &Path, select: &str) -> Vec<serde_json::Value> {
    let args = ["check", "--format", "json", "--select", select, "."];
    let (_, stdout, stderr) = run(dir, &args, None, true);
    let mut report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    match report["diagnostics"].take() {
        serde_json::Value::Array(diagnostics) => diagnostics,
        other => panic!("no diagnostics array: {other}"),
    }
}
