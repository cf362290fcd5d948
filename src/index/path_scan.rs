//! The `a::b::c` paths a text names, found by a byte scan (no parse).

/// Calls `f` with the segments of each `a::b::c` path written in `text`, in order, with
/// repeats (comments and strings included: reading a module too many costs little). Single
/// identifiers are passed over without allocating.
pub fn for_each_path<'a>(text: &'a [u8], mut f: impl FnMut(&[&'a [u8]])) {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut segs: Vec<&'a [u8]> = Vec::new();
    let mut i = 0;
    let n = text.len();
    while i < n {
        let c = text[i];
        if !(c.is_ascii_alphabetic() || c == b'_')
            || (i > 0 && (ident(text[i - 1]) || text[i - 1] == b':'))
        {
            i += 1;
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
                if k < n && (text[k].is_ascii_alphabetic() || text[k] == b'_') {
                    j = k;
                    continue;
                }
            }
            break;
        }
        if segs.len() > 1 {
            f(&segs);
        }
        i = j.max(i + 1);
    }
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
}
