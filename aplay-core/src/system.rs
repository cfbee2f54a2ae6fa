//! `System`: the root of the tree, the registry, spawning at the top, shutdown.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::actor::{Actor, Dispatch};
use crate::context::Context;
use crate::error::Error;
use crate::handle::{ActorRef, AnyRef, BareHandle};
use crate::observe::Observing;
use crate::registry::Registry;
use crate::runtime;
use crate::stop::StopReason;

/// An actor system: the kernel at `/`, every actor under it, and the address registry.
///
/// Cheap to clone; every clone is the same system.
///
/// # Examples
///
/// ```
/// use aplay_core::System;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let system = System::new();
/// assert_eq!(system.root().path().as_str(), "/");
/// system.shutdown().await;
/// assert!(!system.root().is_alive());
/// # }
/// ```
#[derive(Clone)]
pub struct System {
    inner: Arc<SystemInner>,
}

struct SystemInner {
    registry: Registry,
    root: OnceLock<AnyRef>,
    /// The testkit's stand-ins for children not spawned yet; unset for every system but a
    /// [`TestKit`](crate::testkit::TestKit)'s, so ordinary spawns pay one atomic load.
    #[cfg(feature = "testkit")]
    replacements: OnceLock<Arc<crate::testkit::Replacements>>,
    observing: Observing,
}

/// How long [`System::shutdown`] waits before it kills what is left.
///
/// # Examples
///
/// ```
/// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
/// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
/// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
/// # #[derive(Default)]
/// # struct Counter { count: u64 }
/// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
/// # #[derive(Clone)]
/// # struct CounterHandle(RawRef<Counter>);
/// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
/// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
/// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
/// # }
/// # impl CounterHandle {
/// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
/// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
/// #     }
/// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
/// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
/// #     }
/// # }
/// # impl Actor for Counter {}
/// # impl Dispatch for Counter {
/// #     type Msg = CounterMsg;
/// #     type Handle = CounterHandle;
/// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
/// #         match msg {
/// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
/// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
/// #         }
/// #     }
/// #     fn message_name(msg: &CounterMsg) -> &'static str {
/// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
/// #     }
/// #     fn is_ask(msg: &CounterMsg) -> bool {
/// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
/// #     }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// use aplay_core::DEFAULT_SHUTDOWN_LIMIT;
/// let system = System::new();
/// // `shutdown()` is `shutdown_within(DEFAULT_SHUTDOWN_LIMIT)`.
/// system.shutdown_within(DEFAULT_SHUTDOWN_LIMIT).await;
/// # Ok(()) }
/// ```
pub const DEFAULT_SHUTDOWN_LIMIT: Duration = Duration::from_secs(60);

impl System {
    fn empty(observing: Observing) -> Self {
        System {
            inner: Arc::new(SystemInner {
                registry: Registry::default(),
                root: OnceLock::new(),
                #[cfg(feature = "testkit")]
                replacements: OnceLock::new(),
                observing,
            }),
        }
    }

    /// A system without a kernel yet whose spawns consult `replacements` first.
    #[cfg(feature = "testkit")]
    pub(crate) fn with_replacements(replacements: Arc<crate::testkit::Replacements>) -> Self {
        let system = System::empty(Observing::default());
        let _ = system.inner.replacements.set(replacements);
        system
    }

    /// The testkit's replacements, if this system has any.
    #[cfg(feature = "testkit")]
    pub(crate) fn replacements(&self) -> Option<&crate::testkit::Replacements> {
        self.inner.replacements.get().map(|r| &**r)
    }

    /// What the system measures and where it reports it.
    pub(crate) fn observing(&self) -> &Observing {
        &self.inner.observing
    }

