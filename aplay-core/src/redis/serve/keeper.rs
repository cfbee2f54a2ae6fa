//! Keeping the entries in hand fresh: their idle time is reset every third of `claim_idle`,
//! so that no other consumer takes over an entry a live consumer is still working on.

use std::sync::Arc;

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::conn::query;

/// How many ids one `XCLAIM` names at most.
const CHUNK: usize = 512;

pub(crate) async fn run<A: Dispatch>(shared: Arc<Shared<A>>) {
    let every = shared.config().claim_idle / 3;
    let mut finished = shared.finished.subscribe();
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = finished.wait_for(|done| *done) => return,
        }
        let ids = shared.held.ids();
        let mut conn = shared.station.connections.shared();
        for chunk in ids.chunks(CHUNK) {
            let mut claim = redis::cmd("XCLAIM");
            claim
                .arg(&shared.stream)
                .arg(shared.group())
                .arg(shared.consumer())
                .arg(0)
                .arg(chunk)
                .arg("JUSTID");
            if let Err(error) = query(&mut conn, &claim).await {
                tracing::warn!(path = %shared.path, %error, "redis: cannot refresh the entries in hand; trying at the next tick");
                break;
            }
        }
    }
}
