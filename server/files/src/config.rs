//! `qlint.toml`: which rules run, at what severity, on which paths, with which extra knowledge.
//!
//! ```toml
//! select = ["KQL", "SPL", "QL"]      # code prefixes; "ALL" selects everything
//! ignore = ["KQL3"]
//! exclude = ["vendor/**"]
//! schemas = ["schemas/custom_tables.json"]
//! macros = ["splunk/macros.conf"]
//! datamodels = ["Splunk_SA_CIM/default/data/models"]
//!
//! [severity]
//! KQL401 = "error"                  # error | warning | info | off
//!
//! [[overrides]]
//! paths = ["hunts/**"]
//! ignore = ["KQL4"]
//! ```
//!
//! No IO except [`Config::load`]; the nearest file above each checked file applies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use qlint_linter::diagnostic::Severity;

/// The name of the configuration file.
pub const FILE_NAME: &str = "qlint.toml";

/// A problem with a configuration file, with its location.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A severity as written in the file; `off` disables the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityLevel {
    /// Fails the run.
    Error,
    /// Fails the run unless ignored.
    Warning,
    /// Reported, never fails the run.
    Info,
    /// Not reported.
    Off,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, SeverityLevel>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    schemas: Vec<PathBuf>,
    #[serde(default)]
    macros: Vec<PathBuf>,
    #[serde(default)]
    datamodels: Vec<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    paths: Vec<String>,
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, SeverityLevel>,
}

/// Which rules run and how loud they are; the layer that overrides and flags modify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelection {
    /// Code prefixes that are on (`ALL` for everything).
    pub select: Vec<String>,
    /// Code prefixes that are off; the more specific of select/ignore wins, ties go to ignore.
    pub ignore: Vec<String>,
    /// Per-code severities (exact codes or prefixes, longest wins).
    pub severity: BTreeMap<String, SeverityLevel>,
}

impl Default for RuleSelection {
    fn default() -> Self {
        Self { select: vec!["ALL".to_owned()], ignore: Vec::new(), severity: BTreeMap::new() }
    }
}

fn prefix_len(selector: &str, code: &str) -> Option<usize> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(0);
    }
    let matches = code.len() >= selector.len()
        && code.as_bytes()[..selector.len()].eq_ignore_ascii_case(selector.as_bytes());
    matches.then_some(selector.len())
}

fn longest(selectors: &[String], code: &str) -> Option<usize> {
    selectors.iter().filter_map(|s| prefix_len(s, code)).max()
}

impl RuleSelection {
    /// True when `code` is reported.
    pub fn is_enabled(&self, code: &str) -> bool {
        let Some(selected) = longest(&self.select, code) else { return false };
        if longest(&self.ignore, code).is_some_and(|ignored| ignored >= selected) {
            return false;
        }
        self.level(code) != Some(SeverityLevel::Off)
    }

    fn level(&self, code: &str) -> Option<SeverityLevel> {
        self.severity
            .iter()
            .filter_map(|(selector, level)| prefix_len(selector, code).map(|len| (len, *level)))
            .max_by_key(|(len, _)| *len)
            .map(|(_, level)| level)
    }

    /// The configured severity for `code`, or `default`.
    pub fn severity(&self, code: &str, default: Severity) -> Severity {
        match self.level(code) {
            Some(SeverityLevel::Error) => Severity::Error,
            Some(SeverityLevel::Warning) => Severity::Warning,
            Some(SeverityLevel::Info) => Severity::Info,
            Some(SeverityLevel::Off) | None => default,
        }
    }

    fn apply(
        &mut self,
        select: Option<&Vec<String>>,
        ignore: &[String],
        severity: &BTreeMap<String, SeverityLevel>,
    ) {
        if let Some(select) = select {
            self.select = select.clone();
        }
        self.ignore.extend(ignore.iter().cloned());
        self.severity.extend(severity.iter().map(|(k, v)| (k.clone(), *v)));
    }
}

#[derive(Debug, Clone)]
struct Override {
    paths: GlobSet,
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    severity: BTreeMap<String, SeverityLevel>,
}

/// Settings given on the command line; they win over every file.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    /// `--select`: replaces the file's selection when not empty.
    pub select: Vec<String>,
    /// `--ignore`: always off, whatever the file selects.
    pub ignore: Vec<String>,
}

/// A loaded configuration (or the default one).
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The directory the file's relative paths and globs are resolved from.
    pub root: PathBuf,
    /// The file it came from, if any.
    pub source: Option<PathBuf>,
    base: RuleSelection,
    overrides: Vec<Override>,
    cli: CliOverrides,
    /// `exclude` globs, relative to `root`.
    pub exclude: Vec<String>,
    /// Extra schema files, resolved against `root`.
    pub schemas: Vec<PathBuf>,
    /// Extra macro files, resolved against `root`.
    pub macros: Vec<PathBuf>,
    /// Splunk data model JSON files or folders of them, resolved against `root`.
    pub datamodels: Vec<PathBuf>,
}

