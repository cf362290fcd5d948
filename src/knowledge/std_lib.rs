//! The standard library: blocking calls, threads, locks, channels, dropping.

use super::Effect;
use super::{Api, FnRow, MethodRow, Ret, Role, BLOCKING};

const DROP: Api = Api::new(Ret::Unknown).role(Role::Dropper);
const FIRST: Api = Api::new(Ret::FirstArg);
const THREAD: Api = Api::new(Ret::ThreadHandle).role(Role::Offloads);
const BLOCKING_FILE: Api = Api::new(Ret::ResultOf("std::fs::File")).effect(Effect::Blocking);
const GUARD_RESULT: Api = Api::new(Ret::GuardResult);

pub const FNS: &[FnRow] = &[
    ("drop", DROP),
    ("std::mem::drop", DROP),
    ("std::mem::forget", DROP),
    ("std::mem::take", Api::new(Ret::FirstArg)),
    ("Box::pin", FIRST),
    ("Box::new", FIRST),
    ("std::boxed::Box::pin", FIRST),
    ("std::boxed::Box::new", FIRST),
    ("std::pin::Pin::new", FIRST),
    ("Arc::new", FIRST),
    ("std::sync::Arc::new", FIRST),
    ("Rc::new", FIRST),
    ("Arc::clone", FIRST),
    ("std::sync::Arc::clone", FIRST),
    ("Rc::clone", FIRST),
    ("std::rc::Rc::clone", FIRST),
    ("std::rc::Rc::new", FIRST),
    ("Some", Api::new(Ret::Unknown)),
    ("std::convert::identity", FIRST),
    ("std::thread::spawn", THREAD),
    (
        "std::thread::scope",
        Api::new(Ret::Unknown).role(Role::Offloads),
    ),
    (
        "std::thread::Builder::new",
        Api::new(Ret::Type("std::thread::Builder")),
    ),
    ("std::thread::sleep", BLOCKING),
    ("std::thread::sleep_ms", BLOCKING),
    ("std::thread::park", BLOCKING),
    ("std::thread::park_timeout", BLOCKING),
    ("std::fs::read", BLOCKING),
    ("std::fs::read_to_string", BLOCKING),
    ("std::fs::write", BLOCKING),
    ("std::fs::copy", BLOCKING),
    ("std::fs::rename", BLOCKING),
    ("std::fs::remove_file", BLOCKING),
    ("std::fs::remove_dir", BLOCKING),
    ("std::fs::remove_dir_all", BLOCKING),
    ("std::fs::create_dir", BLOCKING),
    ("std::fs::create_dir_all", BLOCKING),
    ("std::fs::metadata", BLOCKING),
    ("std::fs::read_dir", BLOCKING),
    ("std::fs::canonicalize", BLOCKING),
    ("std::fs::hard_link", BLOCKING),
    ("std::fs::File::open", BLOCKING_FILE),
    ("std::fs::File::create", BLOCKING_FILE),
    (
        "std::fs::OpenOptions::new",
        Api::new(Ret::Type("std::fs::OpenOptions")),
    ),
    (
        "std::process::Command::new",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::net::TcpStream::connect",
        Api::new(Ret::ResultOf("std::net::TcpStream")).effect(Effect::Blocking),
    ),
    (
        "std::net::TcpStream::connect_timeout",
        Api::new(Ret::ResultOf("std::net::TcpStream")).effect(Effect::Blocking),
    ),
    (
        "std::net::TcpListener::bind",
        Api::new(Ret::ResultOf("std::net::TcpListener")),
    ),
    (
        "std::net::UdpSocket::bind",
        Api::new(Ret::ResultOf("std::net::UdpSocket")),
    ),
    ("std::io::stdin", Api::new(Ret::Type("std::io::Stdin"))),
    (
        "std::sync::mpsc::channel",
        Api::new(Ret::Pair(
            "std::sync::mpsc::Sender",
            "std::sync::mpsc::Receiver",
        )),
    ),
    (
        "std::sync::mpsc::sync_channel",
        Api::new(Ret::Pair(
            "std::sync::mpsc::SyncSender",
            "std::sync::mpsc::Receiver",
        )),
    ),
    (
        "std::sync::Mutex::new",
        Api::new(Ret::Type("std::sync::Mutex")),
    ),
    (
        "std::sync::RwLock::new",
        Api::new(Ret::Type("std::sync::RwLock")),
    ),
    (
        "parking_lot::Mutex::new",
        Api::new(Ret::Type("parking_lot::Mutex")),
    ),
    (
        "parking_lot::RwLock::new",
        Api::new(Ret::Type("parking_lot::RwLock")),
    ),
    (
        "std::sync::Condvar::new",
        Api::new(Ret::Type("std::sync::Condvar")),
    ),
    (
        "std::sync::Barrier::new",
        Api::new(Ret::Type("std::sync::Barrier")),
    ),
    ("reqwest::blocking::get", BLOCKING),
    (
        "reqwest::blocking::Client::new",
        Api::new(Ret::Type("reqwest::blocking::Client")),
    ),
    (
        "reqwest::blocking::Client::builder",
        Api::new(Ret::Type("reqwest::blocking::ClientBuilder")),
    ),
];

