//! Files of a package outside the folders its targets compile from (`shared/util.rs`,
//! `templates/page.rs`) that a compiled file may still reach: `#[path = "../shared/util.rs"]`
//! (also inside `cfg_attr`) or `include!("../shared/x.rs")`, and from such a file its own
//! `mod x;`. Found by reading the texts, before any parse: a superset (a `path = ".."` in a
//! comment counts too), since the index's module trees decide later which of them a crate root
//! compiles (`Index::compiled_by_no_root`), and only those are reported.

use crate::source::{is_ident_byte, skip_space};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Of `strays`, those the files `compiled` (and, in turn, the strays found) name by path; a
/// compiled file outside the target folders (`build/main.rs`, `build = ..` in the manifest),
/// marked `true`, names them by `mod x;` too.
pub(super) fn reached(compiled: &[(PathBuf, bool)], strays: &HashSet<PathBuf>) -> HashSet<PathBuf> {
    let mut found = HashSet::new();
    let mut todo: Vec<(PathBuf, bool)> = compiled.to_vec();
    while let Some((file, outside)) = todo.pop() {
        let Ok(text) = std::fs::read(&file) else {
            continue;
        };
        let dir = file.parent().unwrap_or(Path::new(""));
        let mut named: Vec<PathBuf> = named_paths(&text)
            .into_iter()
            .map(|p| crate::files::normalize(&dir.join(p)))
            .collect();
        // `mod x;` is `x.rs` beside a crate root, a `mod.rs` or a file loaded by `#[path]`, and
        // below the file's stem for another file: both are tried.
        if outside {
            let stem = file.file_stem().map(|s| dir.join(s)).unwrap_or_default();
            for m in out_of_line_mods(&text) {
                for d in [dir, stem.as_path()] {
                    named.push(d.join(format!("{m}.rs")));
                    named.push(d.join(&m).join("mod.rs"));
                }
            }
        }
        for p in named {
            if strays.contains(&p) && found.insert(p.clone()) {
                todo.push((p, true));
            }
        }
    }
    found
}

/// The string literals written as `path = "..."` or `include!("...")` in `text`.
fn named_paths(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for (word, sep) in [(&b"path"[..], b'='), (&b"include!"[..], b'(')] {
        let mut from = 0;
        while let Some(at) = memchr::memmem::find(&text[from..], word) {
            let start = from + at;
            from = start + word.len();
            let before_ok = start == 0 || !is_ident_byte(text[start - 1]);
            if !before_ok {
                continue;
            }
            let mut i = skip_space(text, from);
            if text.get(i) != Some(&sep) {
                continue;
            }
            i = skip_space(text, i + 1);
            if text.get(i) != Some(&b'"') {
                continue;
            }
            let rest = &text[i + 1..];
            if let Some(end) = rest.iter().position(|&b| b == b'"' || b == b'\n') {
                if rest[end] == b'"' && end > 0 {
                    if let Ok(s) = std::str::from_utf8(&rest[..end]) {
                        if s.ends_with(".rs") {
                            out.push(s.to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

/// The names of `mod x;` declarations in `text`.
fn out_of_line_mods(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&text[from..], b"mod") {
        let start = from + at;
        from = start + 3;
        if start > 0 && is_ident_byte(text[start - 1]) {
            continue;
        }
        let i = skip_space(text, from);
        if i == from {
            continue;
        }
        let i = if text[i..].starts_with(b"r#") {
            i + 2
        } else {
            i
        };
        let end = i + text[i..].iter().take_while(|&&b| is_ident_byte(b)).count();
        if end == i || text.get(skip_space(text, end)) != Some(&b';') {
            continue;
        }
        if let Ok(name) = std::str::from_utf8(&text[i..end]) {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_from_attributes_and_includes() {
        let text = br#"#[path = "../shared/util.rs"]
mod util;
#[cfg_attr(unix, path="../sys/unix.rs")]
mod sys;
include!("../gen/table.rs");
let xpath = "no.rs";
#[path = "dir"] mod d;
"#;
        assert_eq!(
            named_paths(text),
            ["../shared/util.rs", "../sys/unix.rs", "../gen/table.rs"]
        );
    }

    #[test]
    fn out_of_line_mods_are_named() {
        let text = b"mod a;\npub mod b ;\nmod c { }\nfn module() {}\nmod r#try;\n";
        assert_eq!(out_of_line_mods(text), ["a", "b", "try"]);
    }
}
