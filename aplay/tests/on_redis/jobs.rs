//! Jobs on Redis: ids, status and results, delayed jobs, unique keys, cancellation. Each test
//! runs on its own `redis-server` (or `APLAY_REDIS_URL`, own namespace).

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::time::{Duration, Instant, SystemTime};

use crate::redis_actors::{Jobs, Other, Report, serve_jobs};
use crate::redis_server::{RedisServer, TestRedis, unique};
use aplay::prelude::*;
use aplay::redis::{
    Cancel, Duplicate, JobId, JobState, RedisStation, RemoteRef, Schedule, Serving, StationConfig,
};
use tokio::sync::mpsc;

/// A station on `url` in `namespace`, with quick reads, retries and delayed-job polls.
async fn station(url: &str, namespace: &str) -> RedisStation {
    let config = StationConfig::default()
        .namespace(namespace)
        .block(Duration::from_millis(200))
        .retry_delay(Duration::from_millis(20))
        .delayed_poll(Duration::from_millis(20))
        .reconnect(Duration::from_millis(10), Duration::from_millis(200));
    RedisStation::connect_with(url, config)
        .await
        .expect("a connection to the test's Redis")
}

/// A server (the test's own, or `APLAY_REDIS_URL`), a namespace named after `test`, a
/// station on it, and a remote ref to `/jobs`.
async fn open(test: &str) -> (TestRedis, String, RedisStation, RemoteRef<Jobs>) {
    let redis = TestRedis::shared_or_private();
    let ns = unique(test);
    let station = station(redis.url(), &ns).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    (redis, ns, station, jobs)
}

/// What `command` (`XLEN`, `HLEN`, ...) counts in `key`, read straight from Redis.
pub(crate) async fn count(redis: &TestRedis, command: &str, key: String) -> u64 {
    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    redis::cmd(command)
        .arg(key)
        .query_async(&mut conn)
        .await
        .unwrap()
}

/// Reads the job's record until its state is `state`, failing after ten seconds.
pub(crate) async fn wait_for_state<R>(jobs: &RemoteRef<Jobs>, id: &JobId<R>, state: JobState) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = jobs.status(id).await.unwrap().map(|s| s.state);
        if now == Some(state) {
            return;
        }
        assert!(Instant::now() < deadline, "{id} is {now:?}, not {state:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_job_has_an_id_a_status_while_it_runs_and_a_result_another_process_reads() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-status");
    let worker = station(redis.url(), &ns).await;
    let producer = station(redis.url(), &ns).await;
    let system = System::new();
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();

    let slow = jobs.enqueue(jobs.echo(7, 300)).await.unwrap();
    let plain = jobs.enqueue(jobs.run(1)).await.unwrap();
    assert_ne!(slow.as_str(), plain.as_str());
    let queued = jobs.status(&slow).await.unwrap().unwrap();
    assert_eq!(queued.state, JobState::Queued);
    assert_eq!((queued.attempts, queued.consumer.as_deref()), (0, None));
    assert!(queued.entry.is_some() && queued.created.is_some());

    let (serving, mut handled) = serve_jobs(&worker, &system).await;
    wait_for_state(&jobs, &slow, JobState::Running).await;
    let running = jobs.status(&slow).await.unwrap().unwrap();
    assert_eq!(running.consumer.as_deref(), Some(worker.consumer()));
    assert_eq!(running.attempts, 1);
    // Taken for the first time: running by its pending entry, since the worker read it.
    let started = running.started.expect("when it started");
    assert!(started >= queued.created.unwrap(), "{running:?}");
    assert_eq!(handled.recv().await, Some(1));
    wait_for_state(&jobs, &slow, JobState::Done).await;

    // Another process, with the id as text only.
    let elsewhere = station(redis.url(), &ns).await;
    let same: JobId<u64> = JobId::new(slow.as_str());
    let remote = elsewhere.remote::<Jobs>("/jobs").unwrap();
    assert_eq!(remote.result(&same).await.unwrap(), Some(7));
    let done = elsewhere
        .job_status("/jobs", slow.as_str())
        .await
        .unwrap()
        .unwrap();
    assert!(done.finished.is_some() && done.error.is_none() && done.entry.is_none());
    assert_eq!(done.consumer.as_deref(), Some(worker.consumer()));
    assert_eq!(done.created, queued.created);
    let started = done.started.expect("when it started");
    assert!(started >= done.created.unwrap() && started <= done.finished.unwrap());
    assert_eq!(jobs.result(&plain).await.unwrap(), Some(()));
    assert_eq!(
        jobs.status(&JobId::<()>::new("no-such-job")).await.unwrap(),
        None
    );
    serving.stop().await;
    system.shutdown().await;
    // Until they end, such jobs (no key, no delay, no id of the caller's) are their stream
    // entries, listed by id in one hash of the path: ended, they are no longer in it.
    let listed = count(&redis, "HLEN", format!("{ns}:job-entries:/jobs")).await;
    assert_eq!(listed, 0, "the ended jobs left the list of entries");
}

