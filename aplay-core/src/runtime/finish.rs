//! The last steps of every actor, however it ends; and, for a supervised actor whose parent
//! may restart it, the pause between two instances.

use crate::actor::Dispatch;
use std::sync::Arc;

use crate::cell::{ActorCell, ActorState, CellCore, SystemMsg};
use crate::context::Context;
use crate::handle::AnyRef;
use crate::mailbox::MailboxReceiver;
use crate::observe::{LIFECYCLE_TARGET, report_stopped};
use crate::stop::StopReason;
use crate::system::System;

/// The context of one instance, which ends it: for good, or parked for a restart. Runs once:
/// explicitly at the end of the task, or from `Drop` when the task is aborted (a kill, even
/// before its first poll), which is always for good. (The context is taken out when it
/// ends: no flag is needed, and every idle actor's task is 8 bytes smaller.)
pub(crate) struct Finisher<A> {
    ctx: Option<Context<A>>,
}

impl<A: Dispatch> Finisher<A> {
    pub(crate) fn new(ctx: Context<A>) -> Self {
        Finisher { ctx: Some(ctx) }
    }

    /// The instance's context.
    ///
    /// # Panics
    ///
    /// Once the instance has ended (the task returns right after, so it never happens).
    #[inline]
    pub(super) fn ctx(&mut self) -> &mut Context<A> {
        self.ctx
            .as_mut()
            .expect("an instance is not used once it has ended")
    }

    pub(super) fn system(&self) -> &System {
        let ctx = self.ctx.as_ref();
        ctx.expect("an instance is not used once it has ended")
            .system()
    }

    pub(super) fn core(&self) -> &CellCore {
        let ctx = self.ctx.as_ref();
        ctx.expect("an instance is not used once it has ended")
            .myself_any()
            .core()
    }

    /// Ends this instance. When `may_restart` (decided before the stop phase, so that an
    /// `on_stop` that panics cannot turn a final stop into a restart), a supervised actor
    /// keeps its mailbox and waits for its parent's decision; otherwise the stop is final.
    /// `restart_requested` says the parent stopped it to restart it (no notice is sent then).
    pub(super) fn end(
        &mut self,
        reason: StopReason,
        receiver: MailboxReceiver<A::Msg>,
        may_restart: bool,
        restart_requested: bool,
    ) {
        let Some(ctx) = self.ctx.take() else {
            return;
        };
        let me = ctx.myself_any();
        if may_restart && me.cell().restartable() {
            let cell = Arc::clone(me.cell())
                .into_any()
                .downcast::<ActorCell<A>>()
                .expect("a context belongs to an actor of its own type");
            let plan = cell
                .restarts
                .as_ref()
                .expect("a restartable actor has a plan");
            // Parked: the parent decides (`supervision::restart`).
            let Err(reason) = plan.park(&cell, receiver, reason, restart_requested) else {
                return;
            };
            // The parent is gone or stopping: this stop is final.
            let reason = if restart_requested {
                StopReason::Shutdown
            } else {
                reason
            };
            finalize(me, ctx.system(), reason, true);
            return;
        }
        // Messages still queued are dropped here: their askers get `Error::NoReply`.
        drop(receiver);
        finalize(me, ctx.system(), reason, true);
    }

    /// Ends the actor for good.
    pub(super) fn finish(&mut self, reason: StopReason) {
        if let Some(ctx) = self.ctx.take() {
            finalize(ctx.myself_any(), ctx.system(), reason, true);
        }
    }
}

impl<A> Drop for Finisher<A> {
    fn drop(&mut self) {
        // Only reached with the context still in when the task was aborted mid-way.
        if let Some(ctx) = self.ctx.take() {
            finalize(ctx.myself_any(), ctx.system(), StopReason::Killed, true);
        }
    }
}

/// Ends an actor for good: stops what works for it, frees its address, leaves its parent
/// (telling it, unless `tell_parent` is false because the parent is the caller) and wakes
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
        if child.state() == ActorState::Restarting {
            finalize(&child, system, StopReason::Killed, false);
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
    core.record_stop(reason.clone());
    // The address is freed once the actor reads as stopped, so that whoever waits for the
    // registry to empty (a shutdown) finds every actor stopped.
    system.registry().release(&core.path, core);
    if let Some(parent) = core.parent.as_ref().and_then(|p| p.upgrade()) {
        parent.core().forget_child(core);
        if tell_parent && parent.core().accepts_children() {
            parent.post_system(SystemMsg::ChildStopped {
                child: me.clone(),
                reason,
            });
        }
    }
    core.notify_stopped();
}
