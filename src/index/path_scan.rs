//! The `a::b::c` paths a text names, found by a byte scan (no parse).

use super::skeleton::skip_literal_or_comment;

/// Calls `f` with the segments of each `a::b::c` path written in `text`, in order, with
/// repeats (comments and strings included: reading a module too many costs little). Single
/// identifiers are passed over without allocating.
pub fn for_each_path<'a>(text: &'a [u8], mut f: impl FnMut(&[&'a [u8]])) {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let starts = |b: u8| b.is_ascii_alphabetic() || b == b'_';
    let mut segs: Vec<&'a [u8]> = Vec::new();
    let n = text.len();
    let colons = memchr::memmem::Finder::new(b"::");
    // From one `::` to the next: a path of two segments or more starts with the identifier
    // written just before its first `::` (spaces between), so only that one is read.
    let mut from = 0;
    while let Some(at) = colons.find(&text[from..]).map(|p| from + p) {
        let mut i = at;
        while i > from && text[i - 1] == b' ' {
            i -= 1;
        }
        let end = i;
        while i > from && ident(text[i - 1]) {
            i -= 1;
        }
        let is_start =
            i < end && starts(text[i]) && (i == 0 || !(ident(text[i - 1]) || text[i - 1] == b':'));
        if !is_start {
            from = at + 1;
            continue;
        }
        segs.clear();
        let mut j = i;
        loop {
            let start = j;
            while j < n && ident(text[j]) {
                j += 1;
            }
            segs.push(&text[start..j]);
            let mut k = j;
            while k < n && text[k] == b' ' {
                k += 1;
            }
            if k + 1 < n && text[k] == b':' && text[k + 1] == b':' {
                k += 2;
                while k < n && text[k].is_ascii_whitespace() {
                    k += 1;
                }
                if k < n && starts(text[k]) {
                    j = k;
                    continue;
                }
            }
            break;
        }
        if segs.len() > 1 {
            f(&segs);
        }
        from = j.max(at + 1);
    }
}

/// Whether the code of the file at `path` (its comments and string literals left out) writes a
/// path of two segments or more whose first is `first`. A file that cannot be read is taken to
/// (unknown: what said so before is kept).
pub fn names_in_code(path: &std::path::Path, first: &str) -> bool {
    let Ok(mut text) = std::fs::read(path) else {
        return true;
    };
    let mut i = 0;
    while i < text.len() {
        if matches!(text[i], b'/' | b'"' | b'\'' | b'r' | b'b' | b'c') {
            if let Some(end) = skip_literal_or_comment(&text, i).filter(|&e| e > i) {
                // Blanked, not removed: what is left keeps its places.
                let end = end.min(text.len());
                text[i..end].fill(b' ');
                i = end;
                continue;
            }
        }
        i += 1;
    }
    let mut found = false;
    for_each_path(&text, |segs| found |= segs[0] == first.as_bytes());
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_in_text() {
        let mut got: Vec<String> = Vec::new();
        super::for_each_path(
            b"let x = tokio::time::sleep(d); a::<u8>::b(); x.y; std :: io::Error; c::{d, e}",
            |segs| {
                let segs: Vec<&str> = segs
                    .iter()
                    .map(|s| std::str::from_utf8(s).unwrap())
                    .collect();
                got.push(segs.join("::"))
            },
        );
        assert_eq!(got, ["tokio::time::sleep", "std::io::Error"]);
    }

    /// The scan from every byte, as [`super::for_each_path`] was written first.
    fn byte_by_byte(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut out = Vec::new();
        let (mut i, n) = (0, text.len());
        while i < n {
            let c = text[i];
            if !(c.is_ascii_alphabetic() || c == b'_')
                || (i > 0 && (ident(text[i - 1]) || text[i - 1] == b':'))
            {
                i += 1;
                continue;
            }
            let mut segs: Vec<Vec<u8>> = Vec::new();
            let mut j = i;
            loop {
                let start = j;
                while j < n && ident(text[j]) {
                    j += 1;
                }
                segs.push(text[start..j].to_vec());
                let mut k = j;
                while k < n && text[k] == b' ' {
                    k += 1;
                }
                if k + 1 < n && text[k] == b':' && text[k + 1] == b':' {
                    k += 2;
                    while k < n && text[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    if k < n && (text[k].is_ascii_alphabetic() || text[k] == b'_') {
                        j = k;
                        continue;
                    }
                }
                break;
            }
            if segs.len() > 1 {
                out.push(segs);
            }
            i = j.max(i + 1);
        }
        out
    }

    fn scanned(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        super::for_each_path(text, |segs| {
            out.push(segs.iter().map(|s| s.to_vec()).collect())
        });
        out
    }

    #[test]
    fn the_scan_from_each_colon_pair_finds_what_a_scan_from_every_byte_finds() {
        let tricky: &[&[u8]] = &[
            b"a:::b::c ::d",
            b"::a::b",
            b"1a::b _x::y a::<u8>::b x ::  \n y::z",
            "\u{e9}::x a\u{e9}::y b::\u{e9}".as_bytes(),
            b"a::b::c::",
            b"x::",
            b"::",
            b"",
            b"a  ::b\t::c",
            b"r#a::b c::r#d",
        ];
        for text in tricky {
            assert_eq!(
                scanned(text),
                byte_by_byte(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            if let Ok(text) = std::fs::read(entry.path()) {
                assert_eq!(
                    scanned(&text),
                    byte_by_byte(&text),
                    "{}",
                    entry.path().display()
                );
            }
        }
    }
}
