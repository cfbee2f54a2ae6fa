//! The body of an actor's task: one instance, from `on_start` to its end.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use tokio::sync::oneshot;

use super::finish::Finisher;
use super::message_loop::message_loop;
use super::stop_children::stop_children;
use crate::actor::Dispatch;
use crate::cell::{ActorState, bits};
use crate::context::Context;
use crate::mailbox::MailboxReceiver;
use crate::observe::{LIFECYCLE_TARGET, report_started};
use crate::stop::{Failure, FailureKind, StopReason, panic_text};
use crate::supervision::restart_allowed;

/// Tells the spawner how `on_start` went.
pub(crate) type Started = oneshot::Receiver<Result<(), StopReason>>;

/// Runs one instance of an actor from `on_start` to its end. `kept` holds the tells a
/// previous instance left in the mailbox (after a restart), handled first.
pub(crate) async fn run_actor<A: Dispatch>(
    actor: A,
    ctx: Context<A>,
    receiver: MailboxReceiver<A::Msg>,
    started: oneshot::Sender<Result<(), StopReason>>,
    kept: VecDeque<A::Msg>,
) {
    if let Some(id) = tokio::task::try_id() {
        ctx.myself_any().core().set_task_id(id);
    }
    #[cfg(feature = "tracing")]
    let life = {
        use tracing::Instrument;
        let span = tracing::info_span!("actor", path = %ctx.path());
        lifecycle(actor, ctx, receiver, started, kept).instrument(span)
    };
    #[cfg(not(feature = "tracing"))]
    let life = lifecycle(actor, ctx, receiver, started, kept);
    life.await;
}

async fn lifecycle<A: Dispatch>(
    mut actor: A,
    mut ctx: Context<A>,
    mut receiver: MailboxReceiver<A::Msg>,
    started: oneshot::Sender<Result<(), StopReason>>,
    mut kept: VecDeque<A::Msg>,
) {
    // Whatever ends this task, an abort included, the finisher ends the actor (or parks it
    // for a restart) and tells the parent and every waiter.
    let mut finisher = Finisher::new(ctx.myself_any().clone(), ctx.system().clone());
    let me = ctx.myself_any().clone();
    let core = me.core();
    ctx.set_supervision(actor.supervision());

    // The start and stop phases run once: boxed, their state does not weigh on the task for
    // the whole life of the actor (only the message loop's does).
    if let Some(failure) = Box::pin(start(&mut actor, &mut ctx)).await {
        tracing::warn!(
            target: LIFECYCLE_TARGET,
            actor = %core.path,
            restarts = core.incarnation(),
            %failure,
            "failed to start"
        );
        let reason = StopReason::Failed(failure);
        Box::pin(stop_children(core, ctx.system())).await;
        // A first start that fails is the spawner's error; a restart that fails is one more
        // failure for the parent to count.
        let may_restart = core.incarnation() > 0 && restart_allowed(core.restart, &reason);
        finisher.end(
            reason.clone(),
            Box::new((receiver, kept)),
            may_restart,
            false,
        );
        let _ = started.send(Err(reason));
        return;
    }
    core.set_state(ActorState::Running);
    let _ = started.send(Ok(()));
    match core.incarnation() {
        0 => tracing::debug!(target: LIFECYCLE_TARGET, actor = %core.path, "started"),
        restarts => {
            tracing::info!(target: LIFECYCLE_TARGET, actor = %core.path, restarts, "restarted");
        }
    }
    report_started(ctx.system().observing(), &core.path, core.incarnation());

    // A stop asked for during `on_start` takes effect now.
    let reason = match ctx.take_stop() {
        Some(reason) => reason,
        None => message_loop(&mut actor, &mut ctx, &mut receiver, &mut kept).await,
    };
    if reason == StopReason::Killed {
        finisher.finish(reason);
        return;
    }

    let restart_requested = core.control() & bits::RESTART != 0;
    core.set_state(ActorState::Stopping);
    let may_restart = restart_requested || restart_allowed(core.restart, &reason);
    if !may_restart {
        // Refuse new messages: this stop is final.
        receiver.close();
    }
    let reason = Box::pin(stop(&mut actor, &mut ctx, reason)).await;
    // Parked for a next instance, if there is one: the mailbox, and the tells taken out of it
    // but not handled yet.
    finisher.end(
        reason,
        Box::new((receiver, kept)),
        may_restart,
        restart_requested,
    );
}

/// Runs `on_start`; the failure, if it failed.
async fn start<A: Dispatch>(actor: &mut A, ctx: &mut Context<A>) -> Option<Failure> {
    match AssertUnwindSafe(actor.on_start(ctx)).catch_unwind().await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(Failure::new(FailureKind::StartError, error.to_string())),
        Err(panic) => Some(Failure::new(FailureKind::StartPanic, panic_text(&*panic))),
    }
}

/// Stops the children, then runs `on_stop`; the final reason (a failure if `on_stop` panicked).
async fn stop<A: Dispatch>(actor: &mut A, ctx: &mut Context<A>, reason: StopReason) -> StopReason {
    stop_children(ctx.myself_any().core(), ctx.system()).await;
    match AssertUnwindSafe(actor.on_stop(ctx, &reason))
        .catch_unwind()
        .await
    {
        Ok(()) => reason,
        Err(panic) => StopReason::Failed(Failure::new(FailureKind::StopPanic, panic_text(&*panic))),
    }
}
