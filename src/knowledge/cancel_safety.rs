//! Cancel safety: what is lost when a future is dropped before it completes, as happens to the
//! losing branches of `select!` on every iteration of a loop.
//!
//! Each entry says where its claim comes from. Where tokio's doc comment of the method has a
//! `# Cancel safety` section, the entry names that method (checked against tokio 1.54's
//! sources). Where those docs say nothing, the entry names the test of the reference pipeline
//! (`fixtures/pipeline/tests/cancel_safety.rs`) that shows what a cancelled call loses.

/// What dropping an operation's future half-way does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelSafety {
    /// Nothing is lost: dropped before completing, the operation did nothing that the next call
    /// will not see.
    Safe,
    /// Progress is lost: data already read or written by the dropped call is gone.
    Loses,
    /// Progress is kept in the buffer argument at this index: lost only when that buffer is
    /// itself dropped with the future (made fresh for each call).
    KeptInBuffer(usize),
}

/// One operation and the source of what is said about it.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// A method name, or a function's full path.
    pub name: &'static str,
    pub safety: CancelSafety,
    /// Where this is documented or shown.
    pub source: &'static str,
}

use CancelSafety::{KeptInBuffer, Loses, Safe};

const fn e(name: &'static str, safety: CancelSafety, source: &'static str) -> Entry {
    Entry {
        name,
        safety,
        source,
    }
}

const READ_INT: &str =
    "tokio::io::AsyncReadExt::read_u16 (and every wider integer and float read): \
    its docs say it is not cancel safe, bytes of a half-read number are lost";

/// Methods, by name: the extension traits of tokio's I/O (`AsyncReadExt`, `AsyncBufReadExt`,
/// `AsyncWriteExt`) and the receivers of its channels, timers and task sets. The names are
/// distinctive enough to be matched on a receiver whose type is not known, as long as no type of
/// the workspace declares a method of the same name.
pub const METHODS: &[Entry] = &[
    // Loses data.
    e("read_line", Loses, "tokio::io::AsyncBufReadExt::read_line: its docs say it is not cancel safe; what was read is dropped and the string's content is unspecified"),
    e("read_exact", Loses, "tokio::io::AsyncReadExt::read_exact: its docs say it is not cancel safe; bytes already read into the buffer are not accounted for"),
    e("read_to_string", Loses, "tokio::io::AsyncReadExt::read_to_string: the docs are silent; the bytes live in the future until the end, shown lost by `read_to_string_loses_what_it_read`"),
    e("write_all", Loses, "tokio::io::AsyncWriteExt::write_all: its docs say it is not cancel safe; part of the buffer may be written and the next call starts over"),
    e("read_u16", Loses, READ_INT),
    e("read_i16", Loses, READ_INT),
    e("read_u32", Loses, READ_INT),
    e("read_i32", Loses, READ_INT),
    e("read_u64", Loses, READ_INT),
    e("read_i64", Loses, READ_INT),
    e("read_u128", Loses, READ_INT),
    e("read_i128", Loses, READ_INT),
    e("read_f32", Loses, READ_INT),
    e("read_f64", Loses, READ_INT),
    e("read_u16_le", Loses, READ_INT),
    e("read_i16_le", Loses, READ_INT),
    e("read_u32_le", Loses, READ_INT),
    e("read_i32_le", Loses, READ_INT),
    e("read_u64_le", Loses, READ_INT),
    e("read_i64_le", Loses, READ_INT),
    e("read_u128_le", Loses, READ_INT),
    e("read_i128_le", Loses, READ_INT),
    e("read_f32_le", Loses, READ_INT),
    e("read_f64_le", Loses, READ_INT),
    // Keeps its progress in the caller's buffer.
    e("read_until", KeptInBuffer(1), "tokio::io::AsyncBufReadExt::read_until: its docs say the bytes read so far are appended to the buffer and a new call goes on from there"),
    e("read_to_end", KeptInBuffer(0), "tokio::io::AsyncReadExt::read_to_end: the docs are silent; bytes are appended to the vector as they come, shown by `read_to_end_keeps_bytes_in_an_outer_buffer`"),
    e("write_all_buf", KeptInBuffer(0), "tokio::io::AsyncWriteExt::write_all_buf: its docs say the buffer is advanced by what was written, so a new call writes the rest"),
    // Cancel-safe.
    e("read", Safe, "tokio::io::AsyncReadExt::read: documented cancel safe, no data is read when cancelled"),
    e("read_buf", Safe, "tokio::io::AsyncReadExt::read_buf: documented cancel safe"),
    e("read_u8", Safe, "tokio::io::AsyncReadExt::read_u8: documented cancel safe (one byte is all or nothing)"),
    e("read_i8", Safe, "tokio::io::AsyncReadExt::read_i8: documented cancel safe"),
    e("write", Safe, "tokio::io::AsyncWriteExt::write: documented cancel safe, nothing written when cancelled"),
    e("write_buf", Safe, "tokio::io::AsyncWriteExt::write_buf: documented cancel safe"),
    e("write_vectored", Safe, "tokio::io::AsyncWriteExt::write_vectored: documented cancel safe"),
    e("flush", Safe, "tokio::io::AsyncWriteExt::flush: documented cancel safe"),
    e("fill_buf", Safe, "tokio::io::AsyncBufReadExt::fill_buf: documented cancel safe"),
    e("next_line", Safe, "tokio::io::Lines::next_line: documented cancel safe"),
    e("next_entry", Safe, "tokio::fs::ReadDir::next_entry: documented cancel safe"),
    e("recv", Safe, "tokio::sync::mpsc::Receiver::recv (also unbounded, broadcast, UdpSocket, Signal): documented cancel safe"),
    e("recv_many", Safe, "tokio::sync::mpsc::Receiver::recv_many: documented cancel safe"),
    e("recv_from", Safe, "tokio::net::UdpSocket::recv_from: documented cancel safe"),
    e("send_to", Safe, "tokio::net::UdpSocket::send_to: documented cancel safe"),
    e("changed", Safe, "tokio::sync::watch::Receiver::changed: documented cancel safe"),
    e("wait_for", Safe, "tokio::sync::watch::Receiver::wait_for: documented cancel safe"),
    e("accept", Safe, "tokio::net::TcpListener::accept (and UnixListener): documented cancel safe"),
    e("tick", Safe, "tokio::time::Interval::tick: documented cancel safe"),
    e("join_next", Safe, "tokio::task::JoinSet::join_next: documented cancel safe"),
    e("join_next_with_id", Safe, "tokio::task::JoinSet::join_next_with_id: documented cancel safe"),
    e("cancelled", Safe, "tokio_util::sync::CancellationToken::cancelled: waiting for a flag, nothing to lose"),
    e("next", Safe, "futures::StreamExt::next: a stream keeps its own state between polls"),
    e("closed", Safe, "tokio::sync::mpsc::Sender::closed: documented cancel safe"),
];

