//! A large file read group by group of its top-level items (see [`crate::source::groups`]):
//! each group parsed, lowered and its facts taken, its tree dropped before the next is parsed,
//! so that memory holds one group's syntax tree at a time, not the whole file's. The result is
//! what a parse of the whole file gives.
//!
//! Nor is such a file's IR held whole: the first reading ([`parse`]) lowers each group only for
//! what the walk reads of the whole file (the call uses, the local macros' bodies) and drops its
//! items; the walk reads the file a second time ([`walk`]), lowering and walking one group at a
//! time. A second parse, for the files above the split size only.

use crate::analysis::facts::Fact;
use crate::analysis::{analyze_items, FileCx};
use crate::index::facts::{FileFacts, ItemMacros, ModFacts};
use crate::index::skeleton;
use crate::lower::{ir, test_code, FileLowering, FilePart};
use crate::source::{self, groups, tree_heap, FileLines, SourceFile};
use crate::suppress::Suppressions;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// A file lowered: what the walk reads of it.
pub(super) struct Lowered {
    /// Read by [`parse`]: without its items (the walk lowers them again, group by group).
    pub ir: ir::File,
    pub suppressions: Option<Suppressions>,
    /// `None` when its groups were read from the file ([`parse_from_file`]).
    pub text: Option<String>,
    /// The text's names, when [`parse_from_file`] was asked for them before it dropped the
    /// text.
    pub idents: Option<Vec<u32>>,
    pub test_ranges: Vec<(usize, usize)>,
    /// Its groups, and the content hash of the text read (the walk reads the groups again:
    /// [`walk`], [`walk_from_file`]).
    pub split: groups::Split,
    pub hash: u128,
}

/// A file larger than [`groups::split_above`] parsed and lowered group by group of its
/// top-level items, each group's tree dropped before the next is parsed (see
/// [`crate::source::groups`]): with `report`, its suppressions and test ranges, with `facts`,
/// its index facts too. The IR given holds no items, only what the walk of each group reads of
/// the whole file: [`walk`] lowers and walks the items group by group. The file back when it
/// is not that large, nests too deeply, or a group does not parse alone or has facts that
/// depend on other groups: then the whole file is parsed, which gives the same result (or the
/// error).
pub(super) fn parse(
    file: SourceFile,
    report: bool,
    facts: bool,
) -> Result<(Option<FileFacts>, Lowered), SourceFile> {
    let Some(split) = split_of(&file) else {
        return Err(file);
    };
    let whole = Whole::of(&file, report, facts);
    let Some(parts) = read_groups(&Groups::Text(&file), &split, LOWERED, whole) else {
        return Err(file);
    };
    let body = Lowered {
        ir: parts.ir.unwrap_or_default(),
        suppressions: parts.suppressions,
        hash: crate::files::content_hash(file.text.as_bytes()),
        text: Some(file.text),
        idents: None,
        test_ranges: parts.test_ranges,
        split,
    };
    Ok((parts.facts, body))
}

/// [`parse`] of `file`, the text of the file at `path` whose content hash is `hash`, each
/// group read from the file ([`FileLines::window`]) rather than from the text: the text is
/// dropped as soon as what reads all of it is taken (the split, the suppression comments, the
/// scan of [`FileFacts::read_text`], with `idents` its names), so that the facts stage does not
/// hold a large file's text while its groups are parsed. The file is hashed again once its
/// groups are read. `Err(None)`: the file changed meanwhile, a window did not read, or a group
/// did not parse alone; the text is gone, so the caller reads the file again.
pub(super) fn parse_from_file(
    file: SourceFile,
    path: &Path,
    hash: u128,
    idents: bool,
) -> Result<(Option<FileFacts>, Lowered), Option<SourceFile>> {
    let Some(split) = split_of(&file) else {
        return Err(Some(file));
    };
    parse_split_from_file(file, split, path, hash, idents).map_err(|_| None)
}

/// [`parse_from_file`], `file` split as `split` says.
fn parse_split_from_file(
    file: SourceFile,
    split: groups::Split,
    path: &Path,
    hash: u128,
    idents: bool,
) -> Result<(Option<FileFacts>, Lowered), ()> {
    let whole = Whole::of(&file, true, true);
    let idents = idents.then(|| super::idents::of_text(&file.text));
    let lines = FileLines::of(&file);
    let display = file.display.clone();
    drop(file);
    let read = Groups::File {
        path,
        display: &display,
        lines: &lines,
    };
    let parts = read_groups(&read, &split, LOWERED, whole).ok_or(())?;
    drop(lines);
    if source::stream_file(path, |_| {}).ok() != Some(hash) {
        return Err(());
    }
    let body = Lowered {
        ir: parts.ir.unwrap_or_default(),
        suppressions: parts.suppressions,
        hash,
        text: None,
        idents,
        test_ranges: parts.test_ranges,
        split,
    };
    Ok((parts.facts, body))
}

