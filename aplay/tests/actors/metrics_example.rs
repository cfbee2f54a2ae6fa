//! `examples/metrics.rs` runs to its end and exports every metric through the `metrics` crate.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/metrics.rs"]
mod example;

use example::Reading;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_example_exports_counts_restarts_and_lifecycles() {
    let tally = example::run().await.unwrap();
    let count = |key: &str| match tally.get(key) {
        Some(Reading::Count(n)) => n,
        other => panic!("{key}: {other:?} in\n{tally}"),
    };
    let level = |key: &str| match tally.get(key) {
        Some(Reading::Level(v)) => v,
        other => panic!("{key}: {other:?} in\n{tally}"),
    };
    assert_eq!(
        count("aplay_messages_handled_total{actor=/adder,handler=add}"),
        5
    );
    assert_eq!(
        count("aplay_messages_handled_total{actor=/adder,handler=total}"),
        1
    );
    assert_eq!(
        count("aplay_messages_handled_total{actor=/boss,handler=hire}"),
        1
    );
    // The crash panicked: not a handled message; the work after the restart is.
    assert!(
        tally
            .get("aplay_messages_handled_total{actor=/boss/worker,handler=crash}")
            .is_none()
    );
    assert_eq!(
        count("aplay_messages_handled_total{actor=/boss/worker,handler=work}"),
        1
    );
    assert_eq!(count("aplay_restarts_total{actor=/boss/worker}"), 1);
    // The kernel, the adder, the boss and the worker started once and shut down once.
    assert_eq!(count("aplay_actors_started_total"), 4);
    assert_eq!(count("aplay_actors_stopped_total{reason=shutdown}"), 4);
    assert_eq!(level("aplay_actors_running"), 0.0);
    match tally.get("aplay_handler_seconds{actor=/adder,handler=add}") {
        Some(Reading::Samples { count, sum, max }) => {
            assert_eq!(count, 5);
            assert!(max > 0.0 && max <= sum, "{max} {sum}");
        }
        other => panic!("{other:?}"),
    }
    let waiting = level("aplay_mailbox_waiting{actor=/adder}");
    assert!((1.0..=6.0).contains(&waiting), "{waiting}");
    // What `main` prints: one line per metric.
    let printed = tally.to_string();
    assert!(
        printed.contains("aplay_restarts_total{actor=/boss/worker} 1\n"),
        "{printed}"
    );
}
