//! What a parent does when an instance of a supervised child ends: the strategy, the limit,
//! and the restarts themselves.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;

use super::{Restart, Strategy};
use crate::actor::Dispatch;
use crate::cell::ActorState;
use crate::context::Context;
use crate::handle::AnyRef;
use crate::observe::LIFECYCLE_TARGET;
use crate::runtime::{finalize, stop_child, wait_or_kill};
use crate::stop::{Failure, FailureKind, StopReason, panic_text};

/// Whether a stop for `reason` lets a child of restart type `restart` be restarted. A stop
/// by a person, by its parent or by a kill never does.
pub(crate) fn restart_allowed(restart: Restart, reason: &StopReason) -> bool {
    match reason {
        StopReason::StoppedByPerson | StopReason::Shutdown | StopReason::Killed => false,
        _ => match restart {
            Restart::Permanent => true,
            Restart::Transient => reason.is_failure(),
            Restart::Temporary => false,
        },
    }
}

/// Runs `on_child_stopped`, turning a panic into this actor's failure.
pub(crate) async fn child_stopped_hook<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    child: &AnyRef,
    reason: &StopReason,
) -> Result<(), Failure> {
    AssertUnwindSafe(actor.on_child_stopped(ctx, child, reason))
        .catch_unwind()
        .await
        .map_err(|panic| Failure::new(FailureKind::HookPanic, panic_text(&*panic)))
}

/// An instance of the supervised `child` ended with `reason`: restart it (and the siblings
/// its parent's strategy names) or end it for good. Past the restart limit, ends them and
/// returns the failure this actor stops with (escalation).
pub(crate) async fn on_child_exit<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    child: AnyRef,
    reason: StopReason,
    incarnation: u32,
) -> Result<(), Failure> {
    let core = child.core();
    if core.incarnation() != incarnation || core.state() != ActorState::Restarting {
        return Ok(()); // already dealt with (restarted or stopped with its siblings)
    }
    child_stopped_hook(actor, ctx, &child, &reason).await?;
    let system = ctx.system().clone();
    if !restart_allowed(core.restart, &reason) {
        finalize(&child, &system, reason, false);
        return Ok(());
    }
    let supervision = ctx.supervision();
    let children = ctx.children();
    let position = children.iter().position(|c| c.same_actor(&child));
    let group: Vec<AnyRef> = match (supervision.strategy(), position) {
        (Strategy::OneForOne, _) | (_, None) => vec![child.clone()],
        (Strategy::OneForAll, Some(_)) => children,
        (Strategy::RestForOne, Some(at)) => children[at..].to_vec(),
    };

    // The others stop, youngest first; temporary ones for good (OTP drops them).
    let mut restart = Vec::new();
    for member in group.iter().rev() {
        if member.same_actor(&child) {
            restart.push(member.clone());
        } else if member.core().restart == Restart::Temporary || member.core().restarter().is_none()
        {
            stop_child(member, &system).await;
        } else {
            stop_for_restart(member).await;
            if member.state() == ActorState::Restarting {
                restart.push(member.clone());
            }
        }
    }
    restart.reverse();

    // One failure, one restart, however many children it restarts.
    if !ctx.count_restart() {
        let (max, within) = supervision.limit();
        for member in &restart {
            let why = if member.same_actor(&child) {
                reason.clone()
            } else {
                StopReason::Shutdown
            };
            finalize(member, &system, why, false);
        }
        tracing::error!(
            target: LIFECYCLE_TARGET,
            actor = %child.path(),
            supervisor = %ctx.path(),
            %reason,
            max,
            ?within,
            "restart limit reached; the supervisor gives up and fails"
        );
        return Err(Failure::new(
            FailureKind::RestartLimit,
            format!(
                "the limit of {max} restarts within {within:?} was reached; the last failure: {} {reason}",
                child.path()
            ),
        ));
    }

    // Restarted oldest first, each once the previous one has started.
    for member in restart {
        restart_one(&member, ctx).await;
    }
    Ok(())
}

/// Stops a sibling so it can be restarted: after its current message, keeping its mailbox.
async fn stop_for_restart(member: &AnyRef) {
    member.core().request_restart_stop();
    member.cell().wake();
    wait_or_kill(member, |state| {
        matches!(state, ActorState::Restarting | ActorState::Stopped)
    })
    .await;
}

/// Starts the next instance of a parked child. A failed start parks it again and its notice
/// comes back through the mailbox, where it counts toward the limit like any other.
async fn restart_one<A>(member: &AnyRef, ctx: &Context<A>) {
    let Some(restarter) = member.core().restarter() else {
        return;
    };
    tracing::debug!(target: LIFECYCLE_TARGET, actor = %member.path(), "restarting");
    if let Err(reason) = restarter(ctx.system().clone()).await {
        tracing::warn!(target: LIFECYCLE_TARGET, actor = %member.path(), %reason, "restart failed");
    }
}
