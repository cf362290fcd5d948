//! Stage 5, walk: the files to report are walked (their bodies lowered by the parse stage), then — for the call graph — the
//! files holding the functions they call, transitively. Summaries only flow from callees to
//! callers, so the functions reachable from the files to report are all that their findings
//! depend on, and a file's findings are the same whichever other files were named.
//!
//! A file reached that is not to report is parsed and lowered here, on the worker that walks
//! it. A panic in one file becomes an error for that file.

use super::parse::{parse_and_lower, Body};
use super::plan::{FileRef, Plan, TargetFile};
use super::Context;
use crate::analysis::facts::Fact;
use crate::analysis::{analyze, FileCx};
use crate::diagnostic::RunError;
use crate::source::{self, SourceFile};
use crate::suppress::Suppressions;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// A file after the walk.
#[derive(Default)]
pub(super) struct Walked {
    pub facts: Vec<Fact>,
    /// Files to report only.
    pub suppressions: Option<Suppressions>,
    pub parse_failure: Option<source::ParseFailure>,
    pub text: Option<String>,
    pub error: Option<RunError>,
}

/// Walks the files to report and every file they reach; `None` for the files not walked.
/// Returns the walked files with the path shown for each.
pub(super) fn walk_reachable(
    plan: &Plan,
    files: &[FileRef],
    contexts: &[Context],
    pool: &rayon::ThreadPool,
    mut bodies: Vec<Option<Body>>,
) -> Vec<Option<(String, Walked)>> {
    let target_of = plan.target_index();
    let position: HashMap<(usize, &Path), usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| ((f.context, f.path), i))
        .collect();
    let mut walked: Vec<Option<(String, Walked)>> = files.iter().map(|_| None).collect();
    // Walked or about to be.
    let mut queued: Vec<bool> = files
        .iter()
        .map(|f| target_of.contains_key(f.path))
        .collect();
    let mut todo: Vec<usize> = (0..files.len()).filter(|&i| queued[i]).collect();
    // The `async fn`s whose awaits a `select!` branch needs, per context.
    let mut demand: Vec<crate::analysis::select::AwaitDemand> =
        contexts.iter().map(|_| Default::default()).collect();
    while !todo.is_empty() {
        // Each body is moved to the worker that walks it, and freed there.
        let jobs: Vec<(usize, Option<Body>)> =
            todo.iter().map(|&i| (i, bodies[i].take())).collect();
        let results: Vec<(String, Walked)> = pool.install(|| {
            jobs.into_par_iter()
                .map(|(i, body)| {
                    let f = files[i];
                    let display = plan.display(f.path);
                    let target = target_of.get(f.path).map(|&t| &plan.targets[t]);
                    let result = std::panic::catch_unwind(|| {
                        super::panic_if_asked(f.path);
                        walk_file(f.path, target, &contexts[f.context], body)
                    });
                    proc_macro2::extra::invalidate_current_thread_spans();
                    let w = result.unwrap_or_else(|payload| Walked {
                        error: Some(RunError {
                            path: display.clone(),
                            message: format!(
                                "internal error while analysing this file: {}",
                                super::panic_message(&*payload)
                            ),
                        }),
                        ..Walked::default()
                    });
                    (display, w)
                })
                .collect()
        });
        let mut next = Vec::new();
        for (&i, w) in todo.iter().zip(results) {
            let ci = files[i].context;
            let index = &contexts[ci].index;
            for fact in &w.1.facts {
                let demanded = demand[ci].observe(fact);
                for callee in fact.kind.reached_fn().into_iter().chain(demanded) {
                    let file = index.file_path(index.fn_info(callee).file);
                    if let Some(&j) = position.get(&(ci, file)) {
                        if !queued[j] {
                            queued[j] = true;
                            next.push(j);
                        }
                    }
                }
            }
            walked[i] = Some(w);
        }
        next.sort_unstable();
        todo = next;
    }
    walked
}

/// The text of a file to analyse, or why it cannot be analysed.
pub(super) fn read_text(path: &Path, t: Option<&TargetFile>) -> Result<String, String> {
    if let Some(text) = t.and_then(|t| t.stdin_text.as_ref()) {
        return Ok(text.clone());
    }
    let bytes = std::fs::read(path).map_err(|e| crate::discover::io_message(&e))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (invalid byte at offset {}): the file is not analysed",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Walks one file: its body from the parse stage, else (a file reached through a call, or one
/// the parse stage could not take) it is read, parsed and lowered here. For a file to report
/// everything is kept; for the others only what the call graph needs.
pub(super) fn walk_file(
    path: &Path,
    target: Option<&TargetFile>,
    data: &Context,
    body: Option<Body>,
) -> Walked {
    let body = match body {
        Some(body) => body,
        None => {
            let text = match read_text(path, target) {
                Ok(text) => text,
                Err(message) => {
                    let error = target.map(|t| RunError {
                        path: t.display.clone(),
                        message,
                    });
                    return Walked {
                        error,
                        ..Walked::default()
                    };
                }
            };
            let display = target.map(|t| t.display.clone()).unwrap_or_default();
            let file = SourceFile::new(display, text);
            let (_, body) = parse_and_lower(file, target.is_some(), false);
            proc_macro2::extra::invalidate_current_thread_spans();
            body
        }
    };
    let (ir, suppressions) = match body {
        Body::Lowered { ir, suppressions } => (ir, suppressions),
        Body::Failed { failure, text } => {
            return Walked {
                parse_failure: Some(failure),
                text: target.map(|_| text),
                ..Walked::default()
            }
        }
    };
    let Some(fid) = data.index.file_id(path) else {
        return Walked::default();
    };
    let cx = FileCx {
        index: &data.index,
        knowledge: &data.knowledge,
        file: fid,
    };
    let mut facts = analyze(&cx, &ir);
    drop(ir);
    if target.is_none() {
        facts.retain(|f| f.owner.is_some() && f.kind.feeds_call_graph());
        return Walked {
            facts,
            ..Walked::default()
        };
    }
    // The text is read again only for a file with diagnostics (see `judge`).
    Walked {
        facts,
        suppressions,
        ..Walked::default()
    }
}
