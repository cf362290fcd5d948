//! Configuration: `unawaited.toml` (the nearest ancestor of a file wins), or
//! `[package.metadata.unawaited]` / `[workspace.metadata.unawaited]` in `Cargo.toml`; then the
//! command line on top, in this order of strength: `--config`, `--select`, `--ignore`,
//! `-A`/`-W`/`-D` (and `-D warnings`).

use crate::diagnostic::Level;
use crate::knowledge::{Api, Knowledge, Ret, Role, BLOCKING, BLOCK_ON, FUT};
use crate::rules::RuleId;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The keys of a configuration table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Rule name → level.
    #[serde(default)]
    pub rules: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    /// Globs of paths not to check (relative to the configuration file's folder).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// In-house functions and methods (`my_crate::client::Client::fetch`) that return futures.
    #[serde(default, alias = "future_returning")]
    pub future_returning: Vec<String>,
    /// In-house functions that block the thread.
    #[serde(default)]
    pub blocking: Vec<String>,
    /// In-house `block_on`-like bridges.
    #[serde(default)]
    pub bridges: Vec<String>,
    /// In-house functions that run their closure argument on another thread.
    #[serde(default)]
    pub offloading: Vec<String>,
    /// Read the dependencies' sources (default true; `--no-deps` turns it off for a run).
    #[serde(default)]
    pub deps: Option<bool>,
}

/// A configuration read from one file, validated.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from (`None`: defaults).
    pub source: Option<PathBuf>,
    pub levels: HashMap<RuleId, Level>,
    pub exclude: globset::GlobSet,
    pub file: ConfigFile,
}

/// A configuration error: names the file, the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

impl Config {
    /// Parses a configuration table. `table_offset` is the byte where the table starts in the
    /// file (for metadata tables inside `Cargo.toml`, errors still point at the right line).
    pub fn parse(path: &Path, text: &str, table: Option<&str>) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.display().to_string(),
            message,
        };
        let file: ConfigFile = match table {
            None => toml::from_str(text).map_err(|e| err(toml_error(text, &e)))?,
            Some(_) => {
                let doc: toml::Table =
                    toml::from_str(text).map_err(|e| err(toml_error(text, &e)))?;
                let Some(value) = metadata_table(&doc) else {
                    return Ok(Config::default());
                };
                // Re-serialise the sub-table to validate it; line numbers are found by key search.
                let sub = toml::to_string(&value).unwrap_or_default();
                toml::from_str(&sub).map_err(|e| {
                    let key = e.message().split('`').nth(1).unwrap_or("").to_string();
                    let line = text
                        .find(&format!("{key} "))
                        .or_else(|| text.find(&format!("{key}=")))
                        .map(|b| line_of(text, b));
                    let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
                    err(format!(
                        "{at}in [*.metadata.unawaited]: {}",
                        e.message().trim()
                    ))
                })?
            }
        };
        let mut levels = HashMap::new();
        for (name, level) in &file.rules {
            let line = line_of(text, name.span().start);
            let rule = RuleId::from_name(name.get_ref()).ok_or_else(|| {
                err(format!(
                    "line {line}: unknown rule `{}` (see `unawaited rules`)",
                    name.get_ref()
                ))
            })?;
            let lvl = Level::parse(level.get_ref()).ok_or_else(|| {
                let line = line_of(text, level.span().start);
                err(format!(
                    "line {line}: bad level `{}` for rule `{}`: expected \"allow\", \"warn\" or \"deny\"",
                    level.get_ref(),
                    name.get_ref()
                ))
            })?;
            levels.insert(rule, lvl);
        }
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in &file.exclude {
            let glob = globset::Glob::new(pattern)
                .map_err(|e| err(format!("bad exclude glob `{pattern}`: {e}")))?;
            builder.add(glob);
        }
        let exclude = builder
            .build()
            .map_err(|e| err(format!("bad exclude globs: {e}")))?;
        Ok(Config {
            source: Some(path.to_path_buf()),
            levels,
            exclude,
            file,
        })
    }

    /// Whether `path` is excluded by this configuration's globs.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let base = self
            .source
            .as_ref()
            .and_then(|s| s.parent())
            .unwrap_or(Path::new(""));
        let rel = path.strip_prefix(base).unwrap_or(path);
        self.exclude.is_match(rel) || path.file_name().is_some_and(|n| self.exclude.is_match(n))
    }

    /// Adds the configured in-house paths to the knowledge tables.
    pub fn extend_knowledge(&self, k: &mut Knowledge) {
        k.add_user_paths(&self.file.future_returning, FUT);
        k.add_user_paths(&self.file.blocking, BLOCKING);
        k.add_user_paths(&self.file.bridges, BLOCK_ON);
        k.add_user_paths(
            &self.file.offloading,
            Api::new(Ret::Unknown).role(Role::Offloads),
        );
    }
}