#[tokio::test]
async fn a_delayed_job_runs_after_its_delay_and_not_before() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-delayed");
    let station = station(redis.url(), &ns).await;
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();

    let sent = Instant::now();
    let later = jobs
        .enqueue(jobs.run(1))
        .after(Duration::from_millis(400))
        .await
        .unwrap();
    let status = jobs.status(&later).await.unwrap().unwrap();
    assert_eq!(status.state, JobState::Delayed);
    let (due, created) = (status.due.unwrap(), status.created.unwrap());
    assert_eq!(
        due.duration_since(created).unwrap(),
        Duration::from_millis(400)
    );
    // A time already past, and a zero delay: at once, before the delayed one.
    jobs.enqueue(jobs.run(2))
        .at(SystemTime::now() - Duration::from_secs(5))
        .await
        .unwrap();
    jobs.enqueue(jobs.run(3))
        .after(Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(handled.recv().await, Some(2));
    assert_eq!(handled.recv().await, Some(3));
    assert_eq!(handled.recv().await, Some(1));
    assert!(
        sent.elapsed() >= Duration::from_millis(400),
        "ran {:?} after it was sent",
        sent.elapsed()
    );
    wait_for_state(&jobs, &later, JobState::Done).await;
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_jobs_are_moved_once_however_many_workers_and_wait_for_the_first() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-delayed-many");
    let producer = station(redis.url(), &ns).await;
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    // Sent while no worker runs: they wait in Redis.
    let sends = (0..300u64).map(|n| {
        jobs.enqueue(jobs.run(n))
            .after(Duration::from_millis(100 + n % 50))
            .into_future()
    });
    for sent in futures::future::join_all(sends).await {
        sent.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await; // all are due, none moved
    assert!(producer.backlog("/jobs").await.unwrap().is_empty());

    let (tx, mut handled) = mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for name in ["w1", "w2", "w3"] {
        let config = StationConfig::default()
            .namespace(&ns)
            .consumer(name)
            .delayed_poll(Duration::from_millis(5))
            .read_batch(16);
        let station = RedisStation::connect_with(redis.url(), config)
            .await
            .unwrap();
        let system = System::new();
        let tx = tx.clone();
        let serving = station
            .serve(&system, "/jobs", move || {
                Jobs::new(Report::Channel(tx.clone()))
            })
            .await
            .unwrap();
        workers.push((system, serving));
    }
    let mut seen = BTreeMap::new();
    while seen.len() < 300 {
        let n = tokio::time::timeout(Duration::from_secs(10), handled.recv())
            .await
            .expect("every delayed job runs")
            .unwrap();
        *seen.entry(n).or_insert(0) += 1;
    }
    for (system, serving) in workers {
        serving.stop().await;
        system.shutdown().await;
    }
    while let Ok(n) = handled.try_recv() {
        *seen.entry(n).or_insert(0) += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, times)| **times > 1).collect();
    assert!(twice.is_empty(), "handled more than once: {twice:?}");
    assert_eq!(seen.len(), 300);
}

#[tokio::test]
async fn a_delayed_job_survives_a_redis_restart_from_its_append_only_file() {
    let mut server = RedisServer::start(true);
    let ns = unique("jobs-aof");
    let producer = station(&server.url(), &ns).await;
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    let later = jobs
        .enqueue(jobs.run(9))
        .after(Duration::from_millis(300))
        .await
        .unwrap();
    server.restart(); // kill -9, then the same data directory and port
    let station = station(&server.url(), &ns).await;
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    assert_eq!(handled.recv().await, Some(9));
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    wait_for_state(&jobs, &later, JobState::Done).await;
    serving.stop().await;
    system.shutdown().await;
    drop(producer);
}

