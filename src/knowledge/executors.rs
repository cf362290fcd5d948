//! futures, async-std, smol and the small `block_on` executors.

use super::Effect;
use super::{Api, FnRow, MethodRow, Ret, Role, BLOCKING, BLOCK_ON, FUT, FUT_UNIT};

pub const FNS: &[FnRow] = &[
    ("futures::executor::block_on", BLOCK_ON),
    ("futures::block_on", BLOCK_ON),
    ("futures::future::block_on", BLOCK_ON),
    // async-std's `block_on` is re-entrant: inside async code it blocks the thread, no panic.
    ("async_std::task::block_on", BLOCKING),
    ("smol::block_on", BLOCK_ON),
    ("async_io::block_on", BLOCK_ON),
    ("pollster::block_on", BLOCK_ON),
    ("async_global_executor::block_on", BLOCK_ON),
    ("extreme::run", BLOCK_ON),
    ("futures::future::join", FUT),
    ("futures::future::join3", FUT),
    ("futures::future::join_all", FUT),
    ("futures::future::try_join", FUT),
    ("futures::future::try_join_all", FUT),
    ("futures::future::select", FUT),
    ("futures::future::select_all", FUT),
    ("futures::future::select_ok", FUT),
    ("futures::future::ready", FUT),
    ("futures::future::pending", FUT),
    // futures-lite's `future::yield_now` (its crate name maps to `futures`).
    ("futures::future::yield_now", FUT),
    ("futures::future::lazy", FUT),
    ("futures::future::poll_fn", FUT),
    ("futures::future::ok", FUT),
    ("futures::future::err", FUT),
    ("std::future::ready", FUT),
    ("std::future::pending", FUT),
    ("std::future::poll_fn", FUT),
    (
        "futures::stream::FuturesUnordered::new",
        Api::new(Ret::Type("futures::stream::FuturesUnordered")),
    ),
    (
        "futures::channel::oneshot::channel",
        Api::new(Ret::Pair(
            "futures::channel::oneshot::Sender",
            "futures::channel::oneshot::Receiver",
        )),
    ),
    (
        "futures::channel::mpsc::channel",
        Api::new(Ret::Pair(
            "futures::channel::mpsc::Sender",
            "futures::channel::mpsc::Receiver",
        )),
    ),
    ("async_std::task::spawn", Api::new(Ret::TaskHandle)),
    (
        "async_std::task::spawn_blocking",
        Api::new(Ret::TaskHandle).role(Role::Offloads),
    ),
    ("async_std::task::sleep", FUT_UNIT),
    ("async_std::task::yield_now", FUT_UNIT),
    ("async_std::future::timeout", FUT),
    ("async_std::fs::read", FUT),
    ("async_std::fs::read_to_string", FUT),
    ("async_std::fs::write", FUT),
    ("async_std::net::TcpStream::connect", FUT),
    ("async_std::net::TcpListener::bind", FUT),
    // A smol `Task` is cancelled when dropped: losing it loses the work, like a future.
    ("smol::spawn", Api::new(Ret::Future(None))),
    ("smol::Timer::after", FUT),
    ("smol::unblock", FUT.role(Role::Offloads)),
    ("blocking::unblock", FUT.role(Role::Offloads)),
    ("async_io::Timer::after", FUT),
    ("futures_timer::Delay::new", FUT),
];

pub const METHODS: &[MethodRow] = &[
    // event-listener (async-std's, smol's and async-lock's notifications): a listener is a
    // future that waits for the event.
    ("event_listener::Event", "listen", FUT),
    // async-lock: futures declared and made futures by another crate's macro
    // (event-listener-strategy's `easy_wrapper!`), so its sources do not say they are.
    ("async_lock::Mutex", "lock", FUT),
    ("async_lock::Mutex", "lock_arc", FUT),
    ("async_lock::RwLock", "read", FUT),
    ("async_lock::RwLock", "write", FUT),
    ("async_lock::RwLock", "upgradable_read", FUT),
    ("async_lock::RwLock", "read_arc", FUT),
    ("async_lock::RwLock", "write_arc", FUT),
    ("async_lock::RwLock", "upgradable_read_arc", FUT),
    ("async_lock::Barrier", "wait", FUT),
    ("async_lock::Semaphore", "acquire", FUT),
    ("async_lock::Semaphore", "acquire_arc", FUT),
    ("futures::stream::FuturesUnordered", "next", FUT),
    ("futures::channel::mpsc::Sender", "send", FUT),
    ("futures::executor::LocalPool", "run_until", BLOCK_ON),
    (
        "futures::executor::ThreadPool",
        "spawn_ok",
        Api::new(Ret::Unknown),
    ),
    ("smol::Executor", "run", FUT),
    ("smol::LocalExecutor", "run", FUT),
    ("async_std::task::JoinHandle", "cancel", FUT),
    ("smol::Task", "cancel", FUT),
    ("async_executor::Executor", "run", FUT),
    ("smol::Executor", "spawn", Api::new(Ret::Future(None))),
    (
        "async_executor::Executor",
        "spawn",
        Api::new(Ret::Future(None)),
    ),
    (
        "futures::executor::LocalPool",
        "run",
        Api::new(Ret::Unknown).effect(Effect::BlockOn),
    ),
];

/// Types that are futures whose loss loses work. Channel receivers are futures too, but dropping
/// one only says the reply is not wanted, so they are not listed.
pub const FUTURE_TYPES: &[&str] = &[
    "futures::future::BoxFuture",
    "futures::future::LocalBoxFuture",
    "futures::future::Ready",
    "futures::future::Shared",
    "smol::Task",
    "async_task::Task",
    "futures_timer::Delay",
    "event_listener::EventListener",
];
