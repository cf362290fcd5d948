//! A global allocator that counts live heap bytes, for the binaries that weigh what the index
//! holds (`tests/index_weight.rs`, `examples/index_weight.rs`): each includes this file by path
//! and so counts its own heap.

use std::sync::atomic::{AtomicIsize, Ordering};

/// Counts live heap bytes (only in the binary that includes this file).
pub struct Counting;

/// Live heap bytes: allocated minus freed.
pub static LIVE: AtomicIsize = AtomicIsize::new(0);

/// The live heap bytes now.
pub fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;
