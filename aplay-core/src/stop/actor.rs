//! How one actor stops, in the order it happens: its children first, youngest first, each
//! within its shutdown time limit (killed past it); then its `on_stop`; then its last step,
//! [`finalize`], which frees its address, tells its parent and wakes every waiter. A stop
//! starts as a signal in the actor's cell (`CellControl::request_stop`, `kill`), which its
//! task reads between messages (`runtime::message_loop`); the task then runs
//! [`stop_actor`] and ends the instance (`runtime::finish`: for good, or parked for a
//! restart). The whole system's stop is `shutdown.rs`.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Poll, ready};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use crate::actor::Dispatch;
use crate::cell::{ActorState, CellCore, SystemMsg};
use crate::context::Context;
use crate::handle::AnyRef;
use crate::observe::{LIFECYCLE_TARGET, report_stopped};
use crate::panics::{self, panic_text};
use crate::stop::{Failure, FailureKind, StopReason};
use crate::system::System;
use crate::time;

/// How long a killed actor may take to be dropped before the parent gives up waiting.
const KILL_GRACE: Duration = Duration::from_secs(1);

/// Stops every child of `core`, youngest first, each after its queued messages; a child that
/// overruns its `shutdown_timeout` is killed. No new child can join once this starts.
///
/// Each child is waited for before the next is asked, so that an actor may rely on those
/// started before it while it stops; except a child that is idle with nothing of its own to
/// run (see [`ask_to_stop_quietly`]), whose end nobody can tell from outside. Those end
/// side by side with the rest, and are waited for last: a parent with a million idle
/// children does not make a million round trips.
pub(crate) async fn stop_children(core: &CellCore, system: &System) {
    let children: Vec<AnyRef> = core.close_children().into_iter().map(AnyRef::new).collect();
    let Some(first) = children.first() else {
        return;
    };
    // One timer for every child's time limit, moved only when it would fire too early: a
    // parent with many children does not register and cancel a timer for each.
    let first = time::deadline_after(first.core().shutdown_timeout());
    let mut timer = pin!(tokio::time::sleep_until(first.unwrap_or_else(Instant::now)));
    let mut quiet = Vec::new();
    for child in &children {
        if ask_to_stop_quietly(child) {
            quiet.push(child);
        } else if !ask_to_stop(child, system) {
            wait_child_timed(child, timer.as_mut()).await;
        }
    }
    for child in quiet {
        wait_child_timed(child, timer.as_mut()).await;
    }
}

/// Asks `child` to stop, if it can stop without running anything of its own: every hook
/// the default's (no `on_stop`), never restarted, no children, nothing attached, and
/// waiting for a message with none queued. Its mailbox is then closed at once, so it will
/// handle nothing more, and what is left of its stop is its last step ([`finalize`]): on its
/// own task, or here for a child that never got a message (it has no task). `false` for any
/// other child, whose ordinary stop follows (its stop bit may be raised already).
fn ask_to_stop_quietly(child: &AnyRef) -> bool {
    let cell = child.cell();
    if !cell.default_hooks() || cell.restartable() || !child.core().bare() {
        return false;
    }
    // Raised before the mailbox closes, so that the actor reads the close as a shutdown.
    child.core().mark_stop(false);
    // Never started (no message yet): ended here, no task needed.
    if cell.end_unstarted(StopReason::Shutdown) {
        return true;
    }
    // Busy otherwise: the ordinary stop follows, and waits for it.
    cell.close_if_idle()
}

/// Waits for `child`, asked to stop, to end within its time limit, `timer` being the time
/// limit's timer; kills it past that.
async fn wait_child_timed(child: &AnyRef, mut timer: Pin<&mut Sleep>) {
    if !child.core().is_alive() {
        // Ended already (most often, a child stopped quietly): no wait, no clock.
        return;
    }
    let limit = child.core().shutdown_timeout();
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
    let limit = child.core().shutdown_timeout();
    let core = child.core();
    if time::within(limit, core.wait_state(&done)).await.is_none() {
        kill_late(child, limit).await;
    }
}

/// Kills a child that overran its time limit, and waits a little for its end.
async fn kill_late(child: &AnyRef, limit: Duration) {
    tracing::warn!(target: LIFECYCLE_TARGET, actor = %child.path(), ?limit, "did not stop in time; killing it");
    child.kill();
    if tokio::time::timeout(KILL_GRACE, child.wait_stopped())
        .await
        .is_err()
    {
        tracing::error!(target: LIFECYCLE_TARGET, actor = %child.path(), "still running after a kill (a handler that never yields?)");
    }
}

/// Stops the children, then runs `on_stop`; the final reason (a failure if `on_stop` panicked).
pub(crate) async fn stop_actor<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    reason: StopReason,
) -> StopReason {
    stop_children(ctx.myself_any().core(), ctx.system()).await;
    match panics::catch_future(actor.on_stop(ctx, &reason)).await {
        Ok(()) => reason,
        Err(panic) => StopReason::Failed(Failure::new(FailureKind::StopPanic, panic_text(&*panic))),
    }
}

/// Ends an actor for good: stops what works for it, frees its address, leaves its parent
/// (telling it, unless `tell_parent` is false because the parent is the caller, or the
/// parent's hooks are the defaults', with nothing to hear it) and wakes
/// every waiter. Also used by a parent on a child parked between two instances.
pub(crate) fn finalize(me: &AnyRef, system: &System, reason: StopReason, tell_parent: bool) {
    let core = me.core();
    if core.state() == ActorState::Stopped {
        return;
    }
    // A parked mailbox is dropped: queued asks get `Error::NoReply`.
    me.cell().drop_parked();
    core.abort_attached();
    for child in core.close_children() {
        // Children have stopped already unless this actor was killed or failed to start.
        if child.core().state() == ActorState::Restarting {
            finalize(&AnyRef::new(child), system, StopReason::Killed, false);
        } else {
            child.kill();
        }
    }
    // Notices nobody will read (children that stopped while this actor stopped) go now: left
    // in place, each would keep its child, and so a whole stopped subtree, alive, to be freed
    // one level inside another.
    drop(core.take_system());
    match &reason {
        StopReason::Failed(_) => {
            tracing::warn!(target: LIFECYCLE_TARGET, actor = %core.path, %reason, "stopped");
        }
        StopReason::StoppedByPerson => {
            tracing::info!(target: LIFECYCLE_TARGET, actor = %core.path, %reason, "stopped");
        }
        reason => {
            tracing::debug!(target: LIFECYCLE_TARGET, actor = %core.path, %reason, "stopped");
        }
    }
    report_stopped(system.observing(), &core.path, &reason);
    core.note_ended(&reason);
    core.record_stop(reason.clone());
    // The address is freed once the actor reads as stopped, so that whoever waits for the
    // registry to empty (a shutdown) finds every actor stopped.
    system.registry().release(&core.path, core);
    if let Some(parent) = core.parent.as_ref().and_then(|p| p.upgrade()) {
        parent.core().forget_child(core);
        if tell_parent && !parent.default_hooks() && parent.core().accepts_children() {
            parent.post_system(SystemMsg::ChildStopped {
                child: Arc::clone(me.cell()),
                reason,
            });
        }
    }
    core.notify_stopped();
}
