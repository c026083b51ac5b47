//! Tells the crate where `corpus/` is, whose catalog and docs it compiles in
//! (`QLINT_CORPUS_DIR`, read by the `corpus_file!` macro).
//!
//! It is the repository's top-level `corpus/`. A published crate cannot reach outside its own
//! folder, so `server/knowledge/corpus` is a symbolic link to it, which `cargo package` follows
//! and stores as plain files: the published crate has a real `corpus/` of its own. A checkout
//! without symbolic links (git on Windows by default) turns the link into a one-line text file;
//! then the folder two levels up is used directly.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let own = manifest_dir.join("corpus");
    let workspace = manifest_dir.join("..").join("..").join("corpus");
    let dir = [own, workspace].into_iter().find(|dir| dir.join("catalog").is_dir());
    let Some(dir) = dir else {
        panic!("qlint-knowledge: no corpus/catalog next to {}", manifest_dir.display());
    };
    let dir = dir.to_str().expect("qlint-knowledge: the path of corpus/ must be UTF-8");
    println!("cargo:rustc-env=QLINT_CORPUS_DIR={dir}");
}
