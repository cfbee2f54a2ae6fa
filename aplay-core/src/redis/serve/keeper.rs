//! Keeping the entries in hand fresh: their idle time is reset every third of `claim_idle`,
//! so that no other consumer takes over an entry a live consumer is still working on. A
//! refresh that fails is retried with the station's back-off, not at the next tick: after an
//! outage, the entries in hand are refreshed as soon as Redis answers again, before other
//! consumers (who wait a third of `claim_idle` after a fault) look for abandoned entries.

use std::sync::Arc;

use crate::redis::conn::Conn;
use tokio::sync::watch;

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::backoff::Backoff;
use crate::redis::lane::JobPriority;
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
        let conn = shared.station.connections.shared();
        // Each lane's entries in its own stream: two streams may hold entries of one id.
        for lane in JobPriority::ALL {
            let ids = shared.held.ids(lane);
            if !refresh(&shared, &conn, lane, &ids, &mut backoff, &mut finished).await {
                return;
            }
        }
    }
}

/// Refreshes the entries `ids` of `lane`; `false` once serving finished.
async fn refresh<A: Dispatch>(
    shared: &Shared<A>,
    conn: &Conn,
    lane: JobPriority,
    ids: &[String],
    backoff: &mut Backoff,
    finished: &mut watch::Receiver<bool>,
) -> bool {
    for chunk in ids.chunks(CHUNK) {
        let mut claim = redis::cmd("XCLAIM");
        claim
            .arg(shared.stream(lane))
            .arg(shared.group())
            .arg(shared.consumer())
            .arg(0)
            .arg(chunk)
            .arg("JUSTID");
        let refresh = settle(conn, &claim, "refreshing the entries in hand", backoff);
        let refreshed = tokio::select! {
            refreshed = refresh => refreshed,
            _ = finished.wait_for(|done| *done) => return false,
        };
        if let Err(error) = refreshed {
            shared.refused(&error, "refreshing the entries in hand");
            break;
        }
    }
    true
}
