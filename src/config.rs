//! Configuration: `unawaited.toml` (the nearest ancestor of a file wins), or
//! `[package.metadata.unawaited]` / `[workspace.metadata.unawaited]` in `Cargo.toml` (both in one
//! folder is an error); `extend = "../unawaited.toml"` inherits another file's settings, the
//! extending file's keys winning. Then the command line on top, in this order of strength:
//! `--config`, `--select`, `--ignore`, `-A`/`-W`/`-D` (and `-D warnings`); `per-file-ignores`
//! last, as in ruff.

use crate::diagnostic::Level;
use crate::knowledge::{Api, Knowledge, Ret, Role, BLOCKING, BLOCK_ON, FUT};
use crate::rule_id::RuleId;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The keys of a configuration table, as written.
///
/// No table is wrapped in [`Spanned`]: toml knows no span for a table that only dotted headers
/// or dotted keys create (`[package.metadata.unawaited.rules]` creates `unawaited` so), and a
/// `Spanned` table without a span fails to deserialize. Spans are taken from keys and values,
/// which always have one, so every spelling of a table means the same (tests/config.rs).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Another configuration file whose settings this one inherits (relative to this file).
    pub extend: Option<Spanned<String>>,
    /// Rule name → level.
    pub rules: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    /// Rule name → level in test and example code (`tests/`, `examples/`, `benches/`,
    /// `#[cfg(test)]` modules, test fns), over every other level, as `per-file-ignores` is.
    pub test_code: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    /// Globs of paths not to check (relative to the configuration file's folder).
    pub exclude: Option<Spanned<Vec<String>>>,
    /// Skip excluded and ignored paths even when named on the command line.
    pub force_exclude: Option<Spanned<bool>>,
    /// Glob (relative to the configuration file's folder) → rules turned off for its files.
    pub per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    /// In-house functions and methods (`my_crate::client::Client::fetch`) that return futures.
    #[serde(alias = "future_returning")]
    pub future_returning: Option<Spanned<Vec<String>>>,
    /// In-house functions that block the thread.
    pub blocking: Option<Spanned<Vec<String>>>,
    /// In-house `block_on`-like bridges.
    pub bridges: Option<Spanned<Vec<String>>>,
    /// In-house functions that run their closure argument on another thread.
    pub offloading: Option<Spanned<Vec<String>>>,
    /// Read the dependencies' sources (default true; `--no-deps` turns it off for a run).
    pub deps: Option<Spanned<bool>>,
}

/// `Cargo.toml`, as far as its `unawaited` metadata tables go.
#[derive(Deserialize)]
struct Manifest {
    package: Option<MetadataHolder>,
    workspace: Option<MetadataHolder>,
}

#[derive(Deserialize)]
struct MetadataHolder {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    unawaited: Option<ConfigFile>,
}

/// Where a setting came from: the file, the key, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub key: String,
    pub line: usize,
}

/// A list of in-house API paths and where it was set.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    pub paths: Vec<String>,
    pub origin: Option<Origin>,
}

/// Globs relative to the folder of the file that set them.
#[derive(Debug, Clone, Default)]
struct Globs {
    base: PathBuf,
    set: globset::GlobSet,
    /// Per glob, the rules it turns off (`per-file-ignores`).
    rules: Vec<Vec<RuleId>>,
}

impl Globs {
    fn matches(&self, path: &Path) -> Vec<usize> {
        let rel = path.strip_prefix(&self.base).unwrap_or(path);
        self.set.matches(rel)
    }
}

/// A configuration, validated, with `extend` followed.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file found for a folder (`None`: defaults).
    pub source: Option<PathBuf>,
    pub levels: HashMap<RuleId, Level>,
    pub level_origins: HashMap<RuleId, Origin>,
    /// The levels of `[test-code]`.
    pub test_levels: HashMap<RuleId, Level>,
    exclude: Globs,
    pub exclude_origin: Option<Origin>,
    per_file_ignores: Globs,
    pub per_file_ignores_origin: Option<Origin>,
    pub force_exclude: bool,
    pub force_exclude_origin: Option<Origin>,
    /// Do not read the dependencies' sources (`deps = false`).
    pub no_deps: bool,
    pub deps_origin: Option<Origin>,
    pub future_returning: Paths,
    pub blocking: Paths,
    pub bridges: Paths,
    pub offloading: Paths,
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

/// One configuration file, parsed and checked.
struct Layer {
    path: PathBuf,
    text: String,
    file: ConfigFile,
    /// The dotted name of the table in the file (`package.metadata.unawaited.`), or empty.
    prefix: &'static str,
    /// Errors show the line they are on: false for a file outside the repository.
    quote: bool,
}