/// The index facts of a large file read for context only: [`FileFacts::of_text`], its item
/// skeleton parsed group by group. `None` when the file is not that large or cannot be read
/// so (see [`parse`]): take [`FileFacts::of_text`] then.
pub(super) fn facts_of_text(text: &str) -> Option<FileFacts> {
    if text.len() <= groups::split_above() || source::too_deep(text, source::MAX_NESTING).is_some()
    {
        return None;
    }
    let skeleton = SourceFile::new(String::new(), skeleton::skeleton_text(text));
    let split = split_of(&skeleton)?;
    let mut facts = FileFacts::default();
    facts.read_text(text.as_bytes());
    let whole = Whole {
        suppressions: None,
        facts: Some(facts),
    };
    let want = Want {
        lowered: false,
        items: false,
    };
    read_groups(&Groups::Text(&skeleton), &split, want, whole)?.facts
}

/// `file`'s groups: `None` when it is not larger than [`groups::split_above`], nests too
/// deeply, or does not split.
fn split_of(file: &SourceFile) -> Option<groups::Split> {
    let above = groups::split_above();
    if file.text.len() <= above || source::too_deep(&file.text, source::MAX_NESTING).is_some() {
        return None;
    }
    groups::split(&file.text, above.min(groups::GROUP_BYTES))
}

/// What to take of each group.
#[derive(Clone, Copy)]
struct Want {
    lowered: bool,
    /// The lowered items are kept (else dropped group by group: see [`walk`]).
    items: bool,
}

/// Lowered, the items dropped.
const LOWERED: Want = Want {
    lowered: true,
    items: false,
};

/// What is taken of the whole text before its groups are read: with `report`, its suppression
/// comments; with `facts`, the scan of its bytes ([`FileFacts::read_text`]), which the groups'
/// facts are added to.
struct Whole {
    suppressions: Option<Suppressions>,
    facts: Option<FileFacts>,
}

impl Whole {
    fn of(file: &SourceFile, report: bool, facts: bool) -> Whole {
        Whole {
            suppressions: report.then(|| Suppressions::collect(file, None)),
            facts: facts.then(|| {
                let mut f = FileFacts::default();
                f.read_text(file.text.as_bytes());
                f
            }),
        }
    }
}

/// What the groups give together: what a whole parse gives.
struct Parts {
    facts: Option<FileFacts>,
    ir: Option<ir::File>,
    suppressions: Option<Suppressions>,
    test_ranges: Vec<(usize, usize)>,
}

/// What a whole parse gives (lowered, [`FileFacts::of_tree`], suppressions, test ranges),
/// group by group, each group read by `read` and lowered by a lowering of its own (the first
/// lowers the local macros' bodies, the others share its [`FilePart`]), their call uses added
/// up. Suppressions and test ranges when `whole` holds the comments', facts when it holds the
/// text's scan. `None` when a group does not parse alone or cannot be read. The thread's spans
/// reset; mimalloc gives the pages the groups empty back promptly
/// ([`tree_heap::purging_promptly`]).
fn read_groups(read: &Groups, split: &groups::Split, want: Want, whole: Whole) -> Option<Parts> {
    let parts = tree_heap::purging_promptly(|| read_groups_here(read, split, want, whole));
    proc_macro2::extra::invalidate_current_thread_spans();
    parts
}