#[tokio::test]
async fn a_unique_key_refuses_or_merges_a_second_job_until_the_first_finishes() {
    let (_redis, _ns, station, jobs) = open("jobs-unique").await;

    let first = jobs.enqueue(jobs.run(1)).key("nightly").await.unwrap();
    match jobs.enqueue(jobs.run(2)).key("nightly").await {
        Err(Error::DuplicateJob { key, job, path }) => {
            assert_eq!((key.as_str(), job.as_str()), ("nightly", first.as_str()));
            assert_eq!(path.as_str(), "/jobs");
        }
        other => panic!("a duplicate is refused: {other:?}"),
    }
    let merged = jobs
        .enqueue(jobs.run(3))
        .key("nightly")
        .on_duplicate(Duplicate::Merge)
        .await
        .unwrap();
    assert_eq!(merged, first);
    // Delayed jobs hold their key too; another key is free.
    let other = jobs
        .enqueue(jobs.run(4))
        .key("weekly")
        .after(Duration::from_millis(50))
        .await
        .unwrap();
    // An id of one's own: the same id twice is one job.
    let mine = jobs.enqueue(jobs.run(5)).id("order-5").await.unwrap();
    assert_eq!(jobs.enqueue(jobs.run(5)).id("order-5").await.unwrap(), mine);

    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    let mut ran = Vec::new();
    for _ in 0..3 {
        ran.push(handled.recv().await.unwrap());
    }
    ran.sort_unstable();
    assert_eq!(ran, [1, 4, 5], "one job per key and per id");
    wait_for_state(&jobs, &first, JobState::Done).await;
    wait_for_state(&jobs, &other, JobState::Done).await;
    // Finished: the key is free again.
    let next = jobs.enqueue(jobs.run(6)).key("nightly").await.unwrap();
    assert_ne!(next, first);
    assert_eq!(handled.recv().await, Some(6));
    serving.stop().await;
    system.shutdown().await;
    assert!(handled.try_recv().is_err(), "nothing else ran");
}

#[tokio::test]
async fn a_cancelled_delayed_or_queued_job_never_runs() {
    let (_redis, _ns, station, jobs) = open("jobs-cancel").await;

    let delayed = jobs
        .enqueue(jobs.run(1))
        .after(Duration::from_millis(100))
        .key("k1")
        .await
        .unwrap();
    let queued = jobs.enqueue(jobs.run(2)).key("k2").await.unwrap();
    let plain = jobs.enqueue(jobs.run(6)).await.unwrap(); // its entry only, no record yet
    assert_eq!(jobs.cancel(&delayed).await.unwrap(), Cancel::Cancelled);
    assert_eq!(
        station.cancel_job("/jobs", queued.as_str()).await.unwrap(),
        Cancel::Cancelled
    );
    assert_eq!(jobs.cancel(&plain).await.unwrap(), Cancel::Cancelled);
    for id in [&delayed, &queued, &plain] {
        let status = jobs.status(id).await.unwrap().unwrap();
        assert_eq!(status.state, JobState::Cancelled);
        assert!(status.finished.is_some() && status.created.is_some());
    }
    assert_eq!(
        jobs.cancel(&plain).await.unwrap(),
        Cancel::Finished(JobState::Cancelled)
    );
    assert_eq!(
        jobs.cancel(&delayed).await.unwrap(),
        Cancel::Finished(JobState::Cancelled)
    );
    assert_eq!(
        jobs.cancel(&JobId::<()>::new("nope")).await.unwrap(),
        Cancel::Unknown
    );
    // Their keys are free again.
    jobs.enqueue(jobs.run(3)).key("k1").await.unwrap();
    let last = jobs.enqueue(jobs.run(4)).key("k2").await.unwrap();

    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    tokio::time::sleep(Duration::from_millis(150)).await; // the delayed one would be due
    let marker = jobs.enqueue(jobs.run(5)).await.unwrap();
    let mut ran = Vec::new();
    for _ in 0..3 {
        ran.push(handled.recv().await.unwrap());
    }
    assert_eq!(ran, [3, 4, 5]);
    wait_for_state(&jobs, &marker, JobState::Done).await;
    assert_eq!(
        jobs.cancel(&last).await.unwrap(),
        Cancel::Finished(JobState::Done)
    );
    serving.stop().await;
    system.shutdown().await;
    assert!(handled.try_recv().is_err(), "the cancelled jobs never ran");
}

