//! Where an actor is in its life: its state, its instances, the reason it stopped, and the
//! waits for a state or for its end.

use std::sync::atomic::Ordering;

use super::{CellCore, bits};
use crate::stop::StopReason;

/// Where an actor is in its life.
///
/// See the examples on [`ActorRef`](crate::ActorRef) and [`AnyRef`](crate::AnyRef).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActorState {
    /// Spawned; `on_start` has not finished.
    Starting,
    /// Handling messages.
    Running,
    /// Stopping: handling what was queued, stopping its children, running `on_stop`.
    Stopping,
    /// A supervised actor between two instances: the last one ended and its parent is
    /// deciding, or starting the next one. Its mailbox keeps the messages sent meanwhile.
    Restarting,
    /// Stopped; see [`AnyRef::stop_reason`](crate::AnyRef::stop_reason).
    Stopped,
}

impl ActorState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => ActorState::Starting,
            1 => ActorState::Running,
            2 => ActorState::Stopping,
            3 => ActorState::Restarting,
            _ => ActorState::Stopped,
        }
    }
}

impl CellCore {
    /// Asks the actor to stop after its current message so its parent can restart it.
    pub(crate) fn request_restart_stop(&self) {
        self.raise(bits::RESTART);
    }

    pub(crate) fn incarnation(&self) -> u32 {
        self.incarnation.load(Ordering::Acquire)
    }

    pub(crate) fn next_incarnation(&self) -> u32 {
        self.incarnation.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Waits until the state satisfies `done`, and returns it.
    pub(crate) async fn wait_state(&self, done: impl Fn(ActorState) -> bool) -> ActorState {
        loop {
            let notified = self.terminated.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let state = self.state();
            if done(state) {
                return state;
            }
            notified.await;
        }
    }

    pub(crate) fn state(&self) -> ActorState {
        ActorState::from_u8(self.state.load(Ordering::Acquire))
    }

    pub(crate) fn set_state(&self, state: ActorState) {
        let v = match state {
            ActorState::Starting => 0,
            ActorState::Running => 1,
            ActorState::Stopping => 2,
            ActorState::Restarting => 3,
            ActorState::Stopped => 4,
        };
        self.state.store(v, Ordering::Release);
        // A parent restarting its children waits for them to be parked; the final stop wakes
        // its waiters itself (`notify_stopped`), after the bookkeeping. No other state is
        // waited for, so no other change wakes anyone.
        if state == ActorState::Restarting {
            self.terminated.notify_waiters();
        }
    }

    /// Whether it has not stopped for good (a parked, restarting actor is alive).
    pub(crate) fn is_alive(&self) -> bool {
        self.state() != ActorState::Stopped
    }

    pub(crate) fn stopped_by_person(&self) -> bool {
        self.stopped_by_person.load(Ordering::Acquire)
    }

    pub(crate) fn count_handled(&self) {
        // Only the actor's task writes: a load and a store avoid a locked instruction.
        let n = self.handled.load(Ordering::Relaxed);
        self.handled.store(n + 1, Ordering::Relaxed);
    }

    pub(crate) fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    pub(crate) fn stop_reason(&self) -> Option<&StopReason> {
        self.reason.get()
    }

    /// Records the final reason. Called once, before [`notify_stopped`](Self::notify_stopped).
    pub(crate) fn record_stop(&self, reason: StopReason) {
        let _ = self.reason.set(reason);
        self.set_state(ActorState::Stopped);
    }

    /// Wakes everyone waiting for the end.
    pub(crate) fn notify_stopped(&self) {
        self.terminated.notify_waiters();
    }

    /// Waits until the actor has stopped, and returns why.
    pub(crate) async fn terminated(&self) -> StopReason {
        loop {
            let notified = self.terminated.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(reason) = self.reason.get() {
                return reason.clone();
            }
            notified.await;
        }
    }
}