fn read_groups_here(
    read: &Groups,
    split: &groups::Split,
    want: Want,
    whole: Whole,
) -> Option<Parts> {
    let Whole {
        mut suppressions,
        facts: base,
    } = whole;
    let mut test_ranges = Vec::new();
    let mut part: Option<FilePart> = None;
    let mut macro_bodies: Box<[ir::Expr]> = Box::default();
    let mut items: Vec<ir::Item> = Vec::new();
    let mut call_uses: HashMap<Box<str>, ir::CallUses> = HashMap::new();
    // Each group's item macros are parsed by its lowering and its facts apart.
    let no_shared = ItemMacros::default();
    let mut top = ModFacts::default();
    let mut inline: Vec<ModFacts> = Vec::new();
    let mut macro_defs: Vec<(String, String)> = Vec::new();
    for k in 0..split.groups.len() {
        let done = read.with(split, k, |file| {
            let done = file.parse_group(split, k).and_then(|parsed| {
                let mut first = None;
                if want.lowered {
                    let mut lowering = match &part {
                        None => FileLowering::new(file, &parsed.macros, &no_shared),
                        Some(part) => FileLowering::of_group(file, part, &no_shared),
                    };
                    if part.is_none() {
                        macro_bodies = lowering.take_macro_bodies();
                    }
                    lowering.items(&parsed.file.items);
                    let lowered = lowering.take_items();
                    if want.items {
                        items.extend(lowered);
                    }
                    add_uses(&mut call_uses, lowering.take_call_uses());
                    if part.is_none() {
                        first = Some(lowering.into_part());
                    }
                }
                if let Some(s) = &mut suppressions {
                    s.collect_attrs(file, &parsed.file);
                    test_ranges.extend(test_code::ranges(&parsed.file, file));
                }
                if base.is_some() {
                    let mut group = FileFacts::extract_group(&parsed.file.items, &parsed.macros)?;
                    place_lines(&mut group, file);
                    macro_defs.append(&mut group.macro_defs);
                    let mut modules = group.modules.into_iter();
                    let (done, total) = (split.groups[k].end, split.groups.last()?.end);
                    top.append_projected(modules.next()?, done, total);
                    inline.extend(modules);
                }
                Some(first)
            });
            file.end_group();
            proc_macro2::extra::invalidate_current_thread_spans();
            done
        });
        if let Some(first) = done?? {
            part = Some(first);
        }
    }
    macro_defs.sort();
    macro_defs.dedup();
    let facts = base.map(|base| FileFacts {
        modules: std::iter::once(top).chain(inline).collect(),
        read: true,
        macro_defs,
        ..base
    });
    let ir = want.lowered.then(|| ir::File {
        items: items.into_boxed_slice(),
        macro_bodies,
        call_uses,
    });
    Some(Parts {
        facts,
        ir,
        suppressions,
        test_ranges,
    })
}

/// Adds a group's call uses to the file's.
fn add_uses(file: &mut HashMap<Box<str>, ir::CallUses>, group: HashMap<Box<str>, ir::CallUses>) {
    if file.is_empty() {
        *file = group;
        return;
    }
    for (callee, uses) in group {
        let into = file.entry(callee).or_default();
        into.calls += uses.calls;
        into.awaited += uses.awaited;
    }
}

/// Where the walk of a file that [`parse`] read group by group reads each group: the file's
/// whole text, or the file itself (each group's lines read again from it, see
/// [`FileLines::window`]: the whole text is not held).
pub(super) enum Groups<'a> {
    Text(&'a SourceFile),
    File {
        path: &'a Path,
        display: &'a str,
        lines: &'a FileLines,
    },
}

impl Groups<'_> {
    /// `f` of the file as group `k` of `split` reads it; `None` when it cannot be read.
    fn with<T>(
        &self,
        split: &groups::Split,
        k: usize,
        f: impl FnOnce(&SourceFile) -> T,
    ) -> Option<T> {
        match self {
            Groups::Text(file) => Some(f(file)),
            Groups::File {
                path,
                display,
                lines,
            } => {
                let file = lines
                    .window(display.to_string(), path, &split.read_by(k))
                    .ok()?;
                Some(f(&file))
            }
        }
    }
}

/// [`walk`] reading the groups from the file at `path` (see [`Groups::File`]), when it is still
/// what [`parse`] read (`hash`, [`Lowered::hash`]): its content hash is taken again by
/// streaming it before the walk, and after (a file rewritten while its groups were read).
/// `None` when it changed, cannot be read, or a group does not parse alone: its walk is not
/// that of the text the facts were taken from.
pub(super) fn walk_from_file(
    path: &Path,
    display: &str,
    split: &groups::Split,
    hash: u128,
    call_uses: &HashMap<Box<str>, ir::CallUses>,
    cx: &FileCx,
) -> Option<Vec<Fact>> {
    // The line table's pages too are given back as they empty.
    tree_heap::purging_promptly(|| {
        let (lines, before) = FileLines::read(path).ok()?;
        if before != hash {
            return None;
        }
        let read = Groups::File {
            path,
            display,
            lines: &lines,
        };
        let parts = walk_groups(&read, split, call_uses, cx)?;
        // The line table freed before the groups' facts are joined: not both at once.
        drop(lines);
        let facts = joined(parts);
        let after = source::stream_file(path, |_| {}).ok()?;
        (after == hash).then_some(facts)
    })
}

