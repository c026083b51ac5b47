//! Puts the commit qlint is built from into `qlint --version` (`QLINT_VERSION`).
//!
//! Where the commit comes from, first match wins:
//! 1. `QLINT_COMMIT_HASH` (and optionally `QLINT_COMMIT_DATE`) in the environment, for builds
//!    from a source archive that has neither git nor cargo's packaging record;
//! 2. `.cargo_vcs_info.json`, which `cargo package` writes into a published crate (so
//!    `cargo install qlint` knows its commit, without the date);
//! 3. `git` in the checkout.
//!
//! With none of them the version is the bare package version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=QLINT_COMMIT_HASH");
    println!("cargo:rerun-if-env-changed=QLINT_COMMIT_DATE");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let commit =
        from_env().or_else(|| from_vcs_info(&manifest_dir)).or_else(|| from_git(&manifest_dir));
    let full = match commit {
        Some(Commit { hash, date: Some(date) }) => format!("{version} ({hash} {date})"),
        Some(Commit { hash, date: None }) => format!("{version} ({hash})"),
        None => version,
    };
    println!("cargo:rustc-env=QLINT_VERSION={full}");
}

struct Commit {
    /// Abbreviated to 9 hex digits.
    hash: String,
    /// The commit date, `YYYY-MM-DD`.
    date: Option<String>,
}

fn short(hash: &str) -> Option<String> {
    let hash = hash.trim();
    let valid = hash.len() >= 7 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| hash.chars().take(9).collect())
}

fn from_env() -> Option<Commit> {
    let hash = short(&std::env::var("QLINT_COMMIT_HASH").ok()?)?;
    let date = std::env::var("QLINT_COMMIT_DATE").ok().filter(|d| !d.trim().is_empty());
    Some(Commit { hash, date: date.map(|d| d.trim().to_owned()) })
}

/// `{"git": {"sha1": "..."}, ...}`, read without a JSON parser: the build script has no
/// dependencies.
fn from_vcs_info(manifest_dir: &Path) -> Option<Commit> {
    let path = manifest_dir.join(".cargo_vcs_info.json");
    rerun_if_changed(&path);
    let text = std::fs::read_to_string(path).ok()?;
    let after_key = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after_key.split('"').nth(1)?;
    Some(Commit { hash: short(value)?, date: None })
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn from_git(dir: &Path) -> Option<Commit> {
    let hash = short(&git(dir, &["rev-parse", "HEAD"])?)?;
    let date = git(dir, &["log", "-1", "--format=%cs", "HEAD"]).filter(|d| !d.is_empty());
    rerun_when_head_moves(dir);
    Some(Commit { hash, date })
}

/// Asks cargo to run this script again when a commit, checkout or branch switch moves HEAD.
fn rerun_when_head_moves(dir: &Path) {
    let absolute = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() { p } else { dir.join(p) }
    };
    let Some(git_dir) = git(dir, &["rev-parse", "--git-dir"]).map(absolute) else { return };
    let common = git(dir, &["rev-parse", "--git-common-dir"])
        .map(absolute)
        .unwrap_or_else(|| git_dir.clone());
    rerun_if_changed(&git_dir.join("HEAD"));
    rerun_if_changed(&common.join("packed-refs"));
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        rerun_if_changed(&common.join(branch));
    }
}

/// Only for files that exist: cargo reruns a script on every build when a listed file is missing.
fn rerun_if_changed(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
