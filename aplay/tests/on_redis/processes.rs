//! Redis across real processes: the test binary starts copies of itself as workers (the
//! `worker_process` function below, which does nothing unless started so), reads their
//! stdout lines (`handled 17 a`) as its signals, and kills them with SIGKILL.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use crate::redis_actors::{Jobs, Report};
use crate::redis_server::{ChildTest, TestRedis, test_name, unique};
use aplay::prelude::*;
use aplay::redis::{RedisStation, StationConfig};

const LINE_WAIT: Duration = Duration::from_secs(30);

/// A worker process serving `/jobs`, configured by environment variables; returns at once
/// when not started by one of the tests below.
#[test]
fn worker_process() {
    let Ok(url) = std::env::var("APLAY_REDIS_CHILD_URL") else {
        return;
    };
    // The test harness wrote `test worker_process ... ` without a line end: end that line, so
    // that every signal line starts at the beginning.
    println!();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let number = |name: &str| var(name).map(|v| v.parse::<u64>().expect("a number"));
    let label = var("APLAY_LABEL").unwrap_or_else(|| "worker".to_owned());
    let mut config = StationConfig::default()
        .namespace(var("APLAY_NS").expect("a namespace"))
        .block(Duration::from_millis(200))
        .read_batch(number("APLAY_BATCH").unwrap_or(50) as usize);
    // The consumer name: `APLAY_CONSUMER` when the test sets it (read by the station itself),
    // else the one the station chooses.
    if let Some(ms) = number("APLAY_CLAIM_IDLE_MS") {
        config = config.claim_idle(Duration::from_millis(ms));
    }
    let hold_at = number("APLAY_HOLD_AT");
    let slow_every = number("APLAY_SLOW_EVERY");
    let slow = Duration::from_millis(number("APLAY_SLOW_MS").unwrap_or(0));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let station = RedisStation::connect_with(&url, config).await.unwrap();
        let system = System::new();
        let report = Report::Stdout(label.clone());
        let serving = station
            .serve(&system, "/jobs", move || Jobs {
                hold_at,
                slow_every,
                slow,
                ..Jobs::new(report.clone())
            })
            .await
            .unwrap();
        println!("ready {label} {}", station.consumer());
        // Serves until the parent closes stdin.
        tokio::task::spawn_blocking(|| {
            let mut rest = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut rest);
        })
        .await
        .unwrap();
        serving.stop().await;
        println!("stopped {label} handled={}", serving.handled());
    });
}

struct Setup {
    _redis: TestRedis,
    url: String,
    ns: String,
    station: RedisStation,
}

async fn setup(name: &str) -> Setup {
    let redis = TestRedis::shared_or_private();
    let url = redis.url().to_owned();
    let ns = unique(name);
    let station = RedisStation::connect_with(
        &url,
        StationConfig::default()
            .namespace(&ns)
            .block(Duration::from_millis(200)),
    )
    .await
    .unwrap();
    Setup {
        _redis: redis,
        url,
        ns,
        station,
    }
}

impl Setup {
    fn worker(&self, label: &str, extra: &[(&str, &str)]) -> ChildTest {
        ChildTest::spawn(
            &test_name(module_path!(), "worker_process"),
            &self.env(label, extra),
        )
    }

    fn worker_into(
        &self,
        label: &str,
        extra: &[(&str, &str)],
        lines: std_mpsc::Sender<String>,
    ) -> ChildTest {
        ChildTest::spawn_into(
            &test_name(module_path!(), "worker_process"),
            &self.env(label, extra),
            lines,
        )
    }

    fn env<'a>(&'a self, label: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut env = vec![
            ("APLAY_REDIS_CHILD_URL", self.url.as_str()),
            ("APLAY_NS", self.ns.as_str()),
            ("APLAY_LABEL", label),
        ];
        env.extend_from_slice(extra);
        env
    }

    async fn send_jobs(&self, jobs: std::ops::Range<u64>) {
        let remote = self.station.remote::<Jobs>("/jobs").unwrap();
        for n in jobs {
            remote.run(n).await.unwrap();
        }
        remote.flushed().await.unwrap();
    }

    async fn assert_backlog_empty(&self) {
        let backlog = self.station.backlog("/jobs").await.unwrap();
        assert!(backlog.is_empty(), "left in the mailbox: {backlog:?}");
    }
}