/// Functions, by full path.
pub const FNS: &[Entry] = &[
    e("tokio::io::copy", Loses, "tokio::io::copy: the docs are silent; bytes read into its internal buffer but not yet written go with it, shown by `copy_loses_buffered_bytes`"),
    e("tokio::io::copy_buf", Safe, "tokio::io::copy_buf: its buffer is the reader's own, so unwritten bytes stay there"),
    e("tokio::time::sleep", Safe, "tokio::time::sleep: a timer, nothing to lose"),
    e("tokio::time::sleep_until", Safe, "tokio::time::sleep_until: a timer, nothing to lose"),
    e("tokio::signal::ctrl_c", Safe, "tokio::signal::ctrl_c: waiting for a signal, nothing to lose"),
];

/// What is known of a method of this name.
pub fn method(name: &str) -> Option<&'static Entry> {
    METHODS.iter().find(|e| e.name == name)
}

/// What is known of a function at this resolved path (`futures_util::io::copy` is not tokio's).
pub fn function(path: &str) -> Option<&'static Entry> {
    FNS.iter().find(|e| e.name == path)
}

/// Whether a doc comment has a `# Cancel safety` section that says the item is not cancel safe:
/// tokio's convention, followed by crates built on it.
pub fn doc_says_not_cancel_safe(doc: &str) -> bool {
    let mut in_section = false;
    for line in doc.lines() {
        let line = line.trim();
        if let Some(heading) = line.strip_prefix('#') {
            in_section = heading
                .trim_start_matches('#')
                .trim()
                .eq_ignore_ascii_case("cancel safety");
            continue;
        }
        if in_section {
            let lower = line.to_ascii_lowercase().replace('-', " ");
            if lower.contains("not cancel safe") || lower.contains("not cancellation safe") {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once() {
        for table in [METHODS, FNS] {
            for (i, a) in table.iter().enumerate() {
                assert!(
                    table[i + 1..].iter().all(|b| b.name != a.name),
                    "`{}` is listed twice",
                    a.name
                );
                assert!(!a.source.is_empty(), "`{}` cites nothing", a.name);
            }
        }
    }

    #[test]
    fn the_issue_list_is_classified() {
        for name in [
            "read_line",
            "read_to_string",
            "read_exact",
            "read_u16",
            "read_f64",
            "write_all",
        ] {
            assert_eq!(method(name).map(|e| e.safety), Some(Loses), "{name}");
        }
        assert_eq!(function("tokio::io::copy").map(|e| e.safety), Some(Loses));
        assert_eq!(
            method("read_until").map(|e| e.safety),
            Some(KeptInBuffer(1))
        );
        assert_eq!(
            method("read_to_end").map(|e| e.safety),
            Some(KeptInBuffer(0))
        );
        assert_eq!(
            method("write_all_buf").map(|e| e.safety),
            Some(KeptInBuffer(0))
        );
        for name in [
            "read",
            "read_buf",
            "read_u8",
            "write",
            "recv",
            "changed",
            "next_line",
            "accept",
            "recv_from",
            "tick",
            "next",
            "join_next",
            "cancelled",
        ] {
            assert_eq!(method(name).map(|e| e.safety), Some(Safe), "{name}");
        }
        assert_eq!(
            function("tokio::io::copy_buf").map(|e| e.safety),
            Some(Safe)
        );
        assert_eq!(function("tokio::time::sleep").map(|e| e.safety), Some(Safe));
    }

    #[test]
    fn cancel_safety_sections_are_read() {
        let unsafe_doc = "Reads a frame.\n\n# Cancel safety\n\nThis method is not cancel safe. If it\nloses, data is gone.\n";
        assert!(doc_says_not_cancel_safe(unsafe_doc));
        assert!(doc_says_not_cancel_safe(
            "## Cancel Safety\nThis is not cancel-safe."
        ));
        let safe_doc = "# Cancel safety\n\nThis method is cancel safe.\n\n# Errors\n\nNot cancel safe when misused is not said here.";
        assert!(!doc_says_not_cancel_safe(safe_doc));
        // The words elsewhere than under the heading do not count.
        assert!(!doc_says_not_cancel_safe("This method is not cancel safe."));
    }
}
