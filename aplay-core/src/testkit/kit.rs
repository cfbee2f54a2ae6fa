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
/// use aplay_core::{Actor, BoxError, Context};
/// # use aplay_doc_actors::{Worker, WorkerMsg};
///
/// // The actor under test spawns a `Worker` (`#[actor] impl Worker { fn job(&mut self, n: u32) .. }`).
/// struct Boss;
/// impl Actor for Boss {
///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         let worker = ctx.spawn("worker", Worker).await?;
///         worker.job(42).await?;
///         Ok(())
///     }
/// }
/// #[aplay::actor]
/// impl Boss {} // no messages
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let kit = TestKit::new();
/// let mut worker = kit.replace::<Worker>("/boss/worker");
/// kit.system().spawn("boss", Boss).await?;
/// let WorkerMsg::Job { n, .. } = worker.expect().await;
/// assert_eq!(n, 42);
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
    /// use aplay_core::ActorRef;
    /// use aplay_core::testkit::TestKit;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
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