fn metadata_table(doc: &toml::Table) -> Option<toml::Value> {
    ["package", "workspace"]
        .iter()
        .find_map(|t| doc.get(*t)?.get("metadata")?.get("unawaited").cloned())
}

fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let line = e
        .span()
        .map(|s| format!("line {}: ", line_of(text, s.start)))
        .unwrap_or_default();
    let message: Vec<&str> = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    format!("{line}{}", message.join(": "))
}

/// Finds and caches the configuration of each folder.
#[derive(Default)]
pub struct ConfigFinder {
    by_dir: HashMap<PathBuf, Option<std::sync::Arc<Config>>>,
    pub errors: Vec<ConfigError>,
}

impl ConfigFinder {
    /// The configuration that applies to files in `dir`: the nearest `unawaited.toml`, or
    /// `Cargo.toml` with an `unawaited` metadata table, at or above it.
    pub fn for_dir(&mut self, dir: &Path) -> Option<std::sync::Arc<Config>> {
        if let Some(c) = self.by_dir.get(dir) {
            return c.clone();
        }
        let found = self
            .read_here(dir)
            .or_else(|| dir.parent().and_then(|p| self.for_dir(p)));
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }

    fn read_here(&mut self, dir: &Path) -> Option<std::sync::Arc<Config>> {
        let own = dir.join("unawaited.toml");
        match std::fs::read(&own) {
            Ok(bytes) => {
                let Ok(text) = String::from_utf8(bytes) else {
                    return self.fail(&own, "not valid UTF-8".into());
                };
                return self.load(&own, &text, None);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // A configuration that is there but cannot be read is an error, not a default.
            Err(e) => return self.fail(&own, crate::discover::io_message(&e)),
        }
        let manifest = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).ok()?;
        if !text.contains("metadata.unawaited") {
            return None;
        }
        self.load(&manifest, &text, Some("metadata"))
    }

    fn fail(&mut self, path: &Path, message: String) -> Option<std::sync::Arc<Config>> {
        self.errors.push(ConfigError {
            path: path.display().to_string(),
            message: format!("cannot read the configuration: {message}"),
        });
        None
    }

    fn load(
        &mut self,
        path: &Path,
        text: &str,
        table: Option<&str>,
    ) -> Option<std::sync::Arc<Config>> {
        match Config::parse(path, text, table) {
            Ok(c) => Some(std::sync::Arc::new(c)),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

/// Level overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct LevelFlags {
    pub select: Vec<RuleId>,
    pub ignore: Vec<RuleId>,
    pub allow: Vec<RuleId>,
    pub warn: Vec<RuleId>,
    pub deny: Vec<RuleId>,
    /// `-D warnings`.
    pub deny_warnings: bool,
}

impl LevelFlags {
    /// The level of `rule` given a file's configuration.
    pub fn level(&self, rule: RuleId, config: Option<&Config>) -> Level {
        let mut level = config
            .and_then(|c| c.levels.get(&rule).copied())
            .unwrap_or(rule.default_level());
        if !self.select.is_empty() {
            if self.select.contains(&rule) {
                level = level.max(Level::Warn);
            } else {
                level = Level::Allow;
            }
        }
        if self.ignore.contains(&rule) {
            level = Level::Allow;
        }
        if self.allow.contains(&rule) {
            level = Level::Allow;
        }
        if self.warn.contains(&rule) {
            level = Level::Warn;
        }
        if self.deny.contains(&rule) {
            level = Level::Deny;
        }
        if self.deny_warnings && level == Level::Warn {
            level = Level::Deny;
        }
        level
    }
}
