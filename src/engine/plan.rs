//! Stage 1, discover: the files to report (named paths walked, standard input and editor
//! buffers), the analysis context each belongs to with all of that context's files, and the
//! configuration of each.

use super::{Fatal, Options};
use crate::config::{Config, ConfigFinder, Extend};
use crate::diagnostic::RunError;
use crate::discover::{Context, ContextFinder, Ignores, Target, Walker};
use crate::files::normalize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file to report.
pub(super) struct TargetFile {
    pub path: PathBuf,
    pub display: String,
    /// Text that stands for the file's (standard input, an editor buffer).
    pub stdin_text: Option<String>,
    pub config: Option<Arc<Config>>,
    /// Named on the command line (or given as text) rather than found by walking a folder.
    pub named: bool,
    /// Set for a file reported only as a caller of the named files (`--dependents`): its
    /// findings are those that involve what they define.
    pub caller_of: Option<Arc<super::names::Named>>,
}

/// What a run works on.
pub(super) struct Plan {
    pub cwd: PathBuf,
    pub targets: Vec<TargetFile>,
    /// The analysis contexts, in a stable order, each with all of its files.
    pub contexts: Vec<Context>,
    /// The configuration at each context's root: its in-house API paths and `deps`.
    pub root_configs: Vec<Option<Arc<Config>>>,
    pub errors: Vec<RunError>,
    /// What was not read, and why (links out of the repository).
    pub notes: Vec<String>,
    /// Folders named on the command line that hold no Rust file to check.
    pub empty_folders: Vec<String>,
}

/// One file of one context.
#[derive(Clone, Copy)]
pub(super) struct FileRef<'p> {
    pub context: usize,
    pub path: &'p Path,
}

impl Plan {
    /// Every file of every context, contexts in order.
    pub fn files(&self) -> Vec<FileRef<'_>> {
        self.contexts
            .iter()
            .enumerate()
            .flat_map(|(context, c)| c.files.iter().map(move |p| FileRef { context, path: p }))
            .collect()
    }

    /// The target (index into `targets`) of each path to report.
    pub fn target_index(&self) -> HashMap<&Path, usize> {
        self.targets
            .iter()
            .enumerate()
            .map(|(i, t)| (t.path.as_path(), i))
            .collect()
    }

    /// The texts that stand for files on disk (standard input, editor buffers).
    pub fn given_texts(&self) -> HashMap<&Path, &str> {
        self.targets
            .iter()
            .filter_map(|t| Some((t.path.as_path(), t.stdin_text.as_deref()?)))
            .collect()
    }

    pub fn display(&self, path: &Path) -> String {
        crate::discover::display(&self.cwd, path)
    }
}

