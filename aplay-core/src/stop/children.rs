//! Stopping an actor's children before the actor itself: youngest first, each within its
//! shutdown time limit.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Poll, ready};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use super::finalize::finalize;
use crate::cell::{ActorState, CellCore};
use crate::handle::AnyRef;
use crate::observe::LIFECYCLE_TARGET;
use crate::stop::StopReason;
use crate::system::System;
use crate::time;

/// How long a killed actor may take to be dropped before the parent gives up waiting.
const KILL_GRACE: Duration = Duration::from_secs(1);

/// Stops every child of `core`, youngest first, each after its queued messages; a child that
/// overruns its `shutdown_timeout` is killed. No new child can join once this starts.
pub(crate) async fn stop_children(core: &CellCore, system: &System) {
    let children: Vec<AnyRef> = core.close_children().into_iter().map(AnyRef::new).collect();
    let Some(first) = children.first() else {
        return;
    };
    // One timer for every child's time limit, moved only when it would fire too early: a
    // parent with many children does not register and cancel a timer for each.
    let first = time::deadline_after(first.core().shutdown_timeout);
    let mut timer = pin!(tokio::time::sleep_until(first.unwrap_or_else(Instant::now)));
    for child in &children {
        stop_child_timed(child, system, timer.as_mut()).await;
    }
}

/// [`stop_child`] with `timer` as the time limit's timer.
async fn stop_child_timed(child: &AnyRef, system: &System, mut timer: Pin<&mut Sleep>) {
    if ask_to_stop(child, system) {
        return;
    }
    let limit = child.core().shutdown_timeout;
    let mut stopped = pin!(
        child
            .core()
            .wait_state(|state| state == ActorState::Stopped)
    );
    let Some(deadline) = time::deadline_after(limit) else {
        // A limit too long for the clock is none: waited for, never killed.
        stopped.await;
        return;
    };
    // Moved when it would fire too late, or has fired already (for an earlier child).
    if timer.deadline() > deadline || timer.deadline() <= Instant::now() {
        timer.as_mut().reset(deadline);
    }
    let in_time = poll_fn(|cx| {
        if stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(true);
        }
        // Looked at before the timer, which fires at the clock's next millisecond: a zero
        // limit kills at once.
        while Instant::now() < deadline {
            ready!(timer.as_mut().poll(cx));
            // The timer was set for an earlier child: now it is this one's.
            timer.as_mut().reset(deadline);
        }
        Poll::Ready(false)
    })
    .await;
    if !in_time {
        kill_late(child, limit).await;
    }
}

/// Asks `child` to stop for good; `true` when that ended it already (a child parked between
/// two instances: nothing runs to see the request, so it is ended here).
fn ask_to_stop(child: &AnyRef, system: &System) -> bool {
    child.cell().request_stop(false);
    if child.state() == ActorState::Restarting {
        finalize(child, system, StopReason::Shutdown, false);
        return true;
    }
    false
}

/// Stops one child for good and waits for its end, within its time limit.
pub(crate) async fn stop_child(child: &AnyRef, system: &System) {
    if ask_to_stop(child, system) {
        return;
    }
    wait_or_kill(child, |state| state == ActorState::Stopped).await;
}

/// Waits until `child` reaches a state `done` accepts, within its `shutdown_timeout`; kills
/// it past that.
pub(crate) async fn wait_or_kill(child: &AnyRef, done: impl Fn(ActorState) -> bool) {
    let limit = child.core().shutdown_timeout;
    let core = child.core();
    if time::within(limit, core.wait_state(&done)).await.is_none() {
        kill_late(child, limit).await;
    }
}

/// Kills a child that overran its time limit, and waits a little for its end.
async fn kill_late(child: &AnyRef, limit: Duration) {
    tracing::warn!(target: LIFECYCLE_TARGET, actor = %child.path(), ?limit, "did not stop in time; killing it");
    child.kill();
    if tokio::time::timeout(KILL_GRACE, child.join())
        .await
        .is_err()
    {
        tracing::error!(target: LIFECYCLE_TARGET, actor = %child.path(), "still running after a kill (a handler that never yields?)");
    }
}
