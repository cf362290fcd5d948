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
//! A large file's reading (group by group, see `engine::grouped`) frees pages all along: mimalloc
//! hands an emptied page's memory back to the system only after its purge delay (1 s by
//! default, longer than the walk of a 10 MB file), so the freed pages stayed resident, ~10 MB on
//! top of the live heap. [`purging_promptly`] shortens the delay while such a file is read (to
//! [`PROMPT_PURGE_MS`]), and only then: an ordinary run pays nothing. A run's own delay is
//! [`RUN_PURGE_MS`] ([`settle_purge_delay`]), half of mimalloc's default.
//!
//! A file read in full is parsed into a [`FileHeap`] of its own instead, destroyed whole when
//! the file is read (`source::file_tree`, which holds the argument for why that is sound).
//!
//! [`Allocator`] is the binaries' global allocator: mimalloc, and while [`in_tree_heap`] runs
//! on a thread, its allocations there go to the trees' heap (to a file's heap, inside
//! [`FileHeap::enter`]), as do the reallocations of blocks of that heap. Blocks are freed
//! by `mi_free` whichever heap holds them, so a tree may be dropped anywhere, and what the parse
//! made that outlives it (proc-macro2's span table) is only placed differently. Without
//! [`Allocator`] installed (the tests), [`in_tree_heap`] only runs its closure.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::{c_int, c_long, c_void};
use std::sync::{Mutex, OnceLock};

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
    // mimalloc's options (its `mimalloc.h`): read and set by their position in `mi_option_t`.
    fn mi_option_get(option: c_int) -> c_long;
    fn mi_option_set(option: c_int, value: c_long);
    // A heap's end (its `mimalloc.h`): `mi_heap_delete` moves its live blocks to the main heap,
    // `mi_heap_destroy` frees them all at once, without looking at them.
    fn mi_heap_delete(heap: *mut c_void);
    fn mi_heap_destroy(heap: *mut c_void);
    fn mi_heap_contains(heap: *const c_void, p: *const c_void) -> bool;
    // Collects the calling thread's pages and purges, at once, every range of the arenas
    // (program-wide) whose purge is waiting for its delay (its `mimalloc.h`, `src/theap.c`).
    fn mi_collect(force: bool);
    fn mi_heap_visit_blocks(
        heap: *const c_void,
        visit_blocks: bool,
        visitor: extern "C" fn(*const c_void, *const Area, *mut c_void, usize, *mut c_void) -> bool,
        arg: *mut c_void,
    ) -> bool;
}

/// mimalloc's `mi_heap_area_t` (its `mimalloc.h`): a page of a heap, as its visit shows it.
#[repr(C)]
struct Area {
    blocks: *mut c_void,
    reserved: usize,
    committed: usize,
    /// How many of its blocks are allocated.
    used: usize,
    block_size: usize,
    full_block_size: usize,
    reserved1: *mut c_void,
}

/// `mi_option_purge_delay`'s position in mimalloc v3's `mi_option_t` (after the deprecated
/// `eager_commit_delay`, 14, before `use_numa_nodes`, 16): how many milliseconds mimalloc waits
/// before it gives an emptied page's memory back to the system (`-1`: never).
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// The purge delay while a large file is read: long enough that a group's pages, emptied and
/// taken again by the next group at once, are not given back and asked for again each time
/// (`0` gave back 14 MB more of `big-fns`'s peak but took +1.7 s of system time), short enough
/// that what the groups left behind is given back during the read.
pub const PROMPT_PURGE_MS: c_long = 25;

/// The [`purging_promptly`] calls running, on any thread.
#[derive(Debug, Default, PartialEq)]
struct Prompt {
    /// How many are running.
    running: usize,
    /// The delay before the first of them, restored after the last.
    saved: c_long,
}

impl Prompt {
    /// One more call starts, the delay being `now`: the delay to set, if any.
    fn enter(&mut self, now: c_long) -> Option<c_long> {
        self.running += 1;
        if self.running > 1 {
            return None;
        }
        self.saved = now;
        (now > PROMPT_PURGE_MS).then_some(PROMPT_PURGE_MS)
    }

    /// One call ends: the delay to set, if any.
    fn leave(&mut self) -> Option<c_long> {
        self.running -= 1;
        (self.running == 0).then_some(self.saved)
    }
}

static PROMPT: Mutex<Prompt> = Mutex::new(Prompt {
    running: 0,
    saved: 0,
});

/// mimalloc's purge delay now.
fn purge_delay() -> c_long {
    // SAFETY: reads an option by a position `mi_option_t` has (checked by `mi_option_get`).
    unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }
}

