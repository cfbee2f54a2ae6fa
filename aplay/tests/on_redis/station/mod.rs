//! Redis in one process: serving an actor from its durable mailbox, remote refs (lookup,
//! tell, ask, timeouts), order, failures to dead letters, garbage in the stream, and a Redis
//! restart (that, consumers that come and go, and the station's settings at their extremes:
//! `consumers_and_restarts.rs`). Each test runs on its own `redis-server` (or
//! `APLAY_REDIS_URL`, own namespace).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::redis_actors;
use crate::redis_actors::{Jobs, Other, Report, serve_jobs};
use crate::redis_server;
use crate::redis_server::{RedisServer, TestRedis, unique};
use aplay::prelude::*;
use aplay::redis::{RedisStation, StationConfig};
use tokio::sync::mpsc;

/// A station on `url` in a namespace of its own, with quick reads and retries.
async fn station(
    url: &str,
    namespace: &str,
    tune: fn(StationConfig) -> StationConfig,
) -> RedisStation {
    let config = StationConfig::default()
        .namespace(namespace)
        .block(Duration::from_millis(200))
        .retry_delay(Duration::from_millis(10))
        .reconnect(Duration::from_millis(10), Duration::from_millis(200));
    RedisStation::connect_with(url, tune(config))
        .await
        .expect("a connection to the test's Redis")
}

fn same(config: StationConfig) -> StationConfig {
    config
}

