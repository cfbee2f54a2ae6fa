//! What an actor does from its context that needs the runtime: spawning children, plain or
//! supervised, and its own typed ref.

use std::sync::Arc;

use crate::actor::Dispatch;
use crate::context::Context;
use crate::error::Error;
use crate::handle::ActorRef;
use crate::runtime;
use crate::stop::{Failure, FailureKind, StopReason};
use crate::supervision::{Factory, Restart};

impl<A> Context<A> {
    /// Spawns a child named `name`, at `{this path}/{name}`, and returns once its `on_start`
    /// has finished. The child is never restarted; it stops before this actor does.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`], [`Error::NameTaken`] (nothing is spawned),
    /// [`Error::StartFailed`], [`Error::StartDeclined`], [`Error::ParentStopping`].
    ///
    /// # Cancel safety
    ///
    /// Once the first poll has spawned the child, dropping this future does not stop it.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, ActorRef, BoxError, Context, System};
    /// # use aplay_doc_actors::Counter;
    ///
    /// struct Parent;
    /// impl Actor for Parent {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         assert_eq!(ctx.path(), "/parent");
    ///         assert_eq!(ctx.name(), "parent");
    ///         let child = ctx.spawn("count", Counter::default()).await?;
    ///         assert_eq!(child.path(), "/parent/count");
    ///         assert_eq!(ctx.children().len(), 1);
    ///         assert_eq!(ctx.parent().map(|p| p.path().to_string()), Some("/".to_owned()));
    ///         assert!(ctx.myself_any().same_actor(&ActorRef::to_any(&ctx.myself())));
    ///         // The system, to find actors by address:
    ///         assert!(ctx.system().lookup::<Counter>("/parent/count").is_some());
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Parent {} // no messages
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// system.spawn("parent", Parent).await?;
    /// let count = system.address::<Counter>("/parent/count")?;
    /// count.add(1).await?;
    /// system.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn spawn<B: Dispatch>(&self, name: &str, actor: B) -> Result<ActorRef<B>, Error> {
        runtime::spawn_child(&self.system, &self.me, name, actor).await
    }

    /// Spawns a supervised child named `name`, built by `factory`: when it ends, this actor's
    /// [`Supervision`](crate::Supervision) decides, by `restart`, whether a fresh instance from `factory` takes
    /// its place, at the same address, with the same mailbox (queued tells are kept, queued
    /// asks get [`Error::NoReply`]). Returns once its first `on_start` has finished.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn). A failed first start also counts toward this actor's
    /// restart limit; past it, this actor fails after the current message.
    ///
    /// # Cancel safety
    ///
    /// As [`spawn`](Self::spawn): once the first poll has spawned the child, dropping this
    /// future does not stop it (a failed first start is then not counted toward the limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, BoxError, Context, Restart};
    /// # use aplay_doc_actors::Worker;
    ///
    /// struct Service;
    /// impl Actor for Service {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         // Restarted after any stop but a deliberate one, with a fresh state each time.
    ///         ctx.spawn_supervised("worker", Restart::Permanent, || Worker).await?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub async fn spawn_supervised<B, F>(
        &mut self,
        name: &str,
        restart: Restart,
        factory: F,
    ) -> Result<ActorRef<B>, Error>
    where
        B: Dispatch,
        F: Fn() -> B + Send + Sync + 'static,
    {
        let factory: Factory<B> = Arc::new(factory);
        let spawned = runtime::spawn_supervised_child(
            self.system(),
            self.myself_any(),
            name,
            restart,
            factory,
        )
        .await;
        if let Err(Error::StartFailed { .. }) = &spawned
            && !self.count_restart()
        {
            let (max, within) = self.supervision().limit();
            let failure = Failure::new(
                FailureKind::RestartLimit,
                format!(
                    "the limit of {max} failed starts and restarts within {within:?} was reached"
                ),
            );
            self.stop_with(StopReason::Failed(failure));
        }
        spawned
    }
}

impl<A: Dispatch> Context<A> {
    /// This actor's own ref, to give to others.
    ///
    /// See the example on [`spawn`](Self::spawn).
    pub fn myself(&self) -> ActorRef<A> {
        self.myself_any()
            .downcast::<A>()
            .expect("a context belongs to an actor of its own type")
    }
}