/// Sets mimalloc's purge delay.
fn set_purge_delay(ms: c_long) {
    // SAFETY: sets an option by a position `mi_option_t` has. The option is one aligned `long`
    // that mimalloc reads without a lock when it schedules a purge: a thread allocating
    // meanwhile schedules its purge with the old delay or the new one, either of which is a
    // valid delay. Only this module sets it, under `PROMPT`'s lock.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, ms) }
}

/// The purge delay of a whole run, unless the environment sets one: half of mimalloc's default
/// second. The run's freed pages (every file's tree, the facts stage's scratch) stay resident for
/// the delay; on the four largest trees of `bench/` the peak is 217–237 MB with 1 s, 200–205 MB
/// with 500 ms for +0.03 s of system time, 187–193 MB with 250 ms for +0.1–0.25 s.
pub const RUN_PURGE_MS: c_long = 500;

/// The delay a run sets at its start, if any: [`RUN_PURGE_MS`] when the environment names none
/// (`MIMALLOC_PURGE_DELAY` is the user's choice) and the delay `now` is longer (`-1`, never, is
/// the user's choice too).
fn run_delay(now: c_long, set_by_env: bool) -> Option<c_long> {
    (!set_by_env && now > RUN_PURGE_MS).then_some(RUN_PURGE_MS)
}

/// Sets the run's purge delay ([`RUN_PURGE_MS`], see [`run_delay`]); called once, when a run
/// starts. A [`PromptPurge`] running meanwhile restores this delay when it ends.
pub fn settle_purge_delay() {
    let set_by_env = std::env::var_os("MIMALLOC_PURGE_DELAY").is_some();
    let mut prompt = PROMPT.lock().unwrap_or_else(|e| e.into_inner());
    if prompt.running > 0 {
        if let Some(ms) = run_delay(prompt.saved, set_by_env) {
            prompt.saved = ms;
        }
    } else if let Some(ms) = run_delay(purge_delay(), set_by_env) {
        set_purge_delay(ms);
    }
}

/// Runs `f` (the reading of a large file, group by group) under a [`PromptPurge`].
pub fn purging_promptly<R>(f: impl FnOnce() -> R) -> R {
    let _prompt = PromptPurge::start();
    f()
}

/// While one lives, on any thread, mimalloc's purge delay is at most [`PROMPT_PURGE_MS`] (a
/// shorter one, or purging off, set by `MIMALLOC_PURGE_DELAY`, is kept); dropping the last one
/// (by a panic too) restores the delay.
pub struct PromptPurge(());

impl PromptPurge {
    /// The first one running also gives back what is waiting for the run's delay
    /// ([`give_back_now`]): what the stages before a large file's read freed.
    pub fn start() -> PromptPurge {
        let first = {
            let mut prompt = PROMPT.lock().unwrap_or_else(|e| e.into_inner());
            let set = prompt.enter(purge_delay());
            if let Some(ms) = set {
                set_purge_delay(ms);
            }
            set.is_some()
        };
        if first {
            give_back_now();
        }
        PromptPurge(())
    }
}

/// Gives the system back, now, the memory of every page freed and not taken again that
/// mimalloc holds for its purge delay (on any thread: the purge is the arenas'), and the
/// calling thread's emptied pages. Once, where a run's peak starts (a large file's read, the
/// index build): the pages a stage freed would otherwise stay resident for
/// [`RUN_PURGE_MS`] beside what the next one allocates.
pub fn give_back_now() {
    // SAFETY: `mi_collect` takes a flag and may be called on any thread at any time: it
    // collects the calling thread's own pages and purges the arenas' free ranges under
    // their own guard (a range taken again meanwhile is skipped).
    unsafe { mi_collect(true) }
}

/// [`give_back_now`] on every thread of `pool`, then on the calling one. mimalloc holds an
/// emptied page in the heap of the thread that allocated its blocks until that thread collects
/// it, wherever the blocks were freed: the pages the facts stage's workers filled stay resident
/// after their blocks are freed on another thread, out of a calling thread's reach (`big-fns`:
/// 3–4 MB of the peak). Call it where the pool is idle: each worker runs it between jobs.
pub fn give_back_everywhere(pool: &rayon::ThreadPool) {
    pool.broadcast(|_| give_back_now());
    give_back_now();
}

impl Drop for PromptPurge {
    fn drop(&mut self) {
        let mut prompt = PROMPT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ms) = prompt.leave() {
            set_purge_delay(ms);
        }
    }
}

/// A heap of one file's tree ([`super::file_tree`]), made for it and ended with it: by
/// [`FileHeap::destroy`], which frees every block at once, or, when dropped, by moving what it
/// still holds to the main heap (always sound: the blocks stay allocated).
pub struct FileHeap {
    heap: *mut c_void,
    theap: *mut c_void,
}

