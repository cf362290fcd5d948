//! tokio: spawning, time, sync, channels, fs, net, process, runtime.

use super::Effect;
use super::{Api, FnRow, MethodRow, Ret, Role, BLOCKING, BLOCK_ON, FUT, FUT_UNIT};

const SPAWN: Api = Api::new(Ret::TaskHandle).effect(Effect::NeedsRuntime);
const SPAWN_BLOCKING: Api = Api::new(Ret::TaskHandle)
    .effect(Effect::NeedsRuntime)
    .role(Role::Offloads);
const BUILD_RUNTIME: Api =
    Api::new(Ret::ResultOf("tokio::runtime::Runtime")).effect(Effect::BuildsRuntime);

pub const FNS: &[FnRow] = &[
    ("tokio::spawn", SPAWN),
    ("tokio::task::spawn", SPAWN),
    ("tokio::task::spawn_local", SPAWN),
    ("tokio::task::spawn_blocking", SPAWN_BLOCKING),
    (
        "tokio::task::block_in_place",
        Api::new(Ret::Unknown).role(Role::Offloads),
    ),
    ("tokio::task::yield_now", FUT_UNIT),
    ("tokio::task::unconstrained", FUT),
    (
        "tokio::task::LocalSet::new",
        Api::new(Ret::Type("tokio::task::LocalSet")),
    ),
    (
        "tokio::task::JoinSet::new",
        Api::new(Ret::Type("tokio::task::JoinSet")),
    ),
    ("tokio::time::sleep", FUT_UNIT),
    ("tokio::time::sleep_until", FUT_UNIT),
    ("tokio::time::timeout", FUT),
    ("tokio::time::timeout_at", FUT),
    ("tokio::time::advance", FUT_UNIT),
    (
        "tokio::time::interval",
        Api::new(Ret::Type("tokio::time::Interval")),
    ),
    (
        "tokio::time::interval_at",
        Api::new(Ret::Type("tokio::time::Interval")),
    ),
    (
        "tokio::io::split",
        Api::new(Ret::Pair("tokio::io::ReadHalf", "tokio::io::WriteHalf")),
    ),
    (
        "tokio::sync::mpsc::channel",
        Api::new(Ret::Pair(
            "tokio::sync::mpsc::Sender",
            "tokio::sync::mpsc::Receiver",
        )),
    ),
    (
        "tokio::sync::mpsc::unbounded_channel",
        Api::new(Ret::Pair(
            "tokio::sync::mpsc::UnboundedSender",
            "tokio::sync::mpsc::UnboundedReceiver",
        )),
    ),
    (
        "tokio::sync::oneshot::channel",
        Api::new(Ret::Pair(
            "tokio::sync::oneshot::Sender",
            "tokio::sync::oneshot::Receiver",
        )),
    ),
    (
        "tokio::sync::broadcast::channel",
        Api::new(Ret::Pair(
            "tokio::sync::broadcast::Sender",
            "tokio::sync::broadcast::Receiver",
        )),
    ),
    (
        "tokio::sync::watch::channel",
        Api::new(Ret::Pair(
            "tokio::sync::watch::Sender",
            "tokio::sync::watch::Receiver",
        )),
    ),
    (
        "tokio::sync::Mutex::new",
        Api::new(Ret::Type("tokio::sync::Mutex")),
    ),
    (
        "tokio::sync::RwLock::new",
        Api::new(Ret::Type("tokio::sync::RwLock")),
    ),
    (
        "tokio::sync::Semaphore::new",
        Api::new(Ret::Type("tokio::sync::Semaphore")),
    ),
    (
        "tokio::sync::Notify::new",
        Api::new(Ret::Type("tokio::sync::Notify")),
    ),
    ("tokio::signal::ctrl_c", FUT),
    ("tokio::fs::read", FUT),
    ("tokio::fs::read_to_string", FUT),
    ("tokio::fs::write", FUT),
    ("tokio::fs::copy", FUT),
    ("tokio::fs::rename", FUT),
    ("tokio::fs::remove_file", FUT),
    ("tokio::fs::remove_dir", FUT),
    ("tokio::fs::remove_dir_all", FUT),
    ("tokio::fs::create_dir", FUT),
    ("tokio::fs::create_dir_all", FUT),
    ("tokio::fs::metadata", FUT),
    ("tokio::fs::read_dir", FUT),
    ("tokio::fs::canonicalize", FUT),
    ("tokio::fs::hard_link", FUT),
    (
        "tokio::fs::File::open",
        Api::new(Ret::FutureResult("tokio::fs::File")),
    ),
    (
        "tokio::fs::File::create",
        Api::new(Ret::FutureResult("tokio::fs::File")),
    ),
    (
        "tokio::net::TcpStream::connect",
        Api::new(Ret::FutureResult("tokio::net::TcpStream")),
    ),
    (
        "tokio::net::TcpListener::bind",
        Api::new(Ret::FutureResult("tokio::net::TcpListener")),
    ),
    (
        "tokio::net::UdpSocket::bind",
        Api::new(Ret::FutureResult("tokio::net::UdpSocket")),
    ),
    (
        "tokio::net::UnixStream::connect",
        Api::new(Ret::FutureResult("tokio::net::UnixStream")),
    ),
    ("tokio::net::lookup_host", FUT),
    (
        "tokio::process::Command::new",
        Api::new(Ret::Type("tokio::process::Command")),
    ),
    ("tokio::io::copy", FUT),
    ("tokio::io::copy_bidirectional", FUT),
    ("tokio::io::stdin", Api::new(Ret::Type("tokio::io::Stdin"))),
    (
        "tokio::io::stdout",
        Api::new(Ret::Type("tokio::io::Stdout")),
    ),
    (
        "tokio::io::stderr",
        Api::new(Ret::Type("tokio::io::Stderr")),
    ),
    (
        "tokio::io::BufReader::new",
        Api::new(Ret::Type("tokio::io::BufReader")),
    ),
    (
        "tokio::io::BufWriter::new",
        Api::new(Ret::Type("tokio::io::BufWriter")),
    ),
    ("tokio::runtime::Runtime::new", BUILD_RUNTIME),
    (
        "tokio::runtime::Builder::new_multi_thread",
        Api::new(Ret::Type("tokio::runtime::Builder")),
    ),
    (
        "tokio::runtime::Builder::new_current_thread",
        Api::new(Ret::Type("tokio::runtime::Builder")),
    ),
    (
        "tokio::runtime::Handle::current",
        Api::new(Ret::Type("tokio::runtime::Handle")).effect(Effect::NeedsRuntime),
    ),
    (
        "tokio::runtime::Handle::try_current",
        Api::new(Ret::ResultOf("tokio::runtime::Handle")),
    ),
    ("tokio_test::block_on", BLOCK_ON),
    (
        "tokio_util::task::TaskTracker::new",
        Api::new(Ret::Type("tokio_util::task::TaskTracker")),
    ),
];