impl Config {
    /// Parses `text` as the content of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            let (line, column) = line_column(text, offset);
            ConfigError {
                path: path.to_owned(),
                line,
                column,
                message: error.message().trim().to_owned(),
            }
        })?;
        let root = path.parent().map(Path::to_owned).unwrap_or_default();
        let mut overrides = Vec::new();
        for raw_override in raw.overrides {
            let mut builder = GlobSetBuilder::new();
            for pattern in &raw_override.paths {
                let glob = Glob::new(&anchor_glob(pattern)).map_err(|error| ConfigError {
                    path: path.to_owned(),
                    line: find_line(text, pattern),
                    column: 1,
                    message: format!("invalid glob `{pattern}`: {error}"),
                })?;
                builder.add(glob);
            }
            let paths = builder.build().map_err(|error| ConfigError {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: error.to_string(),
            })?;
            overrides.push(Override {
                paths,
                select: raw_override.select,
                ignore: raw_override.ignore,
                severity: raw_override.severity,
            });
        }
        let mut base = RuleSelection::default();
        base.apply(raw.select.as_ref(), &raw.ignore, &raw.severity);
        Ok(Config {
            schemas: raw.schemas.iter().map(|p| root.join(p)).collect(),
            macros: raw.macros.iter().map(|p| root.join(p)).collect(),
            datamodels: raw.datamodels.iter().map(|p| root.join(p)).collect(),
            root,
            source: Some(path.to_owned()),
            base,
            overrides,
            cli: CliOverrides::default(),
            exclude: raw.exclude,
        })
    }

    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            path: path.to_owned(),
            line: 1,
            column: 1,
            message: format!("cannot read: {error}"),
        })?;
        Self::parse(path, &text)
    }

    /// Adds the command-line layer.
    pub fn with_cli(mut self, cli: CliOverrides) -> Self {
        self.cli = cli;
        self
    }

    /// The rule selection for a file at `path` (overrides matched relative to `root`).
    pub fn selection_for(&self, path: &Path) -> RuleSelection {
        let mut selection = self.base.clone();
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        for rule in &self.overrides {
            if rule.paths.is_match(relative) {
                selection.apply(rule.select.as_ref(), &rule.ignore, &rule.severity);
            }
        }
        if !self.cli.select.is_empty() {
            selection.select = self.cli.select.clone();
        }
        for code in &self.cli.ignore {
            selection.severity.insert(code.clone(), SeverityLevel::Off);
        }
        selection
    }
}

/// Globs without a `/` match at any depth, like `.gitignore` patterns.
pub fn anchor_glob(pattern: &str) -> String {
    let trimmed = pattern.trim_start_matches("./");
    if trimmed.contains('/') {
        trimmed.trim_start_matches('/').to_owned()
    } else {
        format!("**/{trimmed}")
    }
}

fn find_line(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1)
}

/// 1-based line and character column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specific_select_beats_broad_ignore() {
        let config = Config::parse(
            Path::new("/r/qlint.toml"),
            "select = [\"KQL\", \"KQL401\"]\nignore = [\"KQL4\"]\n[severity]\nKQL401 = \"error\"\n",
        )
        .unwrap();
        let selection = config.selection_for(Path::new("/r/a.kql"));
        assert!(selection.is_enabled("KQL401"));
        assert!(!selection.is_enabled("KQL402"));
        assert!(selection.is_enabled("KQL001"));
        assert!(!selection.is_enabled("SPL001"));
        assert_eq!(selection.severity("KQL401", Severity::Warning), Severity::Error);
    }

    #[test]
    fn overrides_and_cli() {
        let config = Config::parse(
            Path::new("/r/qlint.toml"),
            "[[overrides]]\npaths = [\"hunts/**\"]\nignore = [\"KQL4\"]\n",
        )
        .unwrap()
        .with_cli(CliOverrides { select: vec![], ignore: vec!["QL003".into()] });
        assert!(!config.selection_for(Path::new("/r/hunts/x.kql")).is_enabled("KQL401"));
        assert!(config.selection_for(Path::new("/r/rules/x.kql")).is_enabled("KQL401"));
        assert!(!config.selection_for(Path::new("/r/rules/x.kql")).is_enabled("QL003"));
    }

    #[test]
    fn unknown_key_has_a_location() {
        let error =
            Config::parse(Path::new("q.toml"), "select = []\nignroe = [\"X\"]\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("ignroe"), "{}", error.message);
    }
}
