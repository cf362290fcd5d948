//! Typed tables of external APIs: which functions and methods return futures, spawn, block,
//! enter or build a runtime, offload closures to other threads, or drop their argument.
//! One place for all of it; users extend it in config ([`Knowledge::add_user_paths`]).

pub mod builtins;
pub mod cancel_safety;
mod executors;
pub mod generic_api;
pub mod orphans;
pub mod path_str;
pub mod runtimes;
mod std_lib;
pub mod streams;
mod tokio;
pub use tokio::panics_on_runtime_thread;
mod web;

use path_str::{first_segment, last_separator};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A known effect of a call on the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// Enters an executor and blocks on a future (`block_on`).
    BlockOn,
    /// Builds a runtime.
    BuildsRuntime,
    /// Blocks the calling thread.
    Blocking,
    /// Needs a runtime to be running (`tokio::spawn`, `Handle::current()`).
    NeedsRuntime,
}

/// What a call of an API gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    Unknown,
    /// A future; the path is the type `.await` gives, if known (may be `Result<T>` written as `Result<path>`).
    Future(Option<&'static str>),
    /// A future whose output is `Result<path, _>`.
    FutureResult(&'static str),
    TaskHandle,
    ThreadHandle,
    /// A value of this type.
    Type(&'static str),
    /// `Result<path, _>`.
    ResultOf(&'static str),
    /// A pair, as channel constructors give.
    Pair(&'static str, &'static str),
    /// A sync lock guard.
    Guard,
    /// `Result<guard, _>` (std's `lock()`).
    GuardResult,
    /// Whatever the first argument is (`Box::pin`, `Box::new`, `Arc::new`, `identity`).
    FirstArg,
}

/// What a call does to its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Plain,
    /// Drops its argument (`drop`, `mem::forget`).
    Dropper,
    /// Runs its closure argument on another thread or where blocking is allowed.
    Offloads,
    /// Its closure argument runs with a runtime entered (`Runtime::enter` style scopes are
    /// handled by the walk; this is for `block_on` of a future made from an async block).
    Bridge,
}

/// One API entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api {
    pub ret: Ret,
    pub effect: Option<Effect>,
    pub role: Role,
}

impl Api {
    pub const fn new(ret: Ret) -> Api {
        Api {
            ret,
            effect: None,
            role: Role::Plain,
        }
    }
    pub const fn effect(mut self, effect: Effect) -> Api {
        self.effect = Some(effect);
        self
    }
    pub const fn role(mut self, role: Role) -> Api {
        self.role = role;
        self
    }
}

/// A table row for a free function or associated function: its full path.
pub type FnRow = (&'static str, Api);
/// A table row for a method: the receiver's type path, the method name.
pub type MethodRow = (&'static str, &'static str, Api);

pub const FUT: Api = Api::new(Ret::Future(None));
/// A future whose output is `()`: `.await` on it as a statement is a safe fix.
pub const FUT_UNIT: Api = Api::new(Ret::Future(Some("()")));
pub const BLOCKING: Api = Api::new(Ret::Unknown).effect(Effect::Blocking);
pub const BLOCK_ON: Api = Api::new(Ret::Unknown)
    .effect(Effect::BlockOn)
    .role(Role::Bridge);

/// The merged tables, built once per run.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    fns: HashMap<String, Api>,
    /// Type path → method name → entry.
    methods: HashMap<String, HashMap<String, Api>>,
    /// (crate, last one or two path segments) → the table's path and entry, for the crates the
    /// tables describe when they are analysed themselves (tokio's own `task::block_in_place`
    /// is defined in `tokio::task::blocking`); `None` when ambiguous.
    fn_by_crate_and_tail: HashMap<String, HashMap<String, Vec<(String, Api)>>>,
    /// Every type path the tables name.
    known_types: HashSet<String>,
    /// (crate, last segment of type) → canonical type path, for re-exported type paths;
    /// `None` when several known types share the name (`mpsc::Sender`, `oneshot::Sender`).
    type_by_crate_and_name: HashMap<String, HashMap<String, Option<String>>>,
    /// Future-returning methods of the async I/O extension traits, for known async I/O types.
    async_io_methods: Vec<&'static str>,
    async_io_types: Vec<&'static str>,
    /// Types whose values are futures themselves (`.await` on them is fine; dropping is a loss).
    future_types: Vec<&'static str>,
}

/// Known kinds of types, for classifying written types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    Future,
    TaskHandle,
    ThreadHandle,
    Guard,
    Other,
}

