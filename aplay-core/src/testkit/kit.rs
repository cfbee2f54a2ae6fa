//! `TestKit`: a system whose children can be replaced by probes.

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::probe::Probe;
use super::replacements::{Replacement, Replacements};
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::ActorRef;
use crate::path::ActorPath;
use crate::system::System;

/// A system for tests, in which chosen addresses get probes instead of actors: when any
/// actor spawns a child at a replaced address (`ctx.spawn("worker", ..)`,
/// `ctx.spawn_supervised(..)`, or [`System::spawn`] at the top), a stand-in takes the child's
/// place, and the test reads what it receives from the [`Probe`] that
/// [`replace`](Self::replace) returned.
///
/// The stand-in is a child like any other: registered at its address (so
/// [`System::lookup`] and [`System::address`] find it), in its parent's children (so
/// `ctx.children()`, the tree, and its parent's stop see it), and its ref is what the
/// parent's spawn returns. It ends promptly when its parent stops or the system shuts down,
/// whether or not the test reads it; its parent hears of its end as of any child's. It is
/// never restarted.
///
/// Build the system with [`system`](Self::system) (the built-in kernel) or
/// [`start_kernel`](Self::start_kernel) (your own), after or before the `replace` calls: a
/// replacement applies to the first spawn at its address made after it.
///
/// # Examples
///
/// ```
/// use aplay_core::testkit::TestKit;
/// # use aplay_core::{Actor, BareHandle, BoxError, Context, Dispatch};
/// # struct Worker;
/// # impl Actor for Worker {}
/// # impl Dispatch for Worker {
/// #     type Msg = u32;
/// #     type Handle = BareHandle<Self>;
/// #     async fn dispatch(&mut self, _: u32, _: &mut Context<Self>) {}
/// #     fn message_name(_: &u32) -> &'static str { "job" }
/// # }
/// struct Boss;
/// impl Actor for Boss {
///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         let worker = ctx.spawn("worker", Worker).await?;
///         aplay_core::ActorRef::send(&worker, 42).await?;
///         Ok(())
///     }
/// }
/// # impl Dispatch for Boss {
/// #     type Msg = std::convert::Infallible;
/// #     type Handle = BareHandle<Self>;
/// #     async fn dispatch(&mut self, msg: Self::Msg, _: &mut Context<Self>) { match msg {} }
/// #     fn message_name(msg: &Self::Msg) -> &'static str { match *msg {} }
/// # }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let kit = TestKit::new();
/// let mut worker = kit.replace::<Worker>("/boss/worker");
/// kit.system().spawn("boss", Boss).await?;
/// assert_eq!(worker.expect().await, 42);
/// assert!(kit.system().lookup::<Worker>("/boss/worker").is_some());
/// kit.system().shutdown().await;
/// assert_eq!(worker.expect_stopped().await, aplay_core::StopReason::Shutdown);
/// # Ok(()) }
/// ```
pub struct TestKit {
    replacements: Arc<Replacements>,
    system: OnceLock<System>,
}

impl TestKit {
    /// A kit with no replacement and no system yet.
    ///
    /// See the example on [`TestKit`].
    pub fn new() -> Self {
        TestKit {
            replacements: Arc::default(),
            system: OnceLock::new(),
        }
    }

    /// Puts a probe in place of the actor of type `A` that will be spawned at `path` (e.g.
    /// `/kernel/worker`), and returns it. The first spawn at `path` gets the stand-in; later
    /// ones spawn actors as usual. A spawn there of another actor type fails with
    /// [`Error::WrongType`], and the probe says so at its next `expect`.
    ///
    /// # Panics
    ///
    /// If `path` is not an actor's address (or is the kernel's, `/`), or is replaced already
    /// and not spawned yet.
    ///
    /// See the example on [`TestKit`].
    #[must_use = "a stand-in ends when its probe is dropped: keep the probe for the test"]
    pub fn replace<A: Dispatch>(&self, path: &str) -> Probe<A> {
        let path = ActorPath::parse(path)
            .unwrap_or_else(|error| panic!("TestKit::replace({path:?}): {error}"));
        assert!(
            !path.is_root(),
            "TestKit::replace: the kernel at / is not a child; give the kit your kernel with `start_kernel`"
        );
        let (probe, messages, link) = Probe::new(path.clone());
        let fresh = self
            .replacements
            .insert(path.clone(), Replacement { messages, link });
        assert!(fresh, "TestKit::replace: {path} is replaced already");
        probe
    }

    /// The kit's system: on the first call, a new system with the built-in kernel (as
    /// [`System::new`]), unless [`start_kernel`](Self::start_kernel) made it.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, on the first call.
    ///
    /// See the example on [`TestKit`].
    pub fn system(&self) -> &System {
        self.system.get_or_init(|| {
            let system = System::with_spawn_hook(Arc::clone(&self.replacements) as _);
            system.start_builtin_kernel();
            system
        })
    }

    /// Makes the kit's system with `kernel` at `/` (as [`System::with_kernel`]); what the
    /// kernel spawns in its `on_start` already meets the replacements. Returns once the
    /// kernel's `on_start` has run; [`system`](Self::system) gives the system afterwards.
    ///
    /// # Errors
    ///
    /// As [`System::with_kernel`].
    ///
    /// # Panics
    ///
    /// If the kit has a system already (from `system` or an earlier `start_kernel`), or
    /// outside a tokio runtime.
    ///
    /// # Cancel safety
    ///
    /// As [`System::with_kernel`]: once the kernel is spawned, dropping the future does not
    /// stop it, and the kit keeps its system.
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
    /// use aplay_core::testkit::TestKit;
    /// let kit = TestKit::new();
    /// // The counter is the kit's kernel, at `/`.
    /// let kernel = kit.start_kernel(Counter::default()).await?;
    /// assert_eq!(kernel.path(), "/");
    /// assert!(kit.system().root().same_actor(&ActorRef::to_any(&kernel)));
    /// kit.system().shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn start_kernel<K: Dispatch>(&self, kernel: K) -> Result<ActorRef<K>, Error> {
        let system = System::with_spawn_hook(Arc::clone(&self.replacements) as _);
        assert!(
            self.system.set(system.clone()).is_ok(),
            "TestKit::start_kernel: the kit has a system already; call it before `system()`"
        );
        system.start_kernel(kernel).await
    }
}

impl Default for TestKit {
    fn default() -> Self {
        TestKit::new()
    }
}

impl fmt::Debug for TestKit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestKit")
            .field("waiting", &self.replacements)
            .field("system", &self.system.get())
            .finish()
    }
}
