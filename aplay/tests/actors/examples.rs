//! Each example in `examples/` runs to its end and does what it says.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/kernel.rs"]
mod kernel;

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/greeter.rs"]
mod greeter;

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/manager.rs"]
mod manager;

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/pool.rs"]
mod pool;

use aplay::StopReason;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kernel_counts_every_job_sends_the_counts_back_by_address_and_ends_by_itself() {
    let summary = kernel::run(100, 7).await.unwrap();
    assert_eq!(summary.sent.values().sum::<u64>(), 100);
    assert_eq!(
        summary.sent.len(),
        2,
        "both job types were sent: {:?}",
        summary.sent
    );
    assert_eq!(
        summary.counted, summary.sent,
        "the monitor counted every job by type"
    );
    assert_eq!(
        summary.reports, 100,
        "every count came back to /test by address"
    );
    assert_eq!(summary.kernel_stop, StopReason::Normal);
}

#[tokio::test]
async fn greeter_replies_hello_world() {
    assert_eq!(greeter::run().await.unwrap(), "Hello World!");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manager_gets_one_response_per_request_from_one_shot_workers() {
    let (responses, (spawned, finished)) = manager::run(10).await.unwrap();
    let mut ids: Vec<_> = responses.iter().map(|r| r.request).collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..10).collect::<Vec<_>>());
    assert_eq!(
        (spawned, finished),
        (10, 10),
        "each worker stopped itself after replying"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_counts_through_a_restart_a_key_and_a_resize() {
    let summary = pool::run().await.unwrap();
    assert_eq!(summary.sizes, (6, 3));
    assert!(summary.ada.starts_with("/counters/"), "{}", summary.ada);
    // What the 3 workers left counted since their last start: at most every line sent.
    assert!(summary.lines <= 20 + 4 + 1, "{summary:?}");
    assert!(summary.words <= 20 * 5 + 4 * 3 + 3, "{summary:?}");
}