impl Knowledge {
    pub fn builtin() -> Knowledge {
        let mut k = Knowledge::default();
        for rows in [
            tokio::FNS,
            executors::FNS,
            std_lib::FNS,
            web::FNS,
            web::ACTIX_FNS,
            streams::FNS,
            orphans::FNS,
        ] {
            for (path, api) in rows {
                k.fns.insert((*path).to_string(), *api);
                // Types the tables return are known types too: `futures`' oneshot `Sender` is
                // not its mpsc `Sender` (whose `send` is async).
                match api.ret {
                    Ret::Type(t) | Ret::ResultOf(t) => k.register_type(t),
                    Ret::Pair(a, b) => {
                        k.register_type(a);
                        k.register_type(b);
                    }
                    _ => {}
                }
                if let Some((krate, tail)) = tail_key(path) {
                    k.fn_by_crate_and_tail
                        .entry(krate.to_string())
                        .or_default()
                        .entry(tail.to_string())
                        .or_default()
                        .push(((*path).to_string(), *api));
                }
            }
        }
        for rows in [
            tokio::METHODS,
            executors::METHODS,
            std_lib::METHODS,
            web::METHODS,
            web::ACTIX_METHODS,
        ] {
            for (ty, name, api) in rows {
                k.add_method(ty, name, *api);
            }
        }
        k.async_io_methods = tokio::ASYNC_IO_METHODS.to_vec();
        k.async_io_types = tokio::ASYNC_IO_TYPES.to_vec();
        for ty in tokio::ASYNC_IO_TYPES {
            k.register_type(ty);
        }
        k.future_types = [tokio::FUTURE_TYPES, executors::FUTURE_TYPES].concat();
        for ty in k.future_types.clone() {
            k.register_type(ty);
        }
        for ty in [std_lib::GUARD_TYPES, tokio::HANDLE_TYPES, streams::TYPES].concat() {
            k.register_type(ty);
        }
        k
    }

    fn add_method(&mut self, ty: &str, name: &str, api: Api) {
        self.register_type(ty);
        self.methods
            .entry(ty.to_string())
            .or_default()
            .insert(name.to_string(), api);
    }

    fn register_type(&mut self, ty: &str) {
        if !self.known_types.insert(ty.to_string()) {
            return;
        }
        let first = first_segment(ty);
        let by_name = self
            .type_by_crate_and_name
            .entry(first.to_string())
            .or_default();
        for tail in type_tails(ty).into_iter().flatten() {
            by_name
                .entry(tail.to_string())
                .and_modify(|e| *e = None)
                .or_insert_with(|| Some(ty.to_string()));
        }
    }

    /// Adds in-house paths from configuration. A path `a::b::f` names a function; `a::b::T::m`
    /// names a method of `T` when `T` starts with an uppercase letter.
    pub fn add_user_paths(&mut self, paths: &[String], api: Api) {
        for path in paths {
            self.fns.insert(path.clone(), api);
            let segs: Vec<&str> = path.split("::").collect();
            if segs.len() >= 2 {
                let ty = segs[..segs.len() - 1].join("::");
                if segs[segs.len() - 2].starts_with(|c: char| c.is_ascii_uppercase()) {
                    self.add_method(&ty, segs[segs.len() - 1], api);
                }
            }
        }
    }

    /// The canonical form of an external type path (`tokio::sync::mpsc::bounded::Sender` →
    /// `tokio::sync::mpsc::Sender`).
    pub fn canonical_type<'a>(&'a self, path: &'a str) -> &'a str {
        if self.known_types.contains(path) {
            return path;
        }
        let first = normalize_crate(first_segment(path));
        let Some(by_name) = self.type_by_crate_and_name.get(first) else {
            return path;
        };
        // `mpsc::Sender` first, then `Sender` alone.
        for tail in type_tails(path).into_iter().flatten() {
            if let Some(Some(canon)) = by_name.get(tail) {
                return canon;
            }
        }
        path
    }

