//! Jobs in packs: jobs enqueued together share one stream entry, and each still has its id,
//! status, result, retries, dead letter and cancel. Each test runs on its own `redis-server`
//! (or `APLAY_REDIS_URL`, own namespace).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::jobs::{count, wait_for_state};
use crate::redis_actors::{Jobs, serve_jobs};
use crate::redis_server::{TestRedis, unique};
use aplay::prelude::*;
use aplay::redis::{Cancel, JobId, JobState, RedisStation, StationConfig};

/// A station on `url` in `namespace`, with quick reads and retries.
async fn station(url: &str, namespace: &str) -> RedisStation {
    let config = StationConfig::default()
        .namespace(namespace)
        .block(Duration::from_millis(200))
        .retry_delay(Duration::from_millis(20))
        .max_deliveries(3);
    RedisStation::connect_with(url, config)
        .await
        .expect("a connection to the test's Redis")
}

/// A connection of the test's own, to look at the keys.
async fn raw(redis: &TestRedis) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// The number of entries in the `/jobs` mailbox stream of `ns`.
async fn entries(redis: &TestRedis, ns: &str) -> u64 {
    count(redis, "XLEN", format!("{ns}:mailbox:/jobs")).await
}

/// Waits until nothing is left in the mailbox of `/jobs` (unread or in hand).
async fn wait_for_empty_backlog(station: &RedisStation) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let backlog = station.backlog("/jobs").await.unwrap();
        if backlog.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "left in the mailbox: {backlog:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn jobs_enqueued_together_share_entries_and_each_keeps_its_id_status_and_result() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("packs-together");
    let station = station(redis.url(), &ns).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();

    let ids = jobs
        .enqueue_all((0..300).map(|n| jobs.echo(n, 0)))
        .await
        .unwrap();
    assert_eq!(ids.len(), 300);
    let distinct: BTreeSet<&str> = ids.iter().map(JobId::as_str).collect();
    assert_eq!(distinct.len(), 300, "300 ids");
    // Packs of at most a read batch (128): three entries for 300 jobs.
    assert_eq!(entries(&redis, &ns).await, 3);
    let queued = jobs.status(&ids[299]).await.unwrap().unwrap();
    assert_eq!(queued.state, JobState::Queued);
    assert!(queued.entry.is_some() && queued.created.is_some());
    let none = jobs.enqueue_all((0..0).map(|n| jobs.echo(n, 0))).await;
    assert!(none.unwrap().is_empty(), "nothing to enqueue, nothing sent");

    let system = System::new();
    let (serving, _handled) = serve_jobs(&station, &system).await;
    for (n, id) in ids.iter().enumerate() {
        wait_for_state(&jobs, id, JobState::Done).await;
        assert_eq!(jobs.result(id).await.unwrap(), Some(n as u64), "job {n}");
    }
    let done = jobs.status(&ids[0]).await.unwrap().unwrap();
    assert_eq!((done.attempts, done.error), (1, None));
    assert_eq!(done.consumer.as_deref(), Some(station.consumer()));
    wait_for_empty_backlog(&station).await;
    assert_eq!(serving.handled(), 300);
    // Done at their first attempt, without a record of their own: each is a field of the
    // book of the jobs done in this period, which a cancel reads too.
    let mut conn = raw(&redis).await;
    let record: u64 = redis::cmd("EXISTS")
        .arg(format!("{ns}:job:/jobs:{}", ids[0]))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(record, 0, "no record of its own");
    let books: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:done:/jobs:*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(books.len(), 1, "one book: {books:?}");
    let booked: u64 = redis::cmd("HLEN")
        .arg(&books[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(booked, 300);
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&books[0])
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 24 * 3600 * 1000, "kept at least a day: {ttl} ms");
    assert_eq!(
        jobs.cancel(&ids[7]).await.unwrap(),
        Cancel::Finished(JobState::Done)
    );
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn a_queued_job_of_a_pack_cancelled_does_not_run_and_the_others_do() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("packs-cancel");
    let station = station(redis.url(), &ns).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    let ids = jobs
        .enqueue_all((1..=10).map(|n| jobs.run(n)))
        .await
        .unwrap();
    assert_eq!(entries(&redis, &ns).await, 1, "one pack");

    assert_eq!(jobs.cancel(&ids[3]).await.unwrap(), Cancel::Cancelled);
    assert_eq!(
        entries(&redis, &ns).await,
        1,
        "the pack stays for the others"
    );
    assert_eq!(
        jobs.status(&ids[3]).await.unwrap().map(|s| s.state),
        Some(JobState::Cancelled)
    );

    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    for id in [&ids[0], &ids[9]] {
        wait_for_state(&jobs, id, JobState::Done).await;
    }
    let mut seen = Vec::new();
    while seen.len() < 9 {
        seen.push(handled.recv().await.unwrap());
    }
    assert_eq!(
        seen,
        [1, 2, 3, 5, 6, 7, 8, 9, 10],
        "all but job 4, in order"
    );
    wait_for_empty_backlog(&station).await;
    assert_eq!(
        jobs.status(&ids[3]).await.unwrap().map(|s| s.state),
        Some(JobState::Cancelled),
        "skipped, still cancelled"
    );
    assert!(handled.try_recv().is_err(), "job 4 never ran");
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn a_failing_job_of_a_pack_is_retried_and_dead_lettered_alone() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("packs-failing");
    let station = station(redis.url(), &ns).await;
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    let ids = jobs
        .enqueue_all((1..=4).map(|n| jobs.even_only(n)))
        .await
        .unwrap();
    assert_eq!(entries(&redis, &ns).await, 1, "one pack");

    let system = System::new();
    let (serving, _handled) = serve_jobs(&station, &system).await;
    for (n, id) in (1..=4u64).zip(&ids) {
        let end = if n.is_multiple_of(2) {
            JobState::Done
        } else {
            JobState::Dead
        };
        wait_for_state(&jobs, id, end).await;
        let status = jobs.status(id).await.unwrap().unwrap();
        if n.is_multiple_of(2) {
            assert_eq!((status.attempts, status.error), (1, None), "job {n}");
            assert_eq!(jobs.result(id).await.unwrap(), Some(Ok(n)));
        } else {
            assert_eq!(status.attempts, 3, "job {n}: max_deliveries attempts");
            assert_eq!(status.error, Some(format!("odd {n}")));
        }
    }
    // The pack is acknowledged once its last job ended.
    wait_for_empty_backlog(&station).await;
    let letters = station.dead_letters("/jobs", 10).await.unwrap();
    let mut dead: Vec<(&str, &str)> = letters
        .iter()
        .map(|letter| {
            let id = letter
                .fields()
                .iter()
                .find(|(k, _)| k == b"j")
                .map(|(_, v)| std::str::from_utf8(v).unwrap())
                .expect("the job's id");
            (id, letter.error())
        })
        .collect();
    dead.sort();
    let mut expected = vec![(ids[0].as_str(), "odd 1"), (ids[2].as_str(), "odd 3")];
    expected.sort();
    assert_eq!(dead, expected, "one dead letter per failing job");
    assert_eq!(serving.dead_lettered(), 2);
    serving.stop().await;
    system.shutdown().await;
}

#[tokio::test]
async fn a_pack_that_does_not_add_up_goes_to_the_dead_letters_with_why() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("packs-garbage");
    let station = station(redis.url(), &ns).await;
    let system = System::new();
    let (serving, mut handled) = serve_jobs(&station, &system).await;
    let _: String = redis::cmd("XADD")
        .arg(format!("{ns}:mailbox:/jobs"))
        .arg("*")
        .arg(&["P", "3", "J", "broken", "B"])
        .arg(&[1u8, 0, 0, 0, b'x'][..])
        .query_async(&mut raw(&redis).await)
        .await
        .unwrap();
    let jobs = station.remote::<Jobs>("/jobs").unwrap();
    let after = jobs.enqueue(jobs.run(1)).await.unwrap();
    wait_for_state(&jobs, &after, JobState::Done).await;
    assert_eq!(handled.recv().await, Some(1), "the next job runs");
    wait_for_empty_backlog(&station).await;
    let letters = station.dead_letters("/jobs", 10).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].error(), "a pack of jobs that says 3 and holds 1");
    serving.stop().await;
    system.shutdown().await;
}
