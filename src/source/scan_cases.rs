//! Texts to test the byte scans on, each against the scan it replaced: the `.rs` files of a
//! folder, and generated jumbles of the pieces a scan can misread.

/// The `.rs` files under `dir` (none when it cannot be read).
fn rust_files(dir: &std::path::Path) -> impl Iterator<Item = (std::path::PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .filter_map(|e| Some((e.path().to_path_buf(), std::fs::read(e.path()).ok()?)))
}

/// Texts made of the pieces a scan can misread, in a fixed pseudo-random order: literals and
/// comments cut anywhere, raw strings and idents, turbofish, parentheses left open or closed
/// twice, non-ASCII and non-UTF-8 bytes.
fn jumbles(count: usize) -> Vec<Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"a",
        b"b",
        b"r",
        b"c",
        b"_x1",
        b"::",
        b":",
        b"(",
        b")",
        b"\"",
        b"'",
        b"#",
        b"/",
        b"*",
        b"\\",
        b" ",
        b"\n",
        b"<",
        b">",
        b"->",
        b".await",
        b".",
        b"\xc3\xa9",
        b"\xff",
        b"-",
        b"0",
        b"br",
        b"cr",
        b"r#",
        b"'a",
        b"{",
        b";",
        b"a::b(",
        b"x::<T>::y(",
        b"/*",
        b"*/",
        b"//",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 40) as usize;
            (0..len)
                .flat_map(|_| {
                    PIECES[(next() % PIECES.len() as u64) as usize]
                        .iter()
                        .copied()
                })
                .collect()
        })
        .collect()
}

/// Asserts, through `same` (which compares a scan with the scan it replaced on one text named
/// by its second argument), that they agree on each of `hard` whole and cut at every byte, on
/// 20,000 jumbles, and on every `.rs` file of the package's `fixtures/` and `src/`.
pub(crate) fn agree_everywhere(hard: &[&[u8]], same: impl Fn(&[u8], &dyn std::fmt::Display)) {
    for text in hard {
        same(text, &"hard case");
        for cut in 0..text.len() {
            same(&text[..cut], &"a hard case's start");
            same(&text[cut..], &"a hard case's end");
        }
    }
    for (k, text) in jumbles(20_000).iter().enumerate() {
        same(text, &format!("jumble {k}"));
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    for dir in ["fixtures", "src"] {
        for (path, text) in rust_files(&root.join(dir)) {
            same(&text, &path.display());
            files += 1;
        }
    }
    assert!(files > 100, "{files} files read");
}

/// The same over every `.rs` file of a tree (`UNAWAITED_SCAN_TREE`, by default the bench's
/// pinned crates), saying how many it compared.
pub(crate) fn agree_over_tree(same: impl Fn(&[u8], &dyn std::fmt::Display)) {
    let dir = std::env::var("UNAWAITED_SCAN_TREE")
        .unwrap_or_else(|_| "/tmp/unawaited-bench/vendor".to_string());
    let mut files = 0;
    for (path, text) in rust_files(std::path::Path::new(&dir)) {
        same(&text, &path.display());
        files += 1;
    }
    println!("{files} files compared under {dir}");
}
