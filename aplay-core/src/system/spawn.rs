//! Spawning at the top of the tree, and finding actors by address with their type.

use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::{ActorRef, AnyRef};
use crate::runtime;
use crate::system::System;

impl System {
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
    /// use aplay_core::{Error, System};
    /// # use aplay_doc_actors::Counter;
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
    /// use aplay_core::{Error, System};
    /// # use aplay_doc_actors::Counter;
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
        AnyRef::new(self.registry().get(path)?).downcast()
    }

    /// Like [`lookup`](Self::lookup), with an error that says what is wrong.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] or [`Error::WrongType`].
    ///
    /// See the example on [`lookup`](Self::lookup).
    pub fn address<A: Dispatch>(&self, path: &str) -> Result<ActorRef<A>, Error> {
        let found = self.lookup_any(path).ok_or_else(|| Error::NotFound {
            path: path.to_owned(),
        })?;
        found.downcast().ok_or_else(|| Error::WrongType {
            path: found.path().clone(),
            expected: std::any::type_name::<A>(),
            actual: found.type_name(),
        })
    }
}
