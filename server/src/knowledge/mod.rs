//! What qlint knows: the built-in catalog (tables, functions, commands, data models) and the
//! user's own schemas, macros and lookups.
//!
//! PLACEHOLDER API (issue 5 fills it in): the CLI and the LSP build one `Knowledge` and pass
//! it to `lint_query`.

use std::path::{Path, PathBuf};

/// Why a knowledge source could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file was read but its content is not valid.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// Built-in and workspace knowledge used by analysis, rules, hover and completion.
#[derive(Debug, Default, Clone)]
pub struct Knowledge {}

impl Knowledge {
    /// The built-in catalog only.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// Adds KQL table schemas from a JSON file.
    pub fn load_schema_file(&mut self, path: &Path) -> Result<(), KnowledgeError> {
        let _ = path;
        Ok(())
    }

    /// Adds Splunk macros from a `macros.conf` or security-content `macros/*.yml` file.
    pub fn load_macro_file(&mut self, path: &Path) -> Result<(), KnowledgeError> {
        let _ = path;
        Ok(())
    }

    /// Finds macro definitions (`macros.conf`, `macros/*.yml`) below `root` and loads them;
    /// returns the errors of the files that could not be loaded.
    pub fn discover_workspace(&mut self, root: &Path) -> Vec<KnowledgeError> {
        let _ = root;
        Vec::new()
    }
}
