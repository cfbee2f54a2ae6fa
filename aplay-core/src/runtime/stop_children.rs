//! Stopping an actor's children before the actor itself: youngest first, each within its
//! shutdown time limit.

use std::time::Duration;

use super::finish::finalize;
use crate::cell::{ActorState, CellCore};
use crate::handle::AnyRef;
use crate::observe::LIFECYCLE_TARGET;
use crate::stop::StopReason;
use crate::system::System;

/// How long a killed actor may take to be dropped before the parent gives up waiting.
const KILL_GRACE: Duration = Duration::from_secs(1);

/// Stops every child of `core`, youngest first, each after its queued messages; a child that
/// overruns its `shutdown_timeout` is killed. No new child can join once this starts.
pub(crate) async fn stop_children(core: &CellCore, system: &System) {
    for child in core.close_children() {
        stop_child(&child, system).await;
    }
}

/// Stops one child for good and waits for its end, within its time limit.
pub(crate) async fn stop_child(child: &AnyRef, system: &System) {
    child.cell().request_stop(false);
    // Parked between two instances: nothing runs to see the request; end it here.
    if child.state() == ActorState::Restarting {
        finalize(child, system, StopReason::Shutdown, false);
        return;
    }
    wait_or_kill(child, |state| state == ActorState::Stopped).await;
}

/// Waits until `child` reaches a state `done` accepts, within its `shutdown_timeout`; kills
/// it past that.
pub(crate) async fn wait_or_kill(child: &AnyRef, done: impl Fn(ActorState) -> bool) {
    let limit = child.core().shutdown_timeout;
    let core = child.core();
    if tokio::time::timeout(limit, core.wait_state(&done))
        .await
        .is_err()
    {
        tracing::warn!(target: LIFECYCLE_TARGET, actor = %child.path(), ?limit, "did not stop in time; killing it");
        child.kill();
        if tokio::time::timeout(KILL_GRACE, child.join())
            .await
            .is_err()
        {
            tracing::error!(target: LIFECYCLE_TARGET, actor = %child.path(), "still running after a kill (a handler that never yields?)");
        }
    }
}
