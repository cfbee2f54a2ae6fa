//! aplay on a real Redis Cluster (three masters, each with a replica, started by the test):
//! served paths, tells, asks and jobs (one by one and in packs) across the nodes, and a master
//! failed over in the middle of the traffic, counting what was sent, handled, lost and handled
//! twice.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::redis_actors::{Jobs, Report};
use crate::redis_cluster::TestCluster;
use crate::redis_server::unique;
use aplay::prelude::*;
use aplay::redis::{JobPriority, JobState, RedisStation, StationConfig};
use tokio::sync::mpsc;

async fn station(cluster: &TestCluster, ns: &str) -> RedisStation {
    let urls = cluster.urls();
    let nodes: Vec<&str> = urls.iter().map(String::as_str).collect();
    let config = StationConfig::default()
        .namespace(ns)
        .block(Duration::from_millis(200))
        .retry_delay(Duration::from_millis(20))
        .delayed_poll(Duration::from_millis(20))
        .reconnect(Duration::from_millis(20), Duration::from_millis(500));
    RedisStation::connect_cluster(&nodes, config)
        .await
        .expect("a connection to the test's cluster")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_runs_across_a_cluster_and_loses_nothing_when_a_master_fails_over() {
    let cluster = TestCluster::start(3, 1);
    let ns = unique("cluster");
    let worker = station(&cluster, &ns).await;
    let producer = station(&cluster, &ns).await;
    let system = System::new();
    let (tx, mut handled) = mpsc::unbounded_channel();
    let mut servings = Vec::new();
    for path in ["/jobs", "/mail"] {
        let tx = tx.clone();
        servings.push(
            worker
                .serve(&system, path, move || {
                    Jobs::new(Report::Channel(tx.clone()))
                })
                .await
                .unwrap(),
        );
    }
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    let mail = producer.remote::<Jobs>("/mail").unwrap();
    assert_eq!(
        mail.echo(7, 0).await.unwrap(),
        7,
        "an ask across the cluster"
    );

    // Before the failover: tells to two paths, jobs with ids, a delay, a priority, a key.
    let mut ids = Vec::new();
    for n in 0..300 {
        jobs.run(n).await.unwrap();
        mail.run(10_000 + n).await.unwrap();
    }
    for n in 300..400 {
        let job = jobs.enqueue(jobs.run(n));
        let job = match n % 4 {
            0 => job.after(Duration::from_millis(50)),
            1 => job.priority(JobPriority::High),
            2 => job.key(format!("key-{n}")),
            _ => job,
        };
        ids.push(job.await.unwrap());
    }
    // And jobs sent together, in packs.
    ids.extend(
        jobs.enqueue_all((750..1000).map(|n| jobs.run(n)))
            .await
            .unwrap(),
    );
    jobs.flushed().await.unwrap();
    mail.flushed().await.unwrap();

    // The master of /jobs's slot fails over to its replica, while the traffic goes on.
    let before = cluster.master_of("{/jobs}");
    let after = cluster.fail_over("{/jobs}");
    assert_ne!(before, after);
    for n in 400..700 {
        jobs.run(n).await.unwrap();
    }
    for n in 700..750 {
        ids.push(jobs.enqueue(jobs.run(n)).await.unwrap());
    }
    ids.extend(
        jobs.enqueue_all((1000..1100).map(|n| jobs.run(n)))
            .await
            .unwrap(),
    );
    jobs.flushed().await.unwrap();

    let sent: Vec<u64> = (0..1100).chain(10_000..10_300).collect();
    let mut seen: BTreeMap<u64, u32> = BTreeMap::new();
    while !sent.iter().all(|n| seen.contains_key(n)) {
        let n = tokio::time::timeout(Duration::from_secs(30), handled.recv())
            .await
            .unwrap_or_else(|_| {
                let lost = sent.iter().filter(|n| !seen.contains_key(n)).count();
                panic!("{lost} of {} not handled after 30 s", sent.len())
            })
            .unwrap();
        *seen.entry(n).or_insert(0) += 1;
    }
    for id in &ids {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while jobs.status(id).await.unwrap().map(|s| s.state) != Some(JobState::Done) {
            assert!(tokio::time::Instant::now() < deadline, "job {id} is done");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    for serving in &servings {
        serving.stop().await;
    }
    system.shutdown().await;
    while let Ok(n) = handled.try_recv() {
        *seen.entry(n).or_insert(0) += 1;
    }
    let duplicates = seen.values().filter(|times| **times > 1).count();
    println!(
        "sent {}, handled {}, lost 0, duplicates {duplicates}",
        sent.len(),
        seen.len()
    );
    assert_eq!(
        duplicates, 0,
        "a failover that waits for the replica repeats nothing"
    );
    assert!(producer.backlog("/jobs").await.unwrap().is_empty());
    assert_eq!(producer.served_paths().await.unwrap(), ["/jobs", "/mail"]);
    producer.purge_namespace().await.unwrap();
    assert!(producer.served_paths().await.unwrap().is_empty());
}

#[tokio::test]
async fn durable_topics_work_on_a_cluster_and_fire_and_forget_ones_say_why_not() {
    let cluster = TestCluster::start(3, 0);
    let ns = unique("cluster-topics");
    let station = station(&cluster, &ns).await;
    let orders = station
        .durable_topic::<String>("orders", "billing")
        .await
        .unwrap();
    let mut inbox: Inbox<String> = Inbox::new();
    orders.subscribe(inbox.recipient());
    orders.publish("order 1".to_owned()).await;
    orders.flushed().await.unwrap();
    assert_eq!(inbox.recv().await, "order 1");
    match station.topic::<u64>("ticks").await {
        Err(Error::Redis(error)) => assert!(error.message().contains("Redis Cluster"), "{error}"),
        other => panic!("a Pub/Sub topic on a cluster is an error: {other:?}"),
    }
    orders.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_killed_loses_nothing_confirmed_when_writes_wait_for_a_replica() {
    let mut cluster = TestCluster::start(3, 1);
    let ns = unique("cluster-kill");
    let urls = cluster.urls();
    let nodes: Vec<&str> = urls.iter().map(String::as_str).collect();
    let config = || {
        StationConfig::default()
            .namespace(&ns)
            .block(Duration::from_millis(200))
            .delayed_poll(Duration::from_millis(20))
            .reconnect(Duration::from_millis(20), Duration::from_millis(500))
            .wait_for_replicas(1, Duration::from_secs(1))
    };
    let producer = RedisStation::connect_cluster(&nodes, config())
        .await
        .unwrap();
    let jobs = producer.remote::<Jobs>("/jobs").unwrap();
    let mut ids = Vec::new();
    for n in 0..200 {
        jobs.run(n).await.unwrap();
        ids.push(jobs.enqueue(jobs.run(1000 + n)).await.unwrap());
    }
    jobs.flushed().await.unwrap(); // confirmed: on the master and its replica

    let killed = cluster.kill_master_of("{/jobs}"); // kill -9, then its replica takes over
    // The new master has no replica yet: nothing more is confirmed, and `flushed` says why.
    for n in 200..300 {
        jobs.run(n).await.unwrap();
    }
    match jobs.flushed_within(Duration::from_millis(2500)).await {
        Err(Error::NotFlushed(not)) => {
            assert!(not.reason().contains("replicas"), "{}", not.reason());
            assert_eq!(not.refused(), 0, "waiting, not refused");
        }
        other => panic!("not confirmed without a replica: {other:?}"),
    }
    // The old master comes back as the new one's replica: the waiting writes are confirmed.
    cluster.restart(killed);
    jobs.flushed().await.unwrap();

    let worker = RedisStation::connect_cluster(&nodes, config())
        .await
        .unwrap();
    let system = System::new();
    let (tx, mut handled) = mpsc::unbounded_channel();
    let serving = worker
        .serve(&system, "/jobs", move || {
            Jobs::new(Report::Channel(tx.clone()))
        })
        .await
        .unwrap();
    let sent: Vec<u64> = (0..300).chain(1000..1200).collect();
    let mut seen: BTreeMap<u64, u32> = BTreeMap::new();
    while !sent.iter().all(|n| seen.contains_key(n)) {
        let Ok(Some(n)) = tokio::time::timeout(Duration::from_secs(30), handled.recv()).await
        else {
            let lost = sent.iter().filter(|n| !seen.contains_key(n)).count();
            panic!("{lost} confirmed messages lost with the master");
        };
        *seen.entry(n).or_insert(0) += 1;
    }
    for id in &ids {
        assert!(
            jobs.status(id).await.unwrap().is_some(),
            "the record of {id}"
        );
    }
    println!("sent {}, handled {}, lost 0", sent.len(), seen.len());
    serving.stop().await;
    system.shutdown().await;
}
