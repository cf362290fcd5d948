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
    Server,
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
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long, alias = "message-format", value_enum, default_value = "human")]
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
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,

    /// Print the fixes as a unified diff instead of writing them (exit 1 when there is one)
    #[arg(long)]
    pub diff: bool,

    /// Record today's findings in FILE (then report them as usual)
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

    /// Print findings only, no summary line
    #[arg(short, long)]
    pub quiet: bool,

    /// Print the number of findings per rule
    #[arg(long)]
    pub statistics: bool,

    /// Worker threads (default: one per core)
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// Neither read nor write the index cache (kept in `target/unawaited/`)
    #[arg(long)]
    pub no_cache: bool,
}