/// The job number of a `handled {n} {label}` line.
fn handled(line: &str) -> Option<u64> {
    line.strip_prefix("handled ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

/// Reads `child`'s lines into `seen` until every job of `all` was handled.
fn handle_all(child: &mut ChildTest, seen: &mut BTreeSet<u64>, all: u64) {
    while (seen.len() as u64) < all {
        let line = child.wait_for(LINE_WAIT, |l| handled(l).is_some());
        seen.extend(handled(&line));
    }
}

/// Reads `child`'s lines until each job of `jobs` was handled, then stops it; every job it
/// handled, in the order it said so (a job handled twice is there twice).
fn handle_each_then_stop(child: &mut ChildTest, jobs: std::ops::Range<u64>) -> Vec<u64> {
    let mut seen = Vec::new();
    while !jobs.clone().all(|n| seen.contains(&n)) {
        let line = child.wait_for(LINE_WAIT, |l| handled(l).is_some());
        seen.extend(handled(&line));
    }
    let mut rest = BTreeSet::new();
    stop(child, &mut rest);
    seen.extend(rest);
    seen
}

/// Closes the child's stdin and reads its lines until it says it stopped.
fn stop(child: &mut ChildTest, seen: &mut BTreeSet<u64>) {
    child.close_stdin();
    loop {
        let line = child.wait_for(LINE_WAIT, |_| true);
        seen.extend(handled(&line));
        if line.starts_with("stopped ") {
            break;
        }
    }
    assert!(child.wait(), "the worker exits cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_killed_mid_way_is_finished_by_its_restart() {
    let setup = setup("sigkill").await;
    setup.send_jobs(0..1000).await;
    let fixed = [("APLAY_CONSUMER", "worker-1")];

    // The first worker handles 0..500 and holds 500 (with more read, in hand) when killed.
    let mut first = setup.worker("a", &[fixed[0], ("APLAY_HOLD_AT", "500")]);
    let mut seen = BTreeSet::new();
    let line = first.wait_for(LINE_WAIT, |l| {
        if let Some(n) = handled(l) {
            seen.insert(n);
        }
        l.starts_with("holding ")
    });
    assert_eq!(line, "holding 500 a");
    assert_eq!(seen, (0..500).collect());
    first.kill();
    let pending = setup.station.backlog("/jobs").await.unwrap().pending;
    assert!(pending > 0, "the killed worker had entries in hand");

    // Restarted under the same consumer name, it takes its own entries back first.
    let mut second = setup.worker("b", &fixed);
    let mut by_second = BTreeSet::new();
    handle_all(&mut second, &mut by_second, 500);
    stop(&mut second, &mut by_second);
    assert!(
        by_second.contains(&500),
        "the held job is handled after the restart"
    );
    seen.extend(&by_second);
    assert_eq!(seen, (0..1000).collect(), "every job handled at least once");
    setup.assert_backlog_empty().await;
    setup.station.purge_namespace().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_worker_is_killed_mid_way_runs_again_once_and_nothing_is_lost() {
    let setup = setup("job-sigkill").await;
    let remote = setup.station.remote::<Jobs>("/jobs").unwrap();
    let mut ids = Vec::new();
    for n in 0..200 {
        ids.push(remote.enqueue(remote.run(n)).await.unwrap());
    }
    let fixed = ("APLAY_CONSUMER", "worker-1");
    let mut first = setup.worker("a", &[fixed, ("APLAY_HOLD_AT", "100")]);
    let mut by_first = BTreeSet::new();
    first.wait_for(LINE_WAIT, |l| {
        by_first.extend(handled(l));
        l.starts_with("holding ")
    });
    first.kill(); // SIGKILL, in the middle of job 100
    let held = remote.status(&ids[100]).await.unwrap().unwrap();
    assert_eq!(held.state, aplay::redis::JobState::Running);
    assert_eq!(
        (held.consumer.as_deref(), held.attempts),
        (Some("worker-1"), 1)
    );

    let mut second = setup.worker("b", &[fixed]);
    let by_second = handle_each_then_stop(&mut second, 100..200);
    assert_eq!(
        by_second.iter().filter(|n| **n == 100).count(),
        1,
        "the job in hand runs again, once"
    );
    for (n, id) in ids.iter().enumerate() {
        let status = remote.status(id).await.unwrap().unwrap();
        assert_eq!(status.state, aplay::redis::JobState::Done, "job {n}");
    }
    let again = remote.status(&ids[100]).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    setup.assert_backlog_empty().await;
    setup.station.purge_namespace().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_whose_worker_is_killed_mid_way_runs_only_its_unfinished_jobs_again() {
    let setup = setup("pack-sigkill").await;
    let remote = setup.station.remote::<Jobs>("/jobs").unwrap();
    // Two packs: 0..128 and 128..200.
    let ids = remote
        .enqueue_all((0..200).map(|n| remote.run(n)))
        .await
        .unwrap();
    let fixed = ("APLAY_CONSUMER", "worker-1");
    let mut first = setup.worker("a", &[fixed, ("APLAY_HOLD_AT", "100")]);
    first.wait_for(LINE_WAIT, |l| l.starts_with("holding "));
    // The jobs before 100 ended and their records say so; their pack is still in hand.
    let deadline = std::time::Instant::now() + LINE_WAIT;
    while remote.status(&ids[99]).await.unwrap().unwrap().state != aplay::redis::JobState::Done {
        assert!(
            std::time::Instant::now() < deadline,
            "job 99 is recorded done"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill(); // SIGKILL, in the middle of job 100
    let held = remote.status(&ids[100]).await.unwrap().unwrap();
    assert_eq!(held.state, aplay::redis::JobState::Running);

    let mut second = setup.worker("b", &[fixed]);
    let mut by_second = handle_each_then_stop(&mut second, 100..200);
    by_second.sort_unstable();
    assert_eq!(
        by_second,
        (100..200).collect::<Vec<_>>(),
        "the jobs that ended are skipped, the others run once"
    );
    for (n, id) in ids.iter().enumerate() {
        let status = remote.status(id).await.unwrap().unwrap();
        assert_eq!(status.state, aplay::redis::JobState::Done, "job {n}");
    }
    let again = remote.status(&ids[100]).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    setup.assert_backlog_empty().await;
    setup.station.purge_namespace().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_restarted_without_a_name_gets_its_name_and_its_entries_back_at_once() {
    let setup = setup("same-name").await;
    setup.send_jobs(0..300).await;
    // No name given: the station chooses one. Entries are claimed from others only after a
    // minute, far past the waits below: the restarted worker must take them back itself.
    let slow_claims = ("APLAY_CLAIM_IDLE_MS", "60000");
    let mut first = setup.worker("a", &[("APLAY_HOLD_AT", "100"), slow_claims]);
    let ready = first.wait_for(LINE_WAIT, |l| l.starts_with("ready "));
    let mut seen = BTreeSet::new();
    first.wait_for(LINE_WAIT, |l| {
        seen.extend(handled(l));
        l.starts_with("holding ")
    });
    first.kill();

    let mut second = setup.worker("a", &[slow_claims]);
    let ready_again = second.wait_for(LINE_WAIT, |l| l.starts_with("ready "));
    assert_eq!(
        ready_again, ready,
        "the same consumer name after the restart"
    );
    let mut by_second = BTreeSet::new();
    handle_all(&mut second, &mut by_second, 200);
    stop(&mut second, &mut by_second);
    assert!(
        by_second.contains(&100),
        "the held job is taken back at once"
    );
    seen.extend(&by_second);
    assert_eq!(seen, (0..300).collect(), "every job handled");
    setup.assert_backlog_empty().await;
    setup.station.purge_namespace().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_left_at_a_dead_consumer_are_claimed_by_another() {
    let setup = setup("claim").await;
    setup.send_jobs(0..1000).await;

    let mut dead = setup.worker("a", &[("APLAY_CONSUMER", "a"), ("APLAY_HOLD_AT", "300")]);
    let mut seen = BTreeSet::new();
    dead.wait_for(LINE_WAIT, |l| {
        seen.extend(handled(l));
        l.starts_with("holding ")
    });
    dead.kill();

    // Another process, under another name, takes them over once idle for a second.
    let mut other = setup.worker(
        "b",
        &[("APLAY_CONSUMER", "b"), ("APLAY_CLAIM_IDLE_MS", "1000")],
    );
    let mut by_other = BTreeSet::new();
    handle_all(&mut other, &mut by_other, 700);
    stop(&mut other, &mut by_other);
    assert!(
        by_other.contains(&300),
        "the job held by the dead consumer was claimed"
    );
    seen.extend(&by_other);
    assert_eq!(seen, (0..1000).collect(), "every job handled at least once");
    setup.assert_backlog_empty().await;
    setup.station.purge_namespace().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_live_workers_share_a_mailbox_and_never_handle_one_message_twice() {
    let setup = setup("pool").await;
    let (tx, lines) = std_mpsc::channel();
    // Some jobs take longer than `claim_idle`: their worker keeps them from being claimed.
    let env = [
        ("APLAY_CLAIM_IDLE_MS", "600"),
        ("APLAY_SLOW_EVERY", "150"),
        ("APLAY_SLOW_MS", "1000"),
        ("APLAY_BATCH", "20"),
    ];
    let mut workers = [
        setup.worker_into("w1", &env, tx.clone()),
        setup.worker_into("w2", &env, tx.clone()),
    ];
    drop(tx);
    let mut ready = 0;
    while ready < 2 {
        let line = lines.recv_timeout(LINE_WAIT).expect("a ready worker");
        ready += usize::from(line.starts_with("ready "));
    }
    setup.send_jobs(0..1000).await;

    let mut times: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    while times.len() < 1000 {
        let line = lines.recv_timeout(LINE_WAIT).expect("a handled job");
        if let Some(n) = handled(&line) {
            times.entry(n).or_default().push(line);
        }
    }
    for worker in &mut workers {
        worker.close_stdin();
    }
    // Every line until both exit: a message handled twice would show here too.
    let mut stopped = 0;
    while let Ok(line) = lines.recv_timeout(LINE_WAIT) {
        stopped += usize::from(line.starts_with("stopped "));
        if let Some(n) = handled(&line) {
            times.entry(n).or_default().push(line);
        }
    }
    assert_eq!(stopped, 2);
    for worker in &mut workers {
        assert!(worker.wait());
    }
    assert_eq!(times.len(), 1000);
    let twice: Vec<_> = times.values().filter(|by| by.len() > 1).collect();
    assert!(
        twice.is_empty(),
        "{} jobs handled by both, such as {:?}",
        twice.len(),
        &twice[..twice.len().min(3)]
    );
    let by_w1 = times.values().filter(|by| by[0].ends_with(" w1")).count();
    assert!(
        by_w1 > 0 && by_w1 < 1000,
        "both workers took jobs (w1: {by_w1})"
    );
    setup.assert_backlog_empty().await;
    setup.station.purge_namespace().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_ask_crosses_processes_and_times_out_cleanly() {
    let setup = setup("ask").await;
    let mut worker = setup.worker("w", &[]);
    worker.wait_for(LINE_WAIT, |l| l.starts_with("ready "));

    let jobs = setup.station.lookup::<Jobs>("/jobs").await.unwrap();
    assert_eq!(jobs.echo(7, 0).await.unwrap(), 7);
    jobs.run(1).ask().await.unwrap();
    assert_eq!(
        worker.wait_for(LINE_WAIT, |l| handled(l).is_some()),
        "handled 1 w"
    );
    assert_eq!(jobs.count().await.unwrap(), 1);

    let slow = jobs.echo(8, 500).timeout(Duration::from_millis(50)).await;
    assert!(matches!(slow, Err(Error::Timeout { .. })), "{slow:?}");
    let deadline = tokio::time::Instant::now() + LINE_WAIT;
    while setup.station.late_replies() < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the late reply never came"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(setup.station.pending_replies(), 0);
    assert_eq!(jobs.echo(9, 0).await.unwrap(), 9);

    let mut rest = BTreeSet::new();
    stop(&mut worker, &mut rest);
    setup.station.purge_namespace().await.unwrap();
}
