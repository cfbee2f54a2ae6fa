//! Stopping the whole system: the timed shutdown, and running until ctrl-c.

use std::time::Duration;

use crate::cell::current::inside;
use crate::observe::LIFECYCLE_TARGET;
use crate::stop::StopReason;
use crate::system::System;
use crate::time;

/// How long [`System::shutdown`] waits before it kills what is left.
///
/// # Examples
///
/// ```
/// use aplay_core::{DEFAULT_SHUTDOWN_LIMIT, System};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// // `shutdown()` is `shutdown_within(DEFAULT_SHUTDOWN_LIMIT)`.
/// system.shutdown_within(DEFAULT_SHUTDOWN_LIMIT).await;
/// # Ok(()) }
/// ```
pub const DEFAULT_SHUTDOWN_LIMIT: Duration = Duration::from_secs(60);

impl System {
    /// Stops every actor: children before parents, younger siblings first, each after its
    /// queued messages and within its `shutdown_timeout`; returns when all have stopped.
    /// (Idle children with default hooks and nothing of their own to run end side by side:
    /// see the guide's chapter on stopping.)
    /// Past [`DEFAULT_SHUTDOWN_LIMIT`] in all, what is left is killed.
    ///
    /// # Cancel safety
    ///
    /// The shutdown is requested before the first `.await`; it goes on if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{StopReason, System};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
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
    /// use std::time::Duration;
    /// use aplay_core::System;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
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
        if inside(self.root().core()) {
            return StopReason::Shutdown;
        }
        let deadline = time::deadline_after(limit);
        let reason = match time::until(deadline, root.wait_stopped()).await {
            Some(reason) => reason,
            None => {
                tracing::warn!(
                    target: LIFECYCLE_TARGET,
                    ?limit,
                    "shutdown overran its limit; killing what is left"
                );
                root.kill();
                root.wait_stopped().await
            }
        };
        // Descendants killed on the way (past their shutdown_timeout) end on their own tasks,
        // after the root: wait for the last of them, so that "returns when all have stopped"
        // holds. A killed actor stuck in a handler that never yields cannot end; the limit
        // (at least a second more) bounds that wait; a shutdown with no limit waits for them.
        let grace = deadline.map(|deadline| {
            time::deadline_after(Duration::from_secs(1))
                .map_or(deadline, |second| deadline.max(second))
        });
        if time::until(grace, self.registry().emptied())
            .await
            .is_none()
        {
            tracing::error!(
                target: LIFECYCLE_TARGET,
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
    /// use aplay_core::{StopReason, System};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
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
            reason = self.root().wait_stopped() => reason,
            () = ctrl_c => {
                tracing::info!(target: LIFECYCLE_TARGET, "ctrl-c: shutting down");
                self.shutdown().await
            }
        }
    }
}
