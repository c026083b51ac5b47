//! `qlint --version` names the commit the binary was built from, and every place that writes
//! down the release version agrees with the workspace (a mismatch would make the pre-commit
//! hook install another release's wheel).

use std::path::Path;
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").arg("-C").arg(repo_root()).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let output = Command::new(env!("CARGO_BIN_EXE_qlint")).arg("--version").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let line = stdout.strip_suffix('\n').expect("one line");
    let Some(head) = git(&["rev-parse", "HEAD"]) else {
        println!("skipped the commit check: not a git checkout");
        assert!(line.starts_with(&format!("qlint {VERSION}")), "{line}");
        return;
    };
    let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap();
    assert_eq!(line, format!("qlint {VERSION} ({} {date})", &head[..9]));
}

/// `needle` followed by the version, somewhere in a file of the repository.
fn assert_pinned(file: &str, needle: &str) {
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    let expected = format!("{needle}{VERSION}\"");
    assert!(text.contains(&expected), "{file} should contain {expected}");
}

#[test]
fn release_versions_agree_with_the_workspace() {
    assert_pinned("pyproject.toml", "version = \"");
    assert_pinned("pyproject.toml", "\"qlint-cli==");
    assert_pinned("editors/vscode/package.json", "\"version\": \"");
    let changelog = std::fs::read_to_string(repo_root().join("server/cli/CHANGELOG.md")).unwrap();
    assert!(
        changelog.lines().any(|l| l == format!("## {VERSION}")),
        "no `## {VERSION}` in the changelog"
    );
}
