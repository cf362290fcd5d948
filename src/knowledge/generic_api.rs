//! Generic signatures of std's, tokio's and futures' APIs, written as Rust: how a value's type
//! arguments flow through them (a channel's payload out of `recv`, an `Option`'s content into
//! the closure given to `map` and the closure's result back out, an iterator's item into
//! `for_each`'s closure, a guard's `Deref` target). Read where no source says it: std is never
//! on disk, and a dependency may not be fetched (read from its sources, the dependency's own
//! signatures say the same and win).
//!
//! Each `impl` names a type by the path its values carry (a prelude type by its name, the
//! iterators the walk models as `core::iter::Iterator<Item>`), its parameters as written in
//! the self type; bodies are empty. A parameter `impl FnOnce(A) -> B` takes a closure: it is
//! called with `A`, and what it returns is `B`; an input written `&A` is a borrow (nothing is
//! lost with it). `type Output` is what awaiting a value gives, `type Target` what it derefs to.
//! An `impl` of a module's path (`impl futures::stream { .. }`) holds the free fns called by
//! that path (as the other tables name them); a parameter `impl IntoIterator<Item = X>` takes
//! anything iterable, whose items are `X`.
//! The analysis reads the text with `syn` once per process.

pub const SIGNATURES: &str = r#"
impl futures::stream {
    fn iter<I>(items: impl IntoIterator<Item = I>) -> futures::stream::Stream<I> {}
    fn once<T>(fut: impl Future<Output = T>) -> futures::stream::Stream<T> {}
    fn repeat<T>(item: T) -> futures::stream::Stream<T> {}
}

impl tokio_stream {
    fn iter<I>(items: impl IntoIterator<Item = I>) -> futures::stream::Stream<I> {}
    fn once<T>(item: T) -> futures::stream::Stream<T> {}
}

impl futures::future {
    async fn join_all<T>(futs: impl IntoIterator<Item = impl Future<Output = T>>) -> Vec<T> {}
    async fn select_all<T>(futs: impl IntoIterator<Item = impl Future<Output = T>>) -> (T, usize, _) {}
    async fn try_join_all<T, E>(futs: impl IntoIterator<Item = impl Future<Output = Result<T, E>>>) -> Result<Vec<T>, E> {}
    async fn join<A, B>(a: impl Future<Output = A>, b: impl Future<Output = B>) -> (A, B) {}
    async fn join3<A, B, C>(a: impl Future<Output = A>, b: impl Future<Output = B>, c: impl Future<Output = C>) -> (A, B, C) {}
    async fn ready<T>(value: T) -> T {}
}

impl tokio::time {
    async fn timeout<T>(duration: std::time::Duration, fut: impl Future<Output = T>) -> Result<T, tokio::time::error::Elapsed> {}
}

impl<T> futures::stream::FuturesUnordered<impl Future<Output = T>> {
    async fn next(&mut self) -> Option<T> {}
}

impl<T> futures::stream::FuturesOrdered<impl Future<Output = T>> {
    async fn next(&mut self) -> Option<T> {}
}

impl<T> tokio::task::JoinSet<T> {
    async fn join_next(&mut self) -> Option<Result<T, tokio::task::JoinError>> {}
    async fn join_all(self) -> Vec<T> {}
}

impl std::future {
    async fn ready<T>(value: T) -> T {}
}

impl std::iter {
    fn once<T>(value: T) -> core::iter::Iterator<T> {}
    fn repeat<T>(value: T) -> core::iter::Iterator<T> {}
}

impl<T> Option<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Option<U> {}
    fn and_then<U>(self, f: impl FnOnce(T) -> Option<U>) -> Option<U> {}
    fn inspect(self, f: impl FnOnce(&T)) -> Option<T> {}
    fn is_some_and(self, f: impl FnOnce(T) -> bool) -> bool {}
    fn is_none_or(self, f: impl FnOnce(T) -> bool) -> bool {}
    fn map_or<U>(self, default: U, f: impl FnOnce(T) -> U) -> U {}
    fn map_or_else<U>(self, default: impl FnOnce() -> U, f: impl FnOnce(T) -> U) -> U {}
    fn ok_or<E>(self, err: E) -> Result<T, E> {}
    fn ok_or_else<E>(self, err: impl FnOnce() -> E) -> Result<T, E> {}
    fn unwrap_or(self, default: T) -> T {}
    fn zip<U>(self, other: Option<U>) -> Option<(T, U)> {}
}