impl Layer {
    /// `quote`: errors may show the line they are on (not for a file outside the repository).
    fn parse(
        path: &Path,
        text: &str,
        metadata: bool,
        quote: bool,
    ) -> Result<Option<Layer>, ConfigError> {
        let err = |e: toml::de::Error| ConfigError {
            path: path.display().to_string(),
            message: toml_error(text, &e, quote),
        };
        let (file, prefix) = if metadata {
            let m: Manifest = toml::from_str(text).map_err(err)?;
            let table = |h: Option<MetadataHolder>| h?.metadata?.unawaited;
            match (table(m.package), table(m.workspace)) {
                (Some(p), _) => (p, "package.metadata.unawaited."),
                (None, Some(w)) => (w, "workspace.metadata.unawaited."),
                (None, None) => return Ok(None),
            }
        } else {
            let file: ConfigFile = toml::from_str(text).map_err(err)?;
            (file, "")
        };
        let layer = Layer {
            path: path.to_path_buf(),
            text: text.to_string(),
            file,
            prefix,
            quote,
        };
        layer.check()?;
        Ok(Some(layer))
    }

    fn line(&self, byte: usize) -> usize {
        line_of(&self.text, byte)
    }

    /// An error at `byte`: the line, its text (which names the key) and what is wrong, as
    /// [`toml_error`] writes them.
    fn err(&self, byte: usize, message: String) -> ConfigError {
        let line = self.line(byte);
        let shown = self.text.lines().nth(line - 1).unwrap_or("").trim();
        let message = match self.quote {
            true => format!("line {line} (`{shown}`): {message}"),
            false => format!("line {line}: {message}"),
        };
        ConfigError {
            path: self.path.display().to_string(),
            message,
        }
    }

    fn origin(&self, key: &str, byte: usize) -> Origin {
        Origin {
            file: self.path.clone(),
            key: format!("{}{key}", self.prefix),
            line: self.line(byte),
        }
    }

    fn folder(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The rules a name in this file stands for (`ALL` stands for every rule).
    fn rules(&self, name: &Spanned<String>) -> Result<Vec<RuleId>, ConfigError> {
        crate::rule_id::rules_named(name.get_ref())
            .map_err(|unknown| self.err(name.span().start, unknown.to_string()))
    }

    /// Rule names, levels and globs, checked.
    fn check(&self) -> Result<(), ConfigError> {
        for (name, level) in self.file.rules.iter().chain(&self.file.test_code).flatten() {
            self.rules(name)?;
            if Level::parse(level.get_ref()).is_none() {
                return Err(self.err(
                    level.span().start,
                    format!(
                        "bad level `{}` for rule `{}`: expected \"allow\", \"warn\" or \"deny\"",
                        level.get_ref(),
                        name.get_ref()
                    ),
                ));
            }
        }
        self.globs("exclude")?;
        self.globs("per-file-ignores")?;
        Ok(())
    }

    /// The `exclude` or `per-file-ignores` globs, compiled.
    fn globs(&self, key: &str) -> Result<Option<(Globs, Origin)>, ConfigError> {
        let (patterns, rules, start) = match key {
            "exclude" => {
                let Some(ex) = &self.file.exclude else {
                    return Ok(None);
                };
                let patterns = ex.get_ref().clone();
                (patterns, Vec::new(), ex.span().start)
            }
            _ => {
                let Some(pfi) = &self.file.per_file_ignores else {
                    return Ok(None);
                };
                let mut rules = Vec::new();
                for names in pfi.values() {
                    let mut named = Vec::new();
                    for n in names {
                        named.extend(self.rules(n)?);
                    }
                    rules.push(named);
                }
                // The table's origin: its first glob as written (an empty table still clears
                // what an extended file set).
                let start = pfi.keys().map(|k| k.span().start).min().unwrap_or(0);
                (
                    pfi.keys().map(|k| k.get_ref().clone()).collect(),
                    rules,
                    start,
                )
            }
        };
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in &patterns {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| self.err(start, format!("bad {key} glob `{pattern}`: {e}")))?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|e| self.err(start, format!("bad {key} globs: {e}")))?;
        let globs = Globs {
            base: self.folder(),
            set,
            rules,
        };
        Ok(Some((globs, self.origin(key, start))))
    }
}

