//! Paths held as text (`tokio::sync::mpsc::Sender`): their `::` separators found by a plain
//! loop over the bytes. The walk splits such short paths for nearly every call and type it
//! reads; `str`'s searches for a two-byte pattern set up a string searcher each time, which
//! costs more than these paths take to read. Each function gives exactly what the `str`
//! search it names gives, whatever the colons around.

/// Where the first `::` of `path` starts: `path.find("::")`.
pub fn first_separator(path: &str) -> Option<usize> {
    path.as_bytes().windows(2).position(|w| w == b"::")
}

/// Where the last `::` of `path` starts: `path.rfind("::")`.
pub fn last_separator(path: &str) -> Option<usize> {
    let b = path.as_bytes();
    (1..b.len())
        .rev()
        .find(|&i| b[i] == b':' && b[i - 1] == b':')
        .map(|i| i - 1)
}

/// The first segment: `path.split("::").next()` (the whole path when it has no `::`).
pub fn first_segment(path: &str) -> &str {
    first_separator(path).map_or(path, |at| &path[..at])
}

/// The last segment: `path.rsplit("::").next()` (the whole path when it has no `::`).
pub fn last_segment(path: &str) -> &str {
    last_separator(path).map_or(path, |at| &path[at + 2..])
}

/// The segments in order: `path.split("::")`.
pub fn segments(path: &str) -> Segments<'_> {
    Segments { rest: Some(path) }
}

/// See [`segments`].
pub struct Segments<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match first_separator(rest) {
            Some(at) => {
                self.rest = Some(&rest[at + 2..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Each function gives what the `str` search it stands for gives.
    #[test]
    fn the_separators_and_segments_are_strs_searches() {
        for path in [
            "",
            ":",
            "::",
            ":::",
            "::::",
            "a",
            "a::b",
            "a::b::c",
            "::a",
            "a::",
            "a:::b",
            "a::::b",
            "a:b::c",
            "tokio::sync::mpsc::Sender",
            "<T as a::B>::c",
            "é::ü",
        ] {
            assert_eq!(super::first_separator(path), path.find("::"), "{path}");
            assert_eq!(super::last_separator(path), path.rfind("::"), "{path}");
            assert_eq!(
                Some(super::first_segment(path)),
                path.split("::").next(),
                "{path}"
            );
            assert_eq!(
                Some(super::last_segment(path)),
                path.rsplit("::").next(),
                "{path}"
            );
            assert!(super::segments(path).eq(path.split("::")), "{path}");
        }
    }
}
