//! Restarts, in one place: the plan a supervised child is spawned with (its factory), the
//! pause between two instances (the typed mailbox kept aside), the parent's decision by its
//! strategy and restart limit, and the start of the next instance.
//!
//! The order of a restart: the instance ends (`runtime::task`) and asks its [`Plan`] to park
//! it ([`Restarts::park`]): the mailbox's receiving side goes into the plan and the parent
//! gets a `ChildExited` notice, handled between its messages by [`on_child_exit`]: the
//! strategy names who restarts with it, the limit ([`Intensity`](super::Intensity)) is
//! counted, and [`Restarts::start_next`] starts each one from the factory with the kept
//! mailbox.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::oneshot;

use super::Strategy;
use crate::actor::cell::{ActorCell, Restarts};
use crate::actor::{Dispatch, StartState};
use crate::cell::{ActorState, CellRef, Restarting, SystemMsg};
use crate::context::Context;
use crate::handle::AnyRef;
use crate::mailbox::{Envelope, MailboxReceiver};
use crate::observe::LIFECYCLE_TARGET;
use crate::panics::{self, panic_text};
use crate::stop::{Failure, FailureKind, StopReason};
use crate::stop::{finalize, stop_child, wait_or_kill};
use crate::supervision::child_stopped_hook;
use crate::system::{System, WeakSystem};

/// What makes the instances of a supervised actor.
pub(crate) type Factory<A> = Arc<dyn Fn() -> A + Send + Sync>;

/// How the runtime starts an instance's task (`runtime::start_instance`), handed to each
/// plan: restarts call it without this module naming the runtime, which calls up into it.
pub(crate) type StartInstance<A> = fn(
    &Arc<ActorCell<A>>,
    AnyRef,
    &System,
    A,
    MailboxReceiver<<A as Dispatch>::Msg>,
    bool,
) -> Option<oneshot::Receiver<Result<(), StopReason>>>;

/// The restart plan of an actor spawned from `factory` in `system`.
pub(crate) fn plan<A: Dispatch>(
    factory: Factory<A>,
    system: &System,
    start: StartInstance<A>,
) -> Box<dyn Restarts<A>> {
    Box::new(Plan {
        factory,
        system: system.downgrade(),
        start,
        parked: Mutex::new(None),
    })
}

/// Calls the factory, catching a panic.
pub(crate) fn make<A>(factory: &Factory<A>) -> Result<A, StopReason> {
    panics::catch(|| factory()).map_err(|panic| {
        StopReason::Failed(Failure::new(FailureKind::StartPanic, panic_text(&*panic)))
    })
}

/// A supervised actor's way from one instance to the next: its factory, and its mailbox
/// while no instance runs. Kept in its cell (as [`Restarts`]), so only actors spawned from a
/// factory carry one.
struct Plan<A: Dispatch> {
    factory: Factory<A>,
    /// The system holds the actor; the plan only refers to the system.
    system: WeakSystem,
    start: StartInstance<A>,
    /// Between two instances: the mailbox's receiving side, kept for the next one.
    parked: Mutex<Option<MailboxReceiver<A::Msg>>>,
}

impl<A: Dispatch> Restarts<A> for Plan<A> {
    fn park(
        &self,
        cell: &Arc<ActorCell<A>>,
        receiver: MailboxReceiver<A::Msg>,
        reason: StopReason,
        restart_requested: bool,
    ) -> Result<(), StopReason> {
        let core = &cell.core;
        core.abort_attached();
        let Some(parent) = core.parent.as_ref().and_then(|p| p.upgrade()) else {
            return Err(reason);
        };
        let mut receiver = Some(receiver);
        if !core.pause(parent.core(), || *self.parked.lock() = receiver.take()) {
            return Err(reason);
        }
        core.note_parked(&reason);
        if reason.is_failure() {
            tracing::warn!(
                target: LIFECYCLE_TARGET,
                actor = %core.path,
                %reason,
                "failed; its parent decides on a restart"
            );
        } else {
            tracing::debug!(
                target: LIFECYCLE_TARGET,
                actor = %core.path,
                %reason,
                "ended; its parent decides on a restart"
            );
        }
        if !restart_requested {
            parent.post_system(SystemMsg::ChildExited {
                child: Arc::clone(cell) as CellRef,
                reason,
                incarnation: core.incarnation(),
            });
        }
        Ok(())
    }

    fn drop_parked(&self) {
        drop(self.parked.lock().take());
    }

    /// The parent starts the next instance: a new actor from the
    /// factory, the same cell, address and mailbox. Queued asks are answered with an error (the
    /// instance they asked is gone); tells are kept, in order; messages from the old instance's
    /// streams and timers are dropped.
    fn start_next(&self, cell: Arc<ActorCell<A>>) -> Restarting {
        let factory = Arc::clone(&self.factory);
        let system = self.system.upgrade();
        let start_instance = self.start;
        // Whoever takes the parked mailbox first decides: this start, or a final stop.
        let parked = self.parked.lock().take();
        Box::pin(async move {
            let Some(system) = system else {
                return Err(StopReason::Killed);
            };
            let me = AnyRef::new(Arc::clone(&cell) as CellRef);
            // Someone else ended it meanwhile (its parent stopping, a person).
            let Some(mut receiver) = parked else {
                return Err(StopReason::Shutdown);
            };
            let actor = match make(&factory) {
                Ok(actor) => actor,
                Err(reason) => {
                    finalize(&me, &system, reason.clone(), false);
                    return Err(reason);
                }
            };
            let restarts = cell.core.incarnation() + 1;
            let state = StartState {
                stopped_by_person: cell.core.stopped_by_person(),
                restarts,
            };
            let decided = panics::catch(|| actor.decide_to_start(&state));
            let start = match decided {
                Ok(start) => start,
                Err(panic) => {
                    let reason = StopReason::Failed(Failure::new(
                        FailureKind::StartPanic,
                        panic_text(&*panic),
                    ));
                    drop(receiver);
                    finalize(&me, &system, reason.clone(), false);
                    return Err(reason);
                }
            };
            if !start {
                let reason = if state.stopped_by_person {
                    StopReason::StoppedByPerson
                } else {
                    StopReason::Shutdown
                };
                drop(receiver);
                finalize(&me, &system, reason.clone(), false);
                return Err(reason);
            }
            // Tells stay, in order. Asks are dropped here (their askers get `NoReply`), and so
            // are messages from the old instance's streams and timers, and wake-ups.
            receiver.retain(|envelope| match envelope {
                Envelope::Message(msg) => !A::is_ask(msg),
                Envelope::Traced(traced) => !A::is_ask(&traced.msg),
                Envelope::Attached { .. } | Envelope::Signal => false,
            });
            cell.core.next_incarnation();
            cell.core.note_restarted(restarts);
            cell.core.reopen_children();
            cell.core.set_state(ActorState::Starting);
            let started = start_instance(&cell, me, &system, actor, receiver, true)
                .expect("a start that is waited for");
            match started.await {
                Ok(result) => result,
                Err(_) => Err(StopReason::Killed),
            }
        })
    }
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
    if !core.restart.allows(&reason) {
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
        } else if !member.cell().restartable() {
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
        restart_one(&member).await;
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
async fn restart_one(member: &AnyRef) {
    let Some(next) = Arc::clone(member.cell()).start_next() else {
        return;
    };
    tracing::debug!(target: LIFECYCLE_TARGET, actor = %member.path(), "restarting");
    if let Err(reason) = next.await {
        tracing::warn!(target: LIFECYCLE_TARGET, actor = %member.path(), %reason, "restart failed");
    }
}
