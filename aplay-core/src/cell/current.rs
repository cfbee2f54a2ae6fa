//! Whether the calling code runs inside a given actor (or one of its descendants), so that
//! calls that would wait for that actor to stop can see they would wait for themselves.
//!
//! Answered from tokio's task ids, recorded by each actor's task when it starts: nothing is
//! paid per message, only by the (rare) calls that ask.

use super::CellCore;

/// Whether the caller runs in `target`'s own task: its handlers and hooks.
pub(crate) fn is_own_task(target: &CellCore) -> bool {
    tokio::task::try_id().is_some_and(|me| target.task_id() == Some(me))
}

/// Whether the caller runs inside `target` or inside one of its descendants: waiting for
/// `target` to stop would then wait for the caller's own handler.
pub(crate) fn inside(target: &CellCore) -> bool {
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