    /// A function of the analysed workspace that is one of the tables' own (when tokio or
    /// futures are themselves analysed): matched by crate and the last path segments.
    ///
    /// Entries of one crate that share the last segments but differ (`futures::future::select`
    /// and `futures::stream::select`) are told apart by the module the table's path names just
    /// before the item: the internal path must pass through it
    /// (`futures_util::future::select::select`).
    pub fn function_in_crate(&self, internal_path: &str) -> Option<(&str, Api)> {
        let (krate, tail) = tail_key(internal_path)?;
        let entries = self.fn_by_crate_and_tail.get(krate)?.get(tail)?;
        let (first, rest) = entries.split_first()?;
        if rest.iter().all(|(_, a)| *a == first.1) {
            return Some((&first.0, first.1));
        }
        let inner: Vec<&str> = internal_path.split("::").skip(1).collect();
        let inner = &inner[..inner.len().saturating_sub(1)];
        let mut passing = entries.iter().filter(|(path, _)| {
            let segs: Vec<&str> = path.split("::").collect();
            let tail_len = tail.split("::").count();
            segs.len() > tail_len + 1 && inner.contains(&segs[segs.len() - tail_len - 1])
        });
        match (passing.next(), passing.next()) {
            (Some((path, api)), None) => Some((path, *api)),
            _ => None,
        }
    }

    /// Whether the tables describe any type of crate `krate` (`tokio`, `reqwest`).
    pub fn describes_crate(&self, krate: &str) -> bool {
        self.type_by_crate_and_name
            .contains_key(normalize_crate(krate))
    }

    /// A free or associated function by its resolved path.
    pub fn function(&self, path: &str) -> Option<Api> {
        if let Some(api) = self.fns.get(path) {
            return Some(*api);
        }
        // `futures_util::future::join_all` and `futures::future::join_all` are the same.
        let mut segs: Vec<&str> = path.split("::").collect();
        let first = normalize_crate(segs[0]);
        if first != segs[0] {
            segs[0] = first;
            if let Some(api) = self.fns.get(&segs.join("::")) {
                return Some(*api);
            }
        }
        // Shared-pointer constructors of crates that mirror std (`loom::sync::Arc::new`,
        // `portable_atomic_util::Arc::new`): the value is the argument's.
        if let [.., ty @ ("Arc" | "Rc"), "new"] = segs.as_slice() {
            return self.fns.get(&format!("{ty}::new")).copied();
        }
        // An associated function of a re-exported type: canonicalise the type part.
        if segs.len() >= 3 {
            let ty = segs[..segs.len() - 1].join("::");
            let canon = self.canonical_type(&ty);
            if canon != ty {
                return self
                    .fns
                    .get(&format!("{canon}::{}", segs[segs.len() - 1]))
                    .copied();
            }
        }
        None
    }

    /// A method of a known external type.
    pub fn method(&self, ty: &str, name: &str) -> Option<Api> {
        let canon = self.canonical_type(ty);
        if let Some(api) = self.methods.get(canon).and_then(|m| m.get(name)) {
            return Some(*api);
        }
        if self.async_io_types.contains(&canon) && self.async_io_methods.contains(&name) {
            return Some(FUT);
        }
        if streams::TYPES.contains(&canon) || canon == streams::STREAM_TYPE {
            return streams::method(name);
        }
        None
    }

    /// Whether a resolved external type path is known, and what kind it is.
    pub fn classify_type(&self, path: &str) -> TypeClass {
        let canon = self.canonical_type(path);
        if self.future_types.contains(&canon) {
            return TypeClass::Future;
        }
        if tokio::HANDLE_TYPES.contains(&canon) {
            return TypeClass::TaskHandle;
        }
        if canon == "std::thread::JoinHandle" {
            return TypeClass::ThreadHandle;
        }
        if std_lib::GUARD_TYPES.contains(&canon) {
            return TypeClass::Guard;
        }
        TypeClass::Other
    }
}

impl Knowledge {
    /// An external type whose values are futures but are also used as objects first (methods
    /// on them give other values), so they are typed values until dropped.
    pub fn is_future_object(&self, path: &str) -> bool {
        tokio::FUTURE_OBJECT_TYPES.contains(&self.canonical_type(path))
    }
}

