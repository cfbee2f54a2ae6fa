//! Which actor the calling code runs in, so that calls that would wait for that actor (or
//! one of its ancestors) to stop can see they would wait for themselves.

use std::future::Future;

use crate::cell::CellCore;
use crate::handle::AnyRef;

/// The actor a task runs, and the system it belongs to.
struct Current {
    me: AnyRef,
    system: usize,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// Runs `future` (an actor's whole life) as the task of `me`, in the system identified by
/// `system` (see [`System::id`](crate::System)).
pub(crate) fn scope<F: Future>(
    me: AnyRef,
    system: usize,
    future: F,
) -> impl Future<Output = F::Output> {
    CURRENT.scope(Current { me, system }, future)
}

/// Whether the caller runs inside `target` or inside one of its descendants: waiting for
/// `target` to stop would then wait for the caller's own handler.
pub(crate) fn inside(target: &CellCore) -> bool {
    CURRENT
        .try_with(|current| {
            let me = current.me.core();
            std::ptr::eq(me, target) || me.path.is_descendant_of(&target.path)
        })
        .unwrap_or(false)
}

/// Whether the caller runs inside an actor of the system identified by `system`.
pub(crate) fn inside_system(system: usize) -> bool {
    CURRENT
        .try_with(|current| current.system == system)
        .unwrap_or(false)
}
