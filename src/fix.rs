//! Applying machine-applicable fixes (`--fix`) or showing them (`--diff`).
//!
//! A fixed file is written only when: the file on disk is still exactly the text that was
//! analysed (no edit in between), the fixed text parses, and the file is writable. It is written
//! atomically — a temporary file in the same folder, then a rename — so an interrupted run never
//! leaves a half-written file. Anything else leaves the original untouched and says why.

use crate::diagnostic::{Applicability, Diagnostic, Edit, RunError};
use crate::render::Sources;
use crate::source::{self, SourceFile};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The machine-applicable edits of each file, by display path.
pub fn edits_by_file(diagnostics: &[Diagnostic]) -> BTreeMap<String, Vec<Edit>> {
    let mut out: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    for d in diagnostics {
        if let Some(fix) = &d.fix {
            if fix.applicability == Applicability::MachineApplicable {
                out.entry(d.path.clone())
                    .or_default()
                    .extend(fix.edits.iter().cloned());
            }
        }
    }
    out
}

/// Applies edits to a text. Overlapping edits after the first are skipped; returns the new
/// text and how many edits were applied.
pub fn apply(text: &str, edits: &[Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start.byte, e.span.end.byte));
    sorted.dedup_by(|a, b| a == b);
    let mut out = String::with_capacity(text.len() + 16 * sorted.len());
    let mut cursor = 0;
    let mut applied = 0;
    for e in sorted {
        let (a, b) = (e.span.start.byte, e.span.end.byte);
        if a < cursor
            || b < a
            || b > text.len()
            || !text.is_char_boundary(a)
            || !text.is_char_boundary(b)
        {
            continue;
        }
        out.push_str(&text[cursor..a]);
        out.push_str(&e.text);
        cursor = b;
        applied += 1;
    }
    out.push_str(&text[cursor..]);
    (out, applied)
}

/// The result of fixing one file.
#[derive(Debug)]
pub enum Outcome {
    Fixed { edits: usize },
    Refused(RunError),
}

/// Fixes one file in place. `analysed` is the text the findings were computed on.
pub fn fix_file(path: &Path, display: &str, analysed: &str, edits: &[Edit]) -> Outcome {
    let refuse = |message: String| {
        Outcome::Refused(RunError {
            path: display.to_string(),
            message,
        })
    };
    let (fixed, applied) = apply(analysed, edits);
    if applied == 0 {
        return Outcome::Fixed { edits: 0 };
    }
    if let Err(failure) = source::parse(&SourceFile::new(display.to_string(), fixed.clone())) {
        return refuse(format!(
            "not fixed: the fixed file would not parse ({})",
            failure.message
        ));
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return refuse(format!("not fixed: {}", crate::discover::io_message(&e))),
    };
    if meta.permissions().readonly() {
        return refuse("not fixed: the file is read-only".into());
    }
    match std::fs::read(path) {
        Ok(now) if now == analysed.as_bytes() => {}
        Ok(_) => return refuse("not fixed: the file changed since it was read".into()),
        Err(e) => return refuse(format!("not fixed: {}", crate::discover::io_message(&e))),
    }
    match write_atomically(path, fixed.as_bytes(), Some(meta.permissions()), true) {
        Ok(()) => Outcome::Fixed { edits: applied },
        Err(e) => refuse(format!("not fixed: cannot write the file: {e}")),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so no
/// reader ever sees a partial file. `perms`: the permissions to give it (the fixed file keeps
/// its own). `durable`: flush to disk before the rename (a user's file); a cache, which checks
/// itself when read, skips that cost.
pub(crate) fn write_atomically(
    path: &Path,
    bytes: &[u8],
    perms: Option<std::fs::Permissions>,
    durable: bool,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.unawaited-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        if let Some(perms) = perms {
            std::fs::set_permissions(&tmp, perms)?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A unified diff of what the fixes would change, per file.
pub fn diff(diagnostics: &[Diagnostic], sources: &dyn Sources) -> String {
    let mut out = String::new();
    for (path, edits) in edits_by_file(diagnostics) {
        let Some(before) = sources.text(&path) else {
            continue;
        };
        let (after, applied) = apply(before, &edits);
        if applied == 0 {
            continue;
        }
        let diff = similar::TextDiff::from_lines(before, after.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    out
}