/// What a glob import of an external path makes `name` mean, when the tables can tell:
/// `use futures::prelude::*;` brings the `future`, `stream` and `sink` modules; any other glob of
/// a path the tables describe brings the items they list under it (`use tokio::time::*;` then
/// `sleep(..)`).
pub fn glob_export(glob: &str, name: &str) -> Option<String> {
    static PATHS: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    let mut segs: Vec<&str> = glob.split("::").collect();
    segs[0] = normalize_crate(segs[0]);
    if let [krate, "prelude"] = segs.as_slice() {
        if matches!(*krate, "futures" | "smol") && matches!(name, "future" | "stream" | "sink") {
            return Some(format!("futures::{name}"));
        }
        return None;
    }
    let full = format!("{}::{name}", segs.join("::"));
    let paths = PATHS.get_or_init(|| {
        let k = Knowledge::builtin();
        let mut all = HashSet::default();
        for p in k.fns.keys().chain(k.known_types.iter()) {
            let mut prefix = String::new();
            for seg in p.split("::") {
                if !prefix.is_empty() {
                    prefix.push_str("::");
                }
                prefix.push_str(seg);
                all.insert(prefix.clone());
            }
        }
        all
    });
    paths.contains(&full).then_some(full)
}

/// Type names that implement `Future` but are handles or channel ends: dropping one detaches a
/// task or closes a channel, which is not losing a future.
pub fn is_handle_like_name(name: &str) -> bool {
    const PARTS: &[&str] = &[
        "Handle",
        "Receiver",
        "Sender",
        "Rx",
        "Tx",
        "Listener",
        "Stream",
        "Sink",
        "Task",
        "Guard",
        "Permit",
        "Channel",
        "Connection",
        "Conn",
    ];
    PARTS.iter().any(|p| name.contains(p))
}

/// An associated type known only by its `Future` bound whose name says handle or channel end
/// (`type JoinHandle<T>: Future`, what a runtime trait's `spawn` gives), and not future
/// (`ConnectFuture`): dropping one detaches the work or closes the channel, so it is not taken
/// for a lazy future.
pub fn is_handle_like_assoc(name: &str) -> bool {
    is_handle_like_name(name) && !name.ends_with("Future")
}

/// The last two segments of a type path (`mpsc::Sender`), then the last one (`Sender`).
fn type_tails(path: &str) -> [Option<&str>; 2] {
    let Some(last_sep) = last_separator(path) else {
        return [None, Some(path)];
    };
    let last = &path[last_sep + 2..];
    // Three segments or more: the last two, from the separator before the last one.
    let two = last_separator(&path[..last_sep]).map(|sep| &path[sep + 2..]);
    [two, Some(last)]
}

/// (crate, `Type::name`) or, for free functions, (crate, `name`): slices of `path`, the crate
/// normalised.
fn tail_key(path: &str) -> Option<(&str, &str)> {
    let last_sep = last_separator(path)?;
    let krate = normalize_crate(first_segment(path));
    let before = &path[..last_sep];
    let parent_start = last_separator(before).map(|sep| sep + 2);
    match parent_start {
        Some(start) if path[start..].starts_with(|c: char| c.is_ascii_uppercase()) => {
            Some((krate, &path[start..]))
        }
        _ => Some((krate, &path[last_sep + 2..])),
    }
}

/// Facade crates re-export their parts: `futures_util::x` is `futures::x`.
pub(crate) fn normalize_crate(first: &str) -> &str {
    match first {
        "futures_util" | "futures_executor" | "futures_core" | "futures_lite" => "futures",
        "core" | "alloc" => "std",
        other => other,
    }
}

/// Whether a method named `name`, on a receiver of unknown type, may be a sync method: a name
/// too common as a sync method, or one std's types define as a sync method.
/// Whether `name` is one of std's sync methods (`clone`, `len`).
pub fn std_sync_method(name: &str) -> bool {
    std_lib::SYNC_METHOD_NAMES.contains(&name)
}

pub fn maybe_sync_method(name: &str) -> bool {
    COMMON_SYNC_METHODS.contains(&name) || std_lib::SYNC_METHOD_NAMES.contains(&name)
}

