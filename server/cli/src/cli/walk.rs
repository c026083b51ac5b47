//! Finding the files to check and the configuration (and knowledge) for each.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use qlint_files::config::{self, CliOverrides, Config, ConfigError};
use qlint_files::sources::SourceKind;
use qlint_knowledge::Knowledge;

/// A configuration with everything derived from it.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub knowledge: Knowledge,
    exclude: GlobSet,
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let anchored = config::anchor_glob(pattern);
        builder.add(Glob::new(&anchored).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?);
        // A folder pattern also excludes everything below it.
        builder.add(
            Glob::new(&format!("{}/**", anchored.trim_end_matches('/')))
                .map_err(|e| format!("invalid glob `{pattern}`: {e}"))?,
        );
    }
    builder.build().map_err(|e| e.to_string())
}

impl Loaded {
    fn new(
        config: Config,
        extra_roots: &[PathBuf],
        problems: &mut Vec<String>,
    ) -> Result<Self, String> {
        let mut knowledge = Knowledge::builtin();
        for path in &config.schemas {
            if let Err(error) = knowledge.load_schema_file(path) {
                problems.push(error.to_string());
            }
        }
        for path in &config.macros {
            if let Err(error) = knowledge.load_macro_file(path) {
                problems.push(error.to_string());
            }
        }
        for path in &config.datamodels {
            problems.extend(knowledge.load_datamodel_path(path).iter().map(ToString::to_string));
        }
        let roots: Vec<PathBuf> =
            if config.source.is_some() { vec![config.root.clone()] } else { extra_roots.to_vec() };
        for root in roots {
            problems.extend(knowledge.discover_workspace(&root).iter().map(ToString::to_string));
        }
        let exclude = glob_set(&config.exclude)?;
        Ok(Self { config, knowledge, exclude })
    }

    /// True when `path` (absolute) matches this configuration's `exclude`.
    fn excludes(&self, path: &Path) -> bool {
        let relative = path.strip_prefix(&self.config.root).unwrap_or(path);
        !self.exclude.is_empty() && self.exclude.is_match(relative)
    }
}

/// Finds the nearest `qlint.toml` for each folder, loading each file once.
pub struct Resolver {
    explicit: Option<Arc<Loaded>>,
    default: Arc<Loaded>,
    cli: CliOverrides,
    cli_exclude: GlobSet,
    cwd: PathBuf,
    cache: Mutex<HashMap<PathBuf, Arc<Loaded>>>,
    /// Fatal configuration errors (reported once, exit 2).
    pub errors: Mutex<Vec<String>>,
    /// Knowledge sources that could not be loaded (reported, exit 2).
    pub problems: Mutex<Vec<String>>,
}

impl Resolver {
    pub fn new(
        config_path: Option<&Path>,
        cli: CliOverrides,
        cli_exclude: &[String],
        roots: &[PathBuf],
    ) -> Result<Self, String> {
        let cwd =
            std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
        let mut problems = Vec::new();
        let explicit = match config_path {
            Some(path) => {
                let config = Config::load(path).map_err(|e| e.to_string())?;
                Some(Arc::new(Loaded::new(config.with_cli(cli.clone()), roots, &mut problems)?))
            }
            None => None,
        };
        let mut default_config = Config::default().with_cli(cli.clone());
        default_config.root = cwd.clone();
        let default = Arc::new(Loaded::new(default_config, roots, &mut problems)?);
        Ok(Self {
            explicit,
            default,
            cli,
            cli_exclude: glob_set(cli_exclude)?,
            cwd,
            cache: Mutex::new(HashMap::new()),
            errors: Mutex::new(Vec::new()),
            problems: Mutex::new(problems),
        })
    }

    fn absolute(&self, path: &Path) -> PathBuf {
        if path.is_absolute() { path.to_owned() } else { self.cwd.join(path) }
    }

    /// The configuration for a file or folder at `path`.
    pub fn for_path(&self, path: &Path) -> Arc<Loaded> {
        if let Some(explicit) = &self.explicit {
            return explicit.clone();
        }
        let absolute = self.absolute(path);
        let dir = if absolute.is_dir() {
            absolute.as_path()
        } else {
            absolute.parent().unwrap_or(&absolute)
        };
        self.for_dir(dir)
    }

