//! The body of an actor's task: one instance, from `on_start` to its end.
//!
//! Every idle actor holds this future in its task, so its size is memory per actor: the
//! start and stop phases are boxed (they run once), the context is small, and the actor's
//! span is kept only while a subscriber wants it.

use std::future::Future;

use super::finish::Finisher;
#[cfg(feature = "tracing")]
use super::in_span::InSpan;
use super::message_loop::message_loop;
use crate::actor::Dispatch;
use crate::cell::{ActorState, CellCore, bits};
use crate::mailbox::MailboxReceiver;
use crate::system::System;
use tokio::sync::oneshot;

use crate::observe::{LIFECYCLE_TARGET, report_started};
use crate::panics::{self, panic_text};
use crate::stop::{Failure, FailureKind, StopReason};
use crate::stop::{stop_actor, stop_children};

/// Tells the spawner how `on_start` went.
pub(crate) type Started = oneshot::Receiver<Result<(), StopReason>>;

/// Runs one instance of an actor from `on_start` to its end, in the actor's span. Whatever
/// ends the task, an abort before its first poll included, `life` ends the actor (or parks
/// it for a restart) and tells the parent and every waiter.
///
/// `announced`: the spawner has marked it running and said so already (an actor whose
/// `on_start` does nothing, see [`announce_running`]).
pub(crate) fn run_actor<A: Dispatch>(
    actor: A,
    life: Finisher<A>,
    receiver: MailboxReceiver<A::Msg>,
    announced: bool,
) -> impl Future<Output = ()> + Send {
    #[cfg(feature = "tracing")]
    {
        let span = tracing::info_span!("actor", path = %life.core().path);
        // Kept only while a subscriber wants it, boxed: a span takes 40 bytes, a pointer 8.
        let span = (!span.is_disabled()).then(|| Box::new(span));
        // Quiet: a panic in a handler or hook is caught and reported as one event (`panics`).
        panics::quiet(InSpan::new(
            span,
            lifecycle(actor, life, receiver, announced),
        ))
    }
    #[cfg(not(feature = "tracing"))]
    panics::quiet(lifecycle(actor, life, receiver, announced))
}

/// One instance's life. (A plain function around an `async move` block rather than an
/// `async fn`: the block uses its captures in place, where an `async fn` would keep a second
/// copy of each argument.) The start and the end run once: boxed, their state does not weigh
/// on the task for the whole life of the actor, only the message loop's does.
#[allow(clippy::manual_async_fn)]
fn lifecycle<A: Dispatch>(
    mut actor: A,
    mut life: Finisher<A>,
    mut receiver: MailboxReceiver<A::Msg>,
    announced: bool,
) -> impl Future<Output = ()> + Send {
    async move {
        if let Some(id) = tokio::task::try_id() {
            life.core().set_task_id(id);
        }
        // The mailbox may come from an earlier instance's task, whose waker it registered.
        receiver.new_owner();
        life.ctx().set_supervision(actor.supervision());
        if let Err((reason, may_restart)) = Box::pin(start(&mut actor, &mut life)).await {
            // Told once the address is free again, so the spawner may reuse it at once.
            let started = life.ctx().take_started();
            life.end(reason.clone(), receiver, may_restart, false);
            if let Some(started) = started {
                let _ = started.send(Err(reason));
            }
            return;
        }
        if !announced {
            announce_running(life.core(), life.system());
        }
        if let Some(started) = life.ctx().take_started() {
            let _ = started.send(Ok(()));
        }

        // A stop asked for during `on_start` takes effect now.
        let reason = match life.ctx().take_stop() {
            Some(reason) => reason,
            None => message_loop(&mut actor, life.ctx(), &mut receiver).await,
        };
        // The streams it read end with its messages, before `on_stop`.
        life.ctx().end_inline();
        Box::pin(end(actor, life, receiver, reason)).await;
    }
}

/// Marks the instance as running, and says so (a function of its own: nothing it uses is
/// kept in the task's future). Called by its task once `on_start` has run, or by the
/// spawner for an actor whose `on_start` does nothing.
pub(super) fn announce_running(core: &CellCore, system: &System) {
    core.set_state(ActorState::Running);
    match core.incarnation() {
        0 => tracing::debug!(target: LIFECYCLE_TARGET, actor = %core.path, "started"),
        restarts => {
            tracing::info!(target: LIFECYCLE_TARGET, actor = %core.path, restarts, "restarted");
        }
    }
    report_started(system.observing(), &core.path, core.incarnation());
}

/// Runs `on_start`. If it fails, stops the children it may have started and returns the
/// reason, and whether a restart may follow.
async fn start<A: Dispatch>(
    actor: &mut A,
    life: &mut Finisher<A>,
) -> Result<(), (StopReason, bool)> {
    let failure = match panics::catch_future(actor.on_start(life.ctx())).await {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(error)) => Failure::new(FailureKind::StartError, error.to_string()),
        Err(panic) => Failure::new(FailureKind::StartPanic, panic_text(&*panic)),
    };
    let core = life.core();
    tracing::warn!(
        target: LIFECYCLE_TARGET,
        actor = %core.path,
        restarts = core.incarnation(),
        %failure,
        "failed to start"
    );
    let reason = StopReason::Failed(failure);
    let system = life.ctx().system().clone();
    stop_children(life.core(), &system).await;
    // A first start that fails is the spawner's error; a restart that fails is one more
    // failure for the parent to count.
    let may_restart = life.core().incarnation() > 0 && life.core().restart.allows(&reason);
    Err((reason, may_restart))
}

/// Ends the instance after its message loop: stops its children, runs `on_stop`, and ends
/// it for good or parks it (with its mailbox) for a restart.
async fn end<A: Dispatch>(
    mut actor: A,
    mut life: Finisher<A>,
    mut receiver: MailboxReceiver<A::Msg>,
    reason: StopReason,
) {
    if reason == StopReason::Killed {
        life.finish(reason);
        return;
    }
    let restart_requested = life.core().control() & bits::RESTART != 0;
    life.core().set_state(ActorState::Stopping);
    let may_restart = restart_requested || life.core().restart.allows(&reason);
    if !may_restart {
        // Refuse new messages: this stop is final.
        receiver.close();
    }
    let reason = stop_actor(&mut actor, life.ctx(), reason).await;
    // Parked for a next instance, if there is one: the mailbox, with the tells queued in it.
    life.end(reason, receiver, may_restart, restart_requested);
}
