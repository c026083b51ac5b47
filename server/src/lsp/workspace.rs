//! The workspace the server lints against: its roots, settings, and the knowledge built from
//! them (built-in catalog, workspace macros, extra schema and macro files).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::knowledge::Knowledge;

/// Settings from `initializationOptions` or `workspace/didChangeConfiguration`
/// (`{"qlint": {...}}` or the object itself).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Extra KQL table schema files (relative paths resolve against the first root).
    pub schemas: Vec<PathBuf>,
    /// Extra Splunk macro files (`macros.conf`, `macros/*.yml`).
    pub macros: Vec<PathBuf>,
    /// Diagnostics debounce in milliseconds (default 150).
    pub debounce_ms: Option<u64>,
}

impl Settings {
    /// Reads settings from a JSON value; unknown or malformed values give the defaults.
    pub fn from_json(value: Option<&serde_json::Value>) -> Settings {
        let Some(value) = value else { return Settings::default() };
        let inner = value.get("qlint").unwrap_or(value);
        serde_json::from_value(inner.clone()).unwrap_or_default()
    }
}

/// Knowledge and settings for a set of roots.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Workspace folders.
    pub roots: Vec<PathBuf>,
    /// Current settings.
    pub settings: Settings,
    /// What queries are checked against.
    pub knowledge: Knowledge,
    /// Problems met while loading (shown to the user once).
    pub errors: Vec<String>,
}

impl Workspace {
    /// Loads knowledge for `roots` with `settings` (does IO: call off the async executor).
    pub fn load(roots: Vec<PathBuf>, settings: Settings) -> Workspace {
        let mut knowledge = Knowledge::builtin();
        let mut errors = Vec::new();
        for root in &roots {
            errors.extend(knowledge.discover_workspace(root).into_iter().map(|e| e.to_string()));
        }
        let resolve = |p: &Path| match roots.first() {
            Some(root) if p.is_relative() => root.join(p),
            _ => p.to_path_buf(),
        };
        for schema in &settings.schemas {
            if let Err(e) = knowledge.load_schema_file(&resolve(schema)) {
                errors.push(e.to_string());
            }
        }
        for macros in &settings.macros {
            if let Err(e) = knowledge.load_macro_file(&resolve(macros)) {
                errors.push(e.to_string());
            }
        }
        Workspace { roots, settings, knowledge, errors }
    }

    /// True when a changed file can change what the workspace knows.
    pub fn is_knowledge_file(path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        name == "qlint.toml"
            || name.ends_with("macros.conf")
            || name.ends_with(".json")
            || (path.components().any(|c| c.as_os_str() == "macros")
                && (name.ends_with(".yml") || name.ends_with(".yaml")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_accept_nested_and_flat_shapes() {
        let v = serde_json::json!({"qlint": {"schemas": ["s.json"], "debounceMs": 5}});
        let s = Settings::from_json(Some(&v));
        assert_eq!(s.schemas, [PathBuf::from("s.json")]);
        assert_eq!(s.debounce_ms, Some(5));
        let v = serde_json::json!({"macros": ["m.conf"]});
        assert_eq!(Settings::from_json(Some(&v)).macros, [PathBuf::from("m.conf")]);
        let v = serde_json::json!({"schemas": 3});
        assert_eq!(Settings::from_json(Some(&v)), Settings::default());
    }

    #[test]
    fn knowledge_files() {
        assert!(Workspace::is_knowledge_file(Path::new("/w/qlint.toml")));
        assert!(Workspace::is_knowledge_file(Path::new("/w/app/default/macros.conf")));
        assert!(Workspace::is_knowledge_file(Path::new("/w/macros/x.yml")));
        assert!(!Workspace::is_knowledge_file(Path::new("/w/detections/x.yml")));
    }
}
