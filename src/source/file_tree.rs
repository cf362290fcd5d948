//! A file's syntax tree freed whole: parsed into a heap of its own ([`FileHeap`]) and, once
//! read, freed by destroying the heap instead of dropping the tree node by node (the drop of a
//! tree was ~5% of a cold run's samples; a bare parse pays it too, so it is a cost the floor
//! has and the tool need not).
//!
//! [`parse_then`] hands the tree to a closure by reference only, and destroys the heap when
//! the closure returns; should it panic, the tree is dropped as usual and the heap's blocks
//! that are left move to the main heap (always sound). What the closure gives back is made of
//! the crate's own types:
//!
//! ```
//! use unawaited::source::{file_tree::parse_then, SourceFile};
//! let file = SourceFile::new("f.rs".into(), "fn f() {}".into());
//! let names = parse_then(file, |ast, _| ast.items.len());
//! assert_eq!(names.ok(), Some(1));
//! ```
//!
//! A syn node (it may hold a token stream that shares the tree's memory) cannot leave it:
//!
//! ```compile_fail
//! use unawaited::source::{file_tree::parse_then, SourceFile};
//! let file = SourceFile::new("f.rs".into(), "fn f() {}".into());
//! let kept = parse_then(file, |ast, _| ast.items[0].clone());
//! ```
//!
//! # Why the destroy is sound
//!
//! Destroying the heap frees every block in it. That is sound when, after the closure returns,
//! no block of the heap is used again: nothing points into it, and nothing stored in it is
//! dropped later. The blocks of the heap are those allocated on this thread while the parse
//! runs ([`FileHeap::enter`]; mimalloc's theap is the thread's, and no other thread allocates
//! in it), and what they grow into: a block grows in its own heap (the global allocator's
//! `realloc`), so a table that existed before the parse never moves into this heap. What the
//! parse allocates is:
//!
//! 1. **the tree** (and syn's and proc-macro2's scratch, freed during the parse). It is never
//!    dropped: the closure only borrows it (`for<'a> FnOnce(&'a syn::File, ..) -> R`, so `R`
//!    cannot borrow from it). Every block of a syn tree is owned by one parent (`Box`, `Vec`,
//!    `String`: a clone copies them) except proc-macro2's token streams, which are reference
//!    counted (`Rc`): a clone of a `TokenStream`, a `Group` or any node holding one shares the
//!    tree's block, and dropping such a clone after the destroy would write into freed memory.
//!    Every proc-macro2 type is neither `Send` nor `Sync` (their `marker` fields), and so is
//!    every syn node holding one. The closure and its result are `Send`: neither can hold such a
//!    clone, nor can anything the closure captures keep one (a `&mut` or a `&` to a place that
//!    could hold one is not `Send` either), and a `static` must be `Sync`. What remains is a
//!    thread-local: none of this crate's holds a syn or proc-macro2 value (the test
//!    `no_thread_local_can_hold_a_token` in `tests/file_tree.rs` lists them), proc-macro2's
//!    only one is item 2, syn has none.
//! 2. **proc-macro2's span table** (`SOURCE_MAP`, thread-local): every lexing (the file's, and
//!    one per negative literal syn meets) pushes a copy of the text and its line table. The
//!    table itself is made before the parse ([`warm_span_table`]: a thread-local's first use
//!    allocates it) and grows in its own heap; the entries pushed during the parse are in this
//!    heap, and are freed by `invalidate_current_thread_spans` before the destroy. The closure's
//!    result holds no span (a `Span` is not `Send`), so nothing reads one afterwards.
//! 3. A parse failure's message (`ParseFailure`): that path ends the heap by moving its blocks
//!    to the main heap, never by a destroy.
//!
//! Nothing else is allocated during a parse: syn and proc-macro2 have no other static or
//! thread-local, and the parse runs no code of ours but [`super::parse`]. The test
//! `the_destroy_frees_only_what_the_drop_frees` in `tests/file_tree.rs` checks this on the
//! fixtures and on the cases above: dropped as usual, a tree's heap is empty once the span
//! table is reset.

use super::tree_heap::FileHeap;
use super::{ParseFailure, SourceFile};
use std::mem::ManuallyDrop;

/// Parses `file` ([`super::parse`]) and runs `f` on its tree and the file, then frees the tree
/// whole (see the module); the thread's span table is reset after (as after any file). A file
/// that does not parse gives back the failure and the file.
pub fn parse_then<R: Send>(
    file: SourceFile,
    f: impl Send + for<'a> FnOnce(&'a syn::File, SourceFile) -> R,
) -> Result<R, Box<(ParseFailure, SourceFile)>> {
    warm_span_table();
    let Some(heap) = FileHeap::new() else {
        // No heap of its own (out of memory, or the allocator not installed): as usual.
        return match super::parse(&file) {
            Ok(tree) => Ok(f(&tree, file)),
            Err(failure) => Err(Box::new((failure, file))),
        };
    };
    let tree = match heap.enter(|| super::parse(&file)) {
        Ok(tree) => tree,
        // The failure's blocks move to the main heap with the heap's end.
        Err(failure) => return Err(Box::new((failure, file))),
    };
    let held = Held {
        tree: ManuallyDrop::new(tree),
        heap: ManuallyDrop::new(heap),
    };
    let out = f(&held.tree, file);
    held.free();
    Ok(out)
}

/// Makes proc-macro2's span table of this thread, if it is not yet made, outside any file's
/// heap (reading the position of a call-site span touches it and lexes nothing). Made in the
/// heap, the table (and the thread's list of thread-local destructors) would be freed by the
/// destroy.
pub fn warm_span_table() {
    let _ = proc_macro2::Span::call_site().start();
}

/// A tree and the heap that holds it.
struct Held {
    tree: ManuallyDrop<syn::File>,
    heap: ManuallyDrop<FileHeap>,
}

impl Held {
    /// Frees the tree by destroying its heap.
    fn free(self) {
        let mut held = ManuallyDrop::new(self);
        // The span table's entries of the parse are in the heap: freed first.
        proc_macro2::extra::invalidate_current_thread_spans();
        // SAFETY: `held` is never dropped, so neither is the tree; the heap is taken once.
        let heap = unsafe { ManuallyDrop::take(&mut held.heap) };
        // SAFETY: nothing points into the heap any more and nothing in it is dropped later:
        // the module's argument (the tree is never dropped, no token stream of it outlives the
        // closure, the span table's entries were just freed).
        unsafe { heap.destroy() };
    }
}

impl Drop for Held {
    /// A panic in the closure: the tree is dropped as usual, and the heap ends by moving what
    /// it still holds to the main heap.
    fn drop(&mut self) {
        // SAFETY: dropped once, here; `free` never runs this.
        unsafe {
            ManuallyDrop::drop(&mut self.tree);
            ManuallyDrop::drop(&mut self.heap);
        }
    }
}