pub const METHODS: &[MethodRow] = &[
    (
        "std::thread::Builder",
        "spawn",
        Api::new(Ret::ResultOf("std::thread::JoinHandle")).role(Role::Offloads),
    ),
    (
        "std::thread::Builder",
        "name",
        Api::new(Ret::Type("std::thread::Builder")),
    ),
    (
        "std::thread::Builder",
        "stack_size",
        Api::new(Ret::Type("std::thread::Builder")),
    ),
    (
        "std::thread::Scope",
        "spawn",
        Api::new(Ret::Unknown).role(Role::Offloads),
    ),
    ("std::thread::JoinHandle", "join", BLOCKING),
    ("std::sync::mpsc::Receiver", "recv", BLOCKING),
    ("std::sync::mpsc::Receiver", "recv_timeout", BLOCKING),
    ("std::sync::mpsc::SyncSender", "send", BLOCKING),
    ("std::sync::Mutex", "lock", GUARD_RESULT),
    ("std::sync::RwLock", "read", GUARD_RESULT),
    ("std::sync::RwLock", "write", GUARD_RESULT),
    ("parking_lot::Mutex", "lock", Api::new(Ret::Guard)),
    ("parking_lot::RwLock", "read", Api::new(Ret::Guard)),
    ("parking_lot::RwLock", "write", Api::new(Ret::Guard)),
    ("std::sync::Condvar", "wait", BLOCKING),
    ("std::sync::Condvar", "wait_while", BLOCKING),
    ("std::sync::Condvar", "wait_timeout", BLOCKING),
    ("std::sync::Barrier", "wait", BLOCKING),
    ("std::process::Command", "output", BLOCKING),
    ("std::process::Command", "status", BLOCKING),
    (
        "std::process::Command",
        "arg",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "args",
        Api::new(Ret::Type("std::process::Command")),
    ),
    // `Command`'s builder methods give the command back (`&mut Command`).
    (
        "std::process::Command",
        "current_dir",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "env",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "envs",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "env_remove",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "env_clear",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "stdin",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "stdout",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "stderr",
        Api::new(Ret::Type("std::process::Command")),
    ),
    (
        "std::process::Command",
        "spawn",
        Api::new(Ret::ResultOf("std::process::Child")),
    ),
    ("std::process::Child", "wait", BLOCKING),
    ("std::process::Child", "wait_with_output", BLOCKING),
    ("std::net::TcpListener", "accept", BLOCKING),
    ("std::net::TcpStream", "read", BLOCKING),
    ("std::net::TcpStream", "read_exact", BLOCKING),
    ("std::net::TcpStream", "read_to_end", BLOCKING),
    ("std::net::TcpStream", "read_to_string", BLOCKING),
    ("std::net::UdpSocket", "recv", BLOCKING),
    ("std::net::UdpSocket", "recv_from", BLOCKING),
    ("std::io::Stdin", "read_line", BLOCKING),
    ("std::fs::OpenOptions", "open", BLOCKING_FILE),
    ("std::fs::File", "read_to_string", BLOCKING),
    ("std::fs::File", "read_to_end", BLOCKING),
    ("std::fs::File", "read_exact", BLOCKING),
    ("std::fs::File", "write_all", BLOCKING),
    ("std::fs::File", "sync_all", BLOCKING),
    (
        "reqwest::blocking::Client",
        "get",
        Api::new(Ret::Type("reqwest::blocking::RequestBuilder")),
    ),
    (
        "reqwest::blocking::Client",
        "post",
        Api::new(Ret::Type("reqwest::blocking::RequestBuilder")),
    ),
    ("reqwest::blocking::RequestBuilder", "send", BLOCKING),
];

/// Guards of synchronous locks.
pub const GUARD_TYPES: &[&str] = &[
    "std::sync::MutexGuard",
    "std::sync::RwLockReadGuard",
    "std::sync::RwLockWriteGuard",
    "parking_lot::MutexGuard",
    "parking_lot::RwLockReadGuard",
    "parking_lot::RwLockWriteGuard",
];

/// Names of synchronous methods of std's I/O, file, network, process, thread and lock types. On
/// a receiver of unknown type such a name may be std's own sync method (`file.sync_data()` on a
/// `std::fs::File`), so it is never guessed to be the workspace's async method of the same name.
pub const SYNC_METHOD_NAMES: &[&str] = &[
    // std::fs::File, std::io::{Read, Write, Seek, BufRead}
    "sync_all",
    "sync_data",
    "set_len",
    "metadata",
    "try_clone",
    "set_permissions",
    "set_times",
    "set_modified",
    "read_to_end",
    "read_to_string",
    "read_exact",
    "read_vectored",
    "write_all",
    "write_fmt",
    "write_vectored",
    "flush",
    "seek",
    "rewind",
    "stream_position",
    "read_line",
    "read_until",
    "fill_buf",
    "consume",
    "lines",
    "lock_shared",
    "try_lock",
    "try_lock_shared",
    "unlock",
    // std::net
    "peer_addr",
    "local_addr",
    "shutdown",
    "set_nodelay",
    "set_ttl",
    "set_read_timeout",
    "set_write_timeout",
    "set_nonblocking",
    "take_error",
    "peek",
    "peek_from",
    "accept",
    "incoming",
    "send_to",
    "recv_from",
    "connect",
    "send",
    "recv",
    "set_broadcast",
    // std::process
    "kill",
    "wait",
    "try_wait",
    "wait_with_output",
    "output",
    "status",
    // std::thread, std::sync
    "join",
    "is_finished",
    "unpark",
    "try_recv",
    "recv_timeout",
    "try_send",
    "lock",
    "read",
    "write",
    "notify_one",
    "notify_all",
    "wait_timeout",
    // std::path::Path
    "exists",
    "is_file",
    "is_dir",
    "canonicalize",
    "read_dir",
    "read_link",
];
