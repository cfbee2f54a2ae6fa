//! The last steps of every actor, however it ends.

use crate::cell::SystemMsg;
use crate::handle::AnyRef;
use crate::stop::StopReason;
use crate::system::System;

/// Frees the address, leaves the parent, tells it and every waiter. Runs once: explicitly at
/// the end of the task, or from `Drop` when the task is aborted (a kill), in which case the
/// children are killed too.
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

    pub(super) fn finish(&mut self, reason: StopReason) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let core = self.me.core();
        core.abort_attached();
        for child in core.close_children() {
            // Children have stopped already unless this actor was killed or failed to start.
            child.kill();
        }
        self.system.registry().release(&core.path, core);
        match &reason {
            StopReason::Failed(failure) => tracing::warn!(%failure, "stopped"),
            reason => tracing::debug!(%reason, "stopped"),
        }
        core.record_stop(reason.clone());
        if let Some(parent) = core.parent.as_ref().and_then(|p| p.upgrade()) {
            parent.core().forget_child(core);
            parent.post_system(SystemMsg::ChildStopped {
                child: self.me.clone(),
                reason,
            });
        }
        core.notify_stopped();
    }
}

impl Drop for Finisher {
    fn drop(&mut self) {
        // Only reached without `finish` when the task was aborted mid-way.
        self.finish(StopReason::Killed);
    }
}
