//! Stopping an actor's children before the actor itself: youngest first, each within its
//! shutdown time limit.

use std::time::Duration;

use crate::cell::CellCore;

/// How long a killed actor may take to be dropped before the parent gives up waiting.
const KILL_GRACE: Duration = Duration::from_secs(1);

/// Stops every child of `core`, youngest first, each after its queued messages; a child that
/// overruns its `shutdown_timeout` is killed. No new child can join once this starts.
pub(crate) async fn stop_children(core: &CellCore) {
    for child in core.close_children() {
        child.cell().request_stop(false);
        let limit = child.core().shutdown_timeout;
        if tokio::time::timeout(limit, child.join()).await.is_err() {
            tracing::warn!(child = %child.path(), ?limit, "did not stop in time; killing it");
            child.kill();
            if tokio::time::timeout(KILL_GRACE, child.join())
                .await
                .is_err()
            {
                tracing::error!(child = %child.path(), "still running after a kill (a handler that never yields?)");
            }
        }
    }
}
