//! A system's start: the built-in kernel at `/`, or the user's own.

use crate::actor::{Actor, Dispatch};
use crate::context::Context;
use crate::error::Error;
use crate::handle::{ActorRef, BareHandle};
use crate::observe::Observing;
use crate::runtime;
use crate::system::System;

impl System {
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
    /// use aplay_core::System;
    /// # use aplay_doc_actors::Counter;
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
    /// use aplay_core::{ActorRef, StopReason, System};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
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
        match started {
            Some(started) => runtime::await_start(cell, started).await,
            None => Ok(root),
        }
    }
}

impl Default for System {
    fn default() -> Self {
        System::new()
    }
}

/// The built-in kernel at `/` of [`System::new`]: no messages, and children spawned by
/// [`System::spawn`].
#[derive(Debug)]
struct Kernel;

/// The kernel takes no messages.
#[derive(Debug)]
enum NoMessages {}

impl Actor for Kernel {
    // Every hook is the default's: the kernel counts as running from its spawn on, so a tree
    // read right after `System::new()` shows it running, not starting.
    const __DEFAULT_HOOKS: bool = true;
}

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
