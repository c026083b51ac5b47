//! `qlint.toml`: which rules run, at what severity, on which paths, with which extra knowledge.
//!
//! ```toml
//! select = ["KQL", "SPL", "QL"]      # code prefixes; "ALL" selects everything
//! extend-select = ["KQL404"]         # added to the default set (or to `select`)
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
//!
//! [format]                          # qlint fmt
//! line-width = 120
//! indent = 4
//! spl-command-case = "as-written"  # or "lower": `| STATS` becomes `| stats`
//! ```
//!
//! Without `select`, the default rule set runs: every rule whose `RuleMeta::default_enabled`
//! is true. `select` replaces the default set; `extend-select` adds to whatever is selected.
//! A rule outside the default set runs only when a selector names it, its prefix, or `ALL`.
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
    #[serde(default, rename = "extend-select")]
    extend_select: Vec<String>,
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
    #[serde(default, rename = "yaml-queries")]
    yaml_queries: Vec<crate::sources::YamlQueryKey>,
    format: Option<RawFormat>,
}

/// `[format]`: the layout `qlint fmt` writes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFormat {
    line_width: Option<usize>,
    indent: Option<usize>,
    spl_command_case: Option<RawCommandCase>,
}

/// `spl-command-case = "as-written" | "lower"`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawCommandCase {
    AsWritten,
    Lower,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    paths: Vec<String>,
    select: Option<Vec<String>>,
    #[serde(default, rename = "extend-select")]
    extend_select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, SeverityLevel>,
}

/// Which rules run and how loud they are; the layer that overrides and flags modify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelection {
    /// True while no `select` replaced the default rule set.
    pub default_set: bool,
    /// Code prefixes that are on besides the default set (`ALL` for everything).
    pub select: Vec<String>,
    /// Code prefixes that are off; the more specific of select/ignore wins, ties go to ignore.
    pub ignore: Vec<String>,
    /// Per-code severities (exact codes or prefixes, longest wins).
    pub severity: BTreeMap<String, SeverityLevel>,
}

impl Default for RuleSelection {
    fn default() -> Self {
        Self {
            default_set: true,
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
        }
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
        let by_default = (self.default_set && in_default_set(code)).then_some(0);
        let Some(selected) = longest(&self.select, code).max(by_default) else { return false };
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

    fn apply(&mut self, layer: Layer<'_>) {
        let Layer { select, extend_select, ignore, severity } = layer;
        if let Some(select) = select {
            self.select = select.clone();
            self.default_set = false;
        }
        self.select.extend(extend_select.iter().cloned());
        self.ignore.extend(ignore.iter().cloned());
        self.severity.extend(severity.iter().map(|(k, v)| (k.clone(), *v)));
    }
}

/// Whether a rule is in the default rule set (codes qlint does not know are: they come from
/// a newer registry than this check, and selection must not hide them).
fn in_default_set(code: &str) -> bool {
    qlint_linter::rules::find(code).is_none_or(|rule| rule.default_enabled)
}

/// One layer of selection settings: the file, an override, the command line.
struct Layer<'a> {
    select: Option<&'a Vec<String>>,
    extend_select: &'a [String],
    ignore: &'a [String],
    severity: &'a BTreeMap<String, SeverityLevel>,
}

#[derive(Debug, Clone)]
struct Override {
    paths: GlobSet,
    select: Option<Vec<String>>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<String, SeverityLevel>,
}