impl<T, E> Result<T, E> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Result<U, E> {}
    fn map_err<F>(self, f: impl FnOnce(E) -> F) -> Result<T, F> {}
    fn and_then<U>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<U, E> {}
    fn inspect(self, f: impl FnOnce(&T)) -> Result<T, E> {}
    fn inspect_err(self, f: impl FnOnce(&E)) -> Result<T, E> {}
    fn is_ok_and(self, f: impl FnOnce(T) -> bool) -> bool {}
    fn map_or<U>(self, default: U, f: impl FnOnce(T) -> U) -> U {}
    fn ok(self) -> Option<T> {}
    fn err(self) -> Option<E> {}
    fn unwrap_or(self, default: T) -> T {}
    fn unwrap_err(self) -> E {}
    fn expect_err(self, msg: &str) -> E {}
}

impl<I> core::iter::Iterator<I> {
    fn for_each(self, f: impl FnMut(I)) {}
    fn try_for_each<R>(self, f: impl FnMut(I) -> R) -> R {}
    fn map<B>(self, f: impl FnMut(I) -> B) -> core::iter::Iterator<B> {}
    fn filter(self, f: impl FnMut(&I) -> bool) -> core::iter::Iterator<I> {}
    fn filter_map<B>(self, f: impl FnMut(I) -> Option<B>) -> core::iter::Iterator<B> {}
    fn find_map<B>(self, f: impl FnMut(I) -> Option<B>) -> Option<B> {}
    fn inspect(self, f: impl FnMut(&I)) -> core::iter::Iterator<I> {}
    fn any(self, f: impl FnMut(I) -> bool) -> bool {}
    fn all(self, f: impl FnMut(I) -> bool) -> bool {}
    fn position(self, f: impl FnMut(I) -> bool) -> Option<usize> {}
    fn find(self, f: impl FnMut(&I) -> bool) -> Option<I> {}
    fn fold<B>(self, init: B, f: impl FnMut(B, I) -> B) -> B {}
    fn max_by_key<B>(self, f: impl FnMut(&I) -> B) -> Option<I> {}
    fn min_by_key<B>(self, f: impl FnMut(&I) -> B) -> Option<I> {}
    fn partition<B>(self, f: impl FnMut(&I) -> bool) -> (Vec<I>, Vec<I>) {}
}

impl<K, V> Entry<K, V> {
    fn or_insert(self, default: V) -> &mut V {}
    fn or_insert_with(self, default: impl FnOnce() -> V) -> &mut V {}
    fn or_default(self) -> &mut V {}
    fn and_modify(self, f: impl FnOnce(&mut V)) -> Entry<K, V> {}
}

impl<I> futures::stream::Stream<I> {
    async fn next(&mut self) -> Option<I> {}
    async fn for_each<Fut>(self, f: impl FnMut(I) -> Fut) {}
    async fn for_each_concurrent<Fut>(self, limit: Option<usize>, f: impl FnMut(I) -> Fut) {}
    fn map<B>(self, f: impl FnMut(I) -> B) -> futures::stream::Stream<B> {}
    fn then<B>(self, f: impl FnMut(I) -> impl Future<Output = B>) -> futures::stream::Stream<B> {}
    fn filter(self, f: impl FnMut(&I) -> impl Future<Output = bool>) -> futures::stream::Stream<I> {}
    fn enumerate(self) -> futures::stream::Stream<(usize, I)> {}
    fn chain(self, other: futures::stream::Stream<I>) -> futures::stream::Stream<I> {}
    fn inspect(self, f: impl FnMut(&I)) -> futures::stream::Stream<I> {}
    fn take(self, n: usize) -> futures::stream::Stream<I> {}
    fn skip(self, n: usize) -> futures::stream::Stream<I> {}
    fn fuse(self) -> futures::stream::Stream<I> {}
    fn boxed(self) -> futures::stream::Stream<I> {}
}

impl<T> tokio::sync::mpsc::Receiver<T> {
    async fn recv(&mut self) -> Option<T> {}
    fn try_recv(&mut self) -> Result<T, tokio::sync::mpsc::error::TryRecvError> {}
    fn blocking_recv(&mut self) -> Option<T> {}
}