/// The facts of the walk of a file that [`parse`] read group by group (`split`, its groups),
/// with `call_uses` its IR's (the whole file's): each group parsed, lowered and walked, its
/// tree and IR dropped before the thread parses another. The same facts, in the same order, as
/// the walk of the whole file's IR (the walk visits the top-level items one by one); `None`
/// when a group does not parse alone (not when [`parse`] read the same text) or cannot be read.
/// The thread's spans reset.
///
/// The first group is read on the calling thread (its lowering lowers the local macros'
/// bodies); on a worker of a pool, the others on every worker of the pool, each thread one
/// group at a time (so that as many groups are alive as the pool has threads), the facts
/// gathered in the groups' order. mimalloc gives the pages the groups empty back promptly
/// ([`tree_heap::purging_promptly`]).
pub(super) fn walk(
    read: &Groups,
    split: &groups::Split,
    call_uses: &HashMap<Box<str>, ir::CallUses>,
    cx: &FileCx,
) -> Option<Vec<Fact>> {
    tree_heap::purging_promptly(|| walk_groups(read, split, call_uses, cx)).map(joined)
}

/// Each group's facts of [`walk`] (the first group's, then the others' in order), at
/// mimalloc's purge delay then: [`joined`] makes them the file's.
fn walk_groups(
    read: &Groups,
    split: &groups::Split,
    call_uses: &HashMap<Box<str>, ir::CallUses>,
    cx: &FileCx,
) -> Option<(Vec<Fact>, Vec<Vec<Fact>>)> {
    let first = read.with(split, 0, |file| {
        let no_shared = ItemMacros::default();
        let first = file.parse_group(split, 0).map(|parsed| {
            let mut lowering = FileLowering::new(file, &parsed.macros, &no_shared);
            let macro_bodies = lowering.take_macro_bodies();
            lowering.items(&parsed.file.items);
            let items = lowering.take_items();
            (items, macro_bodies, lowering.into_part())
        });
        file.end_group();
        proc_macro2::extra::invalidate_current_thread_spans();
        first
    });
    let (items, macro_bodies, part) = first.flatten()?;
    let facts = analyze_items(cx, &items, &macro_bodies, call_uses);
    drop(items);
    let group = |k: usize| {
        let items = read.with(split, k, |file| {
            let no_shared = ItemMacros::default();
            let items = file.parse_group(split, k).map(|parsed| {
                let mut lowering = FileLowering::of_group(file, &part, &no_shared);
                lowering.items(&parsed.file.items);
                lowering.take_items()
            });
            file.end_group();
            proc_macro2::extra::invalidate_current_thread_spans();
            items
        });
        Some(analyze_items(
            cx,
            &items.flatten()?,
            &macro_bodies,
            call_uses,
        ))
    };
    let parts = on_workers(1..split.groups.len(), group)
        .into_iter()
        .collect::<Option<Vec<_>>>()?;
    Some((facts, parts))
}

/// The facts of a file's groups ([`walk_groups`]), in order, as one list.
fn joined((mut facts, parts): (Vec<Fact>, Vec<Vec<Fact>>)) -> Vec<Fact> {
    // Sized once: the file's facts, not a table grown by doubling beside its parts.
    facts.reserve_exact(parts.iter().map(Vec::len).sum());
    for part in parts {
        facts.extend(part);
    }
    facts
}

/// `each` of `ks`, in their order: on a worker of a pool, on every worker of the pool, each
/// taking one `k` at a time; else (`check_source`, whose thread's stack may be small) on this
/// thread.
fn on_workers<T: Send>(ks: std::ops::Range<usize>, each: impl Fn(usize) -> T + Sync) -> Vec<T> {
    match rayon::current_thread_index() {
        None => ks.map(each).collect(),
        Some(_) => ks.into_par_iter().with_max_len(1).map(&each).collect(),
    }
}

