//! Timers: a message after a delay, or at a fixed interval.

use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

use crate::actor::Dispatch;
use crate::attached::TaskHandle;
use crate::context::Context;

impl<A: Dispatch> Context<A> {
    /// Sends `msg` to this actor after `delay`. Cancel with the returned handle; the timer is
    /// cancelled when the actor stops.
    pub fn send_after(&mut self, delay: Duration, msg: A::Msg) -> TaskHandle {
        self.spawn_attached(move |target| async move {
            tokio::time::sleep(delay).await;
            let _ = target.send(msg).await;
        })
    }

    /// Sends `make()` to this actor every `period`, the first one `period` from now, until
    /// the handle cancels it or the actor stops. A tick never queues behind a full mailbox
    /// twice: while the actor is behind, the next tick waits (ticks are delayed, not
    /// bunched).
    ///
    /// # Panics
    ///
    /// If `period` is zero.
    pub fn send_interval<F>(&mut self, period: Duration, mut make: F) -> TaskHandle
    where
        F: FnMut() -> A::Msg + Send + 'static,
    {
        assert!(!period.is_zero(), "send_interval needs a period above zero");
        self.spawn_attached(move |target| async move {
            let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if target.send(make()).await.is_err() {
                    return;
                }
            }
        })
    }
}
