//! `System`: the root of the tree and the address registry, shared by every actor of it.
//!
//! The value is here, below the runtime that every actor's context reaches it from; what
//! needs the runtime is above it: starting a system and its kernel ([`kernel`]), spawning at
//! the top and typed lookups ([`spawn`]), and the timed shutdown (`stop::shutdown`).

mod kernel;
mod spawn;

use std::fmt;
use std::sync::{Arc, OnceLock, Weak};

#[cfg(feature = "testkit")]
use crate::error::Error;
use crate::handle::AnyRef;
use crate::observe::Observing;
#[cfg(feature = "testkit")]
use crate::path::ActorPath;
use crate::registry::Registry;
use crate::undelivered::UndeliveredLog;

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
    /// What takes the place of some spawns (the testkit's stand-ins for children not
    /// spawned yet); unset for every system but a [`TestKit`](crate::testkit::TestKit)'s, so
    /// ordinary spawns pay one atomic load.
    #[cfg(feature = "testkit")]
    spawn_hook: OnceLock<Arc<dyn SpawnHook>>,
    observing: Observing,
    /// The messages its actors' mailboxes refused.
    undelivered: Arc<UndeliveredLog>,
    /// The runtime it was built in, which runs the tasks of its actors: an actor started by
    /// its first message may be woken from a thread outside it.
    runtime: Option<tokio::runtime::Handle>,
}

/// Takes the place of the actors spawned at some addresses: the testkit's probes. Installed
/// on a system from above (`testkit`); the spawn path only calls it, through this trait.
#[cfg(feature = "testkit")]
pub(crate) trait SpawnHook: Send + Sync + 'static {
    /// What stands at `path` instead of an actor of type `actor_type`, if anything: its
    /// `ActorRef` of that type, boxed, or why it could not be put there.
    fn spawn(
        &self,
        system: &System,
        parent: &AnyRef,
        path: &ActorPath,
        actor_type: std::any::TypeId,
        actor_name: &'static str,
    ) -> Option<Result<Box<dyn std::any::Any + Send>, Error>>;
}

/// A [`System`] that may be gone: [`upgrade`](WeakSystem::upgrade) tells.
#[derive(Clone)]
pub(crate) struct WeakSystem(Weak<SystemInner>);

impl WeakSystem {
    /// The system, unless every clone of it was dropped.
    pub(crate) fn upgrade(&self) -> Option<System> {
        self.0.upgrade().map(|inner| System { inner })
    }
}

impl System {
    fn empty(observing: Observing) -> Self {
        // Panics the runtime catches are reported as one event each, not printed again.
        crate::panics::install_hook();
        System {
            inner: Arc::new(SystemInner {
                registry: Registry::default(),
                root: OnceLock::new(),
                #[cfg(feature = "testkit")]
                spawn_hook: OnceLock::new(),
                observing,
                undelivered: Arc::default(),
                runtime: tokio::runtime::Handle::try_current().ok(),
            }),
        }
    }

    /// A system without a kernel yet whose spawns consult `hook` first.
    #[cfg(feature = "testkit")]
    pub(crate) fn with_spawn_hook(hook: Arc<dyn SpawnHook>) -> Self {
        let system = System::empty(Observing::default());
        let _ = system.inner.spawn_hook.set(hook);
        system
    }

    /// What takes the place of some spawns, if this system has it.
    #[cfg(feature = "testkit")]
    pub(crate) fn spawn_hook(&self) -> Option<&dyn SpawnHook> {
        self.inner.spawn_hook.get().map(|hook| &**hook)
    }

    /// What the system measures and where it reports it.
    pub(crate) fn observing(&self) -> &Observing {
        &self.inner.observing
    }

    /// A reference that does not keep the system alive (what a supervised actor's restart
    /// plan holds: the system holds the actor).
    pub(crate) fn downgrade(&self) -> WeakSystem {
        WeakSystem(Arc::downgrade(&self.inner))
    }

    /// Spawns `task` on the runtime the system was built in (the caller's, for a system built
    /// outside one).
    pub(crate) fn spawn_task<F>(&self, task: F) -> tokio::task::JoinHandle<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        match &self.inner.runtime {
            Some(runtime) => runtime.spawn(task),
            None => tokio::spawn(task),
        }
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

    /// The untyped handle of whatever runs at `path`.
    ///
    /// See the example on [`lookup`](Self::lookup).
    pub fn lookup_any(&self, path: &str) -> Option<AnyRef> {
        self.registry().get(path).map(AnyRef::new)
    }

    /// The log its actors' mailboxes note refused messages in.
    pub(crate) fn undelivered_log(&self) -> Arc<UndeliveredLog> {
        Arc::clone(&self.inner.undelivered)
    }

    /// How many messages its actors' mailboxes have refused (the local dead letters), since
    /// it was built.
    ///
    /// See the example on [`UndeliveredNote`](crate::UndeliveredNote).
    pub fn undelivered_total(&self) -> u64 {
        self.inner.undelivered.total()
    }

    /// The last messages its actors' mailboxes refused, oldest first: at most
    /// [`RECENT_UNDELIVERED`](crate::RECENT_UNDELIVERED).
    ///
    /// See the example on [`UndeliveredNote`](crate::UndeliveredNote).
    pub fn recent_undelivered(&self) -> Vec<crate::UndeliveredNote> {
        self.inner.undelivered.recent()
    }

    /// How many actors are running, the kernel included.
    ///
    /// See the example on [`lookup`](Self::lookup).
    pub fn actor_count(&self) -> usize {
        self.registry().len()
    }
}

impl fmt::Debug for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("System")
            .field("actors", &self.actor_count())
            .finish()
    }
}
