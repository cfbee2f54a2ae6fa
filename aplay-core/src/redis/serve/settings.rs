//! Reading the path's settings as a queue (paused, rate limit) every `delayed_poll`, for the
//! feeder: a pause or a new rate limit set from anywhere reaches every worker within that.

use std::sync::Arc;

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::queue::QueueSettings;

pub(crate) async fn run<A: Dispatch>(shared: Arc<Shared<A>>) {
    let key = shared.station.keys.queue(shared.path.as_str());
    let poll = shared.config().delayed_poll;
    let mut stopping = shared.stopping.subscribe();
    loop {
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
        let mut conn = shared.station.connections.shared();
        match QueueSettings::read(&mut conn, &key).await {
            Ok(settings) => {
                shared.settings.send_if_modified(|now| {
                    let changed = *now != settings;
                    if changed {
                        tracing::info!(path = %shared.path, paused = settings.paused, rate = ?settings.rate, "redis: the queue's settings changed");
                    }
                    *now = settings;
                    changed
                });
            }
            Err(error) => {
                tracing::debug!(path = %shared.path, %error, "redis: cannot read the queue's settings; keeping the last");
            }
        }
    }
}
