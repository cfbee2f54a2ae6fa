//! What changes while one looks: the tree streamed to the pages as server-sent events, and
//! `/metrics`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;

use crate::Shared;

/// The live tree: an event `tree` with the snapshot as JSON (see [`snapshot`]) when it
/// changed, checked every `refresh`. Ends when the server stops.
pub(crate) async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut tick = tokio::time::interval(shared.refresh);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let feed = Feed {
        stopping: shared.stopping.subscribe(),
        shared,
        last: String::new(),
        tick,
    };
    let stream = futures::stream::unfold(feed, |mut feed| async move {
        loop {
            if *feed.stopping.borrow() {
                return None;
            }
            tokio::select! {
                _ = feed.tick.tick() => {}
                _ = feed.stopping.changed() => return None,
            }
            let now = snapshot(&feed.shared);
            if now != feed.last {
                let event = Event::default().event("tree").data(now.as_str());
                feed.last = now;
                return Some((Ok(event), feed));
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// One page's stream of snapshots.
struct Feed {
    shared: Arc<Shared>,
    /// The last snapshot sent.
    last: String,
    tick: tokio::time::Interval,
    stopping: tokio::sync::watch::Receiver<bool>,
}

/// The tree and the system's counters as one JSON object: `{"undelivered_total": n,
/// "tree": {..}}`, the tree as `TreeNode` serializes.
pub(crate) fn snapshot(shared: &Shared) -> String {
    let tree = serde_json::to_string(&shared.system.tree()).unwrap_or_else(|_| "null".into());
    format!(
        "{{\"undelivered_total\":{},\"tree\":{tree}}}",
        shared.system.undelivered_total()
    )
}

/// `/metrics`, in the OpenMetrics text format.
pub(crate) async fn metrics(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    #[cfg(feature = "redis")]
    let queues: Vec<(String, [u64; 4])> = crate::queues::sizes(&shared)
        .await
        .into_iter()
        .map(|(path, info)| {
            let sizes = [
                info.backlog.unread,
                info.backlog.pending,
                info.delayed,
                info.dead,
            ];
            (path, sizes)
        })
        .collect();
    #[cfg(not(feature = "redis"))]
    let queues = Vec::new();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.render(&shared.system, &queues),
    )
}