impl<T> tokio::sync::mpsc::UnboundedReceiver<T> {
    async fn recv(&mut self) -> Option<T> {}
    fn try_recv(&mut self) -> Result<T, tokio::sync::mpsc::error::TryRecvError> {}
    fn blocking_recv(&mut self) -> Option<T> {}
}

impl<T> tokio::sync::broadcast::Receiver<T> {
    async fn recv(&mut self) -> Result<T, tokio::sync::broadcast::error::RecvError> {}
    fn try_recv(&mut self) -> Result<T, tokio::sync::broadcast::error::TryRecvError> {}
}

impl<T> std::future::Future for tokio::sync::oneshot::Receiver<T> {
    type Output = Result<T, tokio::sync::oneshot::error::RecvError>;
}

impl<T> tokio::sync::oneshot::Receiver<T> {
    fn try_recv(&mut self) -> Result<T, tokio::sync::oneshot::error::TryRecvError> {}
    fn blocking_recv(self) -> Result<T, tokio::sync::oneshot::error::RecvError> {}
}

impl<T> std::future::Future for futures::channel::oneshot::Receiver<T> {
    type Output = Result<T, futures::channel::oneshot::Canceled>;
}

impl<T> std::sync::mpsc::Receiver<T> {
    fn recv(&self) -> Result<T, std::sync::mpsc::RecvError> {}
    fn try_recv(&self) -> Result<T, std::sync::mpsc::TryRecvError> {}
    fn recv_timeout(&self, timeout: std::time::Duration) -> Result<T, std::sync::mpsc::RecvTimeoutError> {}
}

impl<T> tokio::sync::Mutex<T> {
    async fn lock(&self) -> tokio::sync::MutexGuard<T> {}
    async fn lock_owned(self) -> tokio::sync::OwnedMutexGuard<T> {}
    fn try_lock(&self) -> Result<tokio::sync::MutexGuard<T>, tokio::sync::TryLockError> {}
    fn get_mut(&mut self) -> &mut T {}
    fn into_inner(self) -> T {}
}

impl<T> tokio::sync::RwLock<T> {
    async fn read(&self) -> tokio::sync::RwLockReadGuard<T> {}
    async fn write(&self) -> tokio::sync::RwLockWriteGuard<T> {}
    fn try_read(&self) -> Result<tokio::sync::RwLockReadGuard<T>, tokio::sync::TryLockError> {}
    fn try_write(&self) -> Result<tokio::sync::RwLockWriteGuard<T>, tokio::sync::TryLockError> {}
    fn get_mut(&mut self) -> &mut T {}
    fn into_inner(self) -> T {}
}

impl<T> tokio::sync::watch::Receiver<T> {
    fn borrow(&self) -> tokio::sync::watch::Ref<T> {}
    fn borrow_and_update(&mut self) -> tokio::sync::watch::Ref<T> {}
}

impl<T> tokio::sync::watch::Sender<T> {
    fn borrow(&self) -> tokio::sync::watch::Ref<T> {}
}

impl<T> std::ops::Deref for tokio::sync::watch::Ref<T> { type Target = T; }

impl<B> std::ops::Deref for std::borrow::Cow<B> { type Target = B; }

// Lazily initialised values (a `static CLIENT: LazyLock<Client>`): what they deref to, and
// what a once-cell's getters give.
impl<T> std::ops::Deref for std::sync::LazyLock<T> { type Target = T; }
impl<T> std::ops::Deref for std::cell::LazyCell<T> { type Target = T; }
impl<T> std::ops::Deref for once_cell::sync::Lazy<T> { type Target = T; }
impl<T> std::ops::Deref for once_cell::unsync::Lazy<T> { type Target = T; }

impl<T> std::sync::OnceLock<T> {
    fn get(&self) -> Option<&T> {}
    fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {}
}

impl<T> once_cell::sync::OnceCell<T> {
    fn get(&self) -> Option<&T> {}
    fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {}
}

impl<B> std::borrow::Cow<B> {
    fn into_owned(self) -> B {}
    fn to_mut(&mut self) -> &mut B {}
}

impl<T> std::ops::Deref for tokio::sync::MutexGuard<T> { type Target = T; }
impl<T> std::ops::Deref for tokio::sync::OwnedMutexGuard<T> { type Target = T; }
impl<T> std::ops::Deref for tokio::sync::RwLockReadGuard<T> { type Target = T; }
impl<T> std::ops::Deref for tokio::sync::RwLockWriteGuard<T> { type Target = T; }