impl FileHeap {
    /// A new heap; `None` when mimalloc has none to give or when [`Allocator`] is not the
    /// global allocator (the library's tests): allocations would not go to the heap.
    pub fn new() -> Option<FileHeap> {
        // SAFETY: `mi_heap_new` takes nothing and returns a heap, or null.
        let heap = unsafe { mi_heap_new() };
        if heap.is_null() {
            return None;
        }
        // SAFETY: a live heap; its theap for this thread stays valid while the heap lives.
        let theap = unsafe { mi_heap_theap(heap) };
        let made = FileHeap { heap, theap };
        (!theap.is_null() && made.routed()).then_some(made)
    }

    /// Whether allocations made in [`FileHeap::enter`] go to this heap (whether [`Allocator`]
    /// is installed; asked once per run).
    fn routed(&self) -> bool {
        static ROUTED: OnceLock<bool> = OnceLock::new();
        *ROUTED.get_or_init(|| {
            let probe = self.enter(|| Box::new(0u64));
            // SAFETY: a live heap, and a pointer to a live block.
            unsafe { mi_heap_contains(self.heap, std::ptr::from_ref::<u64>(&probe).cast()) }
        })
    }

    /// Runs `f` (a parse) with this thread's allocations in this heap; a block allocated
    /// elsewhere keeps its heap when it grows ([`Allocator`]'s `realloc`).
    pub fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        in_heap(self.heap, self.theap, f)
    }

    /// How many blocks the heap holds (`mi_heap_visit_blocks` over its pages).
    pub fn live_blocks(&self) -> usize {
        extern "C" fn count(
            _heap: *const c_void,
            area: *const Area,
            _block: *mut c_void,
            _size: usize,
            arg: *mut c_void,
        ) -> bool {
            // SAFETY: mimalloc passes a valid area; `arg` is the `usize` below.
            unsafe { *arg.cast::<usize>() += (*area).used };
            true
        }
        let mut n = 0usize;
        // SAFETY: a live heap; the visitor only reads the area it is given.
        unsafe {
            mi_heap_visit_blocks(self.heap, false, count, std::ptr::from_mut(&mut n).cast());
        }
        n
    }

    /// Frees every block of the heap at once, and the heap.
    ///
    /// # Safety
    ///
    /// No block of the heap is used again: nothing reachable after this call points into it,
    /// and no value stored in it is dropped afterwards.
    pub unsafe fn destroy(self) {
        let heap = self.heap;
        std::mem::forget(self);
        mi_heap_destroy(heap);
    }
}

impl Drop for FileHeap {
    fn drop(&mut self) {
        // SAFETY: a live heap, ended once; its live blocks move to the main heap, where they
        // stay valid until freed as any other block.
        unsafe { mi_heap_delete(self.heap) }
    }
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
    /// The heap of [`CURRENT`] (null when it is).
    static CURRENT_HEAP: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
    /// This thread's `theap` of the trees' heap, once asked for.
    static OWN: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
}

/// Runs `f` (a parse) with this thread's allocations in the trees' heap.
pub fn in_tree_heap<R>(f: impl FnOnce() -> R) -> R {
    if !CURRENT.with(Cell::get).is_null() {
        // Already in a heap: the trees' own, or a file's ([`FileHeap::enter`]), which holds
        // its parse whole.
        return f();
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
    in_heap(heap(), theap, f)
}

/// Runs `f` with this thread's allocations in `heap` (by its `theap` for this thread, none
/// when null); the thread's previous heap is restored after, by a panic too.
fn in_heap<R>(heap: *mut c_void, theap: *mut c_void, f: impl FnOnce() -> R) -> R {
    struct Restore(*mut c_void, *mut c_void);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
            CURRENT_HEAP.with(|c| c.set(self.1));
        }
    }
    let (heap, theap) = match theap.is_null() {
        true => (std::ptr::null_mut(), std::ptr::null_mut()),
        false => (heap, theap),
    };
    let _restore = Restore(
        CURRENT.with(|c| c.replace(theap)),
        CURRENT_HEAP.with(|c| c.replace(heap)),
    );
    f()
}

