//! Actors started by their first message. An actor whose hooks are all the defaults'
//! (`#[actor]` on the struct) has nothing to run until a message comes: it is spawned
//! without a task. What its task will own waits in its cell ([`Unstarted`]), and the cell
//! itself is its mailbox's waker; the first message, signal or notice wakes it, which
//! spawns the task with the mailbox as it is. Until then an idle actor costs no task (the
//! largest part of an idle actor's memory), and spawning one wakes no worker.
//!
//! A stop or a kill that finds it still unstarted, with nothing queued, ends it at once
//! ([`end`], through `CellControl::end_unstarted`): there is no `on_stop` to run, so no task
//! is spawned just to end.

use std::sync::Arc;
use std::task::{Wake, Waker};

use super::finish::Finisher;
use super::task::run_actor;
use crate::actor::Dispatch;
use crate::actor::cell::{ActorCell, Unstarted};
use crate::context::Context;
use crate::handle::AnyRef;
use crate::stop::{StopReason, finalize};
use crate::system::System;

/// Keeps `actor` in its cell until something wakes it. Its mailbox was made without a
/// receiving side (`mailbox::sender`): the task gets it when it starts.
pub(super) fn park<A: Dispatch>(cell: &Arc<ActorCell<A>>, me: AnyRef, system: &System, actor: A) {
    *cell.unstarted.lock() = Some(Box::new(Unstarted {
        actor,
        me,
        system: system.downgrade(),
        end,
    }));
    // A message may have come already: the address was claimed before this.
    if cell.mailbox.wait_with(Waker::from(Arc::clone(cell))) {
        cell.wake_by_ref();
    }
}

/// The cell is its mailbox's waker until its task starts: waking it starts the task.
impl<A: Dispatch> Wake for ActorCell<A> {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Whoever takes what the task will own starts it (or ends it, `end`): once.
        let Some(unstarted) = self.unstarted.lock().take() else {
            return;
        };
        let Unstarted {
            actor,
            me,
            system,
            end: _,
        } = *unstarted;
        // Its system is gone (dropped without a shutdown): nothing is left to run it in.
        let Some(system) = system.upgrade() else {
            return;
        };
        let ctx = Context::new(me, system.clone());
        let receiver = self.mailbox.receiver();
        let task = system.spawn_task(run_actor(actor, Finisher::new(ctx), receiver, true));
        self.core.set_task(task.id(), task.abort_handle());
    }
}

/// Ends an actor that never started, for `reason`: its mailbox is closed and empty, and
/// with every hook the default's there is no `on_stop` to run. As its task would: the last
/// step first, then the actor dropped.
fn end<A: Dispatch>(unstarted: Unstarted<A>, reason: StopReason) {
    let Unstarted {
        actor,
        me,
        system,
        end: _,
    } = unstarted;
    if let Some(system) = system.upgrade() {
        finalize(&me, &system, reason, true);
    }
    drop(actor);
}
