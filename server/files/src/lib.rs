//! Queries in files: finding them in their containers (with maps back to file offsets and the
//! container's facts), the `qlint.toml` configuration, and the per-file check and fix that
//! both edges (the CLI and the language server) run.

pub mod across;
pub mod check;
pub mod config;
pub mod fix;
pub mod format;
pub mod sources;