/// A TOML or schema error: the line, its text (which names the key; only with `quote`), and
/// what is wrong. Without `quote` nothing of the text is shown: the message of a syntax error
/// can hold a piece of it.
fn toml_error(text: &str, e: &toml::de::Error, quote: bool) -> String {
    let at = e.span().map(|s| {
        let line = line_of(text, s.start);
        let shown = text.lines().nth(line - 1).unwrap_or("").trim();
        match quote {
            true => format!("line {line} (`{shown}`): "),
            false => format!("line {line}: "),
        }
    });
    if !quote {
        let what = "not a valid configuration (not shown: the file is outside the repository)";
        return format!("{}{what}", at.unwrap_or_default());
    }
    let message: Vec<&str> = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    format!("{}{}", at.unwrap_or_default(), message.join(": "))
}

/// Reads a configuration file's text; the error says why it cannot be used.
fn read_text(path: &Path) -> Result<String, ConfigError> {
    let fail = |message: String| ConfigError {
        path: path.display().to_string(),
        message: format!("cannot read the configuration: {message}"),
    };
    let bytes = std::fs::read(path).map_err(|e| fail(crate::discover::io_message(&e)))?;
    String::from_utf8(bytes).map_err(|_| fail("not valid UTF-8".into()))
}

fn is_manifest(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "Cargo.toml")
}

impl Config {
    /// Parses one configuration file (a `Cargo.toml` when `table` is `Some`, its metadata table
    /// read) without following `extend`.
    pub fn parse(path: &Path, text: &str, table: Option<&str>) -> Result<Config, ConfigError> {
        match Layer::parse(path, text, table.is_some(), true)? {
            Some(layer) => Config::resolve(vec![layer]),
            None => Ok(Config::default()),
        }
    }

    /// Reads a configuration file and the files it extends (inside its repository only).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_extending(path, Extend::InsideRepository)
    }

    /// [`Config::load`], `extend` following `policy`.
    pub fn load_extending(path: &Path, policy: Extend) -> Result<Config, ConfigError> {
        let text = read_text(path)?;
        match Layer::parse(path, &text, is_manifest(path), true)? {
            Some(layer) => Config::resolve(Config::extended(layer, policy)?),
            None => Ok(Config::default()),
        }
    }

    /// A layer and the layers it extends, nearest first; a cycle is an error, and so is a
    /// file outside the first layer's repository unless `policy` allows it (and then its
    /// errors do not quote it).
    fn extended(first: Layer, policy: Extend) -> Result<Vec<Layer>, ConfigError> {
        let boundary = crate::discover::Boundary::of(&first.path);
        let mut layers = vec![first];
        loop {
            let last = layers.last().expect("one layer at least");
            let Some(extend) = &last.file.extend else {
                return Ok(layers);
            };
            let target = crate::files::normalize(&last.folder().join(extend.get_ref()));
            let inside = boundary.holds(&target);
            if !inside && policy == Extend::InsideRepository {
                return Err(last.err(
                    extend.span().start,
                    format!(
                        "`extend` leads outside the repository (`{}`): refused \
                         (`--allow-extend-outside` allows it)",
                        boundary.root().display()
                    ),
                ));
            }
            let same = |a: &Path, b: &Path| {
                a == b || std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
            };
            if layers.iter().any(|l| same(&l.path, &target)) {
                let chain: Vec<String> = layers
                    .iter()
                    .map(|l| l.path.display().to_string())
                    .chain([target.display().to_string()])
                    .collect();
                return Err(last.err(
                    extend.span().start,
                    format!("`extend` makes a cycle: {}", chain.join(" → ")),
                ));
            }
            let text = read_text(&target).map_err(|e| {
                last.err(
                    extend.span().start,
                    format!("cannot extend `{}`: {}", e.path, e.message),
                )
            })?;
            match Layer::parse(&target, &text, is_manifest(&target), inside)? {
                Some(layer) => layers.push(layer),
                None => return Ok(layers),
            }
        }
    }

    /// The settings of the layers, each key from the nearest layer that sets it (each rule's
    /// level too).
    fn resolve(layers: Vec<Layer>) -> Result<Config, ConfigError> {
        let mut config = Config {
            source: layers.first().map(|l| l.path.clone()),
            ..Config::default()
        };
        for layer in layers.iter().rev() {
            let f = &layer.file;
            for (name, level) in f.rules.iter().flatten() {
                let key = format!("rules.{}", name.get_ref());
                for rule in layer.rules(name)? {
                    config
                        .levels
                        .insert(rule, Level::parse(level.get_ref()).unwrap_or(Level::Warn));
                    config
                        .level_origins
                        .insert(rule, layer.origin(&key, name.span().start));
                }
            }
            for (name, level) in f.test_code.iter().flatten() {
                for rule in layer.rules(name)? {
                    config
                        .test_levels
                        .insert(rule, Level::parse(level.get_ref()).unwrap_or(Level::Warn));
                }
            }
            if let Some((globs, origin)) = layer.globs("exclude")? {
                config.exclude = globs;
                config.exclude_origin = Some(origin);
            }
            if let Some((globs, origin)) = layer.globs("per-file-ignores")? {
                config.per_file_ignores = globs;
                config.per_file_ignores_origin = Some(origin);
            }
            if let Some(force) = &f.force_exclude {
                config.force_exclude = *force.get_ref();
                config.force_exclude_origin =
                    Some(layer.origin("force-exclude", force.span().start));
            }
            if let Some(deps) = &f.deps {
                config.no_deps = !*deps.get_ref();
                config.deps_origin = Some(layer.origin("deps", deps.span().start));
            }
            for (key, value, slot) in [
                (
                    "future-returning",
                    &f.future_returning,
                    &mut config.future_returning,
                ),
                ("blocking", &f.blocking, &mut config.blocking),
                ("bridges", &f.bridges, &mut config.bridges),
                ("offloading", &f.offloading, &mut config.offloading),
            ] {
                if let Some(v) = value {
                    *slot = Paths {
                        paths: v.get_ref().clone(),
                        origin: Some(layer.origin(key, v.span().start)),
                    };
                }
            }
        }
        Ok(config)
    }

    /// Whether `path` is excluded by this configuration's globs.
    pub fn excludes(&self, path: &Path) -> bool {
        if self.exclude.set.is_empty() {
            return false;
        }
        !self.exclude.matches(path).is_empty()
            || path
                .file_name()
                .is_some_and(|n| self.exclude.set.is_match(n))
    }

    /// The rules `per-file-ignores` turns off for `path`.
    pub fn ignored_rules(&self, path: &Path) -> Vec<RuleId> {
        let rules = &self.per_file_ignores.rules;
        self.per_file_ignores
            .matches(path)
            .into_iter()
            .flat_map(|i| rules[i].iter().copied())
            .collect()
    }

    /// Adds the configured in-house paths to the knowledge tables.
    pub fn extend_knowledge(&self, k: &mut Knowledge) {
        k.add_user_paths(&self.future_returning.paths, FUT);
        k.add_user_paths(&self.blocking.paths, BLOCKING);
        k.add_user_paths(&self.bridges.paths, BLOCK_ON);
        k.add_user_paths(
            &self.offloading.paths,
            Api::new(Ret::Unknown).role(Role::Offloads),
        );
    }
}

