//! `examples/task_queue.rs`: its demo mode starts worker processes, sends them jobs, and every
//! job is done exactly once in a run without faults.

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/task_queue.rs"]
mod example;

use std::process::Command;

use crate::redis_server::{TestRedis, test_name, unique};
use example::Queue;

/// A worker process of the demo (the test binary started again); returns at once otherwise.
#[test]
fn task_queue_worker_process() {
    let Ok(url) = std::env::var("APLAY_TASK_QUEUE_URL") else {
        return;
    };
    println!(); // ends the test harness's `test … ` line
    let queue = Queue {
        url,
        namespace: std::env::var("APLAY_TASK_QUEUE_NS").expect("a namespace"),
    };
    let name = std::env::var("APLAY_TASK_QUEUE_NAME").expect("a name");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(example::worker(
            &queue,
            &example::WorkerArgs {
                consumer: Some(name),
                report: true,
                until_stdin_closes: true,
                ..Default::default()
            },
        ))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_does_every_job_exactly_once_across_three_worker_processes() {
    let redis = TestRedis::shared_or_private();
    let queue = Queue {
        url: redis.url().to_owned(),
        namespace: unique("task-queue"),
    };
    let exe = std::env::current_exe().unwrap();
    let summary = example::demo(&queue, 3, 1000, |name| {
        let mut cmd = Command::new(&exe);
        cmd.args([
            "--exact",
            &test_name(module_path!(), "task_queue_worker_process"),
        ])
        .arg("--nocapture")
        .args(["--test-threads=1"])
        .env("APLAY_TASK_QUEUE_URL", &queue.url)
        .env("APLAY_TASK_QUEUE_NS", &queue.namespace)
        .env("APLAY_TASK_QUEUE_NAME", name);
        cmd
    })
    .await
    .unwrap();
    assert_eq!(
        summary.by_worker.values().sum::<u64>(),
        1000,
        "a reply per job"
    );
    assert!(summary.exactly_once(1000), "{:?}", summary.handled.len());
    assert!(
        summary.by_worker.len() >= 2,
        "the jobs were shared: {:?}",
        summary.by_worker
    );
    let station = aplay::redis::RedisStation::connect_with(
        &queue.url,
        aplay::redis::StationConfig::default().namespace(&queue.namespace),
    )
    .await
    .unwrap();
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    station.purge_namespace().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_tour_shows_status_delays_priorities_and_periodic_jobs() {
    let redis = TestRedis::shared_or_private();
    let queue = Queue {
        url: redis.url().to_owned(),
        namespace: unique("task-queue-jobs"),
    };
    let tour = example::jobs_tour(&queue).await.unwrap();
    use aplay::redis::JobState::{Done, Queued};
    assert_eq!(tour.states.first(), Some(&Queued), "{:?}", tour.states);
    assert_eq!(tour.states.last(), Some(&Done), "{:?}", tour.states);
    let done = tour.result.unwrap().unwrap();
    assert_eq!((done.id, done.words), (1, 3));
    assert!(tour.delayed_started_after >= std::time::Duration::from_millis(300));
    assert_eq!(tour.started, ["H1", "H2", "H3", "L1", "L2", "L3"]);
    assert!(
        tour.ticks >= 2,
        "the periodic job fired {} times",
        tour.ticks
    );
    // Sent together: each has its own result, read back by its id.
    let ids: Vec<u64> = tour
        .bulk
        .into_iter()
        .map(|result| result.unwrap().unwrap().id)
        .collect();
    assert_eq!(ids, (100..300).collect::<Vec<_>>());
}