/// The lines of a group's facts (fns, macro calls), as the group's parse gave them, made the
/// file's.
fn place_lines(facts: &mut FileFacts, file: &SourceFile) {
    let place = |line: &mut usize| {
        *line = file
            .placed(proc_macro2::LineColumn {
                line: *line,
                column: 0,
            })
            .line;
    };
    for m in &mut facts.modules {
        let impls = m.impls.iter_mut().flat_map(|i| &mut i.fns);
        let traits = m.traits.iter_mut().flat_map(|t| &mut t.1);
        for f in m.fns.iter_mut().chain(impls).chain(traits) {
            let sig = f;
            let mut line = sig.line as usize;
            place(&mut line);
            sig.line = u32::try_from(line).unwrap_or(u32::MAX);
        }
        for call in &mut m.macro_calls {
            place(&mut call.line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Facts, IR (call uses sorted), suppressions and test ranges, printed.
    fn printed(facts: &FileFacts, l: &Lowered) -> [String; 4] {
        let mut uses: Vec<_> = l.ir.call_uses.iter().collect();
        uses.sort_by(|a, b| a.0.cmp(b.0));
        [
            format!("{facts:#?}"),
            format!("{:#?}\n{:#?}\n{uses:#?}", l.ir.items, l.ir.macro_bodies),
            format!("{:#?}", l.suppressions),
            format!("{:?}", l.test_ranges),
        ]
    }

    fn whole(text: &str) -> Option<(FileFacts, Lowered)> {
        let file = SourceFile::new("x.rs".into(), text.into());
        let ast = source::parse(&file).ok()?;
        let shared = ItemMacros::of(&ast);
        let facts = FileFacts::of_tree(&ast, &file.text, &shared);
        let lowered = Lowered {
            ir: crate::lower::lower_file_sharing(&ast, &file, &shared),
            suppressions: Some(Suppressions::collect(&file, Some(&ast))),
            test_ranges: test_code::ranges(&ast, &file),
            text: None,
            idents: None,
            split: groups::split("", 0).unwrap(),
            hash: 0,
        };
        drop(ast);
        proc_macro2::extra::invalidate_current_thread_spans();
        Some((facts, lowered))
    }

    fn item_by_item(text: &str) -> Option<(FileFacts, Lowered)> {
        let file = SourceFile::new("x.rs".into(), text.into());
        let split = groups::split(&file.text, 0)?;
        let whole = Whole::of(&file, true, true);
        grouped_parts(&Groups::Text(&file), split, whole)
    }

    /// The groups of `split` read by `read`: facts, IR with its items, suppressions, test
    /// ranges.
    fn grouped_parts(
        read: &Groups,
        split: groups::Split,
        whole: Whole,
    ) -> Option<(FileFacts, Lowered)> {
        let want = Want {
            lowered: true,
            items: true,
        };
        let parts = read_groups(read, &split, want, whole)?;
        Some((
            parts.facts?,
            Lowered {
                ir: parts.ir?,
                suppressions: parts.suppressions,
                test_ranges: parts.test_ranges,
                text: None,
                idents: None,
                split,
                hash: 0,
            },
        ))
    }

    /// The skeleton's facts, item by item.
    fn skeleton_item_by_item(text: &str) -> Option<FileFacts> {
        let skeleton = SourceFile::new(String::new(), skeleton::skeleton_text(text));
        let split = groups::split(&skeleton.text, 0)?;
        let mut facts = FileFacts::default();
        facts.read_text(text.as_bytes());
        let whole = Whole {
            suppressions: None,
            facts: Some(facts),
        };
        let want = Want {
            lowered: false,
            items: false,
        };
        read_groups(&Groups::Text(&skeleton), &split, want, whole)?.facts
    }

    /// The `.rs` files under `dir`, sorted.
    fn rs_files(dir: &str) -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .map(walkdir::DirEntry::into_path)
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        files.sort();
        files
    }

    fn assert_same(name: &str, text: &str) {
        let grouped = item_by_item(text).unwrap_or_else(|| panic!("{name}: read item by item"));
        let (facts, lowered) = whole(text).expect("parses whole");
        assert_printed_same(name, (&facts, &lowered), (&grouped.0, &grouped.1));
    }

    /// The whole parse's and the item by item reading's facts, IR, suppressions and test
    /// ranges, printed, are the same; the first difference is shown.
    fn assert_printed_same(
        name: &str,
        whole: (&FileFacts, &Lowered),
        grouped: (&FileFacts, &Lowered),
    ) {
        let (a, b) = (printed(whole.0, whole.1), printed(grouped.0, grouped.1));
        for (what, (a, b)) in ["facts", "ir", "suppressions", "test ranges"]
            .iter()
            .zip(a.iter().zip(&b))
        {
            if a != b {
                let line = a
                    .lines()
                    .zip(b.lines())
                    .position(|(x, y)| x != y)
                    .unwrap_or(0);
                let show = |s: &str| {
                    let lines: Vec<&str> =
                        s.lines().skip(line.saturating_sub(8)).take(16).collect();
                    lines.join("\n")
                };
                panic!(
                    "{name}: {what} differ at line {line}:\n{}\n---\n{}",
                    show(a),
                    show(b)
                );
            }
        }
    }

    /// A text split item by item, its whole file's call uses, and an index of it (one crate,
    /// `path` its root), for the walk.
    fn walk_setup(
        path: &Path,
        text: &str,
    ) -> (
        groups::Split,
        HashMap<Box<str>, ir::CallUses>,
        crate::index::Index,
    ) {
        let file = SourceFile::new("x.rs".into(), text.into());
        let ast = source::parse(&file).expect("parses");
        let call_uses = crate::lower::lower_file(&ast, &file).call_uses;
        drop(ast);
        proc_macro2::extra::invalidate_current_thread_spans();
        let files = vec![crate::index::IndexedFile {
            path: path.into(),
            facts: FileFacts::of_text(text),
        }];
        let roots = vec![crate::discover::CrateRoot {
            file: path.into(),
            name: "app".into(),
            is_lib: true,
        }];
        let index = crate::index::Index::build(&files, &roots);
        (groups::split(text, 0).expect("splits"), call_uses, index)
    }

    /// The walk's view of the one file of `index` at `path`.
    fn file_cx<'a>(
        index: &'a crate::index::Index,
        knowledge: &'a crate::knowledge::Knowledge,
        path: &Path,
    ) -> FileCx<'a> {
        FileCx {
            index,
            knowledge,
            file: index.file_id(path).unwrap(),
            test_code: crate::analysis::TestCode::Lines(&[]),
            other_files: None,
        }
    }

    /// Spans (after a BOM, on non-ASCII lines, CRLF lines), local macros defined late.
    const WALKED: &str = "\u{feff}async fn w() {}\r\nmacro_rules! go { () => { w() } }\n\
        fn é() { w(); }\r\n/* é */ fn b() {\n    go!();\n}\n\
        pub fn c() { let _x = 1; w(); }\nasync fn d() {\n    w();\n    go!();\n}\n\
        macro_rules! late { () => { w() } }\nfn e() { late!(); }\n";

    /// The walk of a split file reading its groups from the file gives what the walk of its
    /// whole text gives (the same facts, spans and all), and holds no whole text.
    #[test]
    fn a_split_file_walked_from_the_file_as_from_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        std::fs::write(&path, WALKED).unwrap();
        let (split, call_uses, index) = walk_setup(&path, WALKED);
        assert!(split.groups.len() > 5);
        let knowledge = crate::knowledge::Knowledge::builtin();
        let cx = file_cx(&index, &knowledge, &path);
        let file = SourceFile::new("x.rs".into(), WALKED.into());
        let from_text = walk(&Groups::Text(&file), &split, &call_uses, &cx).unwrap();
        let hash = crate::files::content_hash(WALKED.as_bytes());
        let from_file = walk_from_file(&path, "x.rs", &split, hash, &call_uses, &cx).unwrap();
        assert!(from_text.len() >= 5, "{from_text:#?}");
        assert_eq!(format!("{from_text:#?}"), format!("{from_file:#?}"));
        // Each group's lowering, spans and all, the same from its windows as from the text.
        let (lines, read_hash) = FileLines::read(&path).unwrap();
        assert_eq!(read_hash, hash);
        let on_disk = Groups::File {
            path: &path,
            display: "x.rs",
            lines: &lines,
        };
        for k in 0..split.groups.len() {
            let lowered = |file: &SourceFile| {
                let parsed = file.parse_group(&split, k).unwrap();
                let no_shared = ItemMacros::default();
                let mut lowering = FileLowering::new(file, &parsed.macros, &no_shared);
                lowering.items(&parsed.file.items);
                let printed = format!("{:#?}", lowering.take_items());
                drop(lowering);
                file.end_group();
                proc_macro2::extra::invalidate_current_thread_spans();
                printed
            };
            let a = Groups::Text(&file).with(&split, k, lowered).unwrap();
            let b = on_disk.with(&split, k, lowered).unwrap();
            assert_eq!(a, b, "group {k}");
        }
    }

    /// A file rewritten after its facts were taken (another length, or the same length and
    /// other bytes) is not walked from the file as if it were what was read: the walk says so
    /// (`None`), and the caller walks the new text whole.
    #[test]
    fn a_file_rewritten_before_its_walk_is_not_walked_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        std::fs::write(&path, WALKED).unwrap();
        let (split, call_uses, index) = walk_setup(&path, WALKED);
        let knowledge = crate::knowledge::Knowledge::builtin();
        let cx = file_cx(&index, &knowledge, &path);
        let hash = crate::files::content_hash(WALKED.as_bytes());
        assert!(walk_from_file(&path, "x.rs", &split, hash, &call_uses, &cx).is_some());
        let longer = format!("// a new first line\n{WALKED}");
        let same_length = WALKED.replace("fn c()", "fn z()");
        assert_eq!(same_length.len(), WALKED.len());
        for text in [longer, same_length] {
            std::fs::write(&path, &text).unwrap();
            assert!(walk_from_file(&path, "x.rs", &split, hash, &call_uses, &cx).is_none());
        }
        std::fs::remove_file(&path).unwrap();
        assert!(walk_from_file(&path, "x.rs", &split, hash, &call_uses, &cx).is_none());
    }

    /// A file whose groups are read from the file (its text dropped first) gives what its
    /// text gives: facts, IR (items and all), suppressions and test ranges, for the walk's
    /// file (BOM, CRLF, non-ASCII lines, local macros) and every fixture file read item by
    /// item; and [`parse_from_file`] gives what [`parse`] gives, without the text.
    #[test]
    fn a_split_file_read_from_the_file_as_from_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        let mut texts = vec![("walked".to_string(), WALKED.to_string())];
        let files = rs_files("fixtures");
        for p in files {
            texts.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
        let mut same = 0;
        for (name, text) in &texts {
            std::fs::write(&path, text).unwrap();
            let file = SourceFile::new("x.rs".into(), text.clone());
            let Some(split) = groups::split(&file.text, 0) else {
                continue;
            };
            let from_text = grouped_parts(
                &Groups::Text(&file),
                split.clone(),
                Whole::of(&file, true, true),
            );
            let (lines, _) = FileLines::read(&path).unwrap();
            let on_disk = Groups::File {
                path: &path,
                display: "x.rs",
                lines: &lines,
            };
            let from_file = grouped_parts(&on_disk, split, Whole::of(&file, true, true));
            let (a, b) = match (from_text, from_file) {
                (Some(a), Some(b)) => (a, b),
                (None, None) => continue,
                (a, b) => panic!(
                    "{name}: from the text {}, from the file {}",
                    a.is_some(),
                    b.is_some()
                ),
            };
            assert_printed_same(name, (&a.0, &a.1), (&b.0, &b.1));
            same += 1;
        }
        assert!(same > 100, "{same}");
        // The whole of it: the text dropped, the same facts, call uses, suppressions and test
        // ranges as from the text; the names taken before the text was dropped.
        std::fs::write(&path, WALKED).unwrap();
        let file = SourceFile::new("x.rs".into(), WALKED.into());
        let split = groups::split(WALKED, 0).unwrap();
        let hash = crate::files::content_hash(WALKED.as_bytes());
        let (a, la) = parse_split_from_file(file, split.clone(), &path, hash, true).unwrap();
        let file = SourceFile::new("x.rs".into(), WALKED.into());
        let (b, lb) =
            grouped_parts(&Groups::Text(&file), split, Whole::of(&file, true, true)).unwrap();
        let lb = Lowered {
            ir: ir::File {
                items: Box::default(),
                ..lb.ir
            },
            ..lb
        };
        assert_printed_same("walked", (a.as_ref().unwrap(), &la), (&b, &lb));
        assert!(la.text.is_none());
        assert_eq!(la.hash, hash);
        assert_eq!(la.idents, Some(crate::engine::idents::of_text(WALKED)));
    }

    /// A file rewritten after its text was read and hashed (one line longer, or the same length
    /// with other bytes), or removed, is not taken as read: [`parse_from_file`] says so, and its
    /// caller reads the file again.
    #[test]
    fn a_file_rewritten_while_its_groups_are_read_is_not_taken_as_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        let hash = crate::files::content_hash(WALKED.as_bytes());
        let split = groups::split(WALKED, 0).unwrap();
        let parse = |path: &Path| {
            let file = SourceFile::new("x.rs".into(), WALKED.into());
            parse_split_from_file(file, split.clone(), path, hash, false).is_ok()
        };
        std::fs::write(&path, WALKED).unwrap();
        assert!(parse(&path));
        let longer = format!("// a new first line\n{WALKED}");
        let same_length = WALKED.replace("fn c()", "fn z()");
        for text in [longer, same_length] {
            std::fs::write(&path, &text).unwrap();
            assert!(!parse(&path));
        }
        std::fs::remove_file(&path).unwrap();
        assert!(!parse(&path));
    }

    /// The groups of a large file are walked on every worker of the pool, one at a time per
    /// worker, their facts in the groups' order; off a pool, on the calling thread.
    #[test]
    fn groups_are_walked_on_every_worker_in_order() {
        let threads = std::sync::Mutex::new(std::collections::HashSet::new());
        let each = |k: usize| {
            threads.lock().unwrap().insert(std::thread::current().id());
            std::thread::sleep(std::time::Duration::from_millis(5));
            k * 10
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let got = pool.install(|| on_workers(1..41, each));
        assert_eq!(got, (1..41).map(|k| k * 10).collect::<Vec<_>>());
        assert_eq!(threads.lock().unwrap().len(), 2, "both workers walk groups");
        threads.lock().unwrap().clear();
        assert_eq!(on_workers(0..3, each), [0, 10, 20]);
        let on = threads.lock().unwrap();
        assert_eq!(*on, [std::thread::current().id()].into_iter().collect());
    }

    /// What crosses items: local macros defined after their use and in inline modules, inner
    /// attributes, suppressions, test modules; positions after a BOM, non-ASCII text, CRLF.
    #[test]
    fn what_crosses_items_is_kept() {
        let texts = [
            (
                "macros",
                "fn a() {\n    go!();\n}\nmake!(b);\nmod m {\n    macro_rules! go { () => { tokio::spawn(async {}) } }\n}\n\
                 macro_rules! make { ($n:ident) => { pub async fn $n() {} }; }\n\
                 macro_rules! fixed { () => { pub async fn fixed_one() {} }; }\nfixed!();\n\
                 async fn c() {\n    b();\n    fixed_one();\n}\n",
            ),
            (
                "attributes",
                "\u{feff}#![allow(unused_must_use)]\n//! doc\nasync fn é() {}\r\n\
                 // unawaited: allow(unawaited_future)\nfn f() { é(); }\r\n\
                 #[cfg(test)]\nmod tests {\n    #[test]\n    fn t() { super::é(); }\n}\n\
                 #[allow(unused_must_use)]\nfn g() {\n    é();\n}\n",
            ),
            (
                "shebang",
                "#!/usr/bin/env rust-script\nasync fn x() {}\nfn y() { x(); }\n",
            ),
        ];
        for (name, text) in texts {
            assert_same(name, text);
        }
    }

    /// A file that does not parse, or whose facts depend on other items, is left to the whole
    /// parse (which gives the error).
    #[test]
    fn what_cannot_be_read_item_by_item_is_left_whole() {
        assert!(item_by_item("fn a() {}\nfn b() { let = ; }\nfn c() {}\n").is_none());
        assert!(item_by_item("fn a() {}\n#![allow(x)]\nfn c() {}\n").is_none());
        assert!(item_by_item("fn a() { struct S; }\nstruct S;\n").is_none());
        assert!(item_by_item("fn a() {}\nfn b() {\n").is_none());
    }

    /// Every fixture file read item by item gives what its whole parse gives, or is left to
    /// the whole parse.
    #[test]
    fn every_fixture_item_by_item_as_whole() {
        let files = rs_files("fixtures");
        let (mut same, mut left, mut skeletons) = (0, Vec::new(), 0);
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Some(facts) = skeleton_item_by_item(&text) {
                assert_eq!(
                    format!("{:#?}", FileFacts::of_text(&text)),
                    format!("{facts:#?}"),
                    "{}: the skeleton's facts differ item by item",
                    path.display()
                );
                skeletons += 1;
            }
            let Some(grouped) = item_by_item(&text) else {
                left.push(path);
                continue;
            };
            let (facts, lowered) = whole(&text).expect("a file read item by item parses whole");
            let name = path.display().to_string();
            assert_printed_same(&name, (&facts, &lowered), (&grouped.0, &grouped.1));
            same += 1;
        }
        eprintln!("{same} same ({skeletons} skeletons), left to the whole parse: {left:?}");
        assert!(skeletons > 100);
        assert!(same > 100 && left.len() < 20, "{same} same, left: {left:?}");
    }
}
