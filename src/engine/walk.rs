//! Stage 5, walk: the files to report are parsed, lowered and walked, then — for the call graph — the
//! files holding the functions they call, transitively. Summaries only flow from callees to
//! callers, so the functions reachable from the files to report are all that their findings
//! depend on, and a file's findings are the same whichever other files were named.
//!
//! A file is parsed and lowered on the worker that walks it (proc-macro2's span positions live in
//! thread-local tables), and its syntax tree is dropped before the walk: the walk reads the IR.
//! A panic in one file becomes an error for that file.
//!
//! A file whose text is what it was when the walk cache stored its walk, against the same
//! context fingerprint, is not walked again: its stored facts stand for the walk.

use super::plan::{FileRef, Plan, TargetFile};
use super::Context;
use crate::analysis::facts::{Fact, FactKind};
use crate::analysis::other_files::{OtherFiles, OtherUses};
use crate::analysis::{analyze, FileCx, TestCode};
use crate::diagnostic::RunError;
use crate::index::FnId;
use crate::lower::ir;
use crate::source::{self, ParseFailure, SourceFile};
use crate::suppress::Suppressions;
use crate::walk_cache::{WalkCache, WalkEntry};
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
    /// Files to report only: the line ranges of their test modules and test fns.
    pub test_ranges: Vec<(usize, usize)>,
    /// The ids of the names the file's text holds (see [`crate::walk_cache::WalkEntry`]);
    /// empty when no walk cache is written.
    pub idents: Vec<u32>,
    /// What the walk read of the other files of the file's scope (see
    /// [`crate::walk_cache::WalkEntry::other_files`]).
    pub other_files: Vec<OtherUses>,
}

/// What the walk may take from the last run: each file's content hash (aligned with the files)
/// and each context's walk cache.
pub(super) struct Reuse<'a> {
    pub hashes: &'a [Option<u128>],
    pub caches: &'a [WalkCache],
}

/// What [`walk_reachable`] gives: the walked files with the path shown for each (`None` for the
/// files not walked), and the entries to store of the files walked afresh.
pub(super) struct WalkedFiles {
    pub walked: Vec<Option<(String, Walked)>>,
    pub fresh: Vec<Option<WalkEntry>>,
    /// How many files were taken from the walk cache.
    pub reused: usize,
}

