//! Redis faults injected into a real `redis-server` while tells, handling and acknowledgements
//! flow: a kill -9 and a restart from the append-only file, seconds of `LOADING`, `OOM` with
//! `noeviction`, a failover (`READONLY`), `BUSY`, `NOREPLICAS`, a frozen server, connections
//! cut mid-pipeline (also under packs of jobs). Each test counts what was sent (every tell confirmed by `flushed`), what
//! was handled, what was lost and what was handled twice, and prints a `FAULT` line:
//! nothing confirmed may be lost; one worker handles nothing twice; several workers through a
//! Redis crash handle twice at most what they had in hand.
//!
//! Each test starts its own server(s), so they run in parallel.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use crate::cutting_proxy::CuttingProxy;
use crate::redis_actors;
use crate::redis_actors::{Jobs, Report};
use crate::redis_server::{Options, Ready, RedisServer, unique};
use aplay::prelude::*;
use aplay::redis::{RedisStation, RemoteRef, Serving, StationConfig};
use tokio::sync::mpsc;

/// Entries per read: a worker has at most twice this in hand, the bound on what it can handle
/// twice after a fault.
const BATCH: usize = 32;

fn config(namespace: &str) -> StationConfig {
    StationConfig::default()
        .namespace(namespace)
        .read_batch(BATCH)
        .block(Duration::from_millis(200))
        .retry_delay(Duration::from_millis(10))
        .reconnect(Duration::from_millis(10), Duration::from_millis(200))
        .command_timeout(Duration::from_secs(1))
        // Short, so that a keeper that failed to refresh the entries in hand after an outage
        // would show as duplicates.
        .claim_idle(Duration::from_secs(2))
}

async fn connect(url: &str, config: StationConfig) -> RedisStation {
    RedisStation::connect_with(url, config)
        .await
        .expect("a connection to the test's Redis")
}

/// A worker: `/jobs` served from its durable mailbox, reporting each job it handled.
struct Worker {
    serving: Serving<Jobs>,
    _system: System,
}

async fn worker(station: &RedisStation, handled: &mpsc::UnboundedSender<u64>) -> Worker {
    let system = System::new();
    let tx = handled.clone();
    let serving = station
        .serve(&system, "/jobs", move || {
            Jobs::new(Report::Channel(tx.clone()))
        })
        .await
        .expect("serving /jobs");
    Worker {
        serving,
        _system: system,
    }
}

/// Sends jobs `0..count`, a few per millisecond, so that a fault meets them on their way;
/// returns once `flushed` confirmed every one of them (however long Redis takes to come
/// back).
async fn produce(jobs: RemoteRef<Jobs>, count: u64) {
    let mut ticks = tokio::time::interval(Duration::from_millis(1));
    for n in 0..count {
        if n % 4 == 0 {
            ticks.tick().await;
        }
        jobs.run(n).await.expect("a tell is queued");
    }
    jobs.flushed_within(Duration::MAX)
        .await
        .expect("every tell is in Redis");
}

/// How many times each job was handled.
#[derive(Default)]
struct Tally(BTreeMap<u64, u32>);

impl Tally {
    /// Takes what the workers reported until every job of `0..count` was handled.
    async fn until_all(&mut self, rx: &mut mpsc::UnboundedReceiver<u64>, count: u64) {
        while (self.0.len() as u64) < count {
            let n = tokio::time::timeout(Duration::from_secs(60), rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "{} of {count} jobs handled after a minute without news",
                        self.0.len()
                    )
                })
                .expect("the workers report");
            *self.0.entry(n).or_default() += 1;
        }
    }

    /// Takes the reports already sent (late duplicates).
    fn drain(&mut self, rx: &mut mpsc::UnboundedReceiver<u64>) {
        while let Ok(n) = rx.try_recv() {
            *self.0.entry(n).or_default() += 1;
        }
    }

    /// Prints the figures and checks them: nothing lost, at most `bound` duplicates.
    fn check(&self, fault: &str, sent: u64, bound: u64) {
        let handled: u64 = self.0.values().map(|&n| u64::from(n)).sum();
        let lost = (0..sent).filter(|n| !self.0.contains_key(n)).count();
        let duplicates: u64 = self.0.values().map(|&n| u64::from(n) - 1).sum();
        println!(
            "FAULT {fault}: sent {sent}, handled {handled}, lost {lost}, duplicates {duplicates}"
        );
        assert_eq!(lost, 0, "{fault}: confirmed tells were lost");
        assert!(
            duplicates <= bound,
            "{fault}: {duplicates} duplicates, more than the {bound} in hand"
        );
    }
}

