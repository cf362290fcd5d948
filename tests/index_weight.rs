//! The index's own records of a fn stay small (issue 30 item 9: a generated file of small fns
//! holds hundreds of thousands): its [`FnInfo`](unawaited::index::FnInfo), the fns by place and
//! the module's fns by name, counted by this test's allocator (one test in this binary, so no
//! other test allocates meanwhile). Each holds a copy of its signature inline
//! (`tests/memory.rs`).

use std::path::PathBuf;
use unawaited::discover::CrateRoot;
use unawaited::index::facts::FileFacts;
use unawaited::index::{Index, IndexedFile};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::live;

#[test]
fn the_index_holds_few_bytes_a_fn() {
    // 20,000 fns in one module: a 48-byte `FnInfo` (its signature inline), 4 bytes in the fns
    // by place, a 4-byte entry (and its control byte) of the module's table at most half
    // empty: about 61 bytes a fn. With the signature in an `Arc` shared with the facts, 37 here
    // and 48 in the `Arc`'s block; with the place as (file, line, id) and a map keyed by name
    // and id, 14 more.
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
    let before = live();
    let index = Index::build(&files, &roots);
    let held = live() - before;
    let per_fn = held as f64 / n as f64;
    assert_eq!(index.fn_count(), n);
    assert!(index.module_fn(0, "f7").is_some() && index.module_fn(0, "g7").is_none());
    assert!(per_fn <= 64.0, "{per_fn:.1} bytes a fn");
}
