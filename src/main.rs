//! Thin: parse arguments, run, print, exit code.

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use unawaited::baseline::Baseline;
use unawaited::cli::{CheckArgs, Cli, ColorChoice, Command, MessageFormat};
use unawaited::config::{Config, ConfigFinder, Extend, LevelFlags};
use unawaited::diagnostic::{Diagnostic, Fix, Level};
use unawaited::engine::{self, Fatal, Options};
use unawaited::fix;
use unawaited::render::{self, RenderOptions, Report};
use unawaited::rule_id::{self as rules, RuleId};

/// mimalloc: the run allocates and frees millions of small syntax-tree nodes and facts; it
/// halves the time glibc's allocator spends on them. The trees in a heap of their own
/// ([`unawaited::source::tree_heap`]).
#[global_allocator]
static GLOBAL: unawaited::source::tree_heap::Allocator = unawaited::source::tree_heap::Allocator;

fn main() -> ExitCode {
    run_cli(Cli::parse())
}

/// Runs a parsed command line (also the entry of `cargo-unawaited`).
pub fn run_cli(cli: Cli) -> ExitCode {
    unawaited::source::tree_heap::settle_purge_delay();
    let result = match cli.command {
        Command::Rules => print(&rules_listing()),
        Command::Explain { rule } => match RuleId::from_name(&rule) {
            Some(r) => print(&format!(
                "{} ({} by default)\n\n{}",
                r.name(),
                r.default_level().as_str(),
                render::docs::terminal_text(&r.docs().text)
            )),
            None => {
                let unknown = rules::UnknownRule {
                    suggestion: rules::did_you_mean(&rule, RuleId::ALL.iter().map(|r| r.name())),
                    name: rule,
                };
                return usage(&unknown.to_string());
            }
        },
        Command::Flycheck { cargo_args } => return unawaited::flycheck::run(&cargo_args),
        Command::Check(mut args) => {
            args.show_notes |= cli.verbose > 0;
            return check(*args, cli.verbose);
        }
        Command::Clean { paths, cache_dir } => return clean(&paths, cache_dir),
        Command::Config {
            path,
            config,
            allow_extend_outside,
        } => {
            let extend = Extend::outside_allowed(allow_extend_outside);
            return show_config(&path, config.as_deref(), extend);
        }
        Command::Server { .. } => return ExitCode::from(unawaited::server::run() as u8),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::SUCCESS,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `--write-baseline FILE`: records the findings, says how many, and exits 0 (2 when the file
/// cannot be written, or files could not be checked, unless `--exit-zero`).
fn write_baseline(path: &Path, outcome: &engine::Outcome, exit_zero: bool) -> ExitCode {
    let baseline = Baseline::of(&outcome.diagnostics, &outcome.sources);
    let text = serde_json::to_string_pretty(&baseline).unwrap_or_default();
    if let Err(e) = std::fs::write(path, text + "\n") {
        return usage(&format!(
            "{}: cannot write the baseline: {}",
            path.display(),
            unawaited::discover::io_message(&e)
        ));
    }
    let n = baseline.findings.len();
    eprintln!(
        "unawaited: recorded {n} finding{} in {}",
        plural(n),
        path.display()
    );
    for e in &outcome.errors {
        eprintln!("error: {}: {} (not recorded)", e.path, e.message);
    }
    if outcome.errors.is_empty() || exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

fn rules_listing() -> String {
    let mut out = String::new();
    for r in RuleId::ALL {
        out.push_str(&format!(
            "{:<24} {:<6} {}\n",
            r.name(),
            r.default_level().as_str(),
            r.summary()
        ));
    }
    out
}

fn print(s: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// The rules named in a flag; `warnings` (rustc's group of every warning) is handled apart, and
/// a name close to it is a misspelling of it (`-D warning`).
fn parse_rules(names: &[String], flag: &str) -> Result<Vec<RuleId>, String> {
    let mut out = Vec::new();
    for name in names.iter().filter(|n| n.trim() != "warnings") {
        let rules = rules::rules_named(name).map_err(|mut u| {
            if u.suggestion.is_none() {
                u.suggestion = rules::did_you_mean(&u.name, ["warnings"]);
            }
            format!("unknown rule `{}` in {flag}{}", u.name, u.hint())
        })?;
        out.extend(rules);
    }
    Ok(out)
}

fn level_flags(args: &CheckArgs) -> Result<LevelFlags, String> {
    let warnings = |names: &[String]| names.iter().any(|n| n.trim() == "warnings");
    Ok(LevelFlags {
        select: parse_rules(&args.select, "--select")?,
        extend_select: parse_rules(&args.extend_select, "--extend-select")?,
        ignore: parse_rules(&args.ignore, "--ignore")?,
        allow: parse_rules(&args.allow, "-A")?,
        warn: parse_rules(&args.warn, "-W")?,
        deny: parse_rules(&args.deny, "-D")?,
        // rustc's `warnings`: `-D warnings` makes every warning an error, `-A warnings` turns
        // them off, `-W warnings` keeps them warnings (the strongest given wins).
        deny_warnings: warnings(&args.deny),
        allow_warnings: warnings(&args.allow) && !warnings(&args.deny),
    })
}

/// `unawaited clean`: removes the cache folder of each path's package or workspace.
fn clean(paths: &[PathBuf], flag: Option<PathBuf>) -> ExitCode {
    let explicit = unawaited::cache::explicit_dir(flag);
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut finder = unawaited::discover::ContextFinder::default();
    let mut dirs = std::collections::BTreeSet::new();
    for path in paths {
        let abs = unawaited::files::normalize(&cwd.join(path));
        if std::fs::symlink_metadata(&abs).is_err() {
            return usage(&format!("{}: no such file or directory", path.display()));
        }
        let dir = match (&explicit, finder.cargo_root_of(&abs)) {
            (Some(dir), _) => Some(dir.clone()),
            (None, Some(root)) => unawaited::cache::dir_for_context(&root, None),
            (None, None) => None,
        };
        match dir {
            Some(dir) => {
                dirs.insert(dir);
            }
            None => eprintln!(
                "unawaited: {} is in no Cargo package or workspace: it has no cache",
                path.display()
            ),
        }
    }
    let shown = |d: &Path| d.strip_prefix(&cwd).unwrap_or(d).display().to_string();
    let mut failed = false;
    for dir in dirs {
        match unawaited::cache::clean(&dir) {
            Ok(c) if c.files == 0 && !c.dir_removed => {
                eprintln!("unawaited: no cache in {}", shown(&dir))
            }
            Ok(c) => eprintln!(
                "unawaited: removed {} ({} file{}{})",
                shown(&dir),
                c.files,
                if c.files == 1 { "" } else { "s" },
                if c.dir_removed {
                    ""
                } else {
                    "; the folder holds other files and was kept"
                }
            ),
            Err(e) => {
                eprintln!("error: {}: cannot remove the cache: {e}", shown(&dir));
                failed = true;
            }
        }
    }
    // The dependencies' facts, in the user cache folder (shared by every project).
    if let Some(dir) = unawaited::index::deps::cache::default_dir() {
        match unawaited::index::deps::cache::clean(&dir) {
            Ok((0, false)) => {}
            Ok((n, _)) => eprintln!(
                "unawaited: removed the dependency cache {} ({n} file{})",
                shown(&dir),
                plural(n)
            ),
            Err(e) => {
                eprintln!(
                    "error: {}: cannot remove the dependency cache: {e}",
                    shown(&dir)
                );
                failed = true;
            }
        }
    }
    ExitCode::from(if failed { 2 } else { 0 })
}

/// `unawaited config PATH`: the settings that apply to a file and where each comes from.
fn show_config(path: &Path, forced: Option<&Path>, extend: Extend) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = unawaited::files::normalize(&cwd.join(path));
    if std::fs::symlink_metadata(&abs).is_err() {
        return usage(&format!("{}: no such file or directory", path.display()));
    }
    let config = match forced {
        Some(file) => match Config::load_extending(file, extend) {
            Ok(c) => Some(c),
            Err(e) => return config_error(&e),
        },
        None => {
            let mut finder = ConfigFinder::new(extend);
            let dir = if abs.is_dir() {
                abs.clone()
            } else {
                abs.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            let found = finder.for_dir(&dir);
            if let Some(e) = finder.errors.first() {
                return config_error(e);
            }
            found.map(|c| (*c).clone())
        }
    };
    let text = unawaited::config::describe(&abs, path, config.as_ref(), &cwd);
    let _ = print(&text);
    ExitCode::SUCCESS
}

fn config_error(e: &unawaited::config::ConfigError) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = Path::new(&e.path);
    let shown = path.strip_prefix(&cwd).unwrap_or(path);
    eprintln!("error: {}: {}", shown.display(), e.message);
    ExitCode::from(2)
}

fn run(opts: &Options) -> Result<engine::Outcome, ExitCode> {
    engine::run(opts).map_err(|fatal| match fatal {
        Fatal::Config(e) => config_error(&e),
        Fatal::Other(e) => usage(&e),
    })
}

/// Applies the fixes `--fix` applies (unsafe ones too with `--unsafe-fixes`); returns the
/// findings fixed and the files refused.
fn apply_fixes(
    outcome: &engine::Outcome,
    unsafe_fixes: bool,
) -> (Vec<Diagnostic>, Vec<unawaited::diagnostic::RunError>) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut fixed = Vec::new();
    let mut refused = Vec::new();
    for (path, diags) in fix::fixes_by_file(&outcome.diagnostics, unsafe_fixes) {
        let Some(text) = outcome.sources.get(&path) else {
            continue;
        };
        let fixes: Vec<&Fix> = diags.iter().filter_map(|d| d.fix.as_ref()).collect();
        match fix::fix_file(&cwd.join(&path), &path, text, &fixes) {
            fix::Outcome::Fixed { applied } => fixed.extend(
                diags
                    .iter()
                    .zip(applied)
                    .filter(|(_, a)| *a)
                    .map(|(d, _)| (*d).clone()),
            ),
            fix::Outcome::Refused(e) => refused.push(e),
        }
    }
    (fixed, refused)
}

/// The run's notes on standard error: every one in full with `--show-notes`; else one short
/// line saying how many, and only when they differ from the last run's (remembered in the cache
/// folder), so a hook run on every commit does not repeat it; none with `-q`.
fn print_notes(outcome: &engine::Outcome, args: &CheckArgs) {
    if outcome.notes.is_empty() {
        return;
    }
    if args.show_notes {
        for note in &outcome.notes {
            eprintln!("unawaited: note: {note}");
        }
        return;
    }
    if args.quiet {
        return;
    }
    if let Some(line) = outcome.notes_summary_if_new() {
        eprintln!("unawaited: note: {line}");
    }
}

/// `--fix` on standard input (`-`), as ruff does it: the fixed text on standard output, the
/// findings that remain after the fixes on standard error; the exit code says whether a
/// deny-level one remains.
fn fix_stdin(
    args: &CheckArgs,
    opts: &Options,
    name: &Path,
    text: &str,
    outcome: &engine::Outcome,
) -> ExitCode {
    let display = name.display().to_string().replace('\\', "/");
    let by_file = fix::fixes_by_file(&outcome.diagnostics, args.unsafe_fixes);
    let fixes: Vec<&Fix> = by_file
        .get(&display)
        .into_iter()
        .flatten()
        .filter_map(|d| d.fix.as_ref())
        .collect();
    let (fixed, applied) = fix::apply_fixes(text, &fixes);
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(fixed.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the fixed text: {e}");
            return ExitCode::from(2);
        }
    }
    let rerun = Options {
        stdin: Some((name.to_path_buf(), fixed)),
        ..opts.clone()
    };
    let remaining = match run(&rerun) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let report = Report {
        diagnostics: &remaining.diagnostics,
        errors: &remaining.errors,
        notes: &remaining.notes,
        files: remaining.files,
        sources: &remaining.sources,
        root: None,
    };
    let render_opts = RenderOptions {
        quiet: args.quiet,
        unsafe_fixes: args.unsafe_fixes,
        ..RenderOptions::default()
    };
    let _ = render::render(
        render::Format::Short,
        &report,
        render_opts,
        &mut std::io::stderr(),
    );
    if !args.quiet {
        let n = applied.iter().filter(|a| **a).count();
        eprintln!("unawaited: fixed {n} finding{}", plural(n));
    }
    let has_deny = remaining.diagnostics.iter().any(|d| d.level == Level::Deny);
    if args.exit_zero || (!has_deny && remaining.errors.is_empty()) {
        ExitCode::SUCCESS
    } else if !remaining.errors.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// `--show-fixes`: one line per applied fix, as `path:line:col: rule: what the fix did`.
fn show_fixes(fixed: &[Diagnostic]) {
    for d in fixed {
        let what = d.fix.as_ref().map_or("", |f| f.message.as_str());
        eprintln!(
            "  {}:{}:{}: {}: {what}",
            d.path, d.span.start.line, d.span.start.column, d.rule
        );
    }
}

fn check(args: CheckArgs, verbose: u8) -> ExitCode {
    let started = std::time::Instant::now();
    let flags = match level_flags(&args) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let mut paths = args.paths.clone();
    let selects = !args.packages.is_empty() || args.workspace || args.manifest_path.is_some();
    if paths.is_empty() && (selects || args.cargo_scope) {
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut finder = unawaited::discover::ContextFinder::default();
        let found = finder.cargo_selection(
            &cwd,
            args.manifest_path.as_deref(),
            &args.packages,
            args.workspace,
        );
        match found {
            Ok(dirs) => paths = dirs,
            // `cargo unawaited` outside any package checks the folder, as `unawaited check`.
            Err(_) if !selects => paths.push(".".into()),
            Err(e) => return usage(&e),
        }
    } else if paths.is_empty() {
        paths.push(".".into());
    }
    let mut stdin = None;
    if paths.iter().any(|p| p.as_os_str() == "-") {
        paths.retain(|p| p.as_os_str() != "-");
        let Some(name) = args.stdin_filename.clone() else {
            return usage("reading standard input (`-`) needs --stdin-filename PATH");
        };
        let mut bytes = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes) {
            return usage(&format!("cannot read standard input: {e}"));
        }
        match String::from_utf8(bytes) {
            Ok(text) => stdin = Some((name, text)),
            Err(_) => return usage("standard input is not valid UTF-8"),
        }
    }
    let opts = Options {
        paths,
        stdin,
        flags,
        config_file: args.config.clone(),
        jobs: args.jobs,
        no_cache: args.no_cache,
        cache_dir: unawaited::cache::explicit_dir(args.cache_dir.clone()),
        no_ignore: args.no_ignore,
        force_exclude: args.force_exclude,
        no_deps: args.no_deps,
        verbose,
        allow_extend_outside: args.allow_extend_outside,
        dependents: args.dependents,
        resident: false,
    };
    // A path that is not there at all is a mistake in the command, not a file to report.
    for path in &opts.paths {
        if let Err(e) = std::fs::symlink_metadata(path) {
            if e.kind() == std::io::ErrorKind::NotFound {
                return usage(&format!("{}: no such file or directory", path.display()));
            }
        }
    }
    let baseline = match &args.baseline {
        None => None,
        Some(path) => match Baseline::read(path) {
            Ok(b) => Some(b),
            Err(e) => return usage(&format!("{}: {e}", path.display())),
        },
    };
    let mut outcome = match run(&opts) {
        Ok(o) => o,
        Err(code) => return code,
    };
    for line in &outcome.details {
        eprintln!("unawaited: {line}");
    }
    if args.diff {
        let (diff, n) =
            fix::diff_counted(&outcome.diagnostics, &outcome.sources, args.unsafe_fixes);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(diff.as_bytes()).and_then(|_| out.flush());
        // As ruff: the diff on standard output, what it would do on standard error.
        if args.fix && !args.quiet {
            eprintln!("Would fix {n} finding{}", plural(n));
        }
        return if diff.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    if let (true, Some((name, text))) = (args.fix, &opts.stdin) {
        return fix_stdin(&args, &opts, name, text, &outcome);
    }
    let mut fixed = Vec::new();
    if args.fix {
        let (done, refused) = apply_fixes(&outcome, args.unsafe_fixes);
        fixed = done;
        if !fixed.is_empty() {
            // Report what remains after the fixes.
            outcome = match run(&opts) {
                Ok(o) => o,
                Err(code) => return code,
            };
        }
        outcome.errors.extend(refused);
    }
    for folder in &outcome.empty_folders {
        eprintln!("warning: no Rust file to check in `{folder}`");
    }
    if let Some(path) = &args.write_baseline {
        return write_baseline(path, &outcome, args.exit_zero);
    }
    if let (Some(b), Some(path)) = (&baseline, &args.baseline) {
        let before = outcome.diagnostics.len();
        outcome.diagnostics = b.filter(std::mem::take(&mut outcome.diagnostics), &outcome.sources);
        let hidden = before - outcome.diagnostics.len();
        if !args.quiet {
            eprintln!(
                "unawaited: {hidden} finding{} hidden by the baseline {}",
                plural(hidden),
                path.display()
            );
        }
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let report = Report {
        diagnostics: &outcome.diagnostics,
        errors: &outcome.errors,
        notes: &outcome.notes,
        files: outcome.files,
        sources: &outcome.sources,
        root: None,
    };
    let render_opts = RenderOptions {
        color,
        quiet: args.quiet,
        statistics: args.statistics,
        unsafe_fixes: args.unsafe_fixes,
        rooted_paths: true,
    };
    let format = match args.message_format {
        None => args.format,
        Some(MessageFormat::Human) => render::Format::Human,
        Some(MessageFormat::Short) => render::Format::Short,
        Some(MessageFormat::Json) => render::Format::CargoMessages,
    };
    let mut out = std::io::stdout().lock();
    let written = render::render(format, &report, render_opts, &mut out).and_then(|_| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    if args.format != render::Format::Json {
        print_notes(&outcome, &args);
    }
    if args.fix && !args.quiet {
        let n = fixed.len();
        eprintln!(
            "unawaited: fixed {n} finding{}{}",
            if n == 1 { "" } else { "s" },
            if args.show_fixes && n > 0 { ":" } else { "" }
        );
    }
    if args.fix && args.show_fixes {
        show_fixes(&fixed);
    }
    if !outcome.errors.is_empty() && matches!(format, render::Format::Human | render::Format::Short)
    {
        // Human output already listed them on stdout; tell stderr readers too.
        eprintln!("unawaited: {} file error(s)", outcome.errors.len());
    }
    if verbose > 0 {
        eprintln!(
            "unawaited: finished in {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
    let has_deny = outcome.diagnostics.iter().any(|d| d.level == Level::Deny);
    if args.exit_zero {
        ExitCode::SUCCESS
    } else if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if has_deny {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
