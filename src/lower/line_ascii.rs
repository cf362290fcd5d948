//! Whether each line of a file is ASCII, found the first time a position on the line is
//! converted (on an ASCII line a character column is a byte offset). Lines nothing is lowered
//! on — doc comments, a generated crate's declarations, code lowered nowhere — are never read.
//! The flags can be shared by the lowerings of one file's groups on several threads: a flag is
//! computed from the line's text alone, so two threads that compute it at once store the same
//! value.

use std::sync::atomic::{AtomicU8, Ordering};

const UNKNOWN: u8 = 0;
const ASCII: u8 = 1;
const NOT_ASCII: u8 = 2;

/// A flag per line of a file: not read yet, ASCII, or not.
#[derive(Debug)]
pub(super) struct LineAscii {
    lines: Box<[AtomicU8]>,
}

impl LineAscii {
    /// Flags for a file of `lines` lines, none read yet.
    pub(super) fn new(lines: usize) -> LineAscii {
        LineAscii {
            lines: (0..lines).map(|_| AtomicU8::new(UNKNOWN)).collect(),
        }
    }

    /// Whether line `line` (1-based), whose whole text is `text`, is ASCII; a line past the
    /// file's end counts as ASCII (its column is then clamped to the text, as for an ASCII
    /// line).
    pub(super) fn is_ascii(&self, line: usize, text: &str) -> bool {
        let Some(flag) = line.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return true;
        };
        match flag.load(Ordering::Relaxed) {
            ASCII => true,
            NOT_ASCII => false,
            _ => {
                let ascii = text.is_ascii();
                flag.store(if ascii { ASCII } else { NOT_ASCII }, Ordering::Relaxed);
                ascii
            }
        }
    }
}

impl Clone for LineAscii {
    fn clone(&self) -> LineAscii {
        LineAscii {
            lines: self
                .lines
                .iter()
                .map(|f| AtomicU8::new(f.load(Ordering::Relaxed)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineAscii;

    #[test]
    fn a_line_is_read_once_and_answered_as_its_text_says() {
        let flags = LineAscii::new(3);
        assert!(flags.is_ascii(1, "fn main() {}\n"));
        assert!(!flags.is_ascii(2, "let é = 1;\n"));
        // Remembered: the text is not read again.
        assert!(flags.is_ascii(1, "é"));
        assert!(!flags.is_ascii(2, "plain"));
        let copy = flags.clone();
        assert!(copy.is_ascii(1, "é") && !copy.is_ascii(2, "plain"));
        assert!(copy.is_ascii(3, "x\n") && !flags.is_ascii(3, "é"));
    }

    #[test]
    fn a_line_past_the_end_counts_as_ascii() {
        let flags = LineAscii::new(1);
        assert!(flags.is_ascii(2, "é"));
        assert!(flags.is_ascii(0, "é"));
        assert!(LineAscii::new(0).is_ascii(1, "é"));
    }
}
