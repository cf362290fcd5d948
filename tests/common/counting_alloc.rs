//! A global allocator that counts live heap bytes and their highest mark, for the binaries that
//! weigh what the index holds or a run's peak (`tests/index_weight.rs`,
//! `tests/large_file_peak.rs`, `examples/index_weight.rs`): each includes this file by path and
//! so counts its own heap.

use std::sync::atomic::{AtomicIsize, Ordering};

/// Counts live heap bytes (only in the binary that includes this file).
pub struct Counting;

/// Live heap bytes: allocated minus freed.
pub static LIVE: AtomicIsize = AtomicIsize::new(0);

/// The highest live heap bytes since [`reset_peak`].
pub static PEAK: AtomicIsize = AtomicIsize::new(0);

/// The live heap bytes now.
pub fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// The highest live heap bytes since the last [`reset_peak`].
#[allow(dead_code)]
pub fn peak() -> isize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new highest mark at the live heap bytes now.
#[allow(dead_code)]
pub fn reset_peak() {
    PEAK.store(live(), Ordering::Relaxed);
}

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let size = layout.size() as isize;
        PEAK.fetch_max(
            LIVE.fetch_add(size, Ordering::Relaxed) + size,
            Ordering::Relaxed,
        );
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let grown = new_size as isize - layout.size() as isize;
        PEAK.fetch_max(
            LIVE.fetch_add(grown, Ordering::Relaxed) + grown,
            Ordering::Relaxed,
        );
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;
