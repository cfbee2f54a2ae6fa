//! A Redis restart, consumers that come and go, and every setting at its extremes.

use super::*;

#[tokio::test]
async fn a_redis_restart_loses_no_confirmed_message_and_serving_goes_on() {
    // This test restarts the server: always a private one, with every write in the
    // append-only file before it is confirmed.
    let mut server = RedisServer::start(true);
    let url = server.url();
    let ns = unique("restart");
    let station = station(&url, &ns, same).await;
    let system = System::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    // A slow worker: most of the confirmed messages are still in Redis when it dies.
    let serving = station
        .serve(&system, "/jobs", move || Jobs {
            slow_every: Some(1),
            slow: Duration::from_millis(2),
            ..Jobs::new(Report::Channel(tx.clone()))
        })
        .await
        .unwrap();
    let jobs = station.remote::<Jobs>("/jobs").unwrap();

    for n in 0..300 {
        jobs.run(n).await.unwrap();
    }
    jobs.flushed().await.unwrap();
    let mut seen: BTreeSet<u64> = receive(&mut rx, 100).await.into_iter().collect();

    server = tokio::task::spawn_blocking(move || {
        server.kill();
        server
    })
    .await
    .unwrap();
    assert!(
        seen.len() < 300,
        "the server died with confirmed messages not yet handled"
    );
    // Sent while Redis is down: queued here, forwarded once it is back.
    for n in 300..400 {
        jobs.run(n).await.unwrap();
    }
    // An outage long enough for every loop (reading, acknowledging, forwarding, replies) to
    // meet it and retry.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _server = tokio::task::spawn_blocking(move || {
        server.restart();
        server
    })
    .await
    .unwrap();
    for n in 400..600 {
        jobs.run(n).await.unwrap();
    }
    jobs.flushed().await.unwrap();
    while seen.len() < 600 {
        seen.extend(receive(&mut rx, 1).await);
    }
    assert_eq!(seen, (0..600).collect::<BTreeSet<_>>());
    wait_until_backlog_empty(&station).await;
    serving.stop().await;
}

/// The consumers of the group `group` on `stream`, with their idle time (ms) and pending count.
async fn consumers(
    raw: &mut redis::aio::MultiplexedConnection,
    stream: &str,
    group: &str,
) -> BTreeMap<String, (i64, i64)> {
    let info: Vec<redis::Value> = redis::cmd("XINFO")
        .arg("CONSUMERS")
        .arg(stream)
        .arg(group)
        .query_async(raw)
        .await
        .unwrap();
    info.into_iter()
        .map(|c| {
            let fields: BTreeMap<String, redis::Value> = redis::from_redis_value(c).unwrap();
            let int = |name: &str| redis::from_redis_value::<i64>(fields[name].clone()).unwrap();
            let name = redis::from_redis_value::<String>(fields["name"].clone()).unwrap();
            (name, (int("idle"), int("pending")))
        })
        .collect()
}