/// Waits until every message of `/jobs` is acknowledged: nothing can be delivered again.
async fn until_acknowledged(station: &RedisStation) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match station.backlog("/jobs").await {
            Ok(backlog) if backlog.is_empty() => return,
            Ok(_) => {}
            // Just after a restart: the connection is being made again.
            Err(Error::Redis(error)) if error.is_retryable() => {}
            Err(error) => panic!("the backlog: {error}"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "messages stayed unacknowledged for a minute"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs `count` jobs through one worker while `fault` runs (started once a tenth of them
/// was handled); checks the tally: none lost, none handled twice.
async fn one_worker_through<F, Fut>(name: &str, url: &str, count: u64, fault: F) -> Tally
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    let ns = unique(name);
    let station = connect(url, config(&ns)).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = worker(&station, &tx).await;
    let producer = tokio::spawn(produce(station.remote::<Jobs>("/jobs").unwrap(), count));
    let mut tally = Tally::default();
    tally.until_all(&mut rx, count / 10).await;
    fault().await;
    producer.await.expect("the producer");
    tally.until_all(&mut rx, count).await;
    until_acknowledged(&station).await;
    tally.drain(&mut rx);
    worker.serving.stop().await;
    tally.drain(&mut rx);
    // One worker that never crashes holds every entry it works on until it is acknowledged,
    // and every batch is appended once: not a single job may run twice.
    tally.check(name, count, 0);
    tally
}

/// Runs a blocking fault injection off the runtime's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("the injection")
}

fn errors_seen(server: &RedisServer, code: &str) -> u64 {
    server
        .info(&format!("errorstat_{code}"))
        .and_then(|v| v.strip_prefix("count=")?.split(',').next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_and_a_restart_from_the_append_only_file_lose_nothing() {
    let server = std::sync::Arc::new(std::sync::Mutex::new(RedisServer::start(true)));
    let url = server.lock().unwrap().url();
    let s = std::sync::Arc::clone(&server);
    one_worker_through("kill-9", &url, 5_000, || async move {
        blocking(move || {
            let mut server = s.lock().unwrap();
            server.kill();
            std::thread::sleep(Duration::from_millis(500));
            server.restart();
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seconds_of_loading_after_a_restart_lose_nothing() {
    let server = RedisServer::start(true);
    // A dataset that takes seconds to load (each key waits on `key-load-delay`), in the
    // append-only file's base, where the delay applies.
    server.command(&["DEBUG", "POPULATE", "40000", "filler", "10"]);
    server.command(&["BGREWRITEAOF"]);
    while server.info("aof_rewrite_in_progress").as_deref() != Some("0")
        || server.info("aof_rewrite_scheduled").as_deref() != Some("0")
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = server.url();
    let server = std::sync::Arc::new(std::sync::Mutex::new(server));
    let s = std::sync::Arc::clone(&server);
    one_worker_through("loading", &url, 5_000, || async move {
        blocking(move || {
            s.lock().unwrap().restart_with(
                &[
                    "--key-load-delay",
                    "1",
                    "--loading-process-events-interval-bytes",
                    "1024",
                ],
                Ready::Answering,
            );
        })
        .await;
    })
    .await;
    let server = server.lock().unwrap();
    let loading = errors_seen(&server, "LOADING");
    println!("FAULT loading: {loading} commands answered LOADING");
    assert!(loading > 0, "the server never answered LOADING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_memory_with_noeviction_for_two_seconds_loses_nothing() {
    let server = std::sync::Arc::new(RedisServer::start(false));
    let url = server.url();
    let s = std::sync::Arc::clone(&server);
    one_worker_through("oom", &url, 6_000, || async move {
        blocking(move || {
            s.command(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
            let used: u64 = s.info("used_memory").unwrap().parse().unwrap();
            s.command(&[
                "CONFIG",
                "SET",
                "maxmemory",
                &(used + 256 * 1024).to_string(),
            ]);
            // Filled up to the limit: Redis answers OOM to every write that adds.
            let mut admin = s.admin();
            let filler = "x".repeat(16 * 1024);
            let mut keys = 0;
            while redis::cmd("SET")
                .arg(format!("filler:{keys}"))
                .arg(&filler)
                .query::<()>(&mut admin)
                .is_ok()
            {
                keys += 1;
            }
            // Kept over the limit, whatever the worker deletes meanwhile.
            let used: u64 = s.info("used_memory").unwrap().parse().unwrap();
            s.command(&[
                "CONFIG",
                "SET",
                "maxmemory",
                &(used - 128 * 1024).to_string(),
            ]);
            std::thread::sleep(Duration::from_secs(2));
            // Freed.
            for key in 0..keys {
                s.command(&["DEL", &format!("filler:{key}")]);
            }
            s.command(&["CONFIG", "SET", "maxmemory", "0"]);
        })
        .await;
    })
    .await;
    let oom = errors_seen(&server, "OOM");
    println!("FAULT oom: {oom} commands answered OOM");
    assert!(oom > 0, "the server never answered OOM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_that_turns_the_master_into_a_replica_loses_nothing() {
    let a = RedisServer::start_with(Options::default().tcp());
    let b = RedisServer::start_with(Options::default().tcp());
    b.command(&["REPLICAOF", "127.0.0.1", &a.port().to_string()]);
    while b.info("master_link_status").as_deref() != Some("up") {
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = a.tcp_url();
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    let (fa, fb) = (std::sync::Arc::clone(&a), std::sync::Arc::clone(&b));
    one_worker_through("failover", &url, 5_000, || async move {
        blocking(move || {
            // The station's server becomes a replica of the other (READONLY to writes) ...
            fa.command(&["FAILOVER", "TO", "127.0.0.1", &fb.port().to_string()]);
            while fa.info("role").as_deref() != Some("slave") {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_secs(2));
            // ... and the master again.
            fb.command(&["FAILOVER"]);
            while fa.info("role").as_deref() != Some("master") {
                std::thread::sleep(Duration::from_millis(10));
            }
        })
        .await;
    })
    .await;
    let readonly = errors_seen(&a, "READONLY");
    println!("FAULT failover: {readonly} commands answered READONLY");
    assert!(readonly > 0, "the server never answered READONLY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_mid_pipeline_append_and_handle_each_job_once() {
    let server = RedisServer::start_with(Options::default().tcp());
    let proxy = std::sync::Arc::new(CuttingProxy::start(server.port()).await);
    let url = proxy.url();
    let p = std::sync::Arc::clone(&proxy);
    one_worker_through("cut", &url, 5_000, || async move {
        for _ in 0..20 {
            p.cut();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(
        proxy.connections() > 20,
        "the clients reconnected after each cut ({} connections)",
        proxy.connections()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packs_of_jobs_through_cut_connections_are_stored_and_run_once() {
    let server = RedisServer::start_with(Options::default().tcp());
    let proxy = std::sync::Arc::new(CuttingProxy::start(server.port()).await);
    let ns = unique("cut-packs");
    let station = connect(&proxy.url(), config(&ns)).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = worker(&station, &tx).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    let p = std::sync::Arc::clone(&proxy);
    let cutter = tokio::spawn(async move {
        for _ in 0..20 {
            p.cut();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    // 3,000 jobs in calls of 100 (packs of up to 32, the read batch), while connections are
    // cut: a call whose answer is lost is sent again, and adds nothing the second time.
    let count = 3_000;
    let mut ids = Vec::new();
    let mut ticks = tokio::time::interval(Duration::from_millis(20));
    for first in (0..count).step_by(100) {
        ticks.tick().await; // spread over the cuts
        let call = jobs.enqueue_all((first..first + 100).map(|n| jobs.run(n)));
        ids.extend(call.await.expect("stored, once Redis answers"));
    }
    cutter.await.expect("the cutter");
    let mut tally = Tally::default();
    tally.until_all(&mut rx, count).await;
    until_acknowledged(&station).await;
    tally.drain(&mut rx);
    worker.serving.stop().await;
    tally.drain(&mut rx);
    tally.check("cut-packs", count, 0);
    for id in &ids {
        let state = jobs.status(id).await.unwrap().map(|s| s.state);
        assert_eq!(state, Some(aplay::redis::JobState::Done), "{id}");
    }
    assert!(
        proxy.connections() > 20,
        "the clients reconnected after each cut ({} connections)",
        proxy.connections()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_script_and_missing_replicas_lose_nothing() {
    let server = std::sync::Arc::new(RedisServer::start(false));
    let url = server.url();
    let s = std::sync::Arc::clone(&server);
    one_worker_through("busy+noreplicas", &url, 5_000, || async move {
        blocking(move || {
            s.command(&["CONFIG", "SET", "busy-reply-threshold", "50"]);
            let mut busy = s.admin();
            let looping = std::thread::spawn(move || {
                let _ = redis::cmd("EVAL")
                    .arg("while true do end")
                    .arg(0)
                    .query::<redis::Value>(&mut busy);
            });
            std::thread::sleep(Duration::from_millis(1500));
            s.command(&["SCRIPT", "KILL"]);
            let _ = looping.join();
            s.command(&["CONFIG", "SET", "min-replicas-to-write", "1"]);
            std::thread::sleep(Duration::from_millis(1500));
            s.command(&["CONFIG", "SET", "min-replicas-to-write", "0"]);
        })
        .await;
    })
    .await;
    let (busy, noreplicas) = (
        errors_seen(&server, "BUSY"),
        errors_seen(&server, "NOREPLICAS"),
    );
    println!("FAULT busy+noreplicas: {busy} answered BUSY, {noreplicas} NOREPLICAS");
    assert!(
        busy > 0 && noreplicas > 0,
        "BUSY {busy}, NOREPLICAS {noreplicas}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_frozen_past_the_command_timeout_loses_and_duplicates_nothing() {
    let server = std::sync::Arc::new(RedisServer::start(false));
    let url = server.url();
    let s = std::sync::Arc::clone(&server);
    // Commands time out while the server sleeps; they are applied once it wakes, and sent
    // again by the station: the batch numbers keep the appends from doubling.
    one_worker_through("frozen", &url, 5_000, || async move {
        blocking(move || s.command(&["DEBUG", "SLEEP", "2.5"])).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_draining_through_a_kill_9_run_each_job_once() {
    const JOBS: u64 = 10_000;
    let mut server = RedisServer::start(true);
    let url = server.url();
    let ns = unique("three-workers");
    let producer = connect(&url, config(&ns)).await;
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    for n in 0..JOBS {
        jobs.run(n).await.unwrap();
    }
    jobs.flushed().await.expect("the jobs are in Redis");

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for i in 0..3 {
        let station = connect(&url, config(&ns).consumer(format!("worker-{i}"))).await;
        workers.push((worker(&station, &tx).await, station));
    }
    let mut tally = Tally::default();
    tally.until_all(&mut rx, JOBS / 3).await;
    server = blocking(move || {
        server.kill();
        std::thread::sleep(Duration::from_millis(300));
        server.restart();
        server
    })
    .await;
    tally.until_all(&mut rx, JOBS).await;
    until_acknowledged(&producer).await;
    for (worker, _) in &workers {
        worker.serving.stop().await;
    }
    tally.drain(&mut rx);
    tally.check("kill-9, 3 workers", JOBS, 3 * 2 * BATCH as u64);
    drop(server);
}

// Refusals: what Redis will never take is handed back or reported, never dropped silently.

#[tokio::test]
async fn a_mailbox_key_of_another_type_refuses_tells_and_flushed_hands_them_back() {
    let server = RedisServer::start(false);
    let ns = unique("wrong-type");
    let station = connect(&server.url(), config(&ns)).await;
    let mailbox = format!("{ns}:mailbox:/jobs");
    server.command(&["SET", &mailbox, "not a stream"]);

    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    for n in 0..3 {
        jobs.run(n).await.unwrap();
    }
    let Err(Error::NotFlushed(refused)) = jobs.flushed().await else {
        panic!("the tells were refused")
    };
    assert_eq!((refused.refused(), refused.waiting()), (3, 0));
    assert!(refused.reason().contains("WRONGTYPE"), "{refused}");
    let back: Vec<u64> = refused
        .take_messages::<redis_actors::JobsMsg>()
        .into_iter()
        .map(|msg| match msg {
            redis_actors::JobsMsg::Run { n, .. } => n,
            _ => panic!("not a run"),
        })
        .collect();
    assert_eq!(back, [0, 1, 2], "the refused messages come back, in order");
    // Reported once: the next flush has nothing to say.
    jobs.flushed().await.unwrap();

    // An ask hears at once, not at its timeout.
    let started = tokio::time::Instant::now();
    let ask = jobs.count().timeout(Duration::from_secs(30)).await;
    assert!(matches!(ask, Err(Error::NoReply { .. })), "{ask:?}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // Serving on it says why.
    let system = System::new();
    let Err(Error::Redis(error)) = station
        .serve(&system, "/jobs", || {
            Jobs::new(Report::Stdout(String::new()))
        })
        .await
    else {
        panic!("serving a key of another type fails")
    };
    assert_eq!(error.kind(), aplay::redis::RedisErrorKind::Server);
    assert!(error.message().contains("WRONGTYPE"), "{error}");

    // Once the key is fixed, the messages sent again go through.
    server.command(&["DEL", &mailbox]);
    jobs.run(7).await.unwrap();
    jobs.flushed().await.unwrap();
    assert_eq!(station.backlog("/jobs").await.unwrap().unread, 1);
}

#[tokio::test]
async fn flushed_within_says_how_many_wait_while_redis_is_down_and_they_go_on() {
    let mut server = RedisServer::start(true);
    let ns = unique("down");
    let station = connect(&server.url(), config(&ns)).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    jobs.run(0).await.unwrap();
    jobs.flushed().await.unwrap();

    server = blocking(move || {
        server.kill();
        server
    })
    .await;
    for n in 1..=5 {
        jobs.run(n).await.unwrap();
    }
    let Err(Error::NotFlushed(waiting)) = jobs.flushed_within(Duration::from_millis(300)).await
    else {
        panic!("nothing can be stored while Redis is down")
    };
    assert_eq!((waiting.waiting(), waiting.refused()), (5, 0), "{waiting}");
    assert!(
        waiting.to_string().contains("still being retried"),
        "{waiting}"
    );
    assert!(waiting.take_messages::<redis_actors::JobsMsg>().is_empty());

    let _server = blocking(move || {
        server.restart();
        server
    })
    .await;
    jobs.flushed_within(Duration::MAX).await.unwrap();
    let backlog = station.backlog("/jobs").await.unwrap();
    assert_eq!(backlog.unread, 6, "every message is in Redis once");
}

#[tokio::test]
async fn a_dead_letter_stream_of_another_type_leaves_the_entry_pending_until_it_is_fixed() {
    let server = RedisServer::start(false);
    let ns = unique("dead-wrong-type");
    let config = config(&ns)
        .max_deliveries(1)
        .claim_idle(Duration::from_millis(300));
    let station = connect(&server.url(), config).await;
    let dead = format!("{ns}:dead:/jobs");
    server.command(&["SET", &dead, "not a stream"]);
    let (tx, _rx) = mpsc::unbounded_channel();
    let worker = worker(&station, &tx).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    jobs.poison(1).tell().await.unwrap();
    jobs.flushed().await.unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while worker.serving.refusals() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no refusal reported"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let refusal = worker.serving.last_refusal().unwrap();
    assert!(
        refusal.message().contains("dead letters") && refusal.message().contains("WRONGTYPE"),
        "{refusal}"
    );
    // Not acknowledged without its dead letter: still pending.
    assert_eq!(station.backlog("/jobs").await.unwrap().pending, 1);

    // Fixed: it is taken over again once idle, and goes to the dead letters.
    server.command(&["DEL", &dead]);
    until_acknowledged(&station).await;
    let letters = station.dead_letters("/jobs", 10).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert!(
        letters[0].error().contains("poisoned 1"),
        "{}",
        letters[0].error()
    );
    worker.serving.stop().await;
}
