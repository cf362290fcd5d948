//! Thin: parse arguments, run, print, exit code.

use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use unawaited::baseline::Baseline;
use unawaited::cli::{CheckArgs, Cli, ColorChoice, Command, MessageFormat};
use unawaited::config::LevelFlags;
use unawaited::diagnostic::{Diagnostic, Fix, Level};
use unawaited::engine::{self, Fatal, Options};
use unawaited::fix;
use unawaited::render::{self, RenderOptions, Report};
use unawaited::rules::{self, RuleId};

/// mimalloc: the run allocates and frees millions of small syntax-tree nodes and facts; it
/// halves the time glibc's allocator spends on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    run_cli(Cli::parse())
}

/// Runs a parsed command line (also the entry of `cargo-unawaited`).
pub fn run_cli(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Rules => print(&rules_listing()),
        Command::Explain { rule } => match RuleId::from_name(&rule) {
            Some(r) => print(&format!(
                "# {} ({} by default)\n\n{}",
                r.name(),
                r.default_level().as_str(),
                r.docs().text
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
        Command::Check(args) => return check(*args),
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

/// The rules named in a flag; `warnings` (rustc's group of every warning) is handled apart.
fn parse_rules(names: &[String], flag: &str) -> Result<Vec<RuleId>, String> {
    let mut out = Vec::new();
    for name in names.iter().filter(|n| n.trim() != "warnings") {
        let rules = rules::rules_named(name)
            .map_err(|u| format!("unknown rule `{}` in {flag}{}", u.name, u.hint()))?;
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

fn run(opts: &Options) -> Result<engine::Outcome, ExitCode> {
    engine::run(opts).map_err(|fatal| {
        match fatal {
            Fatal::Config(e) => eprintln!("error: {}: {}", e.path, e.message),
            Fatal::Other(e) => eprintln!("error: {e}"),
        }
        ExitCode::from(2)
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
        let diff = fix::diff(&outcome.diagnostics, &outcome.sources, args.unsafe_fixes);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(diff.as_bytes()).and_then(|_| out.flush());
        return if diff.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
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
        unsafe_fixes: args.unsafe_fixes,
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
    let has_deny = outcome.diagnostics.iter().any(|d| d.level == Level::Deny);
    if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if has_deny && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
