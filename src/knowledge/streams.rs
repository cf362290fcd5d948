//! Streams (`futures::Stream`, tokio-stream): `StreamExt::next()` and friends return futures;
//! adapters give streams again.

use super::{Api, FnRow, Ret, FUT};
/// The type an `impl Stream` / `dyn Stream` stands for: the knowledge tables know its methods.
pub const STREAM_TYPE: &str = "futures::stream::Stream";

const STREAM: Api = Api::new(Ret::Type(STREAM_TYPE));

/// Stream types of the common crates.
pub const TYPES: &[&str] = &[
    "tokio_stream::wrappers::ReceiverStream",
    "tokio_stream::wrappers::UnboundedReceiverStream",
    "tokio_stream::wrappers::BroadcastStream",
    "tokio_stream::wrappers::WatchStream",
    "tokio_stream::wrappers::IntervalStream",
    "tokio_stream::wrappers::TcpListenerStream",
    "tokio_stream::wrappers::LinesStream",
    "tokio_stream::StreamMap",
    "futures::stream::FuturesOrdered",
    "futures::stream::BoxStream",
    "futures::stream::LocalBoxStream",
    "futures::channel::mpsc::Receiver",
    "futures::channel::mpsc::UnboundedReceiver",
];

pub const FNS: &[FnRow] = &[
    ("tokio_stream::iter", STREAM),
    ("tokio_stream::once", STREAM),
    ("tokio_stream::empty", STREAM),
    ("tokio_stream::pending", STREAM),
    ("futures::stream::iter", STREAM),
    ("futures::stream::once", STREAM),
    ("futures::stream::repeat", STREAM),
    ("futures::stream::unfold", STREAM),
    ("futures::stream::empty", STREAM),
    ("futures::stream::select", STREAM),
    (
        "tokio_stream::wrappers::ReceiverStream::new",
        Api::new(Ret::Type("tokio_stream::wrappers::ReceiverStream")),
    ),
    (
        "tokio_stream::wrappers::UnboundedReceiverStream::new",
        Api::new(Ret::Type("tokio_stream::wrappers::UnboundedReceiverStream")),
    ),
    (
        "tokio_stream::wrappers::IntervalStream::new",
        Api::new(Ret::Type("tokio_stream::wrappers::IntervalStream")),
    ),
];

/// Methods of `StreamExt`/`TryStreamExt` that return futures.
const FUTURE_METHODS: &[&str] = &[
    "next",
    "try_next",
    "collect",
    "try_collect",
    "for_each",
    "for_each_concurrent",
    "try_for_each",
    "try_for_each_concurrent",
    "fold",
    "try_fold",
    "forward",
    "select_next_some",
    "into_future",
    "concat",
    "count",
];

/// Adapters that give a stream again.
const ADAPTERS: &[&str] = &[
    "map",
    "filter",
    "filter_map",
    "then",
    "take",
    "skip",
    "take_while",
    "skip_while",
    "chain",
    "merge",
    "throttle",
    "timeout",
    "fuse",
    "boxed",
    "boxed_local",
    "buffered",
    "buffer_unordered",
    "peekable",
    "enumerate",
    "chunks",
    "ready_chunks",
    "map_ok",
    "map_err",
    "and_then",
    "inspect",
    "flatten",
    "flat_map",
    "zip",
    "scan",
    "take_until",
];

pub fn method(name: &str) -> Option<Api> {
    if FUTURE_METHODS.contains(&name) {
        Some(FUT)
    } else if ADAPTERS.contains(&name) {
        Some(STREAM)
    } else {
        None
    }
}