pub const METHODS: &[MethodRow] = &[
    // The halves of a split stream have the I/O extension traits' methods ([`ASYNC_IO_TYPES`]).
    (
        "tokio::net::TcpStream",
        "into_split",
        Api::new(Ret::Pair(
            "tokio::net::tcp::OwnedReadHalf",
            "tokio::net::tcp::OwnedWriteHalf",
        )),
    ),
    (
        "tokio::net::TcpStream",
        "split",
        Api::new(Ret::Pair(
            "tokio::net::tcp::ReadHalf",
            "tokio::net::tcp::WriteHalf",
        )),
    ),
    (
        "tokio::net::UnixStream",
        "into_split",
        Api::new(Ret::Pair(
            "tokio::net::unix::OwnedReadHalf",
            "tokio::net::unix::OwnedWriteHalf",
        )),
    ),
    (
        "tokio::net::UnixStream",
        "split",
        Api::new(Ret::Pair(
            "tokio::net::unix::ReadHalf",
            "tokio::net::unix::WriteHalf",
        )),
    ),
    ("tokio::runtime::Runtime", "block_on", BLOCK_ON),
    (
        "tokio::runtime::Runtime",
        "spawn",
        Api::new(Ret::TaskHandle),
    ),
    (
        "tokio::runtime::Runtime",
        "spawn_blocking",
        Api::new(Ret::TaskHandle).role(Role::Offloads),
    ),
    ("tokio::runtime::Handle", "block_on", BLOCK_ON),
    ("tokio::runtime::Handle", "spawn", Api::new(Ret::TaskHandle)),
    (
        "tokio::runtime::Handle",
        "spawn_blocking",
        Api::new(Ret::TaskHandle).role(Role::Offloads),
    ),
    (
        "tokio::runtime::Builder",
        "enable_all",
        Api::new(Ret::Type("tokio::runtime::Builder")),
    ),
    (
        "tokio::runtime::Builder",
        "enable_time",
        Api::new(Ret::Type("tokio::runtime::Builder")),
    ),
    (
        "tokio::runtime::Builder",
        "enable_io",
        Api::new(Ret::Type("tokio::runtime::Builder")),
    ),
    (
        "tokio::runtime::Builder",
        "worker_threads",
        Api::new(Ret::Type("tokio::runtime::Builder")),
    ),
    (
        "tokio::runtime::Builder",
        "thread_name",
        Api::new(Ret::Type("tokio::runtime::Builder")),
    ),
    ("tokio::runtime::Builder", "build", BUILD_RUNTIME),
    ("tokio::task::LocalSet", "block_on", BLOCK_ON),
    ("tokio::task::LocalSet", "run_until", FUT),
    (
        "tokio::task::LocalSet",
        "spawn_local",
        Api::new(Ret::TaskHandle),
    ),
    ("tokio::task::JoinSet", "join_next", FUT),
    ("tokio::task::JoinSet", "shutdown", FUT),
    ("tokio::task::JoinSet", "join_all", FUT),
    ("tokio::task::JoinHandle", "abort", Api::new(Ret::Unknown)),
    ("tokio::sync::mpsc::Sender", "send", FUT),
    ("tokio::sync::mpsc::Sender", "reserve", FUT),
    ("tokio::sync::mpsc::Sender", "reserve_owned", FUT),
    ("tokio::sync::mpsc::Sender", "closed", FUT),
    ("tokio::sync::mpsc::Sender", "send_timeout", FUT),
    ("tokio::sync::mpsc::Sender", "blocking_send", BLOCKING),
    ("tokio::sync::mpsc::Receiver", "recv", FUT),
    ("tokio::sync::mpsc::Receiver", "recv_many", FUT),
    ("tokio::sync::mpsc::Receiver", "blocking_recv", BLOCKING),
    ("tokio::sync::mpsc::UnboundedSender", "closed", FUT),
    ("tokio::sync::mpsc::UnboundedReceiver", "recv", FUT),
    ("tokio::sync::mpsc::UnboundedReceiver", "recv_many", FUT),
    (
        "tokio::sync::mpsc::UnboundedReceiver",
        "blocking_recv",
        BLOCKING,
    ),
    ("tokio::sync::broadcast::Receiver", "recv", FUT),
    ("tokio::sync::watch::Receiver", "changed", FUT),
    ("tokio::sync::watch::Sender", "closed", FUT),
    ("tokio::sync::oneshot::Sender", "closed", FUT),
    ("tokio::sync::Mutex", "lock", FUT),
    ("tokio::sync::Mutex", "lock_owned", FUT),
    ("tokio::sync::Mutex", "blocking_lock", BLOCKING),
    ("tokio::sync::RwLock", "read", FUT),
    ("tokio::sync::RwLock", "write", FUT),
    ("tokio::sync::RwLock", "blocking_read", BLOCKING),
    ("tokio::sync::RwLock", "blocking_write", BLOCKING),
    ("tokio::sync::Semaphore", "acquire", FUT),
    ("tokio::sync::Semaphore", "acquire_owned", FUT),
    ("tokio::sync::Semaphore", "acquire_many", FUT),
    ("tokio::sync::Notify", "notified", FUT),
    ("tokio::sync::Notify", "notified_owned", FUT),
    ("tokio::sync::Barrier", "wait", FUT),
    ("tokio::time::Interval", "tick", FUT),
    ("tokio::net::TcpListener", "accept", FUT),
    ("tokio::net::UnixListener", "accept", FUT),
    ("tokio::net::UdpSocket", "send_to", FUT),
    ("tokio::net::UdpSocket", "recv_from", FUT),
    ("tokio::net::UdpSocket", "send", FUT),
    ("tokio::net::UdpSocket", "recv", FUT),
    ("tokio::net::UdpSocket", "connect", FUT),
    ("tokio::process::Command", "output", FUT),
    ("tokio::process::Command", "status", FUT),
    (
        "tokio::process::Command",
        "arg",
        Api::new(Ret::Type("tokio::process::Command")),
    ),
    (
        "tokio::process::Command",
        "args",
        Api::new(Ret::Type("tokio::process::Command")),
    ),
    ("tokio::process::Child", "wait", FUT),
    ("tokio::process::Child", "wait_with_output", FUT),
    ("tokio::process::Child", "kill", FUT),
    ("tokio::fs::File", "sync_all", FUT),
    ("tokio::fs::File", "sync_data", FUT),
    ("tokio::fs::File", "set_len", FUT),
    ("tokio::fs::File", "metadata", FUT),
    ("tokio::io::Lines", "next_line", FUT),
    ("tokio_util::task::TaskTracker", "wait", FUT),
    ("tokio_util::sync::CancellationToken", "cancelled", FUT),
];