/// mimalloc, with the allocations of a parse in the trees' heap (see the module), or in a
/// [`FileHeap`]. A block keeps its heap when it grows: a table made before the parse (such as
/// proc-macro2's span table, which syn's parse of a negative literal grows) never moves into
/// a heap that ends with the file.
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
        mi_heap_zalloc_aligned(CURRENT_HEAP.with(Cell::get), layout.size(), layout.align())
            as *mut u8
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        mimalloc::MiMalloc.dealloc(ptr, layout)
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let heap = CURRENT_HEAP.with(Cell::get);
        if heap.is_null() || !mi_heap_contains(heap, ptr as *const c_void) {
            return mimalloc::MiMalloc.realloc(ptr, layout, new_size);
        }
        mi_heap_realloc_aligned(heap, ptr as *mut c_void, new_size, layout.align()) as *mut u8
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

    /// The purge delay is shortened while a large file is read, nested and concurrent calls
    /// keep it short, and the last one to end restores it; a shorter delay, or purging off, is
    /// kept.
    #[test]
    fn a_large_files_read_purges_promptly_and_restores_the_delay() {
        let mut p = Prompt::default();
        assert_eq!(p.enter(1000), Some(PROMPT_PURGE_MS));
        assert_eq!(p.enter(PROMPT_PURGE_MS), None);
        assert_eq!(p.leave(), None);
        assert_eq!(p.leave(), Some(1000));
        assert_eq!(p.enter(5), None);
        assert_eq!(p.leave(), Some(5));
        assert_eq!(p.enter(-1), None);
        assert_eq!(p.leave(), Some(-1));
        assert_eq!(
            p,
            Prompt {
                running: 0,
                saved: -1
            }
        );
        // mimalloc's own option (other tests may be reading a split file meanwhile: the delay
        // is then the prompt one): 1 s by default, at most the prompt one during a read, and
        // back after it, by a panic too.
        let default = std::env::var_os("MIMALLOC_PURGE_DELAY").is_none();
        let outside = |d: c_long| !default || d == 1000 || d == PROMPT_PURGE_MS;
        assert!(outside(purge_delay()), "{}", purge_delay());
        assert!(purging_promptly(purge_delay) <= PROMPT_PURGE_MS);
        let panicked = std::panic::catch_unwind(|| purging_promptly(|| panic!("a read panicked")));
        assert!(panicked.is_err());
        assert!(outside(purge_delay()), "{}", purge_delay());
    }

    /// The process's resident anonymous memory, in bytes.
    #[cfg(target_os = "linux")]
    fn resident_anon() -> usize {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("RssAnon:")).unwrap();
        let kb: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kb << 10
    }

    /// A block freed is given back to the system by [`give_back_now`], not after the delay:
    /// the process's resident anonymous memory falls by the block's size. (Another test may
    /// set the prompt delay meanwhile and let the purge come first: it passes then too.)
    #[cfg(target_os = "linux")]
    #[test]
    fn freed_pages_are_given_back_at_once() {
        const SIZE: usize = 64 << 20;
        let layout = Layout::from_size_align(SIZE, 8).unwrap();
        // SAFETY: a layout of non-zero size; the block is written within it, then freed once.
        let written = unsafe {
            let block = mimalloc::MiMalloc.alloc(layout);
            assert!(!block.is_null());
            block.write_bytes(1, SIZE);
            let written = resident_anon();
            mimalloc::MiMalloc.dealloc(block, layout);
            written
        };
        give_back_now();
        let after = resident_anon();
        assert!(after + SIZE / 2 < written, "{written} {after}");
    }

    /// Blocks a worker allocated and another thread freed are given back by
    /// [`give_back_everywhere`]: the pages stay in the worker's heap until the worker collects
    /// them, which a collection on the freeing thread does not do.
    #[cfg(target_os = "linux")]
    #[test]
    fn pages_a_worker_filled_are_given_back_when_freed_elsewhere() {
        const BLOCK: usize = 64;
        const COUNT: usize = (48 << 20) / BLOCK;
        let layout = Layout::from_size_align(BLOCK, 8).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        // SAFETY: a layout of non-zero size; each block is written within it.
        let blocks: Vec<usize> = pool.install(|| {
            (0..COUNT)
                .map(|_| unsafe {
                    let block = mimalloc::MiMalloc.alloc(layout);
                    assert!(!block.is_null());
                    block.write_bytes(1, BLOCK);
                    block as usize
                })
                .collect()
        });
        let written = resident_anon();
        for block in blocks {
            // SAFETY: each block was allocated above with `layout` and is freed once.
            unsafe { mimalloc::MiMalloc.dealloc(block as *mut u8, layout) };
        }
        give_back_everywhere(&pool);
        let after = resident_anon();
        assert!(after + COUNT * BLOCK / 2 < written, "{written} {after}");
    }

    #[test]
    fn a_run_shortens_the_default_delay_and_keeps_the_users() {
        assert_eq!(run_delay(1000, false), Some(RUN_PURGE_MS));
        assert_eq!(run_delay(RUN_PURGE_MS, false), None);
        assert_eq!(run_delay(100, false), None);
        assert_eq!(run_delay(-1, false), None);
        assert_eq!(run_delay(1000, true), None);
        const { assert!(PROMPT_PURGE_MS < RUN_PURGE_MS && RUN_PURGE_MS < 1000) };
    }
}
