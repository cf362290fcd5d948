//! The heap syn's syntax trees are built in: a mimalloc heap of their own, apart from what the
//! run holds (index facts, lowered bodies), so that a file's tree, parsed and dropped on one
//! thread, fills and empties pages that hold nothing else, and the next file's parse takes its
//! blocks from free lists its predecessor just walked (as a bare parse does).
//!
//! With the allocations of the held facts and bodies in the same pages as the tree's (one heap),
//! the blocks a dropped tree gave back lie scattered among held ones, and syn's allocations for
//! the next file walked cold memory: mimalloc's allocation fast path took 11–15% of the run's
//! samples against 4% in a bare parse (bench/README, issue 29, branch `cold5`).
//!
//! [`Allocator`] is the binaries' global allocator: mimalloc, and while [`in_tree_heap`] runs
//! on a thread, its allocations and reallocations there go to the trees' heap. Blocks are freed
//! by `mi_free` whichever heap holds them, so a tree may be dropped anywhere, and what the parse
//! made that outlives it (proc-macro2's span table) is only placed differently. Without
//! [`Allocator`] installed (the tests), [`in_tree_heap`] only runs its closure.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;
use std::sync::OnceLock;

extern "C" {
    // mimalloc's first-class heaps (its `mimalloc.h`; the library is linked through the
    // `mimalloc` crate): a heap allocates from any thread through the thread's `theap` of it.
    fn mi_heap_new() -> *mut c_void;
    fn mi_heap_theap(heap: *mut c_void) -> *mut c_void;
    fn mi_theap_malloc_aligned(theap: *mut c_void, size: usize, alignment: usize) -> *mut c_void;
    fn mi_heap_zalloc_aligned(heap: *mut c_void, size: usize, alignment: usize) -> *mut c_void;
    fn mi_heap_realloc_aligned(
        heap: *mut c_void,
        p: *mut c_void,
        newsize: usize,
        alignment: usize,
    ) -> *mut c_void;
}

/// The trees' heap, made at the first parse (kept for the run: its pages go back to mimalloc's
/// arenas as they empty).
fn heap() -> *mut c_void {
    static HEAP: OnceLock<usize> = OnceLock::new();
    // SAFETY: `mi_heap_new` takes nothing and returns a heap (null only when out of memory,
    // which `in_tree_heap` then treats as no heap).
    *HEAP.get_or_init(|| unsafe { mi_heap_new() } as usize) as *mut c_void
}

thread_local! {
    /// This thread's `theap` of the trees' heap while [`in_tree_heap`] runs on it, else null.
    static CURRENT: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
    /// This thread's `theap` of the trees' heap, once asked for.
    static OWN: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
}

/// Runs `f` (a parse) with this thread's allocations in the trees' heap.
pub fn in_tree_heap<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(*mut c_void);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let theap = OWN.with(|own| {
        if own.get().is_null() {
            let heap = heap();
            if !heap.is_null() {
                // SAFETY: a live heap (never deleted); its theap for this thread is made on
                // first call and stays valid while the thread lives.
                own.set(unsafe { mi_heap_theap(heap) });
            }
        }
        own.get()
    });
    let _restore = Restore(CURRENT.with(|c| c.replace(theap)));
    f()
}

/// mimalloc, with the allocations of a parse in the trees' heap (see the module).
pub struct Allocator;

// SAFETY: every block comes from mimalloc (aligned as asked by the `_aligned` calls) and is
// freed or reallocated by mimalloc, which finds its heap from the pointer.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let theap = CURRENT.with(Cell::get);
        if theap.is_null() {
            return mimalloc::MiMalloc.alloc(layout);
        }
        mi_theap_malloc_aligned(theap, layout.size(), layout.align()) as *mut u8
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if CURRENT.with(Cell::get).is_null() {
            return mimalloc::MiMalloc.alloc_zeroed(layout);
        }
        mi_heap_zalloc_aligned(heap(), layout.size(), layout.align()) as *mut u8
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        mimalloc::MiMalloc.dealloc(ptr, layout)
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if CURRENT.with(Cell::get).is_null() {
            return mimalloc::MiMalloc.realloc(ptr, layout, new_size);
        }
        mi_heap_realloc_aligned(heap(), ptr as *mut c_void, new_size, layout.align()) as *mut u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks made in the trees' heap (aligned as asked, zeroed when asked) grow there, and are
    /// freed and grown outside it; the thread leaves the heap when the closure ends, even by a
    /// panic.
    #[test]
    fn a_parse_allocates_in_the_trees_heap_and_leaves_it() {
        let small = Layout::from_size_align(24, 8).unwrap();
        let aligned = Layout::from_size_align(100, 64).unwrap();
        let (a, b, z) = in_tree_heap(|| {
            assert!(!CURRENT.with(Cell::get).is_null());
            // SAFETY: layouts of non-zero size; each block is written within its size.
            unsafe {
                let a = Allocator.alloc(small);
                a.write_bytes(7, 24);
                let a = Allocator.realloc(a, small, 4096);
                let b = Allocator.alloc(aligned);
                let z = Allocator.alloc_zeroed(aligned);
                (a, b, z)
            }
        });
        assert!(CURRENT.with(Cell::get).is_null());
        assert_eq!(b as usize % 64, 0);
        // SAFETY: the blocks above, with their layouts.
        unsafe {
            assert_eq!(std::slice::from_raw_parts(a, 24), &[7; 24]);
            assert!(std::slice::from_raw_parts(z, 100).iter().all(|&x| x == 0));
            let a = Allocator.realloc(a, Layout::from_size_align(4096, 8).unwrap(), 8192);
            assert_eq!(std::slice::from_raw_parts(a, 24), &[7; 24]);
            Allocator.dealloc(a, Layout::from_size_align(8192, 8).unwrap());
            Allocator.dealloc(b, aligned);
            Allocator.dealloc(z, aligned);
        }
        let panicked = std::panic::catch_unwind(|| in_tree_heap(|| panic!("a parse panicked")));
        assert!(panicked.is_err());
        assert!(CURRENT.with(Cell::get).is_null());
        assert_eq!(in_tree_heap(|| in_tree_heap(|| 7)), 7);
    }
}