/// Types that implement tokio's `AsyncRead`/`AsyncWrite`, whose extension-trait methods
/// ([`ASYNC_IO_METHODS`]) return futures.
pub const ASYNC_IO_TYPES: &[&str] = &[
    "tokio::net::TcpStream",
    "tokio::net::UnixStream",
    "tokio::fs::File",
    "tokio::io::Stdin",
    "tokio::io::Stdout",
    "tokio::io::Stderr",
    "tokio::io::BufReader",
    "tokio::io::BufWriter",
    "tokio::io::BufStream",
    "tokio::io::DuplexStream",
    "tokio::process::ChildStdin",
    "tokio::process::ChildStdout",
    "tokio::process::ChildStderr",
    "tokio::net::tcp::OwnedReadHalf",
    "tokio::net::tcp::OwnedWriteHalf",
    "tokio::net::tcp::ReadHalf",
    "tokio::net::tcp::WriteHalf",
    "tokio::net::unix::OwnedReadHalf",
    "tokio::net::unix::OwnedWriteHalf",
    "tokio::net::unix::ReadHalf",
    "tokio::net::unix::WriteHalf",
    "tokio::io::ReadHalf",
    "tokio::io::WriteHalf",
];

pub const ASYNC_IO_METHODS: &[&str] = &[
    "read",
    "read_exact",
    "read_to_end",
    "read_to_string",
    "read_buf",
    "read_line",
    "read_until",
    "read_u8",
    "read_u16",
    "read_u32",
    "read_u64",
    "read_i32",
    "read_i64",
    "write",
    "write_all",
    "write_buf",
    "write_all_buf",
    "write_u8",
    "write_u32",
    "write_u64",
    "flush",
    "shutdown",
    "readable",
    "writable",
    "ready",
    "peek",
    "fill_buf",
];

/// Types that are futures themselves.
pub const FUTURE_TYPES: &[&str] = &[
    "tokio::time::Sleep",
    "tokio::time::Timeout",
    "tokio::sync::futures::Notified",
    "tokio::sync::futures::OwnedNotified",
];

/// Types that are futures but are first used through their methods (spawning onto a
/// `LocalSet`), so they stay typed values until dropped.
pub const FUTURE_OBJECT_TYPES: &[&str] = &["tokio::task::LocalSet"];

/// Task handles.
pub const HANDLE_TYPES: &[&str] = &["tokio::task::JoinHandle", "async_std::task::JoinHandle"];

/// Whether a blocking call of tokio's panics when made on a runtime thread: its sync primitives'
/// `blocking_*` methods (`Receiver::blocking_recv`, `Sender::blocking_send`,
/// `Mutex::blocking_lock`, `RwLock::blocking_read`, ...) say so in their docs.
pub fn panics_on_runtime_thread(callee: &str) -> bool {
    callee.starts_with("tokio::")
        && callee
            .rsplit("::")
            .next()
            .is_some_and(|name| name.starts_with("blocking_"))
}
