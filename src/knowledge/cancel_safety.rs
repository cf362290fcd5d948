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

/// Methods that wrap the future they are called on and own it: `.fuse()`, `.boxed()`, the
/// timeouts of futures-time / async-std / tokio-util style extension traits, tracing's
/// `.instrument(..)`, futures' combinators. Dropping the wrapper drops the future inside, so a
/// wrapper of an operation that is not cancel-safe is not cancel-safe. Matched only on a receiver
/// that is itself such an operation.
pub const WRAPPER_METHODS: &[&str] = &[
    "fuse",
    "boxed",
    "boxed_local",
    "timeout",
    "timeout_at",
    "deadline",
    "instrument",
    "in_current_span",
    "with_current_subscriber",
    "map",
    "map_ok",
    "map_err",
    "map_into",
    "err_into",
    "ok_into",
    "inspect",
    "inspect_ok",
    "inspect_err",
    "then",
    "and_then",
    "or_else",
    "catch_unwind",
    "unit_error",
    "left_future",
    "right_future",
];

/// Functions that take a future and own it, by full path, with the index of that argument.
pub const WRAPPER_FNS: &[(&str, usize)] = &[
    ("tokio::time::timeout", 1),
    ("tokio::time::timeout_at", 1),
    ("async_std::future::timeout", 1),
    ("async_std::io::timeout", 1),
    ("futures::future::maybe_done", 0),
    ("futures_util::future::maybe_done", 0),
];

pub fn is_wrapper_method(name: &str) -> bool {
    WRAPPER_METHODS.contains(&name)
}

/// The index of the future argument a wrapper function owns.
pub fn wrapper_fn(path: &str) -> Option<usize> {
    WRAPPER_FNS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, i)| *i)
}

/// What is known of a method of this name.
pub fn method(name: &str) -> Option<&'static Entry> {
    METHODS.iter().find(|e| e.name == name)
}

/// What is known of a function at this resolved path (`futures_util::io::copy` is not tokio's).
pub fn function(path: &str) -> Option<&'static Entry> {
    FNS.iter().find(|e| e.name == path)
}

/// What to do instead of racing `op` in a loop, in the terms of the operation: a cancel-safe
/// way to read, a buffer or cursor that keeps a write's progress, or, for any other operation
/// (a workspace fn: a handshake, a request), the future made once and polled by reference.
pub fn advice(op: &str) -> String {
    const PIN_ONCE: &str = "create the future once before the loop, pin it (`tokio::pin!`) and \
        poll it as `&mut fut`, so that losing a race does not drop it";
    let kind = match op {
        "read_line" => {
            "use `lines.next_line()`, which is cancel-safe (`let mut lines = \
            reader.lines();` before the loop)"
        }
        "read_exact" => {
            "read with `read_buf` (cancel-safe) into a buffer kept outside the loop \
            until it holds the whole record, or use a framed reader (`FramedRead` with a codec)"
        }
        "read_to_string" | "read_to_end" | "read_until" => {
            "read into a buffer kept outside the \
            loop: `read_until` and `read_to_end` append to it, and a new call goes on from there"
        }
        "write_all" => {
            "keep what is left to write outside the loop, in a cursor over the buffer \
            (`write_all_buf(&mut cursor)` advances it by what was written, so a new call writes \
            the rest)"
        }
        "write_all_buf" => {
            "keep the buffer outside the loop: `write_all_buf` advances it by what \
            was written, so a new call writes the rest"
        }
        "tokio::io::copy" => {
            "use `tokio::io::copy_buf` on a buffered reader, whose buffer keeps \
            the bytes not yet written"
        }
        _ if op.starts_with("read_") && METHODS.iter().any(|e| e.name == op) => {
            "read the bytes with `read_buf` (cancel-safe) into a buffer kept outside the loop and \
            decode the number once they are all there, or use a framed reader"
        }
        // A workspace fn or a documented one: a handshake, a request, a framed write.
        _ => {
            return format!(
                "{PIN_ONCE}; or run `{op}` to completion outside the `select!` (a handshake \
                 before the loop), or make it keep its progress outside its future"
            )
        }
    };
    format!("{kind}; or {PIN_ONCE}")
}

/// What a doc comment's `# Cancel safety` section says (tokio's convention, followed by crates
/// built on it): `Loses` when it says the item is not cancel safe, `Safe` when it says it is,
/// `None` when there is no such section or it says neither. Lines are read as rustdoc reads a
/// block doc comment: a leading `*` is not part of the text.
pub fn doc_cancel_safety(doc: &str) -> Option<CancelSafety> {
    let mut in_section = false;
    let mut safe = false;
    for line in doc.lines() {
        let line = line.trim();
        let line = line.strip_prefix('*').map_or(line, str::trim_start);
        if let Some(heading) = line.strip_prefix('#') {
            in_section = heading
                .trim_start_matches('#')
                .trim()
                .eq_ignore_ascii_case("cancel safety");
            continue;
        }
        if in_section {
            // Markdown emphasis (`*not*`, `**not**`, `_not_`) and code marks say nothing.
            let lower: String = line
                .chars()
                .filter(|c| !matches!(c, '*' | '_' | '`'))
                .map(|c| {
                    if c == '-' {
                        ' '
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect();
            if [
                "not cancel safe",
                "not cancellation safe",
                "isn't cancel safe",
                "is not safe to cancel",
            ]
            .iter()
            .any(|p| lower.contains(p))
            {
                return Some(Loses);
            }
            safe |= lower.contains("cancel safe") || lower.contains("cancellation safe");
        }
    }
    safe.then_some(Safe)
}

/// Whether a doc comment has a `# Cancel safety` section that says the item is not cancel safe.
pub fn doc_says_not_cancel_safe(doc: &str) -> bool {
    doc_cancel_safety(doc) == Some(Loses)
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
        assert_eq!(doc_cancel_safety(safe_doc), Some(Safe));
        assert_eq!(doc_cancel_safety(unsafe_doc), Some(Loses));
        assert_eq!(doc_cancel_safety("# Cancel safety\n\nIt depends."), None);
        assert_eq!(doc_cancel_safety("No section. This is cancel safe."), None);
        // Emphasis on the "not" (quinn's docs).
        assert_eq!(
            doc_cancel_safety("# Cancel safety\n\nThis method is *not* cancellation safe. Even if"),
            Some(Loses)
        );
        assert_eq!(
            doc_cancel_safety("# Cancel safety\nThis is **not** `cancel-safe`."),
            Some(Loses)
        );
        // A block doc comment's leading stars.
        assert_eq!(
            doc_cancel_safety("\n * # Cancel safety\n *\n * This method is not cancel safe.\n "),
            Some(Loses)
        );
    }
}
