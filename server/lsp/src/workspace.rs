//! The workspace the server lints against: its roots, the editor's settings, and a profile
//! (configuration + knowledge) per `qlint.toml`, found the way `qlint check` finds it — the
//! nearest one walking up from the document's folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use qlint_files::config::{self, CliOverrides, Config};
use qlint_knowledge::Knowledge;

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
    /// Rule codes or prefixes to report (replaces the `qlint.toml` selection, like `--select`).
    pub select: Vec<String>,
    /// Rule codes or prefixes never to report (wins over `qlint.toml`, like `--ignore`).
    pub ignore: Vec<String>,
    /// Which inlay hints to show (`{"inlayHints": {"macroExpansion": true}}`).
    pub inlay_hints: InlayHintSettings,
}

/// `inlayHints` settings.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct InlayHintSettings {
    /// The inferred type after each column a KQL `extend` defines (default on).
    pub extend_types: bool,
    /// The expanded text after each SPL macro call (default off: it can be long).
    pub macro_expansion: bool,
}

impl Default for InlayHintSettings {
    fn default() -> Self {
        Self { extend_types: true, macro_expansion: false }
    }
}

impl Settings {
    /// Reads settings from a JSON value; unknown or malformed values give the defaults.
    pub fn from_json(value: Option<&serde_json::Value>) -> Settings {
        let Some(value) = value else { return Settings::default() };
        let inner = value.get("qlint").unwrap_or(value);
        serde_json::from_value(inner.clone()).unwrap_or_default()
    }
}

/// A configuration and the knowledge built from it.
#[derive(Debug, Default)]
pub struct Profile {
    /// Rule selection, severities, extra sources.
    pub config: Config,
    /// Built-in catalog plus schemas and macros from the configuration and the workspace.
    pub knowledge: Knowledge,
}

/// Roots, settings and the profiles loaded so far.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Workspace folders.
    pub roots: Vec<PathBuf>,
    /// Current settings.
    pub settings: Settings,
    /// The profile of documents with no `qlint.toml` above them.
    default: Arc<Profile>,
    /// Profiles by folder (the folder a document is in, or any folder above it).
    profiles: Mutex<HashMap<PathBuf, Arc<Profile>>>,
    /// Problems met while loading, not yet shown to the user.
    errors: Mutex<Vec<String>>,
}

impl Workspace {
    /// Loads the default profile for `roots` (does IO: call off the async executor).
    pub fn load(roots: Vec<PathBuf>, settings: Settings) -> Workspace {
        let mut errors = Vec::new();
        let mut default_config = Config::default();
        default_config.root = roots.first().cloned().unwrap_or_default();
        let default = Arc::new(build_profile(default_config, &roots, &settings, &mut errors));
        Workspace {
            roots,
            settings,
            default,
            profiles: Mutex::default(),
            errors: Mutex::new(errors),
        }
    }

    /// The profile for a document at `path` (loads the nearest `qlint.toml` once; IO).
    pub fn profile_for(&self, path: Option<&Path>) -> Arc<Profile> {
        match path.and_then(Path::parent) {
            Some(dir) => self.profile_for_dir(dir, 0),
            None => Arc::clone(&self.default),
        }
    }

    fn profile_for_dir(&self, dir: &Path, depth: usize) -> Arc<Profile> {
        if let Some(found) = lock(&self.profiles).get(dir) {
            return Arc::clone(found);
        }
        let candidate = dir.join(config::FILE_NAME);
        let profile = if candidate.is_file() {
            match Config::load(&candidate) {
                Ok(config) => {
                    let mut errors = Vec::new();
                    let profile = build_profile(config, &[], &self.settings, &mut errors);
                    lock(&self.errors).extend(errors);
                    Arc::new(profile)
                }
                Err(error) => {
                    lock(&self.errors).push(error.to_string());
                    Arc::clone(&self.default)
                }
            }
        } else {
            match dir.parent() {
                Some(parent) if depth < 64 => self.profile_for_dir(parent, depth + 1),
                _ => Arc::clone(&self.default),
            }
        };
        lock(&self.profiles).insert(dir.to_owned(), Arc::clone(&profile));
        profile
    }

