//! Value kinds: what the walk knows about the value of an expression, and for futures and
//! handles how it is known ([`Provenance`]).

pub use super::facts::Started;
pub use crate::diagnostic::Provenance;

/// What an expression evaluates to, as far as can be told without a type checker.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Val {
    #[default]
    Unknown,
    /// A future; `output` is what `.await` gives, when known.
    Future {
        output: Option<Box<Val>>,
        origin: String,
        prov: Provenance,
        /// Whether its work had begun (see [`Started`]).
        started: Started,
    },
    /// A spawned task's `JoinHandle` (awaiting it gives the task's result); `output` is what
    /// the task returns, when known.
    TaskHandle {
        origin: String,
        prov: Provenance,
        output: Option<Box<Val>>,
    },
    /// A `std::thread::JoinHandle`.
    ThreadHandle {
        origin: String,
        prov: Provenance,
    },
    /// A value of a known nominal type: a resolved path (`tokio::sync::mpsc::Sender`,
    /// `mycrate::client::Client`) with its type arguments.
    Typed {
        path: String,
        args: Vec<Val>,
    },
    Tuple(Vec<Val>),
    /// A closure or fn value; calling it gives the inner value.
    Callable(Box<Val>),
    /// A guard of a synchronous lock (`std::sync::MutexGuard`, parking_lot's), with the value
    /// it guards (what it derefs to), when known.
    SyncGuard(Box<Val>),
    /// A lazy stream made here (`stream::iter(..)`, `unfold`, a `StreamExt` adaptor of a known
    /// stream): its methods are a stream's ([`crate::knowledge::streams::STREAM_TYPE`]).
    Stream {
        origin: String,
        prov: Provenance,
        /// What the stream yields, when known.
        item: Option<Box<Val>>,
    },
}

impl Val {
    /// A future known from a declaration (see [`Provenance::Proven`]).
    pub fn future(origin: impl Into<String>) -> Val {
        Val::Future {
            output: None,
            origin: origin.into(),
            prov: Provenance::Proven,
            started: Started::No,
        }
    }

    pub fn task_handle(origin: impl Into<String>) -> Val {
        Val::TaskHandle {
            origin: origin.into(),
            prov: Provenance::Proven,
            output: None,
        }
    }

    /// A task handle whose task returns `output` (unknown: not known).
    pub fn task_handle_of(origin: impl Into<String>, output: Val) -> Val {
        Val::TaskHandle {
            origin: origin.into(),
            prov: Provenance::Proven,
            output: (output != Val::Unknown).then(|| Box::new(output)),
        }
    }

    pub fn thread_handle(origin: impl Into<String>) -> Val {
        Val::ThreadHandle {
            origin: origin.into(),
            prov: Provenance::Proven,
        }
    }

    /// How this future or handle is known (`Proven` for any other value: nothing to weigh).
    pub fn provenance(&self) -> Provenance {
        match self {
            Val::Future { prov, .. }
            | Val::TaskHandle { prov, .. }
            | Val::ThreadHandle { prov, .. }
            | Val::Stream { prov, .. } => *prov,
            Val::Callable(ret) => ret.provenance(),
            Val::Typed { args, .. } => args.first().map(Val::provenance).unwrap_or_default(),
            _ => Provenance::Proven,
        }
    }

    /// Whether this future's (or a collection's element future's) work had begun.
    pub fn started(&self) -> Started {
        match self {
            Val::Future { started, .. } => *started,
            Val::Typed { args, .. } => args.first().map(Val::started).unwrap_or_default(),
            _ => Started::No,
        }
    }

    /// This future, its work begun as `how` says; any other value as it is.
    pub fn with_started(self, how: Started) -> Val {
        match self {
            Val::Future {
                output,
                origin,
                prov,
                ..
            } => Val::Future {
                output,
                origin,
                prov,
                started: how,
            },
            other => other,
        }
    }

    /// A future that gives `output` when awaited; any other value as it is.
    pub fn with_output(mut self, output: Option<Box<Val>>) -> Val {
        if let Val::Future { output: o, .. } = &mut self {
            *o = output;
        }
        self
    }

    /// A future named after where it came from (`origin`, as messages say it); any other value
    /// as it is.
    pub fn with_origin(mut self, origin: String) -> Val {
        if let Val::Future { origin: o, .. } = &mut self {
            *o = origin;
        }
        self
    }

    /// The same value, known no better than `p` (for futures and handles, also inside a
    /// callable, a tuple or a collection's element).
    pub fn weakened(self, p: Provenance) -> Val {
        match self {
            Val::Future {
                output,
                origin,
                prov,
                started,
            } => Val::Future {
                output,
                origin,
                prov: prov.weaker(p),
                started,
            },
            Val::TaskHandle {
                origin,
                prov,
                output,
            } => Val::TaskHandle {
                origin,
                prov: prov.weaker(p),
                output,
            },
            Val::ThreadHandle { origin, prov } => Val::ThreadHandle {
                origin,
                prov: prov.weaker(p),
            },
            Val::Stream { origin, prov, item } => Val::Stream {
                origin,
                prov: prov.weaker(p),
                item,
            },
            Val::Callable(ret) => Val::Callable(Box::new(ret.weakened(p))),
            Val::Tuple(parts) => Val::Tuple(parts.into_iter().map(|v| v.weakened(p)).collect()),
            Val::Typed { path, args } => Val::Typed {
                path,
                args: args.into_iter().map(|v| v.weakened(p)).collect(),
            },
            other => other,
        }
    }