    fn for_dir(&self, dir: &Path) -> Arc<Loaded> {
        if let Some(found) = self.cache.lock().unwrap_or_else(|e| e.into_inner()).get(dir) {
            return found.clone();
        }
        let candidate = dir.join(config::FILE_NAME);
        let loaded = if candidate.is_file() {
            match self.load(&candidate) {
                Ok(loaded) => Arc::new(loaded),
                Err(error) => {
                    self.errors.lock().unwrap_or_else(|e| e.into_inner()).push(error);
                    self.default.clone()
                }
            }
        } else {
            match dir.parent() {
                Some(parent) => self.for_dir(parent),
                None => self.default.clone(),
            }
        };
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(dir.to_owned(), loaded.clone());
        loaded
    }

    fn load(&self, path: &Path) -> Result<Loaded, String> {
        let config = Config::load(path).map_err(|e: ConfigError| e.to_string())?;
        let mut problems = Vec::new();
        let loaded = Loaded::new(config.with_cli(self.cli.clone()), &[], &mut problems)?;
        self.problems.lock().unwrap_or_else(|e| e.into_inner()).extend(problems);
        Ok(loaded)
    }

    /// True when `path` is excluded by `--exclude` or by the nearest configuration.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let relative = path.strip_prefix("./").unwrap_or(path);
        if !self.cli_exclude.is_empty() && self.cli_exclude.is_match(relative) {
            return true;
        }
        let absolute = self.absolute(path);
        self.for_path(path).excludes(&absolute)
    }
}

/// One file to check.
#[derive(Debug, Clone)]
pub struct Target {
    /// The path as shown in reports.
    pub path: PathBuf,
    pub kind: SourceKind,
}

/// Expands the command-line paths into the files to check, sorted; missing paths are
/// returned separately.
pub fn collect(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
) -> (Vec<Target>, Vec<(PathBuf, String)>) {
    let mut targets = Vec::new();
    let mut missing = Vec::new();
    for root in paths {
        let shown = clean(root);
        if root.is_file() {
            if let Some(kind) = SourceKind::of_path(root)
                && !resolver.is_excluded(&shown)
            {
                targets.push(Target { path: shown, kind });
            }
            continue;
        }
        if !root.exists() {
            missing.push((shown, "no such file or folder".to_owned()));
            continue;
        }
        let filter = Arc::clone(resolver);
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .filter_entry(move |entry| entry.depth() == 0 || !filter.is_excluded(entry.path()))
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    if let Some(kind) = SourceKind::of_path(entry.path()) {
                        targets.push(Target { path: clean(entry.path()), kind });
                    }
                }
                Err(error) => {
                    let path = match &error {
                        ignore::Error::WithPath { path, .. } => path.clone(),
                        _ => shown.clone(),
                    };
                    missing.push((clean(&path), error.to_string()));
                }
            }
        }
    }
    sort_by_path(&mut targets);
    targets.dedup_by(|a, b| a.path == b.path);
    (targets, missing)
}

/// Sorts in `Path`'s order (component by component), splitting each path into components
/// once rather than twice per comparison, which showed in the profile of a 4,000-file run.
fn sort_by_path(targets: &mut Vec<Target>) {
    let mut order: Vec<usize> = (0..targets.len()).collect();
    {
        let keys: Vec<Vec<Component<'_>>> =
            targets.iter().map(|t| t.path.components().collect()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    }
    let mut slots: Vec<Option<Target>> = targets.drain(..).map(Some).collect();
    targets.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// Drops a leading `./`.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix("./").map(Path::to_owned).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_by_components_keeps_paths_order() {
        let names = [
            "b/a.kql",
            "a-b/c.kql",
            "a/b-c.kql",
            "a/b/c.kql",
            "a.kql",
            "a/b.kql",
            "/abs/x.kql",
            "../up.kql",
            "a/./b.kql",
            "A/z.yaml",
            "a b/c.md",
        ];
        let mut targets: Vec<Target> = names
            .iter()
            .map(|n| Target { path: PathBuf::from(n), kind: SourceKind::Markdown })
            .collect();
        let mut expected: Vec<PathBuf> = targets.iter().map(|t| t.path.clone()).collect();
        expected.sort();
        sort_by_path(&mut targets);
        let got: Vec<PathBuf> = targets.into_iter().map(|t| t.path).collect();
        assert_eq!(got, expected);
    }
}
