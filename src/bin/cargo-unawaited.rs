//! `cargo unawaited [ARGS]`: cargo runs `cargo-unawaited unawaited [ARGS]`. The `unawaited` it
//! passes is dropped; with no subcommand, `check` is meant (`cargo unawaited --fix`), and
//! `--flycheck` is the `flycheck` subcommand. With no path, `check` checks the package holding
//! the current folder, as `cargo clippy` does.

#[allow(dead_code)]
#[path = "../main.rs"]
mod unawaited_main;

use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::process::ExitCode;
use unawaited::cli::Cli;

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "unawaited") {
        args.remove(1);
    }
    let command = Cli::command().bin_name("cargo unawaited").after_help(
        "With no subcommand, `check` is meant: `cargo unawaited --fix` is `cargo unawaited \
             check --fix`. With no path, `check` checks the package holding the current folder \
             (the whole workspace from a virtual manifest's folder), as `cargo clippy` does; \
             `-p NAME`, `--workspace` and `--manifest-path PATH` select packages as cargo does.",
    );
    let subcommands: Vec<String> = command
        .get_subcommands()
        .flat_map(|c| {
            std::iter::once(c.get_name().to_string()).chain(c.get_all_aliases().map(str::to_string))
        })
        .chain(["help".to_string()])
        .collect();
    // `-v`/`--verbose` may come before the subcommand, as in `cargo -v check`.
    let first = 1 + args[1.min(args.len())..]
        .iter()
        .take_while(|a| {
            a.to_str().is_some_and(|a| {
                a == "--verbose"
                    || (a.len() > 1 && a.trim_start_matches('-') == "v".repeat(a.len() - 1))
            })
        })
        .count();
    match args.get(first).and_then(|a| a.to_str()) {
        Some("--flycheck") => args[first] = "flycheck".into(),
        Some("-h" | "--help" | "-V" | "--version") => {}
        Some(name) if subcommands.iter().any(|s| s == name) => {}
        _ => args.insert(first.min(args.len()), "check".into()),
    }
    let matches = command.get_matches_from(args);
    match Cli::from_arg_matches(&matches) {
        Ok(mut cli) => {
            if let unawaited::cli::Command::Check(args) = &mut cli.command {
                args.cargo_scope = true;
            }
            unawaited_main::run_cli(cli)
        }
        Err(e) => e.exit(),
    }
}