/// Method names that, on a receiver of unknown type, are too common as sync methods to be taken
/// for the async methods of the same name that the workspace defines.
pub const COMMON_SYNC_METHODS: &[&str] = &[
    "new",
    "get",
    "get_mut",
    "set",
    "insert",
    "remove",
    "push",
    "pop",
    "send",
    "recv",
    "len",
    "is_empty",
    "clone",
    "lock",
    "read",
    "write",
    "close",
    "flush",
    "run",
    "start",
    "stop",
    "call",
    "handle",
    "process",
    "update",
    "apply",
    "build",
    "next",
    "poll",
    "wait",
    "join",
    "spawn",
    "take",
    "map",
    "iter",
    "into_iter",
    "contains",
    "extend",
    "clear",
    "drain",
    "reset",
    "finish",
    "shutdown",
    "init",
    "load",
    "save",
    "store",
    "parse",
    "from",
    "into",
    "to_string",
    "as_ref",
    "fmt",
    "drop",
    "deref",
    "borrow",
    "unwrap",
    "expect",
    "ok",
    "err",
    "and_then",
    "then",
    "filter",
    "collect",
    "fold",
    "for_each",
    "count",
    "first",
    "last",
    "find",
    "position",
    "any",
    "all",
    "max",
    "min",
    "sum",
    "sort",
    "append",
    "split",
    "merge",
    "register",
    "unregister",
    "notify",
    "emit",
    "dispatch",
    "execute",
    "query",
    "open",
    "accept",
    "connect",
    "bind",
    "listen",
    "serve",
    "request",
    "respond",
    "response",
    "encode",
    "decode",
    "serialize",
    "deserialize",
    "validate",
    "check",
    "commit",
    "rollback",
    "begin",
    "end",
    "abort",
    "cancel",
    "subscribe",
    "publish",
    "tick",
    "step",
    "advance",
    "sleep",
    "yield_now",
    "ready",
    "is_ready",
    "with",
    "on",
    "off",
    "enable",
    "disable",
    "add",
    "sub",
    "del",
    "delete",
    "put",
    "post",
    "head",
    "patch",
    "options",
    "send_to",
    "recv_from",
    "peek",
    "seek",
    "sync",
    "sync_all",
    "copy",
    "rename",
    "metadata",
    "exists",
    "create",
    "destroy",
    "refresh",
    "reload",
    "resolve",
    "lookup",
    "fetch",
    "pull",
    "push_back",
    "push_front",
    "pop_back",
    "pop_front",
    "release",
    "acquire",
    "try_acquire",
    "poll_ready",
    "poll_next",
    "ping",
    "health",
    "status",
    "stats",
    "wake",
    // std collections, strings, slices, options and I/O: names a workspace may reuse for async
    // methods of its own types.
    "set_len",
    "truncate",
    "reserve",
    "resize",
    "shrink_to_fit",
    "split_off",
    "retain",
    "dedup",
    "swap",
    "sort_by",
    "sort_unstable",
    "reverse",
    "entry",
    "keys",
    "values",
    "values_mut",
    "iter_mut",
    "capacity",
    "as_slice",
    "as_str",
    "as_bytes",
    "to_vec",
    "to_owned",
    "chunks",
    "windows",
    "concat",
    "starts_with",
    "ends_with",
    "trim",
    "lines",
    "bytes",
    "chars",
    "replace",
    "get_ref",
    "into_inner",
    "take_while",
    "skip",
    "zip",
    "chain",
    "rev",
    "peekable",
    "cloned",
    "copied",
    "flatten",
    "flat_map",
    "filter_map",
    "enumerate",
    "read_exact",
    "read_to_end",
    "read_to_string",
    "read_line",
    "read_buf",
    "write_all",
    "write_fmt",
    "set_position",
    "fill_buf",
    "consume",
    "try_lock",
    "try_recv",
    "try_send",
    "recv_timeout",
    "upgrade",
    "downgrade",
    "make_mut",
    "get_or_insert",
    "get_or_insert_with",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "map_err",
    "ok_or",
    "unwrap_or",
];

#[cfg(test)]
mod tests {
    use super::{Knowledge, Ret};

    #[test]
    fn a_crates_own_fn_is_told_apart_by_the_module_its_path_passes_through() {
        let k = Knowledge::builtin();
        let (path, api) = k
            .function_in_crate("futures_util::future::select::select")
            .expect("the future combinator");
        assert_eq!(path, "futures::future::select");
        assert!(matches!(api.ret, Ret::Future(_)));
        let (path, _) = k
            .function_in_crate("futures_util::stream::select::select")
            .expect("the stream combinator");
        assert_eq!(path, "futures::stream::select");
        // Through neither module: which one is meant is unknown.
        assert!(k
            .function_in_crate("futures_util::select::select")
            .is_none());
        // A tail only one entry has needs no module.
        assert!(k
            .function_in_crate("futures_util::future::join_all::join_all")
            .is_some());
    }
}
