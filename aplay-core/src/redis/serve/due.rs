//! Moving this path's delayed jobs into its stream when they are due. Every process serving
//! the path does it; the move is one script, so each job is moved once.

use std::sync::Arc;
use std::time::Duration;

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::backoff::Backoff;
use crate::redis::job::move_due;

pub(crate) async fn run<A: Dispatch>(shared: Arc<Shared<A>>) {
    let delayed = shared.station.keys.delayed(shared.path.as_str());
    let poll = shared.config().delayed_poll;
    let most = shared.config().read_batch;
    let mut backoff = Backoff::new(
        shared.config().reconnect_initial,
        shared.config().reconnect_max,
    );
    let mut stopping = shared.stopping.subscribe();
    loop {
        if shared.is_stopping() {
            return;
        }
        let mut conn = shared.station.connections.shared();
        let moved = move_due(
            &mut conn,
            &delayed,
            &shared.streams,
            &shared.record_prefix,
            most,
        )
        .await;
        let wait = match moved {
            // More may be due: at once.
            Ok(moved) if moved.count >= most => Duration::ZERO,
            Ok(moved) => {
                backoff.reset();
                if moved.count > 0 {
                    tracing::debug!(path = %shared.path, jobs = moved.count, "redis: delayed jobs are due");
                }
                moved.next_in.map_or(poll, |next| next.min(poll))
            }
            Err(error) => {
                let delay = backoff.next_delay();
                tracing::warn!(path = %shared.path, %error, ?delay, "redis: moving due jobs failed; retrying");
                delay
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
    }
}
