//! The `aplay` command against a real Redis server (a private one, or `APLAY_REDIS_URL`): it
//! shows what a served queue holds, and changes it.

#[path = "../../aplay/tests/common/redis_server.rs"]
mod redis_server;

use std::process::{Command, Output};
use std::time::Duration;

use aplay::prelude::*;
use aplay::redis::{JobState, RedisStation, Schedule, StationConfig};
use redis_server::{TestRedis, unique};

/// A worker whose `fail` always fails: its jobs end in the dead letters.
#[actor]
struct Work;

#[actor(serde)]
impl Work {
    fn ok(&self, n: u64) -> u64 {
        n
    }

    fn fail(&self, n: u64) -> Result<(), String> {
        Err(format!("failed {n}"))
    }
}

/// Runs `aplay` with `args` on the namespace `ns` of `url`.
fn aplay(url: &str, ns: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aplay"))
        .args(["--url", url, "--namespace", ns])
        .args(args)
        .output()
        .expect("the aplay binary runs")
}

/// Its stdout, after checking that it succeeded.
fn ok(output: Output) -> String {
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "failed: {stderr}\n{stdout}");
    stdout
}

/// Its stderr, after checking that it failed with `code`.
fn failed(output: Output, code: i32) -> String {
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_wrong_url_or_command_line_is_a_clear_error() {
    let ns = unique("cli-errors");
    let refused = failed(aplay("redis://127.0.0.1:1", &ns, &["queues"]), 1);
    assert!(
        refused.starts_with("aplay: cannot use the Redis server at redis://127.0.0.1:1"),
        "{refused}"
    );
    let garbage = failed(aplay("not-a-url", &ns, &["queues"]), 1);
    assert!(garbage.contains("not-a-url"), "{garbage}");
    let usage = failed(aplay("redis://127.0.0.1:1", &ns, &["launch"]), 2);
    assert!(usage.starts_with("aplay: no command `launch`"), "{usage}");
    assert!(usage.contains("usage: aplay"));
    let help = ok(aplay("redis://127.0.0.1:1", &ns, &["help"]));
    assert!(help.contains("retry PATH (ID... | --all)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_commands_show_and_change_a_served_queue() {
    let redis = TestRedis::shared_or_private();
    let url = redis.url().to_owned();
    let ns = unique("cli");
    let config = StationConfig::default()
        .namespace(&ns)
        .block(Duration::from_millis(100))
        .retry_delay(Duration::from_millis(5))
        .max_deliveries(2)
        .delayed_poll(Duration::from_millis(20));
    let station = RedisStation::connect_with(&url, config).await.unwrap();
    let system = System::new();
    let serving = station.serve(&system, "/work", || Work).await.unwrap();
    let work = station.remote::<Work>("/work").unwrap();
    let done = work.enqueue(work.ok(7)).await.unwrap();
    let dying = work.enqueue(work.fail(1)).await.unwrap();
    let later = work
        .enqueue(work.ok(8))
        .after(Duration::from_secs(3600))
        .await
        .unwrap();
    work.schedule(
        "hourly",
        Schedule::every(Duration::from_secs(3600)),
        work.ok(9),
    )
    .await
    .unwrap();
    while work.status(&dying).await.unwrap().unwrap().state != JobState::Dead
        || work.status(&done).await.unwrap().unwrap().state != JobState::Done
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let url = url.as_str();

    let queues = ok(aplay(url, &ns, &["queues"]));
    let mut lines = queues.lines();
    assert_eq!(
        lines.next().unwrap(),
        "QUEUE  UNREAD  IN HAND  DELAYED  DEAD  STATE    RATE"
    );
    assert_eq!(
        lines.next().unwrap(),
        "/work  0       0        1        1     running  -"
    );

    let queue = ok(aplay(url, &ns, &["queue", "/work"]));
    assert!(queue.contains("PERIODIC  SCHEDULE"), "{queue}");
    assert!(queue.contains("hourly    every 3600000ms"), "{queue}");

    let job = ok(aplay(url, &ns, &["job", "/work", done.as_str()]));
    assert!(job.contains("state     done\n"), "{job}");
    assert!(
        job.contains(&format!("consumer  {}", station.consumer())),
        "{job}"
    );
    let dead_job = ok(aplay(url, &ns, &["job", "/work", dying.as_str()]));
    assert!(dead_job.contains("error     failed 1"), "{dead_job}");
    let missing = failed(aplay(url, &ns, &["job", "/work", "nope"]), 1);
    assert!(missing.contains("no job nope at /work"), "{missing}");

    let cancel = ok(aplay(url, &ns, &["cancel", "/work", later.as_str()]));
    assert!(cancel.ends_with("cancelled: it will not run\n"), "{cancel}");
    assert_eq!(
        work.status(&later).await.unwrap().unwrap().state,
        JobState::Cancelled
    );

    let dead = ok(aplay(url, &ns, &["dead", "/work"]));
    assert!(dead.starts_with("DEAD LETTER"), "{dead}");
    assert!(dead.contains("failed 1"), "{dead}");
    let retried = ok(aplay(url, &ns, &["retry", "/work", "--all"]));
    assert_eq!(retried, "1 put back into /work\n");
    // It fails again, and is dead again; purged, it is gone.
    while station.queue_info("/work").await.unwrap().dead == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let purged = ok(aplay(url, &ns, &["purge", "/work", "--all"]));
    assert_eq!(purged, "1 dead letters of /work deleted\n");
    assert_eq!(
        ok(aplay(url, &ns, &["dead", "/work"])),
        "no dead letters at /work\n"
    );

    ok(aplay(url, &ns, &["pause", "/work"]));
    ok(aplay(url, &ns, &["rate", "/work", "5/1s"]));
    let settings = station.queue_settings("/work").await.unwrap();
    assert!(settings.paused);
    assert_eq!(
        settings.rate.map(|r| (r.max(), r.per())),
        Some((5, Duration::from_secs(1)))
    );
    let queues = ok(aplay(url, &ns, &["queues"]));
    assert!(queues.contains("paused  5 per 1s"), "{queues}");
    let per_key = ok(aplay(url, &ns, &["key-rate", "/work", "2/500ms"]));
    assert_eq!(per_key, "/work: at most 2 per 500ms for each rate key\n");
    let queues = ok(aplay(url, &ns, &["queues"]));
    assert!(queues.contains("5 per 1s; 2 per 500ms per key"), "{queues}");
    ok(aplay(url, &ns, &["key-rate", "/work", "off"]));
    ok(aplay(url, &ns, &["resume", "/work"]));
    ok(aplay(url, &ns, &["rate", "/work", "off"]));
    assert_eq!(
        station.queue_settings("/work").await.unwrap(),
        Default::default()
    );

    let unknown = failed(aplay(url, &ns, &["pause", "/nothing"]), 1);
    assert!(
        unknown.contains(&format!("no queue /nothing in the namespace {ns}")),
        "{unknown}"
    );
    assert!(unknown.contains("the queues are /work"), "{unknown}");
    serving.stop().await;
    system.shutdown().await;
    station.purge_namespace().await.unwrap();
}