    /// Loading problems not yet reported.
    pub fn take_errors(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.errors))
    }

    /// True when a changed file can change what the workspace knows.
    pub fn is_knowledge_file(path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        name == config::FILE_NAME
            || name.ends_with("macros.conf")
            || name.ends_with(".json")
            || (path.components().any(|c| c.as_os_str() == "macros")
                && (name.ends_with(".yml") || name.ends_with(".yaml")))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Knowledge for `config`: the built-in catalog, the configuration's schemas and macros, the
/// editor settings' extras, and the macros discovered below the configuration's folder (or
/// the workspace roots when there is no configuration file).
fn build_profile(
    config: Config,
    roots: &[PathBuf],
    settings: &Settings,
    errors: &mut Vec<String>,
) -> Profile {
    let mut knowledge = Knowledge::builtin();
    let resolve = |p: &Path| if p.is_relative() { config.root.join(p) } else { p.to_path_buf() };
    for path in config.schemas.iter().chain(&settings.schemas) {
        if let Err(e) = knowledge.load_schema_file(&resolve(path)) {
            errors.push(e.to_string());
        }
    }
    for path in config.macros.iter().chain(&settings.macros) {
        if let Err(e) = knowledge.load_macro_file(&resolve(path)) {
            errors.push(e.to_string());
        }
    }
    for path in &config.datamodels {
        errors
            .extend(knowledge.load_datamodel_path(&resolve(path)).iter().map(ToString::to_string));
    }
    let discover: Vec<PathBuf> =
        if config.source.is_some() { vec![config.root.clone()] } else { roots.to_vec() };
    for root in discover {
        errors.extend(knowledge.discover_workspace(&root).iter().map(ToString::to_string));
    }
    let overrides = CliOverrides {
        select: settings.select.clone(),
        ignore: settings.ignore.clone(),
        ..CliOverrides::default()
    };
    Profile { config: config.with_cli(overrides), knowledge }
}

/// Files under `roots` that `keep` accepts, at most `max` of them, sorted. Hidden folders,
/// `target` and `node_modules` are skipped.
pub fn files_under(roots: &[PathBuf], max: usize, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = roots.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    stack.push(path);
                }
            } else if keep(&path) {
                out.push(path);
                if out.len() >= max {
                    out.sort();
                    return out;
                }
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_select_and_ignore_win_over_the_configuration_file() {
        let dir = std::env::temp_dir().join(format!("qlint-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(config::FILE_NAME), "select = [\"KQL\"]\n").unwrap();
        let v = serde_json::json!({"qlint": {"select": ["KQL4"], "ignore": ["KQL404"]}});
        let workspace = Workspace::load(vec![dir.clone()], Settings::from_json(Some(&v)));
        let profile = workspace.profile_for(Some(&dir.join("hunt.kql")));
        let selection = profile.config.selection_for(&dir.join("hunt.kql"));
        assert!(selection.is_enabled("KQL401"));
        assert!(!selection.is_enabled("KQL404"), "ignored in the editor settings");
        assert!(!selection.is_enabled("KQL202"), "not selected in the editor settings");
        std::fs::remove_dir_all(&dir).unwrap();
    }

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

    #[test]
    fn nearest_config_wins() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("team/hunts");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join("team/qlint.toml"), "ignore = [\"KQL001\"]\n").unwrap();
        let ws = Workspace::load(vec![dir.path().to_owned()], Settings::default());
        let profile = ws.profile_for(Some(&sub.join("a.kql")));
        assert_eq!(
            profile.config.source.as_deref(),
            Some(dir.path().join("team/qlint.toml").as_path())
        );
        let other = ws.profile_for(Some(&dir.path().join("b.kql")));
        assert!(other.config.source.is_none());
        assert!(ws.take_errors().is_empty());
    }
}
