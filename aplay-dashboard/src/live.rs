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

/// `/metrics`, in Prometheus' text format (version 0.0.4).
pub(crate) async fn metrics(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    #[cfg(feature = "redis")]
    let queues = crate::queues::sizes(&shared).await;
    let text = shared.metrics.render(&shared.system, |_metrics| {
        #[cfg(feature = "redis")]
        for (path, info) in &queues {
            _metrics
                .gauge("aplay_redis_backlog", "queue", path)
                .set(info.backlog.unread as f64);
            _metrics
                .gauge("aplay_redis_pending", "queue", path)
                .set(info.backlog.pending as f64);
            _metrics
                .gauge("aplay_redis_delayed", "queue", path)
                .set(info.delayed as f64);
            _metrics
                .gauge("aplay_redis_dead", "queue", path)
                .set(info.dead as f64);
        }
    });
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

/// Folds the handler times into their buckets every few seconds, so that they do not pile up
/// between scrapes.
pub(crate) async fn upkeep(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        shared.metrics.upkeep();
    }
}