    /// The value once its type flowed one step (through a generic bound, an `.await`, a
    /// collection): inferred at best.
    pub fn flowed(self) -> Val {
        self.weakened(Provenance::Inferred)
    }

    pub fn typed(path: impl Into<String>) -> Val {
        Val::Typed {
            path: path.into(),
            args: Vec::new(),
        }
    }

    /// A sync lock's guard of a value not known.
    pub fn sync_guard() -> Val {
        Val::SyncGuard(Box::default())
    }

    pub fn is_sync_guard(&self) -> bool {
        matches!(self, Val::SyncGuard(_))
    }

    pub fn is_future(&self) -> bool {
        matches!(self, Val::Future { .. })
    }

    /// The kind of value whose loss is reported, if this is one.
    pub fn droppable_kind(&self) -> Option<(super::facts::ValueKind, &str)> {
        use super::facts::ValueKind;
        match self {
            Val::Future { origin, .. } => Some((ValueKind::Future, origin)),
            Val::TaskHandle { origin, .. } => Some((ValueKind::TaskHandle, origin)),
            Val::ThreadHandle { origin, .. } => Some((ValueKind::ThreadHandle, origin)),
            Val::Stream { origin, .. } => Some((ValueKind::Stream, origin)),
            // A collection of futures (`Vec`, `FuturesUnordered`) that nothing polls.
            Val::Typed { path, args }
                if matches!(
                    path.rsplit("::").next(),
                    Some("Vec" | "VecDeque" | "FuturesUnordered" | "FuturesOrdered")
                ) =>
            {
                match args.first() {
                    Some(Val::Future { origin, .. }) => Some((ValueKind::Future, origin)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    pub fn path(&self) -> Option<&str> {
        match self {
            Val::Typed { path, .. } => Some(path),
            _ => None,
        }
    }

    /// What awaiting this future gives, for the safety of a fix that adds `.await`.
    pub fn await_output(&self) -> super::facts::Output {
        use super::facts::Output;
        let Val::Future {
            output: Some(out),
            origin,
            ..
        } = self
        else {
            return Output::Other;
        };
        // The closure's future may still be inside its `Option` (`opt.map(|x| f(x));`), where
        // `.await` goes after an unwrap, never right after the call.
        if origin == MAPPED {
            return Output::Other;
        }
        match &**out {
            Val::Tuple(parts) if parts.is_empty() => Output::Plain,
            Val::Typed { path, .. } if path.rsplit("::").next() == Some("Result") => Output::Result,
            Val::Typed { path, .. } if PLAIN_TYPES.contains(&path.as_str()) => Output::Plain,
            _ => Output::Other,
        }
    }

    /// The value inside `Option`/`Result`/`Poll`, for `?`, `.unwrap()` and `.expect(..)`.
    pub fn unwrapped(&self) -> Val {
        match self {
            Val::Typed { path, args } if is_wrapper(path) => {
                args.first().cloned().unwrap_or_default()
            }
            _ => Val::Unknown,
        }
    }
}

fn is_wrapper(path: &str) -> bool {
    matches!(
        path.rsplit("::").next(),
        Some("Option" | "Result" | "LockResult" | "TryLockResult" | "Poll")
    )
}

/// What a future made by a closure given to `Option::map` is called.
pub const MAPPED: &str = "the closure given to `map`";

/// What a future's origin says when only the file's other calls of its callee, all awaited,
/// say it is one (the callee is not on disk).
pub const AWAITED_ELSEWHERE: &str = "awaited at its other calls here";

/// What a future's origin says when the other files of its scope, awaiting every call of its
/// callee (which is not on disk), say it is one.
pub const AWAITED_IN_OTHER_FILES: &str = "inferred from use in other files";

/// Types that are not `#[must_use]`, as a future's output (`()` as the knowledge tables write it).
pub(crate) const PLAIN_TYPES: &[&str] = &[
    "()",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "bool",
    "char",
    "String",
    "std::string::String",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_only_weakens() {
        let proven = Val::future("async fn `a`");
        assert_eq!(proven.provenance(), Provenance::Proven);
        let inferred = proven.clone().flowed();
        assert_eq!(inferred.provenance(), Provenance::Inferred);
        // A guess stays a guess when it flows on; evidence never strengthens.
        let guessed = proven.weakened(Provenance::Guessed);
        assert_eq!(guessed.clone().flowed().provenance(), Provenance::Guessed);
        // Inside a callable and as a collection's element.
        let callable = Val::Callable(Box::new(guessed.clone()));
        assert_eq!(callable.provenance(), Provenance::Guessed);
        let vec = Val::Typed {
            path: "Vec".into(),
            args: vec![Val::future("x")],
        }
        .flowed();
        assert_eq!(vec.provenance(), Provenance::Inferred);
        assert_eq!(
            Val::task_handle("`spawn`").flowed().provenance(),
            Provenance::Inferred
        );
        assert_eq!(Val::Unknown.flowed(), Val::Unknown);
    }
}
