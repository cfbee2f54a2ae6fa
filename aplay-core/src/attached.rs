//! Tasks that work for an actor (its input streams, repeated futures and timers): they feed
//! its mailbox, and end when it stops.

use std::fmt;
use std::future::Future;

use tokio::task::AbortHandle;

use crate::actor::Dispatch;
use crate::context::Context;
use crate::handle::RawRef;

/// A task attached to an actor: an input stream, a repeated future or a timer.
///
/// [`cancel`](Self::cancel) ends it early; every attached task ends when its actor stops, so
/// none outlives the actor. Dropping the handle does not cancel the task.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::{Actor, BoxError, Context, Inbox, Recipient, System, TaskHandle};
///
/// /// Beeps every second until told to be quiet.
/// struct Beeper { beeps: Recipient<&'static str>, timer: Option<TaskHandle> }
/// impl Actor for Beeper {
///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
///         self.timer = Some(ctx.send_interval(Duration::from_secs(1), BeeperMsg::beep));
///         Ok(())
///     }
/// }
/// #[aplay::actor]
/// impl Beeper {
///     async fn beep(&mut self) {
///         let _ = self.beeps.tell("beep").await;
///     }
///     fn quiet(&mut self) {
///         if let Some(timer) = &self.timer { timer.cancel() }
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let mut beeps = Inbox::new();
/// let beeper = system.spawn("beeper", Beeper { beeps: beeps.recipient(), timer: None }).await?;
/// assert_eq!(beeps.recv().await, "beep"); // one second later (on this test's paused clock, at once)
/// beeper.quiet().await?;
/// assert_eq!(beeps.recv_timeout(Duration::from_secs(10)).await, None);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TaskHandle {
    task: AbortHandle,
}

impl TaskHandle {
    /// Ends the task: no further message comes from it. A message it already put in the
    /// mailbox is still handled.
    ///
    /// See the example on [`TaskHandle`].
    pub fn cancel(&self) {
        self.task.abort();
    }

    /// Whether the task has ended (its stream ended, its timer fired, it was cancelled, or the
    /// actor stopped).
    ///
    /// See the example on [`Context::send_after`].
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl fmt::Debug for TaskHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Sends to the instance of an actor that attached the task: after a restart, what it sends
/// is dropped, never handled by the next instance.
pub(crate) struct AttachedSender<A: Dispatch> {
    raw: RawRef<A>,
    incarnation: u32,
}

impl<A: Dispatch> AttachedSender<A> {
    /// Sends `msg`, waiting for room. `Err` once the actor stopped.
    pub(crate) async fn send(&self, msg: A::Msg) -> Result<(), ()> {
        self.raw.send_attached(self.incarnation, msg).await
    }
}

impl<A: Dispatch> Context<A> {
    /// Spawns `work` for this actor, with a way to send to this instance of it; the task is
    /// aborted when the actor stops or restarts.
    pub(crate) fn spawn_attached<F, Fut>(&mut self, work: F) -> TaskHandle
    where
        F: FnOnce(AttachedSender<A>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let target = AttachedSender {
            raw: crate::handle::Handle::raw(&*self.myself()).clone(),
            incarnation: self.myself_any().core().incarnation(),
        };
        let task = tokio::spawn(work(target)).abort_handle();
        self.myself_any().core().attach(task.clone());
        TaskHandle { task }
    }
}
