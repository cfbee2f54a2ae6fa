//! Whether the calling code runs inside a given actor (or one of its descendants), so that
//! calls that would wait for that actor to stop can see they would wait for themselves.
//!
//! Answered from tokio's task ids, recorded by each actor's task when it starts: nothing is
//! paid per message, only by the calls that ask. A caller outside every actor's task (the
//! thread is not marked as running one, see `panics::in_caught_code`) is answered at once.

use super::CellCore;
use crate::panics;

/// Whether the caller runs in `target`'s own task: its handlers and hooks.
pub(crate) fn is_own_task(target: &CellCore) -> bool {
    panics::in_caught_code() && tokio::task::try_id().is_some_and(|me| target.task_id() == Some(me))
}

/// Whether the caller runs inside `target` or inside one of its descendants: waiting for
/// `target` to stop would then wait for the caller's own handler.
pub(crate) fn inside(target: &CellCore) -> bool {
    if !panics::in_caught_code() {
        // No actor's task runs on this thread: a shutdown from `main` does not walk the tree.
        return false;
    }
    let Some(me) = tokio::task::try_id() else {
        return false;
    };
    if target.task_id() == Some(me) {
        return true;
    }
    // Depth-first over the subtree, without recursion: trees may be very deep.
    let mut pending = target.children();
    while let Some(actor) = pending.pop() {
        if actor.core().task_id() == Some(me) {
            return true;
        }
        pending.extend(actor.core().children());
    }
    false
}
