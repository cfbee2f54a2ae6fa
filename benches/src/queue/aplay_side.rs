//! aplay's side: one station enqueues (jobs) or tells (plain durable tells) no-op messages to
//! `/jobs`, then `handlers` servings of `/jobs`, each on a station of its own (its own
//! consumer name and connections), all in this process, handle them.

use std::future::IntoFuture;
use std::time::{Duration, Instant};

use aplay::prelude::*;
use aplay::redis::{JobId, JobState, RedisStation, Serving, StationConfig};
use futures::stream::{self, StreamExt};

use super::Measured;
use super::costs::Probe;

/// The served actor: a no-op.
#[actor]
struct Noop;

#[actor(serde)]
impl Noop {
    fn run(&mut self, n: u64) {
        std::hint::black_box(n);
    }
}

/// What is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// `remote.enqueue(remote.run(n))`: an id, a record (state, attempts, result).
    Job,
    /// The same jobs with `remote.enqueue_all(..)`, [`BULK`] per call, one call at a time
    /// (as BullMQ's `addBulk`).
    JobBulk,
    /// The same with `.key(k)`, a unique key per job.
    KeyedJob,
    /// The same with `.after(DELAY)`: through the delayed set.
    DelayedJob,
    /// `remote.run(n)`: a plain durable tell, no id, no record.
    Tell,
}

/// Jobs per `enqueue_all` call (BullMQ's side adds as many per `addBulk`).
pub(crate) const BULK: u64 = 1_000;

/// A delayed job's delay: short, so that all are due once processing starts.
pub(crate) const DELAY: Duration = Duration::from_millis(1);

/// Enqueues running at once (each is one round trip; the station's connection pipelines
/// them).
pub(crate) const IN_FLIGHT: usize = 256;

/// Entries one read takes (the default).
const READ_BATCH: usize = 128;

/// The longest a phase may take before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(600);

/// One measurement on `url`, in `namespace`: `jobs` messages of `kind`, then processed by
/// `handlers` servings; `probe` reads the server around each phase (blocking, between the
/// phases: nothing is timed then).
pub(crate) async fn measure(
    url: String,
    namespace: String,
    kind: Kind,
    jobs: u64,
    handlers: usize,
    probe: Probe,
) -> Measured {
    let config = |consumer: &str| {
        StationConfig::default()
            .namespace(&namespace)
            .consumer(consumer)
            .read_batch(READ_BATCH)
    };
    let producer = RedisStation::connect_with(&url, config("producer"))
        .await
        .expect("the bench's Redis");
    let mut workers = Vec::with_capacity(handlers);
    for i in 0..handlers {
        let station = RedisStation::connect_with(&url, config(&format!("w{i}")))
            .await
            .expect("the bench's Redis");
        workers.push(station);
    }
    let remote = producer.remote::<Noop>("/jobs").expect("a valid path");

    // Enqueue: no worker yet.
    let started_usage = tokio::task::block_in_place(|| probe.begin(std::process::id()));
    let started = Instant::now();
    let last: Option<JobId<()>> = if kind == Kind::Tell {
        for n in 0..jobs {
            remote.run(n).await.expect("queued");
        }
        remote.flushed().await.expect("in Redis");
        None
    } else if kind == Kind::JobBulk {
        let mut last = None;
        let mut first = 0;
        while first < jobs {
            let end = (first + BULK).min(jobs);
            let ids = remote
                .enqueue_all((first..end).map(|n| remote.run(n)))
                .await
                .expect("enqueued");
            last = ids.into_iter().last();
            first = end;
        }
        last
    } else {
        let mut enqueued = stream::iter(0..jobs)
            .map(|n| {
                let job = remote.enqueue(remote.run(n));
                match kind {
                    Kind::KeyedJob => job.key(format!("k{n}")).into_future(),
                    Kind::DelayedJob => job.after(DELAY).into_future(),
                    Kind::Job | Kind::JobBulk | Kind::Tell => job.into_future(),
                }
            })
            .buffer_unordered(IN_FLIGHT);
        let mut last = None;
        while let Some(id) = enqueued.next().await {
            last = Some(id.expect("enqueued"));
        }
        last
    };
    let enqueue_rate = jobs as f64 / started.elapsed().as_secs_f64();
    let enqueue = tokio::task::block_in_place(|| probe.end(started_usage));

    // Process: the servings start, and handle the backlog.
    let started_usage = tokio::task::block_in_place(|| probe.begin(std::process::id()));
    let started = Instant::now();
    let systems: Vec<System> = (0..handlers).map(|_| System::new()).collect();
    let servings: Vec<Serving<Noop>> =
        futures::future::join_all(workers.iter().zip(&systems).map(|(station, system)| async {
            station
                .serve(system, "/jobs", || Noop)
                .await
                .expect("served")
        }))
        .await;
    let deadline = Instant::now() + PATIENCE;
    while servings.iter().map(Serving::handled).sum::<u64>() < jobs {
        assert!(
            Instant::now() < deadline,
            "aplay handled {} of {jobs} in {PATIENCE:?}",
            servings.iter().map(Serving::handled).sum::<u64>()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let process_rate = jobs as f64 / started.elapsed().as_secs_f64();
    let process = tokio::task::block_in_place(|| probe.end(started_usage));

    // Not timed: every job done, with its record.
    assert_eq!(servings.iter().map(Serving::handled).sum::<u64>(), jobs);
    if let Some(last) = last {
        let status = remote.status(&last).await.expect("a status");
        let state = status.map(|s| s.state);
        assert_eq!(state, Some(JobState::Done), "the last job's record");
    }
    for serving in &servings {
        serving.stop().await;
    }
    for system in systems {
        system.shutdown().await;
    }
    Measured {
        enqueue_rate,
        process_rate,
        enqueue,
        process,
    }
}