impl<T> futures::lock::Mutex<T> {
    async fn lock(&self) -> futures::lock::MutexGuard<T> {}
    fn try_lock(&self) -> Option<futures::lock::MutexGuard<T>> {}
    fn get_mut(&mut self) -> &mut T {}
}

impl<T> std::ops::Deref for futures::lock::MutexGuard<T> { type Target = T; }

impl<T> async_std::sync::Mutex<T> {
    async fn lock(&self) -> async_std::sync::MutexGuard<T> {}
}

impl<T> async_std::sync::RwLock<T> {
    async fn read(&self) -> async_std::sync::RwLockReadGuard<T> {}
    async fn write(&self) -> async_std::sync::RwLockWriteGuard<T> {}
}

impl<T> std::ops::Deref for async_std::sync::MutexGuard<T> { type Target = T; }
impl<T> std::ops::Deref for async_std::sync::RwLockReadGuard<T> { type Target = T; }
impl<T> std::ops::Deref for async_std::sync::RwLockWriteGuard<T> { type Target = T; }

// async-lock's futures are types its `easy_wrapper!` (a macro of another crate,
// event-listener-strategy) declares and implements `Future` for: its sources say `fn lock(&self)
// -> Lock<'_, T>` and nothing readable says that `Lock` is a future.
impl<T> async_lock::Mutex<T> {
    async fn lock(&self) -> async_lock::MutexGuard<T> {}
    fn try_lock(&self) -> Option<async_lock::MutexGuard<T>> {}
}

impl<T> async_lock::RwLock<T> {
    async fn read(&self) -> async_lock::RwLockReadGuard<T> {}
    async fn write(&self) -> async_lock::RwLockWriteGuard<T> {}
    async fn upgradable_read(&self) -> async_lock::RwLockUpgradableReadGuard<T> {}
    fn try_read(&self) -> Option<async_lock::RwLockReadGuard<T>> {}
    fn try_write(&self) -> Option<async_lock::RwLockWriteGuard<T>> {}
}

impl async_lock::Barrier {
    async fn wait(&self) -> async_lock::BarrierWaitResult {}
}

impl async_lock::Semaphore {
    async fn acquire(&self) -> async_lock::SemaphoreGuard {}
    fn try_acquire(&self) -> Option<async_lock::SemaphoreGuard> {}
}

impl<T> std::ops::Deref for async_lock::MutexGuard<T> { type Target = T; }
impl<T> std::ops::Deref for async_lock::RwLockReadGuard<T> { type Target = T; }
impl<T> std::ops::Deref for async_lock::RwLockWriteGuard<T> { type Target = T; }
impl<T> std::ops::Deref for async_lock::RwLockUpgradableReadGuard<T> { type Target = T; }

impl<T> std::sync::Mutex<T> {
    fn lock(&self) -> std::sync::LockResult<std::sync::MutexGuard<T>> {}
    fn try_lock(&self) -> std::sync::TryLockResult<std::sync::MutexGuard<T>> {}
}

impl<T> std::sync::RwLock<T> {
    fn read(&self) -> std::sync::LockResult<std::sync::RwLockReadGuard<T>> {}
    fn write(&self) -> std::sync::LockResult<std::sync::RwLockWriteGuard<T>> {}
    fn try_read(&self) -> std::sync::TryLockResult<std::sync::RwLockReadGuard<T>> {}
    fn try_write(&self) -> std::sync::TryLockResult<std::sync::RwLockWriteGuard<T>> {}
}

impl<T> parking_lot::Mutex<T> {
    fn lock(&self) -> parking_lot::MutexGuard<T> {}
    fn try_lock(&self) -> Option<parking_lot::MutexGuard<T>> {}
}

impl<T> parking_lot::RwLock<T> {
    fn read(&self) -> parking_lot::RwLockReadGuard<T> {}
    fn write(&self) -> parking_lot::RwLockWriteGuard<T> {}
    fn try_read(&self) -> Option<parking_lot::RwLockReadGuard<T>> {}
    fn try_write(&self) -> Option<parking_lot::RwLockWriteGuard<T>> {}
}
"#;