    /// A system with the built-in kernel at `/`: actors spawned with [`System::spawn`] are its
    /// children.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (it spawns the kernel's task).
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// assert_eq!(counter.path(), "/counter");
    /// system.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub fn new() -> Self {
        System::start(Observing::default())
    }

    /// [`System::new`], observing as `observing` says.
    pub(crate) fn start(observing: Observing) -> Self {
        let system = System::empty(observing);
        system.start_builtin_kernel();
        system
    }

    /// Starts the built-in kernel of a system built without one.
    pub(crate) fn start_builtin_kernel(&self) {
        let (cell, _started) =
            runtime::spawn_root(self, Kernel).expect("a new system has a free root address");
        let root = ActorRef::from_cell(cell);
        let _ = self.inner.root.set(ActorRef::to_any(&root));
    }

    /// A system whose kernel at `/` is `kernel` (aplay's `KernelActor`): what it spawns with
    /// `ctx.spawn("test", ..)` is at `/test`. Returns once the kernel's `on_start` has run.
    ///
    /// # Errors
    ///
    /// [`Error::StartFailed`] or [`Error::StartDeclined`] from the kernel's start.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    ///
    /// Once the first poll has spawned the kernel, dropping this future does not stop it; the
    /// system is then out of reach, so await it to the end.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::StopReason;
    /// // The counter is the kernel, at `/`.
    /// let (system, kernel) = System::with_kernel(Counter::default()).await?;
    /// assert_eq!(kernel.path(), "/");
    /// kernel.add(1).await?;
    /// assert!(system.root().same_actor(&ActorRef::to_any(&kernel)));
    /// assert_eq!(system.shutdown().await, StopReason::Shutdown);
    /// # Ok(()) }
    /// ```
    pub async fn with_kernel<K: Dispatch>(kernel: K) -> Result<(System, ActorRef<K>), Error> {
        System::start_with_kernel(Observing::default(), kernel).await
    }

    /// [`System::with_kernel`], observing as `observing` says.
    pub(crate) async fn start_with_kernel<K: Dispatch>(
        observing: Observing,
        kernel: K,
    ) -> Result<(System, ActorRef<K>), Error> {
        let system = System::empty(observing);
        let kernel = system.start_kernel(kernel).await?;
        Ok((system, kernel))
    }

    /// Starts `kernel` at `/` of a system built without one, and waits for its `on_start`.
    pub(crate) async fn start_kernel<K: Dispatch>(&self, kernel: K) -> Result<ActorRef<K>, Error> {
        let (cell, started) = runtime::spawn_root(self, kernel)?;
        let root = ActorRef::from_cell(cell.clone());
        let _ = self.inner.root.set(ActorRef::to_any(&root));
        runtime::await_start(cell, started).await
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The kernel at `/`.
    ///
    /// See the examples on [`System`] and [`with_kernel`](Self::with_kernel).
    pub fn root(&self) -> &AnyRef {
        self.inner
            .root
            .get()
            .expect("the root is set when the system is built")
    }

    /// Spawns `actor` as a child of the kernel, at `/{name}`, and returns once its `on_start`
    /// has finished.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`], [`Error::NameTaken`] (nothing is spawned),
    /// [`Error::StartFailed`], [`Error::StartDeclined`], [`Error::ParentStopping`] after a
    /// shutdown.
    ///
    /// # Cancel safety
    ///
    /// Once the first poll has spawned the actor, dropping this future does not stop it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// assert_eq!(counter.path(), "/counter");
    /// // Names are unique among siblings, and must be valid path segments.
    /// assert!(matches!(system.spawn("counter", Counter::default()).await, Err(Error::NameTaken { .. })));
    /// assert!(matches!(system.spawn("a/b", Counter::default()).await, Err(Error::InvalidName { .. })));
    /// system.shutdown().await;
    /// assert!(matches!(system.spawn("late", Counter::default()).await, Err(Error::ParentStopping { .. })));
    /// # Ok(()) }
    /// ```
    pub async fn spawn<A: Dispatch>(&self, name: &str, actor: A) -> Result<ActorRef<A>, Error> {
        runtime::spawn_child(self, self.root(), name, actor).await
    }

    /// The actor of type `A` at `path` (aplay's `send_to_address`), or `None` when nothing
    /// runs there or something of another type does.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// system.spawn("counter", Counter::default()).await?;
    /// // By address, from anywhere that has the system (`ctx.system()` in an actor).
    /// let counter = system.lookup::<Counter>("/counter").expect("running");
    /// counter.add(2).await?;
    /// assert!(system.lookup::<Counter>("/nobody").is_none());
    /// // The same, with a reason when it fails.
    /// assert!(matches!(system.address::<Counter>("/nobody"), Err(Error::NotFound { .. })));
    /// let any = system.lookup_any("/counter").expect("running");
    /// assert_eq!(any.name(), "counter");
    /// assert_eq!(system.actor_count(), 2); // the kernel and the counter
    /// # Ok(()) }
    /// ```
    pub fn lookup<A: Dispatch>(&self, path: &str) -> Option<ActorRef<A>> {
        self.registry().get(path)?.downcast()
    }

    /// Like [`lookup`](Self::lookup), with an error that says what is wrong.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] or [`Error::WrongType`].
    ///
    /// See the example on [`lookup`](Self::lookup).
    pub fn address<A: Dispatch>(&self, path: &str) -> Result<ActorRef<A>, Error> {
        let found = self.registry().get(path).ok_or_else(|| Error::NotFound {
            path: path.to_owned(),
        })?;
        found.downcast().ok_or_else(|| Error::WrongType {
            path: found.path().clone(),
            expected: std::any::type_name::<A>(),
            actual: found.type_name(),
        })
    }

    /// The untyped handle of whatever runs at `path`.
    ///
    /// See the example on [`lookup`](Self::lookup).
    pub fn lookup_any(&self, path: &str) -> Option<AnyRef> {
        self.registry().get(path)
    }

    /// How many actors are running, the kernel included.
    ///
    /// See the example on [`lookup`](Self::lookup).
    pub fn actor_count(&self) -> usize {
        self.registry().len()
    }

    /// Stops every actor: children before parents, younger siblings first, each after its
    /// queued messages and within its `shutdown_timeout`; returns when all have stopped.
    /// Past [`DEFAULT_SHUTDOWN_LIMIT`] in all, what is left is killed.
    ///
    /// # Cancel safety
    ///
    /// The shutdown is requested before the first `.await`; it goes on if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::StopReason;
    /// let system = System::new();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// counter.add(1).await?;
    /// assert_eq!(system.shutdown().await, StopReason::Shutdown);
    /// assert!(!counter.is_alive());
    /// assert_eq!(system.actor_count(), 0);
    /// # Ok(()) }
    /// ```
    pub async fn shutdown(&self) -> StopReason {
        self.shutdown_within(DEFAULT_SHUTDOWN_LIMIT).await
    }

    /// [`shutdown`](Self::shutdown) with another overall limit, after which every actor still
    /// running is killed.
    ///
    /// `Duration::MAX` (or any limit too long for the clock to count) is no limit: it returns
    /// once every actor has stopped, each within its own
    /// [`shutdown_timeout`](crate::Actor::shutdown_timeout). `Duration::ZERO` kills at once
    /// every actor still running, and returns [`StopReason::Killed`].
    ///
    /// Called from inside an actor (one of its handlers or hooks), it only requests the
    /// shutdown and returns [`StopReason::Shutdown`] at once: waiting would wait for the
    /// caller's own handler to end.
    ///
    /// # Cancel safety
    ///
    /// As for `shutdown`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use std::time::Duration;
    /// let system = System::new();
    /// system.spawn("counter", Counter::default()).await?;
    /// // Whatever has not stopped after 5 seconds is killed.
    /// system.shutdown_within(Duration::from_secs(5)).await;
    /// assert_eq!(system.actor_count(), 0);
    /// # Ok(()) }
    /// ```
    pub async fn shutdown_within(&self, limit: Duration) -> StopReason {
        let root = self.root();
        root.cell().request_stop(false);
        if runtime::current::inside_system(self) {
            return StopReason::Shutdown;
        }
        let deadline = crate::time::deadline_after(limit);
        let reason = match crate::time::until(deadline, root.join()).await {
            Some(reason) => reason,
            None => {
                tracing::warn!(
                    target: crate::observe::LIFECYCLE_TARGET,
                    ?limit,
                    "shutdown overran its limit; killing what is left"
                );
                root.kill();
                root.join().await
            }
        };
        // Descendants killed on the way (past their shutdown_timeout) end on their own tasks,
        // after the root: wait for the last of them, so that "returns when all have stopped"
        // holds. A killed actor stuck in a handler that never yields cannot end; the limit
        // (at least a second more) bounds that wait; a shutdown with no limit waits for them.
        let grace = deadline.map(|deadline| {
            crate::time::deadline_after(Duration::from_secs(1))
                .map_or(deadline, |second| deadline.max(second))
        });
        if crate::time::until(grace, self.registry().emptied())
            .await
            .is_none()
        {
            tracing::error!(
                target: crate::observe::LIFECYCLE_TARGET,
                left = self.actor_count(),
                "killed actors still running after the shutdown (handlers that never yield?)"
            );
        }
        reason
    }

    /// Runs until the kernel stops by itself, or until ctrl-c, which shuts the system down.
    /// Returns why the kernel stopped.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future only stops the waiting (and the watch for ctrl-c); the system goes on.
    ///
    /// # Examples
    ///
    /// ```
    /// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
    /// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
    /// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
    /// # #[derive(Default)]
    /// # struct Counter { count: u64 }
    /// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
    /// # #[derive(Clone)]
    /// # struct CounterHandle(RawRef<Counter>);
    /// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
    /// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
    /// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
    /// # }
    /// # impl CounterHandle {
    /// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
    /// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
    /// #     }
    /// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
    /// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
    /// #     }
    /// # }
    /// # impl Actor for Counter {}
    /// # impl Dispatch for Counter {
    /// #     type Msg = CounterMsg;
    /// #     type Handle = CounterHandle;
    /// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
    /// #         match msg {
    /// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
    /// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
    /// #         }
    /// #     }
    /// #     fn message_name(msg: &CounterMsg) -> &'static str {
    /// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
    /// #     }
    /// #     fn is_ask(msg: &CounterMsg) -> bool {
    /// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::StopReason;
    /// let (system, kernel) = System::with_kernel(Counter::default()).await?;
    /// // Here something else stops the kernel; usually it stops itself (`ctx.stop()`) when its
    /// // work is done, or a person presses ctrl-c.
    /// tokio::spawn(async move {
    ///     let _ = kernel.add(1).await;
    ///     kernel.stop().await;
    /// });
    /// assert_eq!(system.run().await, StopReason::StoppedByPerson);
    /// # Ok(()) }
    /// ```
    pub async fn run(&self) -> StopReason {
        let ctrl_c = async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No signal handling here (no such signal, or already taken): wait for the
                // kernel alone.
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            reason = self.root().join() => reason,
            () = ctrl_c => {
                tracing::info!(target: crate::observe::LIFECYCLE_TARGET, "ctrl-c: shutting down");
                self.shutdown().await
            }
        }
    }
}

impl Default for System {
    fn default() -> Self {
        System::new()
    }
}

impl fmt::Debug for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("System")
            .field("actors", &self.actor_count())
            .finish()
    }
}

/// The built-in kernel at `/` of [`System::new`]: no messages, and children spawned by
/// [`System::spawn`].
#[derive(Debug)]
struct Kernel;

/// The kernel takes no messages.
#[derive(Debug)]
enum NoMessages {}

impl Actor for Kernel {}

impl Dispatch for Kernel {
    type Msg = NoMessages;
    type Handle = BareHandle<Kernel>;

    async fn dispatch(&mut self, msg: NoMessages, _ctx: &mut Context<Self>) {
        match msg {}
    }

    fn message_name(msg: &NoMessages) -> &'static str {
        match *msg {}
    }
}
