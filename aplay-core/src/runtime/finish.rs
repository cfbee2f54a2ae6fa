//! The last steps of every actor, however it ends; and, for a supervised actor whose parent
//! may restart it, the pause between two instances.

use std::sync::Arc;

use crate::actor::Dispatch;
use crate::actor::cell::ActorCell;
use crate::cell::CellCore;
use crate::context::Context;
use crate::mailbox::MailboxReceiver;
use crate::stop::{StopReason, finalize};
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
