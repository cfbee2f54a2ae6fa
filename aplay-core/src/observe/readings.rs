//! What a ref reads of its actor's meter and history.

use super::history::{ErrorNote, RestartNote};
use super::meter::{HandlerTime, Meter};
use crate::handle::AnyRef;

impl AnyRef {
    /// The time it has spent in its handlers, when its system is metered
    /// ([`SystemBuilder::metered`](crate::SystemBuilder::metered)); `None` otherwise.
    ///
    /// See the example on [`HandlerTime`](crate::observe::HandlerTime).
    pub fn handler_time(&self) -> Option<HandlerTime> {
        self.core().meter().map(Meter::handler_time)
    }

    /// The most messages that have waited in its mailbox at once, when its system is metered;
    /// `None` otherwise. Counted when the actor takes a message (the one it takes included),
    /// and compared with what waits now, for bounded mailboxes. The wake-ups the runtime
    /// queues to signal a stop count as messages.
    ///
    /// See the example on [`HandlerTime`](crate::observe::HandlerTime).
    pub fn mailbox_high_water(&self) -> Option<usize> {
        let meter = self.core().meter()?;
        Some(meter.high_water().max(self.mailbox_len().unwrap_or(0)))
    }

    /// The capacity of its mailbox (`None` when unbounded).
    ///
    /// See the example on [`HandlerTime`](crate::observe::HandlerTime).
    pub fn mailbox_capacity(&self) -> Option<usize> {
        self.cell().mailbox_capacity()
    }
}

impl AnyRef {
    /// The last error it met, if any: a told handler's `Err` (given to `on_error`), or the
    /// failure that ended one of its instances. Kept across restarts.
    ///
    /// See the example on [`ErrorNote`].
    pub fn last_error(&self) -> Option<ErrorNote> {
        self.core()
            .read_history(|h| h.and_then(|h| h.last_error.clone()))
    }

    /// How many of its instances ended in a panic (in a handler, a hook, `on_start` or
    /// `on_stop`).
    ///
    /// See the example on [`recent_restarts`](Self::recent_restarts).
    pub fn panics(&self) -> u64 {
        self.core().read_history(|h| h.map_or(0, |h| h.panics))
    }

    /// How many asks to it timed out waiting for its reply (`.timeout(..)` on an ask).
    ///
    /// See the example on [`recent_restarts`](Self::recent_restarts).
    pub fn asks_timed_out(&self) -> u64 {
        self.core()
            .read_history(|h| h.map_or(0, |h| h.asks_timed_out))
    }

    /// Its last restarts (at most [`RECENT_RESTARTS`](crate::observe::RECENT_RESTARTS)),
    /// oldest first, each with why the instance before it ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use aplay_core::{Actor, BoxError, Context, Restart, StopReason, System};
    ///
    /// struct Parent;
    /// impl Actor for Parent {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         ctx.spawn_supervised("flaky", Restart::Permanent, || Flaky).await?;
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Parent {} // no messages
    ///
    /// struct Flaky;
    /// impl Actor for Flaky {}
    ///
    /// #[aplay::actor]
    /// impl Flaky {
    ///     fn crash(&self) { panic!("boom") }
    ///     async fn slow(&self) -> u8 { tokio::time::sleep(Duration::from_secs(5)).await; 1 }
    ///     fn ping(&self) -> u8 { 1 }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// system.spawn("parent", Parent).await?;
    /// let flaky = system.lookup::<Flaky>("/parent/flaky").expect("started with its parent");
    /// let any = aplay_core::ActorRef::to_any(&flaky);
    /// flaky.crash().await?;
    /// while any.restarts() == 0 { tokio::task::yield_now().await; }
    /// assert_eq!(flaky.ping().await?, 1);
    ///
    /// let restarts = any.recent_restarts();
    /// assert_eq!(restarts.len(), 1);
    /// assert_eq!(restarts[0].restarts, 1);
    /// assert!(matches!(restarts[0].reason, StopReason::Failed(_)));
    /// assert_eq!(any.panics(), 1);
    /// assert!(any.last_error().unwrap().text.contains("boom"));
    ///
    /// assert!(flaky.slow().timeout(Duration::from_millis(1)).await.is_err());
    /// assert_eq!(any.asks_timed_out(), 1);
    /// # Ok(()) }
    /// ```
    pub fn recent_restarts(&self) -> Vec<RestartNote> {
        self.core().read_history(|h| {
            h.map(|h| h.restarts.iter().cloned().collect())
                .unwrap_or_default()
        })
    }
}
