//! Applying fixes (`--fix`) or showing them (`--diff`), in ruff's safety tiers: safe fixes
//! (MachineApplicable) always, unsafe ones (MaybeIncorrect) only with `--unsafe-fixes`. A fix is
//! applied whole or not at all.
//!
//! A fixed file is written only when: the file on disk is still exactly the text that was
//! analysed (no edit in between), the fixed text parses, and the file is writable. It is written
//! atomically — a temporary file in the same folder, then a rename — so an interrupted run never
//! leaves a half-written file. Anything else leaves the original untouched and says why.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, RunError};
use crate::source::Sources;
use crate::source::{self, SourceFile};
use std::collections::BTreeMap;
use std::path::Path;

/// Whether `--fix` applies `fix`: a safe one always, an unsafe one with `--unsafe-fixes`.
pub fn applies(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::MachineApplicable || unsafe_fixes
}

/// The findings whose fixes `--fix` applies, by display path, in report order.
pub fn fixes_by_file(
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
) -> BTreeMap<String, Vec<&Diagnostic>> {
    let mut out: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        if d.fix.as_ref().is_some_and(|f| applies(f, unsafe_fixes)) {
            out.entry(d.path.clone()).or_default().push(d);
        }
    }
    out
}

/// Applies fixes to a text, each whole or not at all (see [`choose_fixes`]). Returns the new
/// text and which fixes were applied.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> (String, Vec<bool>) {
    let applied = choose_fixes(text, fixes);
    let edits: Vec<Edit> = fixes
        .iter()
        .zip(&applied)
        .filter(|(_, &a)| a)
        .flat_map(|(f, _)| f.edits.iter().cloned())
        .collect();
    let (out, _) = apply(text, &edits);
    (out, applied)
}

/// Which fixes can be applied together to a text, each whole or not at all: a fix with an edit
/// out of the text, or overlapping an edit of a fix taken before it (or touching the same
/// point), is left out — the next run offers it again.
pub fn choose_fixes(text: &str, fixes: &[&Fix]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    let first = |f: &Fix| f.edits.iter().map(|e| e.span.start.byte).min();
    order.sort_by_key(|&i| first(fixes[i]));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut applied = vec![false; fixes.len()];
    let clash = |(a, b): (usize, usize), (c, d): (usize, usize)| {
        (a < d && c < b) || a == c || (a == b && c < a && a < d) || (c == d && a < c && c < b)
    };
    for i in order {
        let ranges: Vec<(usize, usize)> = fixes[i]
            .edits
            .iter()
            .map(|e| (e.span.start.byte, e.span.end.byte))
            .collect();
        let valid = ranges.iter().all(|&(a, b)| {
            a <= b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
        });
        let free = ranges.iter().enumerate().all(|(k, &r)| {
            taken.iter().all(|&t| !clash(r, t)) && ranges[..k].iter().all(|&o| !clash(r, o))
        });
        if !ranges.is_empty() && valid && free {
            taken.extend(ranges);
            applied[i] = true;
        }
    }
    applied
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
    /// Which of the fixes were applied (all `false`: the file was left as it was).
    Fixed {
        applied: Vec<bool>,
    },
    Refused(RunError),
}

/// Fixes one file in place. `analysed` is the text the findings were computed on.
pub fn fix_file(path: &Path, display: &str, analysed: &str, fixes: &[&Fix]) -> Outcome {
    let refuse = |message: String| {
        Outcome::Refused(RunError {
            path: display.to_string(),
            message,
        })
    };
    let (fixed, applied) = apply_fixes(analysed, fixes);
    if !applied.contains(&true) {
        return Outcome::Fixed { applied };
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
    match crate::files::write_atomically(path, fixed.as_bytes(), Some(meta.permissions()), true) {
        Ok(()) => Outcome::Fixed { applied },
        Err(e) => refuse(format!("not fixed: cannot write the file: {e}")),
    }
}

/// A unified diff of what the fixes would change, per file.
pub fn diff(diagnostics: &[Diagnostic], sources: &dyn Sources, unsafe_fixes: bool) -> String {
    diff_counted(diagnostics, sources, unsafe_fixes).0
}

/// [`diff`], and how many findings its fixes fix (for "Would fix N findings").
pub fn diff_counted(
    diagnostics: &[Diagnostic],
    sources: &dyn Sources,
    unsafe_fixes: bool,
) -> (String, usize) {
    let mut out = String::new();
    let mut count = 0;
    for (path, diags) in fixes_by_file(diagnostics, unsafe_fixes) {
        let Some(before) = sources.text(&path) else {
            continue;
        };
        let fixes: Vec<&Fix> = diags.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (after, applied) = apply_fixes(before, &fixes);
        if !applied.contains(&true) {
            continue;
        }
        count += applied.iter().filter(|a| **a).count();
        let diff = similar::TextDiff::from_lines(before, after.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    (out, count)
}