/// Settings given on the command line; they win over every file.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    /// `--select`: replaces the file's selection (and the default set) when not empty.
    pub select: Vec<String>,
    /// `--extend-select`: added to whatever the file (or `--select`) selects.
    pub extend_select: Vec<String>,
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
    /// The layout of `qlint fmt` (`[format]`).
    pub format: qlint_fmt::Options,
    /// `[[yaml-queries]]`: YAML keys of the team's own rule formats that hold queries.
    pub yaml_queries: Vec<crate::sources::YamlQueryKey>,
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
                extend_select: raw_override.extend_select,
                ignore: raw_override.ignore,
                severity: raw_override.severity,
            });
        }
        let mut base = RuleSelection::default();
        base.apply(Layer {
            select: raw.select.as_ref(),
            extend_select: &raw.extend_select,
            ignore: &raw.ignore,
            severity: &raw.severity,
        });
        let mut format = qlint_fmt::Options::default();
        if let Some(raw_format) = raw.format {
            format.line_width = raw_format.line_width.unwrap_or(format.line_width).max(20);
            format.indent = raw_format.indent.unwrap_or(format.indent).min(16);
            format.spl_command_case = match raw_format.spl_command_case {
                Some(RawCommandCase::Lower) => qlint_fmt::CommandCase::Lower,
                Some(RawCommandCase::AsWritten) | None => qlint_fmt::CommandCase::AsWritten,
            };
        }
        Ok(Config {
            format,
            schemas: raw.schemas.iter().map(|p| root.join(p)).collect(),
            macros: raw.macros.iter().map(|p| root.join(p)).collect(),
            yaml_queries: raw.yaml_queries,
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
                selection.apply(Layer {
                    select: rule.select.as_ref(),
                    extend_select: &rule.extend_select,
                    ignore: &rule.ignore,
                    severity: &rule.severity,
                });
            }
        }
        if !self.cli.select.is_empty() {
            selection.select = self.cli.select.clone();
            selection.default_set = false;
        }
        selection.select.extend(self.cli.extend_select.iter().cloned());
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
    fn the_default_set_leaves_out_team_dependent_rules() {
        let config = Config::default();
        let selection = config.selection_for(Path::new("/r/a.kql"));
        assert!(selection.is_enabled("KQL401"));
        assert!(selection.is_enabled("QL003"));
        assert!(!selection.is_enabled("KQL404"), "off by default");
        assert!(!selection.is_enabled("KQL301"), "off by default");
        // `extend-select` adds to the default set; `select` replaces it.
        let extended = Config::parse(Path::new("/r/qlint.toml"), "extend-select = [\"KQL404\"]\n")
            .unwrap()
            .selection_for(Path::new("/r/a.kql"));
        assert!(extended.is_enabled("KQL404") && extended.is_enabled("KQL401"));
        assert!(!extended.is_enabled("KQL301"));
        let replaced = Config::parse(Path::new("/r/qlint.toml"), "select = [\"KQL4\"]\n")
            .unwrap()
            .selection_for(Path::new("/r/a.kql"));
        assert!(replaced.is_enabled("KQL404") && !replaced.is_enabled("KQL201"));
        let all = Config::parse(Path::new("/r/qlint.toml"), "select = [\"ALL\"]\n")
            .unwrap()
            .selection_for(Path::new("/r/a.kql"));
        assert!(all.is_enabled("KQL301") && all.is_enabled("SPL404"));
        // `--select` replaces the file's selection, `--extend-select` adds to it.
        let cli = |select: &[&str], extend: &[&str]| {
            Config::parse(Path::new("/r/qlint.toml"), "extend-select = [\"KQL404\"]\n")
                .unwrap()
                .with_cli(CliOverrides {
                    select: select.iter().map(|s| s.to_string()).collect(),
                    extend_select: extend.iter().map(|s| s.to_string()).collect(),
                    ignore: vec![],
                })
                .selection_for(Path::new("/r/a.kql"))
        };
        let flags = cli(&["KQL2"], &["KQL301"]);
        assert!(flags.is_enabled("KQL201") && flags.is_enabled("KQL301"));
        assert!(!flags.is_enabled("KQL404") && !flags.is_enabled("KQL401"));
        let added = cli(&[], &["KQL301"]);
        assert!(
            added.is_enabled("KQL301") && added.is_enabled("KQL404") && added.is_enabled("KQL401")
        );
    }

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
        .with_cli(CliOverrides { ignore: vec!["QL003".into()], ..CliOverrides::default() });
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
