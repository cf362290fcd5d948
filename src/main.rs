//! Thin: parse arguments, run, print, exit code.

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use unawaited::baseline::Baseline;
use unawaited::cli::{CheckArgs, Cli, ColorChoice, Command};
use unawaited::config::LevelFlags;
use unawaited::diagnostic::Level;
use unawaited::engine::{self, Fatal, Options};
use unawaited::render::{self, RenderOptions, Report};
use unawaited::rules::RuleId;

/// mimalloc: the run allocates and frees millions of small syntax-tree nodes and facts; it
/// halves the time glibc's allocator spends on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Rules => print(&rules_listing()),
        Command::Explain { rule } => match RuleId::from_name(&rule) {
            Some(r) => print(&format!(
                "# {} ({} by default)\n\n{}",
                r.name(),
                r.default_level().as_str(),
                r.docs().text
            )),
            None => return usage(&format!("unknown rule `{rule}` (see `unawaited rules`)")),
        },
        Command::Check(args) => return check(*args),
        Command::Server => return ExitCode::from(unawaited::server::run() as u8),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::SUCCESS,
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

fn parse_rules(names: &[String], flag: &str) -> Result<Vec<RuleId>, String> {
    names
        .iter()
        .map(|n| {
            RuleId::from_name(n.trim())
                .ok_or_else(|| format!("unknown rule `{n}` in {flag} (see `unawaited rules`)"))
        })
        .collect()
}

fn level_flags(args: &CheckArgs) -> Result<LevelFlags, String> {
    let deny_warnings = args.deny.iter().any(|d| d == "warnings");
    let deny: Vec<String> = args
        .deny
        .iter()
        .filter(|d| *d != "warnings")
        .cloned()
        .collect();
    Ok(LevelFlags {
        select: parse_rules(&args.select, "--select")?,
        ignore: parse_rules(&args.ignore, "--ignore")?,
        allow: parse_rules(&args.allow, "-A")?,
        warn: parse_rules(&args.warn, "-W")?,
        deny: parse_rules(&deny, "-D")?,
        deny_warnings,
    })
}

fn run(opts: &Options) -> Result<engine::Outcome, ExitCode> {
    engine::run(opts).map_err(|fatal| {
        match fatal {
            Fatal::Config(e) => eprintln!("error: {}: {}", e.path, e.message),
            Fatal::Other(e) => eprintln!("error: {e}"),
        }
        ExitCode::from(2)
    })
}

/// Applies the machine-applicable fixes; returns how many edits were made and the files refused.
fn apply_fixes(outcome: &engine::Outcome) -> (usize, Vec<unawaited::diagnostic::RunError>) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut fixed = 0;
    let mut refused = Vec::new();
    for (path, edits) in unawaited::fix::edits_by_file(&outcome.diagnostics) {
        let Some(text) = outcome.sources.get(&path) else {
            continue;
        };
        match unawaited::fix::fix_file(&cwd.join(&path), &path, text, &edits) {
            unawaited::fix::Outcome::Fixed { edits } => fixed += edits,
            unawaited::fix::Outcome::Refused(e) => refused.push(e),
        }
    }
    (fixed, refused)
}

fn check(args: CheckArgs) -> ExitCode {
    let flags = match level_flags(&args) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let mut paths = args.paths.clone();
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
    if args.fix && stdin.is_some() {
        return usage("--fix cannot write to standard input; use --diff");
    }
    let opts = Options {
        paths,
        stdin,
        flags,
        config_file: args.config.clone(),
        jobs: args.jobs,
        no_cache: args.no_cache,
    };
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
    if args.diff {
        let diff = unawaited::fix::diff(&outcome.diagnostics, &outcome.sources);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(diff.as_bytes()).and_then(|_| out.flush());
        return if diff.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    let mut fixed = 0;
    if args.fix {
        let (n, refused) = apply_fixes(&outcome);
        fixed = n;
        if fixed > 0 {
            // Report what remains after the fixes.
            outcome = match run(&opts) {
                Ok(o) => o,
                Err(code) => return code,
            };
        }
        outcome.errors.extend(refused);
    }
    if let Some(path) = &args.write_baseline {
        let text =
            serde_json::to_string_pretty(&Baseline::of(&outcome.diagnostics, &outcome.sources))
                .unwrap_or_default();
        if let Err(e) = std::fs::write(path, text + "\n") {
            return usage(&format!(
                "{}: cannot write the baseline: {e}",
                path.display()
            ));
        }
    }
    if let Some(b) = &baseline {
        outcome.diagnostics = b.filter(std::mem::take(&mut outcome.diagnostics), &outcome.sources);
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
        files: outcome.files,
        sources: &outcome.sources,
    };
    let render_opts = RenderOptions {
        color,
        quiet: args.quiet,
        statistics: args.statistics,
    };
    let mut out = std::io::stdout().lock();
    let written =
        render::render(args.format, &report, render_opts, &mut out).and_then(|_| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    if args.fix && !args.quiet {
        eprintln!(
            "unawaited: fixed {fixed} finding{}",
            if fixed == 1 { "" } else { "s" }
        );
    }
    if !outcome.errors.is_empty() && args.format == render::Format::Human {
        // Human output already listed them on stdout; tell stderr readers too.
        eprintln!("unawaited: {} file error(s)", outcome.errors.len());
    }
    let has_deny = outcome.diagnostics.iter().any(|d| d.level == Level::Deny);
    if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if has_deny && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
