//! Keeping the entries in hand fresh: their idle time is reset every third of `claim_idle`,
//! so that no other consumer takes over an entry a live consumer is still working on. A
//! refresh that fails is retried with the station's back-off, not at the next tick: after an
//! outage, the entries in hand are refreshed as soon as Redis answers again, before other
//! consumers (who wait a third of `claim_idle` after a fault) look for abandoned entries.

use std::sync::Arc;

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::backoff::Backoff;
use crate::redis::retry::settle;

/// How many ids one `XCLAIM` names at most.
const CHUNK: usize = 512;

pub(crate) async fn run<A: Dispatch>(shared: Arc<Shared<A>>) {
    let every = shared.config().claim_idle / 3;
    let mut backoff = Backoff::new(
        shared.config().reconnect_initial,
        shared.config().reconnect_max,
    );
    let mut finished = shared.finished.subscribe();
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = finished.wait_for(|done| *done) => return,
        }
        let ids = shared.held.ids();
        let conn = shared.station.connections.shared();
        for chunk in ids.chunks(CHUNK) {
            let mut claim = redis::cmd("XCLAIM");
            claim
                .arg(&shared.stream)
                .arg(shared.group())
                .arg(shared.consumer())
                .arg(0)
                .arg(chunk)
                .arg("JUSTID");
            let refresh = settle(
                &conn,
                &claim,
                "refreshing the entries in hand",
                &mut backoff,
            );
            let refreshed = tokio::select! {
                refreshed = refresh => refreshed,
                _ = finished.wait_for(|done| *done) => return,
            };
            if let Err(error) = refreshed {
                shared.refused(&error, "refreshing the entries in hand");
                break;
            }
        }
    }
}