/// Where `extend` may lead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Extend {
    /// Inside the repository of the extending file only (the default: the file is the tree's,
    /// which may be a stranger's).
    #[default]
    InsideRepository,
    /// Anywhere (`--allow-extend-outside`, for layouts that keep a shared configuration
    /// beside their repositories).
    Anywhere,
}

impl Extend {
    /// `Anywhere` when `allowed` (`--allow-extend-outside`), else `InsideRepository`.
    pub fn outside_allowed(allowed: bool) -> Extend {
        match allowed {
            true => Extend::Anywhere,
            false => Extend::InsideRepository,
        }
    }
}

/// Finds and caches the configuration of each folder.
#[derive(Default)]
pub struct ConfigFinder {
    by_dir: HashMap<PathBuf, Option<std::sync::Arc<Config>>>,
    pub errors: Vec<ConfigError>,
    /// Where `extend` may lead.
    pub extend: Extend,
}

impl ConfigFinder {
    /// A finder whose configurations' `extend` follows `extend`.
    pub fn new(extend: Extend) -> ConfigFinder {
        ConfigFinder {
            extend,
            ..ConfigFinder::default()
        }
    }

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
        match Config::in_folder_extending(dir, self.extend) {
            Ok(found) => found.map(std::sync::Arc::new),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

impl Config {
    /// The configuration a folder holds itself, if any: its `unawaited.toml` or the metadata
    /// table of its `Cargo.toml` (both is an error naming both).
    pub fn in_folder(dir: &Path) -> Result<Option<Config>, ConfigError> {
        Config::in_folder_extending(dir, Extend::InsideRepository)
    }

    /// [`Config::in_folder`], `extend` following `policy`.
    pub fn in_folder_extending(dir: &Path, policy: Extend) -> Result<Option<Config>, ConfigError> {
        let own = dir.join("unawaited.toml");
        let manifest = dir.join("Cargo.toml");
        let has_metadata = || {
            let text = std::fs::read_to_string(&manifest).ok()?;
            if !text.contains("unawaited") {
                return None;
            }
            Layer::parse(&manifest, &text, true, true).ok().flatten()
        };
        match std::fs::symlink_metadata(&own) {
            Ok(_) => {
                if let Some(layer) = has_metadata() {
                    return Err(ConfigError {
                        path: own.display().to_string(),
                        message: format!(
                            "configuration in both `{}` and `{}` ([{}]): keep one of them",
                            own.display(),
                            manifest.display(),
                            layer.prefix.trim_end_matches('.')
                        ),
                    });
                }
                Config::load_extending(&own, policy).map(Some)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let text = match std::fs::read_to_string(&manifest) {
                    Ok(text) if text.contains("metadata") && text.contains("unawaited") => text,
                    _ => return Ok(None),
                };
                match Layer::parse(&manifest, &text, true, true)? {
                    Some(layer) => Config::resolve(Config::extended(layer, policy)?).map(Some),
                    None => Ok(None),
                }
            }
            // A configuration that is there but cannot be read is an error, not a default.
            Err(e) => Err(ConfigError {
                path: own.display().to_string(),
                message: format!(
                    "cannot read the configuration: {}",
                    crate::discover::io_message(&e)
                ),
            }),
        }
    }
}

/// Level overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct LevelFlags {
    pub select: Vec<RuleId>,
    /// `--extend-select`: on (at least `warn`) without turning the others off.
    pub extend_select: Vec<RuleId>,
    pub ignore: Vec<RuleId>,
    pub allow: Vec<RuleId>,
    pub warn: Vec<RuleId>,
    pub deny: Vec<RuleId>,
    /// `-D warnings`.
    pub deny_warnings: bool,
    /// `-A warnings`: every rule at `warn` is off (rustc's meaning).
    pub allow_warnings: bool,
}

impl LevelFlags {
    /// The level of `rule` given a file's configuration.
    pub fn level(&self, rule: RuleId, config: Option<&Config>) -> Level {
        let mut level = config
            .and_then(|c| c.levels.get(&rule).copied())
            .unwrap_or(rule.default_level());
        if self.select.contains(&rule) || self.extend_select.contains(&rule) {
            level = level.max(Level::Warn);
        } else if !self.select.is_empty() {
            level = Level::Allow;
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
        } else if self.allow_warnings && level == Level::Warn {
            level = Level::Allow;
        }
        level
    }
}

/// What `unawaited config PATH` prints: each setting that applies to the file at `abs` (shown
/// as `shown`), and where it comes from.
pub fn describe(abs: &Path, shown: &Path, config: Option<&Config>, cwd: &Path) -> String {
    let rel = |p: &Path| p.strip_prefix(cwd).unwrap_or(p).display().to_string();
    let from = |o: Option<&Origin>| match o {
        Some(o) => format!("{}:{}: {}", rel(&o.file), o.line, o.key),
        None => "default".to_string(),
    };
    let default = Config::default();
    let c = config.unwrap_or(&default);
    let mut rows: Vec<(String, String)> = Vec::new();
    let off = c.ignored_rules(abs);
    for rule in RuleId::ALL {
        let (level, origin) = if off.contains(rule) {
            (
                "allow".to_string(),
                from(c.per_file_ignores_origin.as_ref()),
            )
        } else {
            let level = c.levels.get(rule).copied().unwrap_or(rule.default_level());
            (level.as_str().to_string(), from(c.level_origins.get(rule)))
        };
        rows.push((format!("rules.{} = \"{level}\"", rule.name()), origin));
    }
    let list = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
        format!("[{}]", items.join(", "))
    };
    rows.push((
        format!("excluded = {}", c.excludes(abs)),
        from(c.exclude_origin.as_ref()),
    ));
    rows.push((
        format!("force-exclude = {}", c.force_exclude),
        from(c.force_exclude_origin.as_ref()),
    ));
    rows.push((
        format!("deps = {}", !c.no_deps),
        from(c.deps_origin.as_ref()),
    ));
    for (key, paths) in [
        ("future-returning", &c.future_returning),
        ("blocking", &c.blocking),
        ("bridges", &c.bridges),
        ("offloading", &c.offloading),
    ] {
        rows.push((
            format!("{key} = {}", list(&paths.paths)),
            from(paths.origin.as_ref()),
        ));
    }
    let width = rows.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
    let mut out = match &c.source {
        Some(source) => format!("# settings for {} from {}\n", shown.display(), rel(source)),
        None => format!(
            "# settings for {}: no configuration file, defaults\n",
            shown.display()
        ),
    };
    for (setting, origin) in rows {
        out.push_str(&format!("{setting:<width$}  # {origin}\n"));
    }
    out
}
