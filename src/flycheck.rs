//! `unawaited flycheck [CARGO ARGS]`: the command for rust-analyzer's `check.overrideCommand`.
//! It runs `cargo check --message-format json` with the arguments given, passes cargo's lines on
//! as they come, adds unawaited's findings (for the current folder) as `compiler-message` lines,
//! and ends with cargo's `build-finished` line and exit code, so the editor shows compiler
//! errors and unawaited's findings together.
//!
//! `cargo check` builds: it runs build scripts and procedural macros of the tree. On untrusted
//! code run `unawaited check` alone.

use crate::engine::{self, Options};
use crate::render::{cargo_messages, Report};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};

/// Whether cargo's arguments already choose a message format.
fn has_message_format(args: &[OsString]) -> bool {
    args.iter().any(|a| {
        a.to_str()
            .is_some_and(|a| a.starts_with("--message-format"))
    })
}

/// Runs the flycheck; the exit code is cargo's (2 when cargo cannot be started).
pub fn run(cargo_args: &[OsString]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("check");
    if !has_message_format(cargo_args) {
        cmd.arg("--message-format=json");
    }
    cmd.args(cargo_args).stdout(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot run `{} check`: {e}", cargo.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    let mut success = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // cargo's closing line is held back: unawaited's findings come before it.
            if let Some(ok) = build_finished(&line) {
                success = Some(ok);
                continue;
            }
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
    }
    let status = child.wait();
    let findings = engine::run(&Options {
        paths: vec![".".into()],
        cache_dir: crate::cache::explicit_dir(None),
        ..Options::default()
    });
    match findings {
        Ok(outcome) => {
            let report = Report {
                diagnostics: &outcome.diagnostics,
                errors: &outcome.errors,
                files: outcome.files,
                sources: &outcome.sources,
                notes: &outcome.notes,
                root: None,
            };
            // rust-analyzer runs this on every save: the notes as one line, when they change.
            if let Some(line) = outcome.notes_summary_if_new() {
                eprintln!("unawaited: note: {line}");
            }
            let _ = cargo_messages::render_messages(&report, &mut out);
        }
        Err(engine::Fatal::Config(e)) => eprintln!("error: {}: {}", e.path, e.message),
        Err(engine::Fatal::Other(e)) => eprintln!("error: {e}"),
    }
    let code = status.ok().and_then(|s| s.code()).unwrap_or(101);
    let success = success.unwrap_or(code == 0);
    let _ = writeln!(out, "{}", cargo_messages::build_finished(success));
    let _ = out.flush();
    ExitCode::from(u8::try_from(code).unwrap_or(101))
}

/// `Some(success)` when `line` is cargo's `build-finished` message.
fn build_finished(line: &str) -> Option<bool> {
    if !line.contains("\"build-finished\"") {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    (v["reason"] == "build-finished").then(|| v["success"].as_bool().unwrap_or(false))
}