/// Waits for `done`, checking every few milliseconds, failing after `limit`.
async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {limit:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn receive(rx: &mut mpsc::UnboundedReceiver<u64>, count: usize) -> Vec<u64> {
    let mut got = Vec::new();
    while got.len() < count {
        let n = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("a handled job within 20 s")
            .expect("the worker is alive");
        got.push(n);
    }
    got
}

#[tokio::test]
async fn a_remote_ref_has_the_generated_methods_tell_ask_and_unit_ask() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("methods");
    let worker = station(redis.url(), &ns, same).await;
    let client = station(redis.url(), &ns, same).await;
    let system = System::new();
    let (serving, mut rx) = serve_jobs(&worker, &system).await;

    let jobs = client.lookup::<Jobs>("/jobs").await.unwrap();
    assert_eq!(jobs.path(), "/jobs");
    jobs.run(1).await.unwrap();
    assert_eq!(receive(&mut rx, 1).await, [1]);
    assert_eq!(jobs.echo(7, 0).await.unwrap(), 7);
    // `.ask()` on a unit method returns once a worker handled it.
    jobs.run(2).ask().await.unwrap();
    assert_eq!(rx.try_recv().ok(), Some(2));
    assert_eq!(jobs.count().await.unwrap(), 2);
    jobs.run(3).try_tell().unwrap();
    jobs.run(4).timeout(Duration::from_secs(5)).await.unwrap();
    assert_eq!(receive(&mut rx, 2).await, [3, 4]);
    assert_eq!(client.pending_replies(), 0);

    serving.stop().await;
    assert_eq!(serving.handled(), 6);
    assert!(serving.actor().is_none());
    assert!(worker.backlog("/jobs").await.unwrap().is_empty());
    client.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn lookup_says_what_is_wrong() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("lookup");
    let station = station(redis.url(), &ns, same).await;
    let system = System::new();
    let (serving, _rx) = serve_jobs(&station, &system).await;

    match station.lookup::<Jobs>("/nobody").await {
        Err(Error::NotFound { path }) => assert_eq!(path, "/nobody"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    match station.lookup::<Other>("/jobs").await {
        Err(Error::WrongType {
            path,
            expected,
            actual,
        }) => {
            assert_eq!(path, "/jobs");
            assert!(expected.ends_with("Other"), "{expected}");
            assert!(actual.ends_with("Jobs"), "{actual}");
        }
        other => panic!("expected WrongType, got {other:?}"),
    }
    assert!(matches!(
        station.lookup::<Jobs>("jobs").await,
        Err(Error::InvalidName { .. })
    ));
    assert!(matches!(
        station.serve(&system, "/a/b", || Other).await,
        Err(Error::InvalidName { .. })
    ));
    serving.stop().await;
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn flushed_waits_until_redis_has_every_message_and_they_wait_for_a_worker() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("flushed");
    let station = station(redis.url(), &ns, same).await;
    // Nothing serves the path yet: the messages wait in its stream.
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    for n in 0..100 {
        jobs.run(n).await.unwrap();
    }
    jobs.flushed().await.unwrap();
    let backlog = station.backlog("/jobs").await.unwrap();
    assert_eq!((backlog.unread, backlog.pending), (100, 0));

    let system = System::new();
    let (serving, mut rx) = serve_jobs(&station, &system).await;
    let got = receive(&mut rx, 100).await;
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    serving.stop().await;
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn messages_from_one_ref_are_handled_in_the_order_sent() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("order");
    // Small batches: the order holds across many reads and acknowledgements.
    let station = station(redis.url(), &ns, |c| c.read_batch(7)).await;
    let system = System::new();
    let (serving, mut rx) = serve_jobs(&station, &system).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    for n in 0..500 {
        jobs.run(n).await.unwrap();
    }
    let got = receive(&mut rx, 500).await;
    assert_eq!(got, (0..500).collect::<Vec<_>>());
    serving.stop().await;
    assert_eq!(serving.handled(), 500);
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn a_failing_message_does_not_hold_up_the_ones_behind_it() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("behind");
    // Its next delivery is far away: the others must get through meanwhile.
    let station = station(redis.url(), &ns, |c| {
        c.retry_delay(Duration::from_secs(3600))
    })
    .await;
    let system = System::new();
    let (serving, mut rx) = serve_jobs(&station, &system).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    jobs.poison(9).tell().await.unwrap();
    for n in 0..3 {
        jobs.run(n).await.unwrap();
    }
    assert_eq!(receive(&mut rx, 3).await, [0, 1, 2]);
    let backlog = station.backlog("/jobs").await.unwrap();
    assert_eq!(
        (backlog.unread, backlog.pending),
        (0, 1),
        "the failed one waits"
    );
    serving.stop().await;
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn a_message_that_keeps_failing_goes_to_the_dead_letters_with_its_error() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("poison");
    let station = station(redis.url(), &ns, |c| c.max_deliveries(3)).await;
    let system = System::new();
    let (serving, mut rx) = serve_jobs(&station, &system).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();

    jobs.run(1).await.unwrap();
    // An asker gets the last reply, the `Err`, once the message is dead-lettered.
    assert_eq!(
        jobs.poison(10).await.unwrap(),
        Err("poisoned 10".to_owned())
    );
    jobs.run(2).await.unwrap();
    assert_eq!(receive(&mut rx, 2).await, [1, 2]);

    let dead = station.dead_letters("/jobs", 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].error(), "poisoned 10");
    assert_eq!(dead[0].deliveries(), 3);
    assert_eq!(dead[0].consumer(), station.consumer());
    assert!(dead[0].fields().iter().any(|(k, _)| k == b"m"));
    assert_eq!(serving.dead_lettered(), 1);
    assert!(station.backlog("/jobs").await.unwrap().is_empty());

    // Replayed, it is delivered again (and fails again: three more deliveries).
    assert!(
        station
            .replay_dead_letter("/jobs", dead[0].id())
            .await
            .unwrap()
    );
    assert!(
        !station
            .replay_dead_letter("/jobs", dead[0].id())
            .await
            .unwrap()
    );
    wait_until(
        "the replayed message back in the dead letters",
        Duration::from_secs(20),
        || serving.dead_lettered() == 2,
    )
    .await;
    let dead = station.dead_letters("/jobs", 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].deliveries(), 3);
    serving.stop().await;
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn a_handler_that_panics_gets_a_fresh_instance_and_its_message_goes_to_the_dead_letters() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("panic");
    let station = station(redis.url(), &ns, |c| c.max_deliveries(2)).await;
    let system = System::new();
    let (serving, mut rx) = serve_jobs(&station, &system).await;
    let first = serving.actor().unwrap();
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    jobs.run(1).await.unwrap();
    jobs.panic(5).await.unwrap();
    for n in 2..50 {
        jobs.run(n).await.unwrap();
    }
    // The messages queued behind the panic were lost with the instance: delivered again to
    // the next one, not charged with a failure.
    let mut got = receive(&mut rx, 49).await;
    got.sort_unstable();
    got.dedup();
    assert_eq!(got, (1..50).collect::<Vec<_>>());
    wait_until(
        "the panicking message in the dead letters",
        Duration::from_secs(20),
        || serving.dead_lettered() == 1,
    )
    .await;
    let dead = station.dead_letters("/jobs", 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].deliveries(), 2);
    assert!(dead[0].error().contains("boom 5"), "{}", dead[0].error());
    let now = serving.actor().expect("a running instance");
    assert!(now != first, "a fresh instance took the failed one's place");
    assert_eq!(now.path(), "/jobs");
    serving.stop().await;
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn garbage_and_foreign_entries_go_to_the_dead_letters_and_the_rest_is_handled() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("garbage");
    let station = station(redis.url(), &ns, same).await;
    let system = System::new();
    let (serving, mut rx) = serve_jobs(&station, &system).await;

    let client = redis::Client::open(redis.url()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let stream = format!("{ns}:mailbox:/jobs");
    let entries: [(&str, &[u8]); 4] = [
        ("m", &[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // the right version, then garbage
        ("m", &[9, 0, 1]),                               // another format version
        ("m", &[]),                                      // empty
        ("task", b"celery-style"),                       // another program's entry
    ];
    for (field, value) in entries {
        let _: String = redis::cmd("XADD")
            .arg(&stream)
            .arg("*")
            .arg(field)
            .arg(value)
            .query_async(&mut raw)
            .await
            .unwrap();
    }
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    jobs.run(1).await.unwrap();
    assert_eq!(receive(&mut rx, 1).await, [1]);
    wait_until("four dead letters", Duration::from_secs(20), || {
        serving.dead_lettered() == 4
    })
    .await;

    let dead = station.dead_letters("/jobs", 10).await.unwrap();
    let errors: Vec<&str> = dead.iter().map(|d| d.error()).collect();
    assert!(errors[0].contains("malformed"), "{errors:?}");
    assert!(errors[1].contains("wire version 9"), "{errors:?}");
    assert!(errors[2].contains("empty"), "{errors:?}");
    assert!(
        errors[3].contains("no field `m`") && errors[3].contains("task"),
        "{errors:?}"
    );
    assert_eq!(
        dead[3].fields(),
        [(b"task".to_vec(), b"celery-style".to_vec())]
    );
    assert!(serving.actor().is_some(), "garbage never stops the worker");
    assert!(station.backlog("/jobs").await.unwrap().is_empty());
    serving.stop().await;
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn a_reply_redis_refuses_does_not_hold_up_the_acknowledgements() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("refused");
    let station = station(redis.url(), &ns, same).await;
    let system = System::new();
    let (serving, mut rx) = serve_jobs(&station, &system).await;

    // An ask whose reply stream is not a stream: appending the reply is refused.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let not_a_stream = format!("{ns}:not-a-stream");
    let _: () = redis::cmd("SET")
        .arg(&not_a_stream)
        .arg("a string")
        .query_async(&mut raw)
        .await
        .unwrap();
    let _: String = redis::cmd("XADD")
        .arg(format!("{ns}:mailbox:/jobs"))
        .arg("*")
        .arg("m")
        .arg(aplay::wire::encode(&redis_actors::JobsMsg::run(1)).unwrap())
        .arg("r")
        .arg(&not_a_stream)
        .arg("q")
        .arg("7")
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(receive(&mut rx, 1).await, [1]);
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    jobs.run(2).ask().await.unwrap();
    assert_eq!(receive(&mut rx, 1).await, [2]);
    wait_until_backlog_empty(&station).await;
    assert_eq!(serving.handled(), 2);
    // The refusal is reported, not only logged.
    assert_eq!(serving.refusals(), 1);
    let refusal = serving.last_refusal().expect("the refused reply");
    assert_eq!(refusal.kind(), aplay::redis::RedisErrorKind::Server);
    assert!(
        refusal.message().contains("reply") && refusal.message().contains("WRONGTYPE"),
        "{refusal}"
    );
    serving.stop().await;
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn an_ask_times_out_and_its_late_reply_is_dropped_cleanly() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("timeout");
    let worker = station(redis.url(), &ns, same).await;
    let client = station(redis.url(), &ns, same).await;
    let system = System::new();
    let (serving, _rx) = serve_jobs(&worker, &system).await;
    let jobs = client.lookup::<Jobs>("/jobs").await.unwrap();

    let slow = jobs.echo(1, 300).timeout(Duration::from_millis(30)).await;
    assert!(matches!(slow, Err(Error::Timeout { .. })), "{slow:?}");
    wait_until("the late reply", Duration::from_secs(10), || {
        client.late_replies() == 1
    })
    .await;
    assert_eq!(client.pending_replies(), 0);
    // The next ask is answered as usual.
    assert_eq!(jobs.echo(2, 0).await.unwrap(), 2);

    // An ask nobody ever answers is forgotten once it timed out.
    let nobody = client.remote::<Jobs>("/nobody").unwrap();
    let never = nobody.count().timeout(Duration::from_millis(30)).await;
    assert!(matches!(never, Err(Error::Timeout { .. })), "{never:?}");
    wait_until("the forgotten asker", Duration::from_secs(10), || {
        client.pending_replies() == 0
    })
    .await;
    serving.stop().await;
    client.purge_namespace().await.unwrap();
}

async fn wait_until_backlog_empty(station: &RedisStation) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let backlog = station.backlog("/jobs").await.unwrap();
        if backlog.is_empty() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the backlog stayed {backlog:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

mod consumers_and_restarts;