#[tokio::test]
async fn a_failing_job_records_its_error_and_a_cancel_stops_its_retries() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-failing");
    let config = StationConfig::default()
        .namespace(&ns)
        .block(Duration::from_millis(200))
        .retry_delay(Duration::from_millis(300))
        .max_deliveries(3);
    let station = RedisStation::connect_with(redis.url(), config)
        .await
        .unwrap();
    let system = System::new();
    let (serving, _handled) = serve_jobs(&station, &system).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();

    // Fails every time: recorded, then dead.
    let dying = jobs.enqueue(jobs.poison(1)).await.unwrap();
    wait_for_state(&jobs, &dying, JobState::Failed).await;
    let failed = jobs.status(&dying).await.unwrap().unwrap();
    assert_eq!(failed.error.as_deref(), Some("poisoned 1"));
    wait_for_state(&jobs, &dying, JobState::Dead).await;
    let dead = jobs.status(&dying).await.unwrap().unwrap();
    assert_eq!(dead.attempts, 3);
    assert_eq!(dead.error.as_deref(), Some("poisoned 1"));
    assert_eq!(jobs.result(&dying).await.unwrap(), None);

    // Cancelled after its first failure: not run again, not dead-lettered.
    let cancelled = jobs.enqueue(jobs.poison(2)).await.unwrap();
    wait_for_state(&jobs, &cancelled, JobState::Failed).await;
    assert_eq!(jobs.cancel(&cancelled).await.unwrap(), Cancel::Requested);
    assert!(
        jobs.status(&cancelled)
            .await
            .unwrap()
            .unwrap()
            .cancel_requested
    );
    wait_for_state(&jobs, &cancelled, JobState::Cancelled).await;
    let status = jobs.status(&cancelled).await.unwrap().unwrap();
    assert_eq!(status.attempts, 1);
    let marker = jobs.enqueue(jobs.run(3)).await.unwrap();
    wait_for_state(&jobs, &marker, JobState::Done).await;
    assert_eq!(serving.dead_lettered(), 1);
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn a_job_that_no_longer_decodes_is_dead_with_the_reason() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-garbage");
    let station = station(redis.url(), &ns).await;
    // Another program's idea of /jobs (a type changed between deploys).
    let other = station.remote::<Other>("/jobs").unwrap();
    let stale = other.enqueue(other.ping()).await.unwrap();
    let system = System::new();
    let (serving, _handled) = serve_jobs(&station, &system).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    let id = JobId::<()>::new(stale.as_str());
    wait_for_state(&jobs, &id, JobState::Dead).await;
    let status = jobs.status(&id).await.unwrap().unwrap();
    assert!(
        status.error.as_deref().unwrap().contains("cannot decode"),
        "{status:?}"
    );
    let letters = station.dead_letters("/jobs", 10).await.unwrap();
    assert_eq!(letters.len(), 1);
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn a_running_job_reports_progress_and_stops_early_when_cancelled() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-running");
    let station = station(redis.url(), &ns).await;
    let system = System::new();
    let (serving, _handled) = serve_jobs(&station, &system).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();

    let short = jobs.enqueue(jobs.patient(3)).await.unwrap();
    wait_for_state(&jobs, &short, JobState::Done).await;
    assert_eq!(jobs.result(&short).await.unwrap(), Some(Ok(1)));
    let done = jobs.status(&short).await.unwrap().unwrap();
    assert_eq!(done.progress.as_deref(), Some("3/3"));

    let long = jobs.enqueue(jobs.patient(10_000)).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while jobs
        .status(&long)
        .await
        .unwrap()
        .unwrap()
        .progress
        .is_none()
    {
        assert!(Instant::now() < deadline, "the job reports progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(jobs.cancel(&long).await.unwrap(), Cancel::Requested);
    wait_for_state(&jobs, &long, JobState::Cancelled).await;
    let cancelled = jobs.status(&long).await.unwrap().unwrap();
    assert_eq!(cancelled.attempts, 1, "not run again");
    assert!(cancelled.cancel_requested);
    let step: u32 = cancelled
        .progress
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(step < 10_000, "stopped early, at step {step}");
    assert_eq!(serving.dead_lettered(), 0);
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    serving.stop().await;

    // Not sent as a job: no job in the context.
    let local = system
        .spawn(
            "local",
            Jobs::new(Report::Channel(mpsc::unbounded_channel().0)),
        )
        .await
        .unwrap();
    assert_eq!(local.patient(1).await.unwrap(), Err("not a job".to_owned()));
    system.shutdown().await;
}

/// Starts a worker (a station of its own, as another process would have) serving `/jobs`,
/// reporting what it handles to `tx`.
async fn worker(
    url: &str,
    ns: &str,
    name: &str,
    tx: &mpsc::UnboundedSender<u64>,
) -> (System, Serving<Jobs>) {
    let config = StationConfig::default()
        .namespace(ns)
        .consumer(name)
        .block(Duration::from_millis(200))
        .delayed_poll(Duration::from_millis(5));
    let station = RedisStation::connect_with(url, config).await.unwrap();
    let system = System::new();
    let tx = tx.clone();
    let serving = station
        .serve(&system, "/jobs", move || {
            Jobs::new(Report::Channel(tx.clone()))
        })
        .await
        .unwrap();
    (system, serving)
}

async fn next_fire(fires: &mut mpsc::UnboundedReceiver<u64>) -> u64 {
    tokio::time::timeout(Duration::from_secs(10), fires.recv())
        .await
        .expect("the periodic job fires")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_periodic_job_fires_once_per_period_however_many_workers_and_when_some_die() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-periodic");
    let producer = station(redis.url(), &ns).await;
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    let period = 200;
    jobs.schedule(
        "tick",
        Schedule::every(Duration::from_millis(period)),
        jobs.tick(),
    )
    .await
    .unwrap();

    let (tx, mut fires) = mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for name in ["w1", "w2", "w3"] {
        workers.push(worker(redis.url(), &ns, name, &tx).await);
    }
    let mut slots = Vec::new();
    for _ in 0..4 {
        slots.push(next_fire(&mut fires).await);
    }
    // Two of the three stop: the last one keeps firing.
    for (system, serving) in workers.drain(..2) {
        serving.stop().await;
        system.shutdown().await;
    }
    for _ in 0..3 {
        slots.push(next_fire(&mut fires).await);
    }
    assert!(jobs.unschedule("tick").await.unwrap());
    assert!(!jobs.unschedule("tick").await.unwrap());
    for (system, serving) in workers {
        serving.stop().await;
        system.shutdown().await;
    }
    while let Ok(slot) = fires.try_recv() {
        slots.push(slot);
    }
    assert!(
        slots.iter().all(|s| s % period == 0),
        "on the period: {slots:?}"
    );
    let mut unique = slots.clone();
    unique.dedup();
    assert_eq!(unique, slots, "each time fired once, in order");
    let last = *slots.last().unwrap();
    let id = JobId::<()>::new(format!("tick@{last}"));
    wait_for_state(&jobs, &id, JobState::Done).await;
}

#[tokio::test]
async fn fires_missed_while_no_worker_ran_are_made_up_once() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-periodic-missed");
    let producer = station(redis.url(), &ns).await;
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    let period = 100;
    let schedule = Schedule::every(Duration::from_millis(period));
    jobs.schedule("tick", schedule.clone(), jobs.tick())
        .await
        .unwrap();
    let declared = producer.periodic_jobs("/jobs").await.unwrap();
    assert_eq!(declared.len(), 1);
    assert_eq!(
        (declared[0].name.as_str(), declared[0].schedule.as_str()),
        ("tick", "every 100ms")
    );
    let (last, next) = (declared[0].last.unwrap(), declared[0].next.unwrap());
    assert!(next > last);
    // Declared again: nothing changes.
    jobs.schedule("tick", schedule, jobs.tick()).await.unwrap();
    assert_eq!(
        producer.periodic_jobs("/jobs").await.unwrap()[0].last,
        Some(last)
    );

    tokio::time::sleep(Duration::from_millis(4 * period)).await; // three or four missed
    let (tx, mut fires) = mpsc::unbounded_channel();
    let (system, serving) = worker(redis.url(), &ns, "w1", &tx).await;
    let first = next_fire(&mut fires).await;
    let second = next_fire(&mut fires).await;
    let declared_ms = last
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        first >= declared_ms + 3 * period,
        "the latest missed time: {first}"
    );
    assert_eq!(
        second,
        first + period,
        "then on schedule, the others not made up"
    );
    serving.stop().await;
    system.shutdown().await;
    assert!(matches!(
        jobs.schedule("", Schedule::every(Duration::from_secs(1)), jobs.tick())
            .await,
        Err(Error::InvalidName { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_holds_for_all_workers_together() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-rate");
    let producer = station(redis.url(), &ns).await;
    let limit = aplay::redis::RateLimit::new(5, Duration::from_millis(300));
    producer.set_rate_limit("/jobs", Some(limit)).await.unwrap();
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    for n in 0..20 {
        jobs.run(n).await.unwrap();
    }
    jobs.flushed().await.unwrap();

    let (tx, mut handled) = mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for name in ["w1", "w2"] {
        workers.push(worker(redis.url(), &ns, name, &tx).await);
    }
    let mut seen = Vec::new();
    let mut first = None;
    while seen.len() < 20 {
        seen.push(next_fire(&mut handled).await);
        first.get_or_insert_with(Instant::now);
    }
    let elapsed = first.unwrap().elapsed();
    // The 16th start needs the fourth window: three window ends after the first start.
    assert!(
        elapsed >= Duration::from_millis(600),
        "20 at 5 per 300 ms took only {elapsed:?}"
    );
    seen.sort_unstable();
    assert_eq!(seen, (0..20).collect::<Vec<_>>());
    let settings = producer.queue_settings("/jobs").await.unwrap();
    assert_eq!(settings.rate, Some(limit));
    for (system, serving) in workers {
        serving.stop().await;
        system.shutdown().await;
    }
}

#[tokio::test]
async fn a_paused_queue_starts_nothing_until_it_is_resumed() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-pause");
    let station = station(redis.url(), &ns).await;
    station.pause("/jobs").await.unwrap();
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    let id = jobs.enqueue(jobs.run(1)).await.unwrap();
    jobs.enqueue(jobs.run(2))
        .after(Duration::from_millis(10))
        .await
        .unwrap();
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    // Paused before it started: nothing runs, however long it waits.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), handled.recv())
            .await
            .is_err()
    );
    let info = station.queue_info("/jobs").await.unwrap();
    assert!(info.served && info.settings.paused);
    assert_eq!((info.backlog.unread, info.delayed), (2, 0), "{info:?}");
    assert_eq!(station.served_paths().await.unwrap(), ["/jobs"]);
    assert_eq!(
        jobs.status(&id).await.unwrap().unwrap().state,
        JobState::Queued
    );

    station.resume("/jobs").await.unwrap();
    let mut ran = vec![handled.recv().await.unwrap(), handled.recv().await.unwrap()];
    ran.sort_unstable();
    assert_eq!(ran, [1, 2]);
    assert!(!station.queue_settings("/jobs").await.unwrap().paused);
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn high_jobs_start_first_and_low_ones_are_not_starved() {
    let (redis, ns, station, jobs) = open("jobs-priority").await;
    use aplay::redis::JobPriority::{High, Low, Normal};
    // Sent before any worker runs, lowest first: low 0.., normal 100.., high 200...
    for (lane, base) in [(Low, 0), (Normal, 100), (High, 200)] {
        for n in base..base + 30 {
            jobs.enqueue(jobs.run(n)).priority(lane).await.unwrap();
        }
    }
    assert_eq!(station.backlog("/jobs").await.unwrap().unread, 90);
    assert!(station.queue_settings("/jobs").await.unwrap().priorities);

    let config = StationConfig::default()
        .namespace(&ns)
        .read_batch(10)
        .block(Duration::from_millis(100));
    let worker = RedisStation::connect_with(redis.url(), config)
        .await
        .unwrap();
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&worker, &system).await;
    let mut order = Vec::new();
    while order.len() < 90 {
        order.push(next_fire(&mut handled).await);
    }
    // The first ten slots: six high, three normal, one low, in that order.
    let first: Vec<u64> = order[..10].to_vec();
    assert_eq!(
        first,
        [200, 201, 202, 203, 204, 205, 100, 101, 102, 0],
        "{order:?}"
    );
    // Each lane in the order sent; high done long before low.
    for base in [0, 100, 200] {
        let lane: Vec<u64> = order
            .iter()
            .copied()
            .filter(|n| n / 100 == base / 100)
            .collect();
        assert_eq!(lane, (base..base + 30).collect::<Vec<_>>());
    }
    let last = |base: u64| order.iter().rposition(|n| n / 100 == base / 100).unwrap();
    assert!(last(200) < last(100) && last(100) < last(0), "{order:?}");
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn a_jobs_priority_holds_when_delayed_cancelled_and_replayed() {
    let (redis, ns, station, jobs) = open("jobs-priority-life").await;
    use aplay::redis::JobPriority::{High, Low};
    let queued = jobs.enqueue(jobs.run(1)).priority(High).await.unwrap();
    assert_eq!(jobs.cancel(&queued).await.unwrap(), Cancel::Cancelled);
    assert!(
        station.backlog("/jobs").await.unwrap().is_empty(),
        "deleted from its lane"
    );
    let later = jobs
        .enqueue(jobs.run(2))
        .priority(Low)
        .after(Duration::from_millis(30))
        .await
        .unwrap();
    let failing = jobs.enqueue(jobs.poison(3)).priority(High).await.unwrap();
    let config = StationConfig::default()
        .namespace(&ns)
        .retry_delay(Duration::from_millis(5))
        .max_deliveries(1)
        .delayed_poll(Duration::from_millis(10))
        .block(Duration::from_millis(100));
    let worker = RedisStation::connect_with(redis.url(), config)
        .await
        .unwrap();
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&worker, &system).await;
    assert_eq!(next_fire(&mut handled).await, 2);
    wait_for_state(&jobs, &later, JobState::Done).await;
    wait_for_state(&jobs, &failing, JobState::Dead).await;
    // Replayed, it goes back to the high lane, and fails again.
    let letter = station.dead_letters("/jobs", 1).await.unwrap().remove(0);
    assert!(
        station
            .replay_dead_letter("/jobs", letter.id())
            .await
            .unwrap()
    );
    while station.queue_info("/jobs").await.unwrap().dead == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let info = station.queue_info("/jobs").await.unwrap();
    assert!(info.backlog.is_empty(), "{info:?}");
    assert_eq!(serving.dead_lettered(), 2);
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn a_limit_per_rate_key_slows_one_key_without_holding_up_the_others() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("jobs-key-rate");
    let station = station(redis.url(), &ns).await;
    let limit = aplay::redis::RateLimit::new(2, Duration::from_millis(300));
    station
        .set_key_rate_limit("/jobs", Some(limit))
        .await
        .unwrap();
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    // Six jobs of customer a (0..6), then three of customer b (100..103), then untagged ones.
    for n in 0..6 {
        jobs.enqueue(jobs.run(n)).rate_key("a").await.unwrap();
    }
    for n in 100..103 {
        jobs.enqueue(jobs.run(n)).rate_key("b").await.unwrap();
    }
    for n in 200..203 {
        jobs.enqueue(jobs.run(n)).await.unwrap();
    }
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    let started = Instant::now();
    let mut order = Vec::new();
    let mut at = Vec::new();
    while order.len() < 12 {
        order.push(next_fire(&mut handled).await);
        at.push(started.elapsed());
    }
    // The first period: two of a, two of b, all the untagged; the rest of a and b later.
    let first: Vec<u64> = order[..7].to_vec();
    let mut sorted = first.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [0, 1, 100, 101, 200, 201, 202], "{order:?}");
    let a: Vec<u64> = order.iter().copied().filter(|n| *n < 100).collect();
    assert_eq!(a, [0, 1, 2, 3, 4, 5], "each key keeps its order");
    let last_a = at[order.iter().position(|n| *n == 5).unwrap()];
    assert!(
        last_a >= Duration::from_millis(300),
        "six of a at two per 300 ms took only {last_a:?}"
    );
    assert_eq!(
        station.queue_settings("/jobs").await.unwrap().key_rate,
        Some(limit)
    );
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn handled_messages_are_freed_from_the_stream_and_the_backlog_counts_only_the_rest() {
    let (redis, ns, station, jobs) = open("jobs-trim").await;
    for n in 0..2_000 {
        jobs.run(n).await.unwrap();
    }
    jobs.flushed().await.unwrap();
    assert_eq!(station.backlog("/jobs").await.unwrap().unread, 2_000);
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    for _ in 0..2_000 {
        next_fire(&mut handled).await;
    }
    // Acknowledged in the last batch: wait for the counter, a signal that the flush went.
    while serving.handled() < 2_000 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let len = count(&redis, "XLEN", format!("{ns}:mailbox:/jobs")).await;
    assert!(
        len < 300,
        "{len} of 2,000 handled entries are still in the stream"
    );
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    // Sent while the rest sits in the stream: counted, and only that.
    serving.stop().await;
    jobs.run(9).await.unwrap();
    jobs.flushed().await.unwrap();
    assert_eq!(station.backlog("/jobs").await.unwrap().unread, 1);
    system.shutdown().await;
}
