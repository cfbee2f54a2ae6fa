//! Telling running jobs that a cancel was asked for: the records of the jobs whose handlers
//! watch (`Job::of`) are read every `delayed_poll`, one pipeline for all of them.

use std::sync::Arc;

use super::Shared;
use crate::actor::Dispatch;
use crate::redis::job::Running;
use crate::redis::retry::settle_all;

pub(crate) async fn run<A: Dispatch>(shared: Arc<Shared<A>>) {
    let poll = shared.config().delayed_poll;
    let mut stopping = shared.stopping.subscribe();
    loop {
        tokio::select! {
            () = shared.watchlist.wait_for_one() => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
        let jobs: Vec<Arc<Running>> = shared
            .watchlist
            .live()
            .into_iter()
            .filter(|job| !job.is_cancelled())
            .collect();
        if !jobs.is_empty() {
            let reads: Vec<redis::Cmd> = jobs
                .iter()
                .map(|job| {
                    let mut get = redis::cmd("HGET");
                    get.arg(&job.record).arg("cancel");
                    get
                })
                .collect();
            let mut conn = shared.station.connections.shared();
            let mut backoff = crate::redis::backoff::Backoff::new(poll, poll);
            let read = settle_all(&mut conn, &reads, "reading cancel requests", &mut backoff);
            let results = tokio::select! {
                results = read => results,
                _ = stopping.wait_for(|s| *s) => return,
            };
            for (job, result) in jobs.iter().zip(results) {
                if matches!(result, Ok(redis::Value::BulkString(ref b)) if b == b"1") {
                    job.cancel();
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
    }
}