/// Walks the named paths and finds each file's context and configuration.
pub(super) fn discover(opts: &Options, buffers: &[(PathBuf, String)]) -> Result<Plan, Fatal> {
    let cwd = std::env::current_dir()
        .map_err(|e| Fatal::Other(format!("cannot read the working directory: {e}")))?;
    let extend = Extend::outside_allowed(opts.allow_extend_outside);
    let forced_config = match &opts.config_file {
        Some(path) => Some(Arc::new(
            Config::load_extending(path, extend).map_err(Fatal::Config)?,
        )),
        None => None,
    };
    let finder = std::cell::RefCell::new(ConfigFinder::new(extend));
    let config_for = |file: &Path| -> Option<Arc<Config>> {
        if forced_config.is_some() {
            return forced_config.clone();
        }
        finder
            .borrow_mut()
            .for_dir(file.parent().unwrap_or(Path::new("/")))
    };
    let config_error = || finder.borrow_mut().errors.first().cloned();
    let excluded = |p: &Path| config_for(p).is_some_and(|c| c.excludes(p));
    let ignores = Ignores::new(!opts.no_ignore);
    let force_exclude =
        |p: &Path| opts.force_exclude || config_for(p).is_some_and(|c| c.force_exclude);
    let walker = Walker {
        cwd: &cwd,
        excluded: &excluded,
        ignores: &ignores,
        force_exclude: &force_exclude,
        notes: std::cell::RefCell::default(),
        entered: std::cell::RefCell::default(),
    };
    let mut errors = Vec::new();
    let mut empty_folders = Vec::new();

    let mut found = walker.targets(&opts.paths, &mut errors, &mut empty_folders);
    for (name, text) in opts.stdin.iter().chain(buffers) {
        let path = normalize(&cwd.join(name));
        found.retain(|t| t.path != path);
        found.push(Target {
            path,
            display: name.display().to_string().replace('\\', "/"),
            stdin_text: Some(text.clone()),
            named: true,
            walked_from: PathBuf::new(),
        });
    }
    if let Some(e) = config_error() {
        return Err(Fatal::Config(e));
    }

    // Contexts, in a stable order.
    let mut finder_of_contexts = ContextFinder::default();
    let mut keys: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut targets = Vec::new();
    let mut context_of_target = Vec::new();
    for t in found {
        // cargo compiles nothing outside a package's target folders: a walk of the package
        // skips such files (a folder below the package named on its own is checked).
        if !t.named && finder_of_contexts.outside_a_walked_package(&t.path, &t.walked_from, &walker)
        {
            continue;
        }
        let key = finder_of_contexts.context_key(&t.path, &walker);
        let next = keys.len();
        context_of_target.push(*keys.entry(key).or_insert(next));
        let config = config_for(&t.path);
        targets.push(TargetFile {
            path: t.path,
            display: t.display,
            stdin_text: t.stdin_text,
            config,
            named: t.named,
            caller_of: None,
        });
    }
    let mut ordered: Vec<(PathBuf, usize)> = keys.into_iter().collect();
    ordered.sort_by_key(|(_, i)| *i);
    let mut contexts = Vec::new();
    let same_options = format!(
        "{} {} {:?} {}",
        opts.no_ignore, opts.force_exclude, opts.config_file, opts.allow_extend_outside
    );
    for (i, (key, _)) in ordered.iter().enumerate() {
        let mut c = match resident::reuse(key, &same_options).filter(|_| opts.resident) {
            Some((c, notes)) => {
                walker.notes.borrow_mut().extend(notes);
                c
            }
            None => {
                let started = super::probe::nanos(std::time::SystemTime::now());
                let notes_before = walker.notes.borrow().len();
                walker.entered.borrow_mut().clear();
                let c = finder_of_contexts.context(key, &walker, &mut Vec::new());
                if opts.resident {
                    let notes = walker.notes.borrow()[notes_before..].to_vec();
                    let entered = walker.entered.take();
                    resident::keep(key, &same_options, &c, notes, entered, started);
                }
                c
            }
        };
        let mut added = false;
        let known: std::collections::HashSet<PathBuf> = c.files.iter().cloned().collect();
        for (t, _) in targets
            .iter()
            .zip(&context_of_target)
            .filter(|(_, &ci)| ci == i)
        {
            if !known.contains(&t.path) && !c.files[known.len()..].contains(&t.path) {
                c.files.push(t.path.clone());
                added = true;
            }
        }
        // A file given as text only (an unsaved editor buffer) may be a crate root itself.
        if added && key.is_dir() {
            c.roots = finder_of_contexts.roots_of(key, &c.files, &walker);
        }
        contexts.push(c);
    }
    if let Some(e) = config_error() {
        return Err(Fatal::Config(e));
    }
    let root_configs = contexts
        .iter()
        .map(|def| {
            let root_dir = if def.root.is_dir() {
                def.root.clone()
            } else {
                def.root.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            forced_config
                .clone()
                .or_else(|| ConfigFinder::new(extend).for_dir(&root_dir))
        })
        .collect();
    let mut notes = walker.notes.take();
    notes.sort();
    notes.dedup();
    Ok(Plan {
        cwd,
        targets,
        contexts,
        root_configs,
        errors,
        notes,
        empty_folders,
    })
}

/// The contexts this process found at its last check (the language server checks again and
/// again), each kept while what its walks read is unchanged: every folder they entered (a file
/// added, removed or renamed there changes its metadata) and the manifests, configuration and
/// ignore files in them (by content); in the folders above the context only what discovery
/// reads there: those files (by content, or that they are absent) and whether `.git` is there
/// (a file made in `/tmp` or in the home folder does not drop a context). Not watched: a
/// configuration's `extend` target elsewhere, `.git/info/exclude` and git's global excludes.
mod resident {
    use super::super::probe::Probe;
    use crate::discover::Context;
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    /// The files in a folder that decide what a walk finds there.
    const READ_IN_FOLDERS: [&str; 4] = ["Cargo.toml", "unawaited.toml", ".gitignore", ".ignore"];

    struct Kept {
        options: String,
        context: Context,
        notes: Vec<String>,
        probes: Vec<Probe>,
    }

    static KEPT: Mutex<Option<HashMap<PathBuf, Kept>>> = Mutex::new(None);

    pub(super) fn reuse(key: &Path, options: &str) -> Option<(Context, Vec<String>)> {
        let kept = KEPT.lock().ok()?;
        let k = kept.as_ref()?.get(key)?;
        let holds = k.options == options && k.probes.iter().all(Probe::holds);
        holds.then(|| (k.context.clone(), k.notes.clone()))
    }

    pub(super) fn keep(
        key: &Path,
        options: &str,
        context: &Context,
        notes: Vec<String>,
        mut entered: Vec<PathBuf>,
        started: i128,
    ) {
        entered.push(key.to_path_buf());
        entered.sort();
        entered.dedup();
        let mut probes = Vec::new();
        for dir in key.ancestors().skip(1) {
            if entered.binary_search_by(|e| e.as_path().cmp(dir)).is_ok() {
                continue;
            }
            probes.extend(READ_IN_FOLDERS.map(|name| Probe::text(dir.join(name))));
            probes.push(Probe::exists(dir.join(".git")));
        }
        let mut trusted = true;
        for dir in &entered {
            match Probe::meta(dir.clone(), started) {
                Some(p) => probes.push(p),
                None => trusted = false,
            }
            for name in READ_IN_FOLDERS {
                let file = dir.join(name);
                if file.is_file() {
                    probes.push(Probe::text(file));
                }
            }
        }
        let Ok(mut kept) = KEPT.lock() else { return };
        let kept = kept.get_or_insert_with(HashMap::new);
        if !trusted || !key.is_dir() {
            kept.remove(key);
            return;
        }
        kept.insert(
            key.to_path_buf(),
            Kept {
                options: options.to_string(),
                context: context.clone(),
                notes,
                probes,
            },
        );
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_kept_context_outlives_files_made_above_it_but_not_what_discovery_reads_there() {
            let top = tempfile::tempdir().unwrap();
            let ws = top.path().join("ws");
            std::fs::create_dir_all(ws.join("src")).unwrap();
            std::fs::write(ws.join("Cargo.toml"), "[package]\nname = \"ws\"\n").unwrap();
            let context = Context {
                root: ws.clone(),
                files: vec![ws.join("src/lib.rs")],
                roots: Vec::new(),
            };
            // Checked as if two seconds from now: nothing here is too recent to be trusted.
            let later =
                super::super::super::probe::nanos(std::time::SystemTime::now()) + 2_000_000_000;
            let keep_now = || keep(&ws, "o", &context, Vec::new(), vec![ws.join("src")], later);
            keep_now();
            assert!(reuse(&ws, "o").is_some());
            assert!(reuse(&ws, "other options").is_none());
            // A file made in the folder above (as in `/tmp`): the context holds.
            std::fs::write(top.path().join("scratch.txt"), "x").unwrap();
            std::fs::create_dir(top.path().join("other")).unwrap();
            assert!(
                reuse(&ws, "o").is_some(),
                "an unrelated file above keeps it"
            );
            // What discovery reads there drops it: an ignore file, a manifest, a repository.
            for (made, what) in [
                (".gitignore", "an ignore file above"),
                ("Cargo.toml", "a workspace manifest above"),
                (".git", "a repository above"),
            ] {
                keep_now();
                assert!(reuse(&ws, "o").is_some());
                let path = top.path().join(made);
                if made == ".git" {
                    std::fs::create_dir(&path).unwrap();
                } else {
                    std::fs::write(&path, "[workspace]\n").unwrap();
                }
                assert!(reuse(&ws, "o").is_none(), "{what} drops it");
            }
            // A file added inside the walked folders drops it too.
            keep_now();
            std::fs::write(ws.join("src/new.rs"), "").unwrap();
            assert!(
                reuse(&ws, "o").is_none(),
                "a file added in a walked folder drops it"
            );
        }
    }
}
