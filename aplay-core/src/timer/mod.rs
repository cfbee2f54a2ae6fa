//! Timers: a message after a delay, or at a fixed interval.

use std::time::Duration;

use tokio::time::Instant;

use crate::actor::Dispatch;
use crate::attached::TaskHandle;
use crate::context::Context;
use crate::time;

/// The period of an interval asked for with zero: the timer's resolution.
const SHORTEST_PERIOD: Duration = Duration::from_millis(1);

/// How late a tick may be before the next one is moved (tokio's threshold for a missed tick).
const LATE: Duration = Duration::from_millis(5);

impl<A: Dispatch> Context<A> {
    /// Sends `msg` to this actor after `delay`. Cancel with the returned handle; the timer is
    /// cancelled when the actor stops.
    ///
    /// `Duration::ZERO` sends at once. `Duration::MAX` (or any delay too long for the clock to
    /// count) never sends: the timer only waits to be cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use aplay_core::{Actor, BoxError, Context, Inbox, Recipient, System};
    /// use tokio::time::Instant;
    ///
    /// /// Says "time's up" once, after a delay; its tick can be called off.
    /// struct Egg { out: Recipient<Duration>, started: Instant }
    /// impl Actor for Egg {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         let ring = ctx.send_after(Duration::from_secs(3), EggMsg::ring());
    ///         assert!(!ring.is_finished());
    ///         let never = ctx.send_after(Duration::from_secs(1), EggMsg::ring());
    ///         never.cancel();
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Egg {
    ///     async fn ring(&mut self) {
    ///         let _ = self.out.tell(self.started.elapsed()).await;
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let mut rings = Inbox::new();
    /// system.spawn("egg", Egg { out: rings.recipient(), started: Instant::now() }).await?;
    /// // On this test's paused clock, the three seconds pass at once.
    /// assert_eq!(rings.recv().await, Duration::from_secs(3));
    /// assert_eq!(rings.recv_timeout(Duration::from_secs(60)).await, None);
    /// # Ok(()) }
    /// ```
    pub fn send_after(&mut self, delay: Duration, msg: A::Msg) -> TaskHandle {
        self.spawn_attached(move |target| async move {
            time::sleep(delay).await;
            let _ = target.send(msg).await;
        })
    }

    /// Sends `make()` to this actor every `period`, the first one `period` from now, until
    /// the handle cancels it or the actor stops. A tick never queues behind a full mailbox
    /// twice: while the actor is behind, the next tick waits (ticks are delayed, not
    /// bunched).
    ///
    /// A zero `period` is taken as one millisecond, the timer's resolution: a tick every
    /// millisecond, not a loop. `Duration::MAX` (or any period too long for the clock to count)
    /// never ticks.
    ///
    /// See the example on [`TaskHandle`](crate::TaskHandle), a timer cancelled by a message.
    pub fn send_interval<F>(&mut self, period: Duration, mut make: F) -> TaskHandle
    where
        F: FnMut() -> A::Msg + Send + 'static,
    {
        let period = period.max(SHORTEST_PERIOD);
        self.spawn_attached(move |target| async move {
            let mut due = time::deadline_after(period);
            loop {
                let Some(tick) = due else {
                    // The clock cannot count to the next tick: it never comes.
                    return std::future::pending().await;
                };
                time::sleep_until(Some(tick)).await;
                // tokio's `MissedTickBehavior::Delay`, without its unchecked additions: a
                // tick late by more than a few milliseconds (the actor was behind) moves the
                // next one a period after now, instead of bunching the missed ones.
                let now = Instant::now();
                let late = time::later(tick, LATE).is_some_and(|limit| now > limit);
                due = time::later(if late { now } else { tick }, period);
                if target.send(make()).await.is_err() {
                    return;
                }
            }
        })
    }
}
