//! Command-line definitions (clap) only.

use crate::render::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "unawaited",
    version,
    about = "Finds futures that are never awaited and async runtime misuse in Rust source, without a build"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Say more, as cargo does: `-v` the configuration file and cache each context used, every
    /// note in full and the run's time; `-vv` each stage's time too (before or after the
    /// subcommand)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files or folders (default: the current folder)
    Check(Box<CheckArgs>),
    /// List every rule with its default level and summary
    Rules,
    /// Print the documentation of a rule
    Explain {
        /// A rule name, e.g. unawaited_future
        rule: String,
    },
    /// Run the language server (LSP over standard input and output) for editors
    Server {
        /// Talk over standard input and output (the only transport; accepted because clients
        /// pass it)
        #[arg(long)]
        stdio: bool,
    },
    /// Remove the index cache of the packages or workspaces holding PATHS, and the dependencies'
    /// cache (`UNAWAITED_DEPS_CACHE`, else the user cache folder's `unawaited/deps`)
    Clean {
        /// Files or folders whose cache to remove (default: the current folder)
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// The cache folder to clean instead (also `UNAWAITED_CACHE_DIR`)
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
    /// Print the settings that apply to a file, and where each comes from
    Config {
        /// The file (or folder) whose settings to show
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Use this configuration file instead of discovering one
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Let a configuration's `extend` name a file outside the repository
        #[arg(long)]
        allow_extend_outside: bool,
    },
    /// For rust-analyzer's `check.overrideCommand`: run `cargo check --message-format json` with
    /// these arguments, pass its output on and add unawaited's findings (exit code: cargo's)
    #[command(disable_help_flag = true)]
    Flycheck {
        /// Arguments for `cargo check`
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        cargo_args: Vec<std::ffi::OsString>,
    },
}

/// `--message-format`, as cargo means it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// rustc's human-readable form
    Human,
    /// rustc's short form: `path:line:col: level[rule]: message`
    Short,
    /// cargo's JSON messages: `compiler-message` lines, then `build-finished`
    #[value(
        alias = "json-diagnostic-rendered-ansi",
        alias = "json-diagnostic-short"
    )]
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to check; `-` reads a file from standard input (with --stdin-filename)
    pub paths: Vec<PathBuf>,

    /// Output format (`--output-format` as ruff spells it: `concise` is `short`, `full` is
    /// `human`)
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "human"
    )]
    pub format: Format,

    /// Only these rules (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,

    /// Turn these rules off (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Set a rule to deny; `-D warnings` makes every warning an error
    #[arg(short = 'D', long = "deny", value_name = "RULE", value_delimiter = ',')]
    pub deny: Vec<String>,

    /// Set a rule to warn
    #[arg(short = 'W', long = "warn", value_name = "RULE", value_delimiter = ',')]
    pub warn: Vec<String>,

    /// Set a rule to allow (off)
    #[arg(
        short = 'A',
        long = "allow",
        value_name = "RULE",
        value_delimiter = ','
    )]
    pub allow: Vec<String>,

    /// Use this configuration file instead of discovering one
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The path of the file read from standard input (`-`), for messages and its context
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Apply machine-applicable fixes to the files, then report what remains
    #[arg(long)]
    pub fix: bool,

    /// Print the fixes as a unified diff instead of writing them, with or without --fix, as
    /// ruff does (exit 1 when there is one, else 0)
    #[arg(long)]
    pub diff: bool,

    /// Record today's findings in FILE and say how many; print no report and exit 0 (see
    /// --baseline)
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report only findings that are not recorded in FILE (see --write-baseline)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Exit 0 even when there are deny-level findings
    #[arg(long)]
    pub exit_zero: bool,

    /// When to colour the output (`NO_COLOR` is honoured with `auto`)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Print findings only: no summary line, no note
    #[arg(short, long)]
    pub quiet: bool,

    /// Print every note about the run in full (dependencies whose sources are missing, files of
    /// dependencies that do not parse), each time; by default one short line says how many, and
    /// only when they changed since the last run (`-v` does this too)
    #[arg(long)]
    pub show_notes: bool,

    /// Print the number of findings per rule
    #[arg(long)]
    pub statistics: bool,

    /// Worker threads (default: one per core)
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,

    // Dialect and fixes (issue 15, items 2 and 3).
    /// Output as cargo prints it: `human`, `short` (one line a finding) or `json` (cargo's
    /// `compiler-message` lines, as `cargo clippy --message-format json` prints)
    #[arg(long, value_enum, value_name = "FMT", conflicts_with = "format")]
    pub message_format: Option<MessageFormat>,

    /// Turn these rules on too (comma-separated), keeping the others as they are
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub extend_select: Vec<String>,

    /// With --fix and --diff, apply unsafe fixes too (MaybeIncorrect: review them)
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// With --fix, list the fixes that were applied (on standard error)
    #[arg(long)]
    pub show_fixes: bool,

    /// Neither read nor write the index cache (kept in cargo's target folder, `unawaited/`)
    #[arg(long)]
    pub no_cache: bool,

    // Where files come from and where the cache goes.
    /// Keep the index cache in DIR (also `UNAWAITED_CACHE_DIR`; the flag wins)
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Check files that `.gitignore`, `.ignore`, `.git/info/exclude` or git's global excludes
    /// name too
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip excluded and ignored files even when they are named on the command line
    #[arg(long)]
    pub force_exclude: bool,
    /// Do not read the dependencies' sources (only the built-in tables describe them)
    #[arg(long)]
    pub no_deps: bool,
    /// Let a configuration's `extend` name a file outside the repository (refused otherwise)
    #[arg(long)]
    pub allow_extend_outside: bool,

    /// Check too the files of the same package that may call a function the named files define
    /// (by name), and report their findings that involve it: a changed signature or asyncness
    /// shows its findings in unnamed callers (for pre-commit hooks, which name only staged files)
    #[arg(long)]
    pub dependents: bool,

    // Package selection, as cargo spells it (for `cargo unawaited`; `unawaited check` takes
    // them too).
    /// Check only this package of the workspace (by name; repeatable), as `cargo -p`
    #[arg(
        short = 'p',
        long = "package",
        value_name = "SPEC",
        conflicts_with = "paths"
    )]
    pub packages: Vec<String>,

    /// Check every package of the workspace
    #[arg(long, conflicts_with = "paths")]
    pub workspace: bool,

    /// The package (or workspace) whose `Cargo.toml` this is, instead of the current folder's
    #[arg(long, value_name = "PATH", conflicts_with = "paths")]
    pub manifest_path: Option<PathBuf>,

    /// Set by `cargo unawaited`: with no path, check the package holding the current folder
    /// (as `cargo clippy` does), not only the folder.
    #[arg(skip)]
    pub cargo_scope: bool,
}
