//! Owners of work that outlives one future: the ends of multi-producer channels (a drain loop
//! ends only when every sender is gone), task sets (dropping one aborts its tasks or never runs
//! its futures) and what wraps a receiver into a stream.

use super::{Api, FnRow, Ret};

/// A channel whose receiving loop ends only when every sender is dropped: (sender type,
/// receiver type), canonical paths.
pub const CHANNEL_ENDS: &[(&str, &str)] = &[
    ("tokio::sync::mpsc::Sender", "tokio::sync::mpsc::Receiver"),
    (
        "tokio::sync::mpsc::UnboundedSender",
        "tokio::sync::mpsc::UnboundedReceiver",
    ),
    (
        "tokio::sync::broadcast::Sender",
        "tokio::sync::broadcast::Receiver",
    ),
    (
        "futures::channel::mpsc::Sender",
        "futures::channel::mpsc::Receiver",
    ),
    (
        "futures::channel::mpsc::UnboundedSender",
        "futures::channel::mpsc::UnboundedReceiver",
    ),
    ("std::sync::mpsc::Sender", "std::sync::mpsc::Receiver"),
    ("std::sync::mpsc::SyncSender", "std::sync::mpsc::Receiver"),
];

/// Whether `(a, b)` is a sender and the receiver of the same kind of channel. A path read from a
/// dependency's source names the item where it is defined (`futures_channel::mpsc::Sender`,
/// `tokio::sync::mpsc::bounded::Sender`): it matches an entry of the same crate family whose
/// module it passes through and whose name it ends with.
pub fn is_channel_pair(sender: &str, receiver: &str) -> bool {
    CHANNEL_ENDS
        .iter()
        .any(|(s, r)| same_item(sender, s) && same_item(receiver, r))
}

/// The crate a path's first segment stands for (`futures_channel` is `futures`).
fn family(first: &str) -> &str {
    match first {
        "futures_channel" => "futures",
        other => super::normalize_crate(other),
    }
}

fn same_item(path: &str, entry: &str) -> bool {
    if path == entry {
        return true;
    }
    let segs: Vec<&str> = super::path_str::segments(path).collect();
    let want: Vec<&str> = super::path_str::segments(entry).collect();
    let (Some(first), Some(last), [.., module, name]) =
        (segs.first(), segs.last(), want.as_slice())
    else {
        return false;
    };
    family(first) == family(want[0]) && last == name && segs[..segs.len() - 1].contains(module)
}

/// The names of the functions that make a channel, as a pair of ends.
pub const CHANNEL_MAKERS: &[&str] = &["channel", "unbounded_channel", "unbounded", "sync_channel"];

/// Methods of a sender that close its channel for every sender.
pub const CLOSES: &[&str] = &["close_channel", "disconnect", "close"];

/// Streams made of a receiver (`ReceiverStream::new(rx)`): they end when the channel closes.
pub const RECEIVER_STREAMS: &[&str] = &[
    "tokio_stream::wrappers::ReceiverStream",
    "tokio_stream::wrappers::UnboundedReceiverStream",
    "tokio_stream::wrappers::BroadcastStream",
];

/// Owners of tasks or futures that abort or drop them when they are dropped.
pub const TASK_SETS: &[&str] = &[
    "tokio::task::JoinSet",
    "futures::stream::FuturesUnordered",
    "tokio_util::task::AbortOnDropHandle",
];

/// Methods that add work to a task set (the rest of its uses drive it or hand it on), and those
/// that only look at it.
pub const ADDS_WORK: &[&str] = &[
    "spawn",
    "spawn_on",
    "spawn_local",
    "spawn_local_on",
    "spawn_blocking",
    "spawn_blocking_on",
    "push",
    "push_back",
    "push_front",
    "extend",
];
pub const INSPECTS: &[&str] = &["len", "is_empty", "is_terminated"];

const STREAM: Api = Api::new(Ret::Type(super::streams::STREAM_TYPE));

pub const FNS: &[FnRow] = &[
    // async-std's lazy stream constructors (futures' and tokio-stream's are in `streams`).
    ("async_std::stream::iter", STREAM),
    ("async_std::stream::once", STREAM),
    ("async_std::stream::repeat", STREAM),
    ("async_std::stream::repeat_with", STREAM),
    ("async_std::stream::from_fn", STREAM),
    ("async_std::stream::successors", STREAM),
    (
        "futures::channel::mpsc::unbounded",
        Api::new(Ret::Pair(
            "futures::channel::mpsc::UnboundedSender",
            "futures::channel::mpsc::UnboundedReceiver",
        )),
    ),
    (
        "tokio_util::task::AbortOnDropHandle::new",
        Api::new(Ret::Type("tokio_util::task::AbortOnDropHandle")),
    ),
    (
        "tokio_stream::wrappers::BroadcastStream::new",
        Api::new(Ret::Type("tokio_stream::wrappers::BroadcastStream")),
    ),
];

#[cfg(test)]
mod tests {
    use super::is_channel_pair;

    #[test]
    fn channel_ends_as_tables_and_sources_name_them() {
        assert!(is_channel_pair(
            "tokio::sync::mpsc::Sender",
            "tokio::sync::mpsc::Receiver"
        ));
        assert!(is_channel_pair(
            "futures_channel::mpsc::UnboundedSender",
            "futures_channel::mpsc::UnboundedReceiver"
        ));
        assert!(is_channel_pair(
            "tokio::sync::mpsc::bounded::Sender",
            "tokio::sync::mpsc::bounded::Receiver"
        ));
        // Ends of different kinds, and oneshot channels, are no pair.
        assert!(!is_channel_pair(
            "tokio::sync::mpsc::Sender",
            "tokio::sync::mpsc::UnboundedReceiver"
        ));
        assert!(!is_channel_pair(
            "tokio::sync::oneshot::Sender",
            "tokio::sync::oneshot::Receiver"
        ));
        assert!(!is_channel_pair("my::mpsc::Sender", "my::mpsc::Receiver"));
    }
}
