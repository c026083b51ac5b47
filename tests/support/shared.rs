//! Where the shared material (`../shared`: real corpora, catalog, oracle labels) lives.
//!
//! CI and a plain checkout have it beside the workspace root; a git worktree one level deeper
//! finds it one folder further up; `QLINT_SHARED` names it explicitly. Tests that need it skip
//! with a message when it is absent.

use std::path::{Path, PathBuf};

/// The shared folder, if one with a `corpus/` folder exists.
pub fn shared_dir() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("QLINT_SHARED") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => {
            // The tests are compiled as tests of `server/cli`, two folders below the root.
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            vec![root.join("../shared"), root.join("../../shared")]
        }
    };
    candidates.into_iter().find(|dir| dir.join("corpus").is_dir())
}
