//! The last steps of every actor, however it ends; and, for a supervised actor whose parent
//! may restart it, the pause between two instances.

use std::any::Any;

use crate::cell::{ActorState, SystemMsg};
use crate::handle::AnyRef;
use crate::observe::{LIFECYCLE_TARGET, report_stopped};
use crate::stop::StopReason;
use crate::supervision::Restart;
use crate::system::System;

/// Ends an instance: for good, or parked for a restart. Runs once: explicitly at the end of
/// the task, or from `Drop` when the task is aborted (a kill), which is always for good.
pub(super) struct Finisher {
    me: AnyRef,
    system: System,
    done: bool,
}

impl Finisher {
    pub(super) fn new(me: AnyRef, system: System) -> Self {
        Finisher {
            me,
            system,
            done: false,
        }
    }

    /// Ends this instance. When `may_restart` (decided before the stop phase, so that an
    /// `on_stop` that panics cannot turn a final stop into a restart), a supervised actor
    /// keeps its mailbox and waits for its parent's decision; otherwise the stop is final.
    /// `restart_requested` says the parent stopped it to restart it (no notice is sent then).
    pub(super) fn end(
        &mut self,
        reason: StopReason,
        receiver: Box<dyn Any + Send>,
        may_restart: bool,
        restart_requested: bool,
    ) {
        let core = self.me.core();
        let supervised = core.restarter().is_some() && core.restart != Restart::Temporary;
        let restartable = supervised && may_restart;
        if restartable {
            core.abort_attached();
            if let Some(parent) = core.parent.as_ref().and_then(|p| p.upgrade())
                && core.park(parent.core(), receiver)
            {
                self.done = true;
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
                        child: self.me.clone(),
                        reason,
                        incarnation: core.incarnation(),
                    });
                }
                return;
            }
            // The parent is gone or stopping: this stop is final.
            let reason = if restart_requested {
                StopReason::Shutdown
            } else {
                reason
            };
            self.finish(reason);
            return;
        }
        // Messages still queued are dropped here: their askers get `Error::NoReply`.
        drop(receiver);
        self.finish(reason);
    }

    /// Ends the actor for good.
    pub(super) fn finish(&mut self, reason: StopReason) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        finalize(&self.me, &self.system, reason, true);
    }
}

impl Drop for Finisher {
    fn drop(&mut self) {
        // Only reached without `end` when the task was aborted mid-way.
        self.finish(StopReason::Killed);
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
    drop(core.unpark());
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
