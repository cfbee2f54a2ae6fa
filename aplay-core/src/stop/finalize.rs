//! The last step of every actor, however it ends.

use std::sync::Arc;

use crate::cell::{ActorState, SystemMsg};
use crate::handle::AnyRef;
use crate::observe::{LIFECYCLE_TARGET, report_stopped};
use crate::stop::StopReason;
use crate::system::System;

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
    core.record_stop(reason.clone());
    // The address is freed once the actor reads as stopped, so that whoever waits for the
    // registry to empty (a shutdown) finds every actor stopped.
    system.registry().release(&core.path, core);
    if let Some(parent) = core.parent.as_ref().and_then(|p| p.upgrade()) {
        parent.core().forget_child(core);
        if tell_parent && parent.core().accepts_children() {
            parent.post_system(SystemMsg::ChildStopped {
                child: Arc::clone(me.cell()),
                reason,
            });
        }
    }
    core.notify_stopped();
}