#[tokio::test]
async fn idle_consumers_that_own_nothing_are_forgotten_and_owners_are_kept() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("forget");
    let station = station(redis.url(), &ns, |c| {
        c.consumer_expiry(Duration::from_millis(100))
    })
    .await;
    let stream = format!("{ns}:mailbox:/jobs");
    let client = redis::Client::open(redis.url()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(&stream)
        .arg(&ns)
        .arg("0")
        .arg("MKSTREAM")
        .query_async(&mut raw)
        .await
        .unwrap();
    // `ghost` read once, found nothing, and never came back; `holder` holds an entry.
    let read = |consumer: &str| {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(&ns)
            .arg(consumer)
            .arg("COUNT")
            .arg(1)
            .arg("STREAMS")
            .arg(&stream)
            .arg(">");
        cmd
    };
    let _: redis::Value = read("ghost").query_async(&mut raw).await.unwrap();
    let _: String = redis::cmd("XADD")
        .arg(&stream)
        .arg("*")
        .arg("m")
        .arg(aplay::wire::encode(&redis_actors::JobsMsg::run(1)).unwrap())
        .query_async(&mut raw)
        .await
        .unwrap();
    let _: redis::Value = read("holder").query_async(&mut raw).await.unwrap();
    // Both idle past the expiry, as Redis counts it.
    loop {
        let found = consumers(&mut raw, &stream, &ns).await;
        if found.values().all(|&(idle, _)| idle >= 150) {
            assert_eq!(found["holder"].1, 1, "the holder holds its entry");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // A worker forgets the ghost when it starts (its first claim); the holder is kept, its
    // entry pending (claimed by others only after 30 s).
    let system = System::new();
    let (serving, _rx) = serve_jobs(&station, &system).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let names: BTreeSet<String> = consumers(&mut raw, &stream, &ns)
            .await
            .into_keys()
            .collect();
        if !names.contains("ghost") {
            assert!(names.contains("holder"), "the holder is kept: {names:?}");
            // Besides, only the worker (once it has read).
            assert!(
                names.len() <= 2
                    && names
                        .iter()
                        .all(|n| n == "holder" || n == station.consumer())
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the ghost was never forgotten"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(station.backlog("/jobs").await.unwrap().pending, 1);
    serving.stop().await;
    station.purge_namespace().await.unwrap();
}

#[tokio::test]
async fn a_redis_that_is_not_there_or_a_wrong_url_is_a_clear_error_at_connect() {
    // Nothing listens on this port.
    let port = redis_server::free_port();
    let started = std::time::Instant::now();
    let config = StationConfig::default()
        .reconnect(Duration::from_millis(10), Duration::from_millis(50))
        .command_timeout(Duration::from_secs(1));
    let Err(Error::Redis(absent)) =
        RedisStation::connect_with(&format!("redis://127.0.0.1:{port}"), config.clone()).await
    else {
        panic!("connected to nothing")
    };
    assert!(absent.is_connection() && absent.is_retryable(), "{absent}");
    assert!(absent.message().contains(&port.to_string()), "{absent}");
    assert!(started.elapsed() < Duration::from_secs(10), "no retry loop");

    for url in ["localhost:6379", "http://127.0.0.1:6379", "redis://[::1"] {
        let Err(Error::Redis(wrong)) = RedisStation::connect_with(url, config.clone()).await else {
            panic!("{url} was taken")
        };
        assert_eq!(
            wrong.kind(),
            aplay::redis::RedisErrorKind::Config,
            "{url}: {wrong}"
        );
        assert!(!wrong.is_retryable());
    }
}

/// Every time setting of a station at `at`.
fn every_duration(namespace: &str, at: Duration) -> StationConfig {
    StationConfig::default()
        .namespace(namespace)
        .block(at)
        .claim_idle(at)
        .retry_delay(at)
        .reconnect(at, at)
        .reply_expiry(at)
        .command_timeout(at)
        .flush_timeout(at)
        .consumer_expiry(at)
}

#[tokio::test]
async fn a_station_takes_duration_max_and_zero_for_every_setting() {
    let redis = TestRedis::shared_or_private();
    for at in [Duration::MAX, Duration::ZERO] {
        let ns = unique("durations");
        let station = RedisStation::connect_with(redis.url(), every_duration(&ns, at))
            .await
            .unwrap_or_else(|e| panic!("{at:?}: {e}"));
        let system = System::new();
        let (serving, mut rx) = serve_jobs(&station, &system).await;
        let jobs = station.remote::<Jobs>("/jobs").unwrap();
        jobs.run(1).await.unwrap();
        // A zero flush timeout reports at once what is on its way; MAX waits as long as it
        // takes.
        if at == Duration::ZERO {
            match jobs.flushed().await {
                Ok(()) => {}
                Err(Error::NotFlushed(waiting)) => assert_eq!(waiting.refused(), 0),
                Err(e) => panic!("{e}"),
            }
        }
        jobs.flushed_within(Duration::MAX).await.unwrap();
        // The longest limit the clock can add to now is no limit either.
        jobs.flushed_within(Duration::from_secs(u64::MAX / 4))
            .await
            .unwrap();
        assert_eq!(receive(&mut rx, 1).await, [1]);
        // An ask's reply goes through: its reply stream's expiry is one Redis takes.
        assert_eq!(jobs.echo(5, 0).await.unwrap(), 5, "{at:?}");
        wait_until_backlog_empty(&station).await;
        // A stop does not wait for the blocking read, whatever `block` is.
        tokio::time::timeout(Duration::from_secs(10), serving.stop())
            .await
            .unwrap_or_else(|_| panic!("{at:?}: the stop waited for the blocking read"));
        assert_eq!(serving.refusals(), 0, "{:?}", serving.last_refusal());
        station.purge_namespace().await.unwrap();
    }
}
