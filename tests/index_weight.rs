//! The index's own records of a fn stay small (issue 30 item 9: a generated file of small fns
//! holds hundreds of thousands): its [`FnInfo`](unawaited::index::FnInfo), the fns by place and
//! the module's fns by name, counted by this test's allocator (one test in this binary, so no
//! other test allocates meanwhile). The signatures are the facts', shared (`tests/memory.rs`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicIsize, Ordering};
use unawaited::discover::CrateRoot;
use unawaited::index::facts::FileFacts;
use unawaited::index::{Index, IndexedFile};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

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

#[test]
fn the_index_holds_few_bytes_a_fn() {
    // 20,000 fns in one module: a 24-byte `FnInfo`, 4 bytes in the fns by place, a 4-byte
    // entry (and its control byte) of the module's table at most half empty: about 37 bytes a
    // fn. With the place as (file, line, id) and a map keyed by name and id: about 51.
    let n = 20_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("pub fn f{i}(x: u32) -> u32 {{ x + {i} }}\n"));
    }
    let path = PathBuf::from("/w/src/lib.rs");
    let files = vec![IndexedFile {
        path: path.clone(),
        facts: FileFacts::of_text(&text),
    }];
    let roots = [CrateRoot {
        file: path,
        name: "w".into(),
        is_lib: true,
    }];
    drop(text);
    let before = LIVE.load(Ordering::Relaxed);
    let index = Index::build(&files, &roots);
    let held = LIVE.load(Ordering::Relaxed) - before;
    let per_fn = held as f64 / n as f64;
    assert_eq!(index.fns.len(), n);
    assert!(index.module_fn(0, "f7").is_some() && index.module_fn(0, "g7").is_none());
    assert!(per_fn <= 40.0, "{per_fn:.1} bytes a fn");
}