/// Walks the files to report and every file they reach, or takes their walk from the cache.
pub(super) fn walk_reachable(
    plan: &Plan,
    files: &[FileRef],
    contexts: &[std::sync::Arc<Context>],
    reuse: &Reuse,
    held: Vec<Option<Body>>,
    other_uses: &[super::other_files::ContextUses],
    pool: &rayon::ThreadPool,
) -> WalkedFiles {
    // Each held body is taken by the worker that walks its file, and freed after its walk.
    let held: Vec<std::sync::Mutex<Option<Body>>> =
        held.into_iter().map(std::sync::Mutex::new).collect();
    let take_held = |i: usize| held.get(i).and_then(|h| h.lock().ok()?.take());
    let target_of = plan.target_index();
    let position: HashMap<(usize, &Path), usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| ((f.context, f.path), i))
        .collect();
    let mut walked: Vec<Option<(String, Walked)>> = files.iter().map(|_| None).collect();
    let mut fresh: Vec<Option<WalkEntry>> = files.iter().map(|_| None).collect();
    let mut reused_count = 0;
    // Walked or about to be.
    let mut queued: Vec<bool> = files
        .iter()
        .map(|f| target_of.contains_key(f.path))
        .collect();
    let mut todo: Vec<usize> = (0..files.len()).filter(|&i| queued[i]).collect();
    // The `async fn`s whose awaits a `select!` branch needs, per context.
    let mut demand: Vec<crate::analysis::walk::select::AwaitDemand> =
        contexts.iter().map(|_| Default::default()).collect();
    let keys_of = |ci: usize| {
        let c = &contexts[ci];
        c.fn_keys.get_or_init(|| FnKeys::of(&c.index))
    };
    while !todo.is_empty() {
        let results: Vec<((String, Walked), Option<WalkEntry>, bool)> = pool.install(|| {
            todo.par_iter()
                .map(|&i| {
                    let f = files[i];
                    let display = plan.display(f.path);
                    let target = target_of.get(f.path).map(|&t| &plan.targets[t]);
                    let hash = reuse.hashes[i];
                    let cache = &reuse.caches[f.context];
                    let stored = hash
                        .and_then(|h| cache.get(f.path, h))
                        .filter(|e| e.full || target.is_none());
                    let body = take_held(i);
                    // What the other files of its scope say, as its walk would read them.
                    let other = other_uses.get(f.context).and_then(|u| u.of(f.path));
                    let agrees = |e: &&WalkEntry| match &other {
                        Some(o) => o.agree(&e.other_files),
                        None => e.other_files.is_empty(),
                    };
                    let taken = stored
                        .filter(agrees)
                        .and_then(|e| reused(e, f.path, target, keys_of(f.context)));
                    if let Some(w) = taken {
                        return ((display, w), None, true);
                    }
                    let result = std::panic::catch_unwind(|| {
                        super::panic_if_asked(f.path);
                        walk_file(
                            f.path,
                            target,
                            &contexts[f.context],
                            body,
                            cache.is_enabled(),
                            other.as_ref(),
                        )
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
                    let entry = hash
                        .filter(|_| cache.is_enabled() && w.error.is_none())
                        .map(|_| {
                            let (facts, fns) = keys_of(f.context).to_stored(&w.facts);
                            WalkEntry {
                                full: target.is_some(),
                                facts,
                                suppressions: w.suppressions.clone(),
                                parse_failure: w.parse_failure.clone(),
                                test_ranges: w.test_ranges.clone(),
                                idents: w.idents.clone(),
                                fns,
                                other_files: w.other_files.clone(),
                            }
                        });
                    ((display, w), entry, false)
                })
                .collect()
        });
        let mut next = Vec::new();
        for (&i, (w, entry, was_reused)) in todo.iter().zip(results) {
            reused_count += usize::from(was_reused);
            let ci = files[i].context;
            let index = &contexts[ci].index;
            for fact in &w.1.facts {
                let demanded = demand[ci].observe(fact);
                for callee in fact.kind.reached_fn().into_iter().chain(demanded) {
                    let file = index.file_path(index.fn_info(callee).file());
                    if let Some(&j) = position.get(&(ci, file)) {
                        if !queued[j] {
                            queued[j] = true;
                            next.push(j);
                        }
                    }
                }
            }
            walked[i] = Some(w);
            fresh[i] = entry;
        }
        next.sort_unstable();
        todo = next;
    }
    WalkedFiles {
        walked,
        fresh,
        reused: reused_count,
    }
}

/// A stored walk, as [`walk_file`] would give it for `target` (a file to report needs a full
/// entry); the text is read again only where the rules need it. `None` when a fn its facts
/// name is not in the index any more.
fn reused(
    entry: &WalkEntry,
    path: &Path,
    target: Option<&TargetFile>,
    keys: &FnKeys,
) -> Option<Walked> {
    let mut facts = keys.renumbered(&entry.facts, &entry.fns)?;
    if target.is_none() {
        facts.retain(|f| f.owner.is_some() && f.kind.feeds_call_graph());
    }
    let text = match (&entry.parse_failure, target) {
        (Some(_), Some(t)) => read_text(path, Some(t)).ok(),
        _ => None,
    };
    Some(Walked {
        facts,
        suppressions: target.and(entry.suppressions.clone()),
        parse_failure: entry.parse_failure.clone(),
        text,
        error: None,
        test_ranges: match target {
            Some(_) => entry.test_ranges.clone(),
            None => Vec::new(),
        },
        idents: entry.idents.clone(),
        other_files: entry.other_files.clone(),
    })
}

/// Each fn of a context's index by a key that does not depend on how the index numbers its
/// fns: the hash of its file and path, and its rank among the fns with the same hash.
///
/// Held as two vectors (20 bytes a fn), not hash tables: for the 257,000 fns of a 10 MB file
/// the tables took 12.8 MB held through the walk and 8.7 MB more while they were made.
pub(super) struct FnKeys {
    /// Each fn's key, by its number.
    key_of: Vec<(u64, u32)>,
    /// The fns' numbers in the order of their keys (an index holds far fewer than 2^32 fns:
    /// 48 bytes of record each).
    by_key: Vec<u32>,
}

impl FnKeys {
    fn of(index: &crate::index::Index) -> FnKeys {
        // Each fn's hash, its rank set below.
        let mut key_of: Vec<(u64, u32)> = index
            .fns()
            .map(|info| {
                let mut h = xxhash_rust::xxh3::Xxh3::new();
                h.update(index.file_path(info.file()).as_os_str().as_encoded_bytes());
                h.update(&[0]);
                // The fn's path (`Index::fn_path`), hashed in pieces.
                match &info.self_ty {
                    Some(owner) => h.update(owner.as_bytes()),
                    None => h.update(index.modules[info.module()].path.as_bytes()),
                }
                h.update(b"::");
                h.update(info.sig.name.as_bytes());
                (h.digest(), 0)
            })
            .collect();
        // In the order of (hash, number), a fn's rank is its place among the run of its hash:
        // the count of fns numbered before it with the same hash. That order is the keys'.
        let mut by_key: Vec<u32> = (0..key_of.len() as u32).collect();
        by_key.sort_unstable_by_key(|&id| (key_of[id as usize].0, id));
        let mut last: Option<(u64, u32)> = None;
        for &id in &by_key {
            let hash = key_of[id as usize].0;
            let rank = match last {
                Some((h, r)) if h == hash => r + 1,
                _ => 0,
            };
            key_of[id as usize].1 = rank;
            last = Some((hash, rank));
        }
        FnKeys { key_of, by_key }
    }

    /// The fn whose key is `key`.
    fn find(&self, key: (u64, u32)) -> Option<FnId> {
        let at = (self.by_key)
            .binary_search_by_key(&key, |&id| self.key_of[id as usize])
            .ok()?;
        Some(self.by_key[at] as FnId)
    }

    /// The facts with each fn numbered by its place in the table given with them.
    fn to_stored(&self, facts: &[Fact]) -> (Vec<Fact>, Vec<(u64, u32)>) {
        let mut table = Vec::new();
        let mut local: HashMap<FnId, usize> = HashMap::new();
        let mut facts = facts.to_vec();
        for fact in &mut facts {
            for_each_fn(fact, |id| {
                *id = *local.entry(*id).or_insert_with(|| {
                    table.push(self.key_of[*id]);
                    table.len() - 1
                });
                true
            });
        }
        (facts, table)
    }

    /// Stored facts with the fns numbered as this index numbers them; `None` when one is gone.
    fn renumbered(&self, facts: &[Fact], table: &[(u64, u32)]) -> Option<Vec<Fact>> {
        let mut facts = facts.to_vec();
        for fact in &mut facts {
            let mut found = true;
            for_each_fn(fact, |id| {
                match table.get(*id).and_then(|k| self.find(*k)) {
                    Some(now) => *id = now,
                    None => found = false,
                }
                found
            });
            if !found {
                return None;
            }
        }
        Some(facts)
    }
}

/// Calls `each` on every fn number a fact holds (its owner, a callee), while it says go on.
/// Every [`FactKind`] that holds a [`FnId`] is listed here.
fn for_each_fn(fact: &mut Fact, mut each: impl FnMut(&mut FnId) -> bool) {
    if let Some(owner) = &mut fact.owner {
        if !each(owner) {
            return;
        }
    }
    match &mut fact.kind {
        FactKind::CallsFn { callee, .. }
        | FactKind::RacesFn { callee, .. }
        | FactKind::AwaitsFn { callee } => {
            each(callee);
        }
        FactKind::Dropped { .. }
        | FactKind::Call { .. }
        | FactKind::GuardAcrossAwait { .. }
        | FactKind::SelectCancelUnsafe { .. }
        | FactKind::NotCancelSafe { .. }
        | FactKind::DrainNeverEnds { .. }
        | FactKind::SetDropped { .. } => {}
    }
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

/// The walk of a file that could not be read: its error, for a file to report.
fn unreadable(target: Option<&TargetFile>, message: String) -> Walked {
    Walked {
        error: target.map(|t| RunError {
            path: t.display.clone(),
            message,
        }),
        ..Walked::default()
    }
}

/// Parses, lowers and walks one file (the tree is dropped before the walk). For a file to report
/// everything is kept; for the others only what the call graph needs.
/// `held`: the file's body as the index facts stage left it (parsed and lowered there), else
/// the file is read and parsed here. `idents`: whether to give [`Walked::idents`] (the walk
/// cache stores them).
pub(super) fn walk_file(
    path: &Path,
    target: Option<&TargetFile>,
    data: &Context,
    held: Option<Body>,
    idents: bool,
    other_files: Option<&OtherFiles>,
) -> Walked {
    let mut body = match held {
        Some(body) => body,
        None => match read_text(path, target) {
            Ok(text) => {
                let display = target.map(|t| t.display.clone()).unwrap_or_default();
                parse_and_lower(SourceFile::new(display, text), target.is_some())
            }
            Err(message) => return unreadable(target, message),
        },
    };
    // A body read group by group is read again group by group: from the file when its text
    // was shed (from standard input's text, which is held, for a file read from there).
    if let Body::InGroups { text: t @ None, .. } = &mut body {
        if let Some(text) = target.and_then(|t| t.stdin_text.as_ref()) {
            *t = Some(text.clone());
        }
    }
    // Only the walk cache reads them.
    let idents_wanted = idents;
    let idents = match &mut body {
        _ if !idents => Vec::new(),
        Body::Lowered {
            idents: Some(ids), ..
        } => std::mem::take(ids),
        Body::Lowered { text: Some(t), .. } => super::idents::of_text(t),
        // Shed without its names: read again.
        Body::Lowered { text: None, .. } => read_text(path, target)
            .map(|t| super::idents::of_text(&t))
            .unwrap_or_default(),
        Body::InGroups { text: Some(t), .. } => super::idents::of_text(t),
        // Taken when the text was shed.
        Body::InGroups {
            text: None,
            idents: ids,
            ..
        } => std::mem::take(ids).unwrap_or_default(),
        Body::Failed { text, .. } => {
            let mut ids = super::idents::by_tokens(text);
            ids.sort_unstable();
            ids.dedup();
            ids
        }
    };
    let (ir, suppressions, text, test_ranges) = match body {
        Body::Lowered {
            ir,
            suppressions,
            text,
            test_ranges,
            ..
        } => (Ok(ir), suppressions, text, test_ranges),
        Body::InGroups {
            text,
            call_uses,
            suppressions,
            test_ranges,
            split,
            hash,
            ..
        } => {
            let display = target.map(|t| t.display.clone()).unwrap_or_default();
            let groups = InGroups {
                file: text.map(|t| SourceFile::new(display.clone(), t)),
                display,
                call_uses,
                split,
                hash,
            };
            (Err(groups), suppressions, None, test_ranges)
        }
        Body::Failed { failure, text } => {
            return Walked {
                parse_failure: Some(failure),
                text: target.map(|_| text),
                idents,
                ..Walked::default()
            }
        }
    };
    let Some(fid) = data.index.file_id(path) else {
        return Walked {
            idents,
            ..Walked::default()
        };
    };
    let test_code = if crate::lower::test_code::is_test_path(path) {
        TestCode::Whole
    } else {
        TestCode::Lines(&test_ranges)
    };
    let cx = FileCx {
        index: &data.index,
        knowledge: &data.knowledge,
        file: fid,
        test_code,
        other_files,
    };
    let (mut facts, text) = match ir {
        Ok(ir) => (analyze(&cx, &ir), text),
        Err(InGroups {
            file: Some(file),
            call_uses,
            split,
            ..
        }) => (
            walk_in_groups(&file, &split, call_uses, &cx),
            Some(file.text),
        ),
        Err(InGroups {
            file: None,
            display,
            call_uses,
            split,
            hash,
        }) => match super::grouped::walk_from_file(path, &display, &split, hash, &call_uses, &cx) {
            // Not kept: the judge reads the file again where a finding needs its text.
            Some(facts) => (facts, None),
            // Changed since its facts were taken (or unreadable now): walked as a file the
            // facts stage did not hold is, from its text read now.
            None => {
                drop((split, call_uses, suppressions));
                return walk_file(path, target, data, None, idents_wanted, other_files);
            }
        },
    };
    let other_files = other_files.map(|o| o.take_read()).unwrap_or_default();
    if target.is_none() {
        facts.retain(|f| f.owner.is_some() && f.kind.feeds_call_graph());
        return Walked {
            facts,
            idents,
            other_files,
            ..Walked::default()
        };
    }
    // The text is kept (for rendering and fixes) only where a finding is likely; a file whose
    // only facts are calls of workspace functions reads it again if one of them reports.
    let may_report = suppressions.as_ref().is_some_and(|s| s.has_comments())
        || facts.iter().any(|f| {
            !matches!(
                f.kind,
                FactKind::CallsFn { .. }
                    | FactKind::AwaitsFn { .. }
                    | FactKind::NotCancelSafe { .. }
            )
        });
    Walked {
        facts,
        suppressions,
        text: text.filter(|_| may_report),
        test_ranges,
        idents,
        other_files,
        ..Walked::default()
    }
}

/// A large file read group by group, as the walk reads it again: from its text when held
/// (`file`), else from the file, when it is still what its facts were taken from (`hash`).
struct InGroups {
    file: Option<SourceFile>,
    display: String,
    call_uses: HashMap<Box<str>, ir::CallUses>,
    split: crate::source::groups::Split,
    hash: u128,
}

/// The walk of a large file read group by group ([`super::grouped::walk`]); should a group not
/// parse alone now, the walk of the whole file's IR.
fn walk_in_groups(
    file: &SourceFile,
    split: &crate::source::groups::Split,
    call_uses: HashMap<Box<str>, ir::CallUses>,
    cx: &FileCx,
) -> Vec<crate::analysis::facts::Fact> {
    let read = super::grouped::Groups::Text(file);
    if let Some(facts) = super::grouped::walk(&read, split, &call_uses, cx) {
        return facts;
    }
    let Ok(ast) = source::parse(file) else {
        return Vec::new();
    };
    let ir = crate::lower::lower_file_sharing(&ast, file, &Default::default());
    drop(ast);
    proc_macro2::extra::invalidate_current_thread_spans();
    analyze(cx, &ir)
}

/// A file parsed and lowered: what the walk and the rules need of it, without its syntax tree.
pub(super) enum Body {
    Lowered {
        ir: ir::File,
        /// Files to report only.
        suppressions: Option<Suppressions>,
        /// `None` once shed (see [`Body::shed_text`]).
        text: Option<String>,
        /// Files to report only: see [`Walked::test_ranges`].
        test_ranges: Vec<(usize, usize)>,
        /// The names of the text, taken when it was shed (see [`Walked::idents`]).
        idents: Option<Vec<u32>>,
    },
    /// A large file read group by group ([`super::grouped::parse`]): its IR is not held, the
    /// walk lowers and walks it again group by group; what the walk of each group reads of the
    /// whole file is.
    InGroups {
        /// `None` once shed (see [`Body::shed_text`]): the walk reads the groups again from
        /// the file, when it is still what was read (`hash`).
        text: Option<String>,
        /// The names of the text, taken when it was shed (see [`Walked::idents`]).
        idents: Option<Vec<u32>>,
        /// Its groups, as [`super::grouped::parse`] split the text.
        split: crate::source::groups::Split,
        /// The text's content hash.
        hash: u128,
        /// The whole file's (see [`ir::File::call_uses`]).
        call_uses: HashMap<Box<str>, ir::CallUses>,
        suppressions: Option<Suppressions>,
        test_ranges: Vec<(usize, usize)>,
    },
    /// The file does not parse (or nests too deeply): its text is kept to show where.
    Failed { failure: ParseFailure, text: String },
}

impl From<super::grouped::Lowered> for Body {
    fn from(l: super::grouped::Lowered) -> Body {
        Body::InGroups {
            text: l.text,
            idents: l.idents,
            split: l.split,
            hash: l.hash,
            call_uses: l.ir.call_uses,
            suppressions: l.suppressions,
            test_ranges: l.test_ranges,
        }
    }
}

impl Body {
    /// Drops the text of a body held from the index facts stage until the walk, taking its
    /// names first when `idents` (the walk cache stores them): the walk does not read it, and
    /// the judge reads the file again where a finding needs it. The texts of the files to
    /// report were the largest part held beside the facts and the index (67.6 MB on the four
    /// largest trees). A body read group by group sheds its text too (10 MB of a 10 MB file):
    /// the walk reads the file again, and its names then.
    pub(super) fn shed_text(&mut self, idents: bool) {
        match self {
            Body::Lowered {
                text, idents: ids, ..
            } => {
                if let Some(t) = text.take() {
                    *ids = idents.then(|| super::idents::of_text(&t));
                }
            }
            Body::InGroups {
                text, idents: ids, ..
            } => {
                if let Some(t) = text.take() {
                    *ids = idents.then(|| super::idents::of_text(&t));
                }
            }
            Body::Failed { .. } => {}
        }
    }
}

/// Parses a file's text and lowers it (a large file group by group), then drops the tree; with
/// `report`, its suppressions too. The caller resets the thread's span tables.
fn parse_and_lower(file: SourceFile, report: bool) -> Body {
    let file = match super::grouped::parse(file, report, false) {
        Ok((_, body)) => return body.into(),
        Err(file) => file,
    };
    // The tree is freed whole when it is lowered (`file_tree`).
    let lowered = source::file_tree::parse_then(file, |ast, file| {
        lower(ast, file, report, &Default::default())
    });
    match lowered {
        Ok(body) => body,
        Err(failed) => {
            let (failure, file) = *failed;
            Body::Failed {
                failure,
                text: file.text,
            }
        }
    }
}

/// A parsed file lowered (the caller drops the tree); with `report`, its suppressions and test
/// ranges too. `shared`: the tree's item macros, when they were parsed for its facts.
pub(super) fn lower(
    ast: &syn::File,
    file: SourceFile,
    report: bool,
    shared: &crate::index::facts::ItemMacros,
) -> Body {
    let ir = crate::lower::lower_file_sharing(ast, &file, shared);
    let suppressions = report.then(|| Suppressions::collect(&file, Some(ast)));
    let test_ranges = if report {
        crate::lower::test_code::ranges(ast, &file)
    } else {
        Vec::new()
    };
    Body::Lowered {
        ir,
        suppressions,
        text: Some(file.text),
        test_ranges,
        idents: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file above the split size is read group by group, and its IR is not held whole until
    /// the walk (issue 30 item 9: a 10 MB file's IR was 93 MB): only what the walk of each group
    /// reads of the whole file; its text is shed too, the walk reads it again group by group.
    #[test]
    fn a_large_file_is_not_held_lowered() {
        let mut text = String::from("async fn w() {}\n");
        for i in 0..40_000 {
            text.push_str(&format!("pub fn f{i}() {{\n    w();\n}}\n"));
        }
        assert!(text.len() > crate::source::groups::split_above());
        let mut body = parse_and_lower(SourceFile::new("big.rs".into(), text), true);
        body.shed_text(true);
        let Body::InGroups {
            text, call_uses, ..
        } = &body
        else {
            panic!("held lowered, or failed");
        };
        assert!(text.is_none(), "its text is read again by the walk");
        assert_eq!(call_uses.get("w").map(|u| u.calls), Some(40_000));
    }

    /// A body held from the index facts stage keeps no text, only the names the walk cache
    /// stores, the same as the text gives.
    #[test]
    fn a_held_body_sheds_its_text_and_keeps_its_names() {
        let text = "async fn w() {}\nasync fn f() {\n    w();\n}\n";
        let names = super::super::idents::of_text(text);
        assert!(!names.is_empty());
        let mut body = parse_and_lower(SourceFile::new("a.rs".into(), text.into()), true);
        body.shed_text(true);
        let Body::Lowered { text, idents, .. } = &body else {
            panic!("parses");
        };
        assert!(text.is_none());
        assert_eq!(idents.as_deref(), Some(names.as_slice()));
        // No walk cache: no names either.
        let mut body = parse_and_lower(SourceFile::new("b.rs".into(), "fn g() {}\n".into()), true);
        body.shed_text(false);
        assert!(matches!(
            body,
            Body::Lowered {
                text: None,
                idents: None,
                ..
            }
        ));
    }

    /// Every fn's key is found again, and gives the fn; fns with the same file and path (`cfg`
    /// twins, impls of one type in two modules...) are told apart by their rank, given in the
    /// order of their numbers.
    #[test]
    fn each_fn_is_found_by_its_key_and_twins_by_their_rank() {
        let text = "#[cfg(unix)]\npub fn f() {}\n#[cfg(not(unix))]\npub fn f() {}\n\
                    pub fn g() {}\npub struct S;\nimpl S { pub fn f(&self) {} }\n\
                    #[cfg(unix)]\npub fn f2() {}\nimpl S { pub fn g(&self) {} }\n\
                    #[cfg(not(unix))]\npub fn f2() {}\n#[cfg(windows)]\npub fn f() {}\n";
        let index = crate::index::Index::of_lib_text(text);
        let keys = FnKeys::of(&index);
        assert_eq!(keys.key_of.len(), index.fn_count());
        // The ranks, as counted in the order of the numbers.
        let mut seen: HashMap<u64, u32> = HashMap::new();
        for (id, &(hash, rank)) in keys.key_of.iter().enumerate() {
            let count = seen.entry(hash).or_default();
            assert_eq!(rank, *count, "fn {id}");
            *count += 1;
            assert_eq!(keys.find((hash, rank)), Some(id));
            assert_eq!(keys.find((hash, rank + 5)), None);
        }
        assert_eq!(
            seen.values().max(),
            Some(&3),
            "three `f`s at the top: {seen:?}"
        );
        assert_eq!(keys.find((0, 0)), None);
    }
}
