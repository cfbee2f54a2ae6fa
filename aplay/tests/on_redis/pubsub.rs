//! Topics across processes over Redis: fire-and-forget on a Pub/Sub channel and durable on a
//! stream with a consumer group per subscription, between stations with their own
//! connections (in this process) and with a child process (the test binary started again as
//! `subscriber_process`, whose stdout lines are its signals). Malformed payloads, a Redis
//! restart, and `examples/pubsub.rs`. Each test runs on its own `redis-server` (or
//! `APLAY_REDIS_URL`, own namespace).

#[allow(dead_code, unreachable_pub)]
#[path = "../../../examples/pubsub.rs"]
mod pubsub_example;

use std::collections::BTreeSet;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::redis_server::{ChildTest, Options, RedisServer, TestRedis, test_name, unique};
use aplay::prelude::*;
use aplay::redis::RedisErrorKind;
use aplay::redis::{RedisStation, RedisTopic, StationConfig};
use serde::{Deserialize, Serialize};

/// What the topics carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u64,
    item: String,
}

fn order(id: u64) -> Order {
    Order {
        id,
        item: format!("item {id}"),
    }
}

/// Where a tally puts the ids it hears.
#[derive(Clone)]
enum Report {
    /// Kept, for the test to read.
    Kept(Arc<Mutex<Vec<u64>>>),
    /// `got {label} {id}` lines on stdout (a child process's signal to its parent).
    Stdout(String),
}

/// A subscriber actor: notes the id of every order it hears.
#[actor]
struct Tally {
    report: Report,
}

#[actor]
impl Tally {
    fn order(&mut self, order: Order) {
        match &self.report {
            Report::Kept(seen) => seen.lock().unwrap().push(order.id),
            Report::Stdout(label) => println!("got {label} {}", order.id),
        }
    }
}

/// A tally actor subscribed to `topic`; the ids it hears.
async fn tally(system: &System, name: &str, topic: &Topic<Order>) -> Arc<Mutex<Vec<u64>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let actor = system
        .spawn(
            name,
            Tally {
                report: Report::Kept(Arc::clone(&seen)),
            },
        )
        .await
        .unwrap();
    topic.subscribe(ActorRef::recipient(&actor, TallyMsg::order));
    seen
}

fn config(namespace: &str) -> StationConfig {
    StationConfig::default()
        .namespace(namespace)
        .block(Duration::from_millis(200))
        .reconnect(Duration::from_millis(10), Duration::from_millis(200))
}

/// A station of its own (its own connections: another process, as far as Redis can tell).
async fn station(url: &str, namespace: &str) -> RedisStation {
    RedisStation::connect_with(url, config(namespace))
        .await
        .expect("a connection to the test's Redis")
}

/// Waits until `seen` holds `count` ids, checking every few milliseconds, failing after 10 s.
async fn wait_for(what: &str, seen: &Arc<Mutex<Vec<u64>>>, count: usize) -> Vec<u64> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let got = seen.lock().unwrap().clone();
        if got.len() >= count {
            return got;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited 10 s for {count} messages at {what}, got {}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The durable topic `orders` of `station`, for the subscription `subscription`.
async fn durable_orders(station: &RedisStation, subscription: &str) -> RedisTopic<Order> {
    station
        .durable_topic::<Order>("orders", subscription)
        .await
        .unwrap()
}

/// Publishes `ids` and waits until Redis has them.
async fn publish_all(topic: &RedisTopic<Order>, ids: impl IntoIterator<Item = u64>) {
    for id in ids {
        topic.publish(order(id)).await;
    }
    topic.flushed().await.expect("Redis has every message");
}

/// A command on the test's server, beside the stations (garbage in a topic, say).
async fn admin(url: &str, args: &[&[u8]]) -> redis::Value {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut cmd = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(&mut conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fire_and_forget_reaches_the_actors_of_another_station_once_they_subscribe() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-fire");
    let (a, b) = (
        station(redis.url(), &ns).await,
        station(redis.url(), &ns).await,
    );
    let (system_a, system_b) = (System::new(), System::new());
    let orders_a = a.topic::<Order>("orders").await.unwrap();
    let here = tally(&system_a, "here", &orders_a).await;

    // Before the other station subscribes: its actors never get these.
    for id in 0..5 {
        assert_eq!(orders_a.publish(order(id)).await, 1, "the local subscriber");
    }
    orders_a.flushed().await.unwrap();

    let orders_b = b.topic::<Order>("orders").await.unwrap();
    assert!(!orders_b.is_durable());
    assert_eq!(orders_b.subscription(), None);
    let there = tally(&system_b, "there", &orders_b).await;
    publish_all(&orders_a, 5..105).await;
    let got = wait_for("the other station", &there, 100).await;
    assert_eq!(
        got,
        (5..105).collect::<Vec<_>>(),
        "in order, none before it subscribed"
    );

    // A message from the other station comes after this station's own messages came back
    // from Redis (one channel, one order): by then an echo would have been handed over.
    publish_all(&orders_b, [1000]).await;
    let got = wait_for("this station", &here, 106).await;
    let mut expected: Vec<u64> = (0..105).collect();
    expected.push(1000);
    assert_eq!(
        got, expected,
        "each message once: its own not handed over again"
    );
    assert_eq!((orders_a.received(), orders_b.received()), (1, 100));
    assert_eq!(orders_b.malformed(), 0);
    assert_eq!(got.len(), 106, "and no echo after");

    // The same topic opened again on a station is the same topic.
    let again = a.topic::<Order>("orders").await.unwrap();
    assert_eq!(again.subscribers(), 1);
    assert!(matches!(
        a.topic::<String>("orders").await,
        Err(Error::Redis(_))
    ));
    system_a.shutdown().await;
    system_b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fire_and_forget_skips_a_malformed_message_and_goes_on() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-garbage");
    let (a, b) = (
        station(redis.url(), &ns).await,
        station(redis.url(), &ns).await,
    );
    let system = System::new();
    let orders_b = b.topic::<Order>("orders").await.unwrap();
    let seen = tally(&system, "tally", &orders_b).await;
    let channel = format!("{ns}:topic:orders");
    // Garbage, a payload shorter than the origin mark, and another type's message.
    admin(
        redis.url(),
        &[b"PUBLISH", channel.as_bytes(), b"not an aplay message"],
    )
    .await;
    admin(redis.url(), &[b"PUBLISH", channel.as_bytes(), b"x"]).await;
    let strings = a.topic::<String>("orders").await.unwrap();
    strings.publish("a string, not an order".to_owned()).await;
    strings.flushed().await.unwrap();

    assert!(
        a.topic::<Order>("orders").await.is_err(),
        "open with another type on this station"
    );
    let c = station(redis.url(), &ns).await;
    let orders_c = c.topic::<Order>("orders").await.unwrap();
    publish_all(&orders_c, 0..10).await;
    let got = wait_for("the subscriber", &seen, 10).await;
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    assert_eq!(orders_b.malformed(), 3, "each skipped, none handed over");
    system.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_messages_published_while_a_subscription_was_away_arrive_when_it_comes_back() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-away");
    let publisher = station(redis.url(), &ns).await;
    // The publisher opens the topic with the subscription it needs: created if new; it
    // reads nothing (no local subscriber).
    let orders = durable_orders(&publisher, "billing").await;
    {
        let billing = station(redis.url(), &ns).await;
        let system = System::new();
        let topic = durable_orders(&billing, "billing").await;
        let seen = tally(&system, "billing", &topic).await;
        for id in 0..10 {
            assert_eq!(orders.publish(order(id)).await, 0, "no local delivery");
        }
        orders.flushed().await.unwrap();
        assert_eq!(
            wait_for("billing", &seen, 10).await,
            (0..10).collect::<Vec<_>>()
        );
        topic.stop().await;
        assert_eq!(topic.received(), 10);
        system.shutdown().await;
    }
    // Billing is gone: these wait in the stream.
    publish_all(&orders, 10..60).await;
    assert_eq!(
        orders.received(),
        0,
        "the publisher took none of billing's messages"
    );

    let billing = station(redis.url(), &ns).await;
    let system = System::new();
    let topic = durable_orders(&billing, "billing").await;
    let seen = tally(&system, "billing", &topic).await;
    let got = wait_for("billing, back", &seen, 50).await;
    assert_eq!(
        got,
        (10..60).collect::<Vec<_>>(),
        "every one, in order, once"
    );
    system.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_every_subscription_gets_every_message() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-fanout");
    let (billing, shipping, shop) = (
        station(redis.url(), &ns).await,
        station(redis.url(), &ns).await,
        station(redis.url(), &ns).await,
    );
    let system = System::new();
    let billing = durable_orders(&billing, "billing").await;
    let shipping = durable_orders(&shipping, "shipping").await;
    let billed = tally(&system, "billing", &billing).await;
    let shipped = tally(&system, "shipping", &shipping).await;
    let orders = durable_orders(&shop, "billing").await;
    publish_all(&orders, 0..500).await;
    let all: Vec<u64> = (0..500).collect();
    assert_eq!(wait_for("billing", &billed, 500).await, all);
    assert_eq!(wait_for("shipping", &shipped, 500).await, all);
    assert_eq!((billing.received(), shipping.received()), (500, 500));
    system.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_processes_of_one_subscription_share_its_messages_none_lost_or_twice() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-share");
    let small_reads = |ns: &str| config(ns).read_batch(16);
    let first = RedisStation::connect_with(redis.url(), small_reads(&ns))
        .await
        .unwrap();
    let second = RedisStation::connect_with(redis.url(), small_reads(&ns))
        .await
        .unwrap();
    let shop = station(redis.url(), &ns).await;
    let (system_1, system_2) = (System::new(), System::new());
    let one = durable_orders(&first, "billing").await;
    let two = durable_orders(&second, "billing").await;
    let seen_1 = tally(&system_1, "billing", &one).await;
    let seen_2 = tally(&system_2, "billing", &two).await;
    let orders = durable_orders(&shop, "billing").await;
    let sent = 2000u64;
    publish_all(&orders, 0..sent).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let (got_1, got_2) = loop {
        let got_1 = seen_1.lock().unwrap().clone();
        let got_2 = seen_2.lock().unwrap().clone();
        if got_1.len() + got_2.len() >= sent as usize {
            break (got_1, got_2);
        }
        assert!(tokio::time::Instant::now() < deadline, "waited 10 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let handled = got_1.len() + got_2.len();
    let distinct: BTreeSet<u64> = got_1.iter().chain(&got_2).copied().collect();
    let lost = sent as usize - distinct.len();
    let duplicates = handled - distinct.len();
    println!(
        "sent {sent}, handled {handled} ({} + {}), lost {lost}, duplicates {duplicates}",
        got_1.len(),
        got_2.len()
    );
    assert_eq!((lost, duplicates), (0, 0));
    assert!(
        !got_1.is_empty() && !got_2.is_empty(),
        "both processes took a share: {} and {}",
        got_1.len(),
        got_2.len()
    );
    // Each one's share in the order published.
    assert!(got_1.is_sorted() && got_2.is_sorted());
    system_1.shutdown().await;
    system_2.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_a_malformed_entry_goes_to_the_dead_letters_and_later_ones_arrive() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-dead");
    let (billing, shop) = (
        station(redis.url(), &ns).await,
        station(redis.url(), &ns).await,
    );
    let system = System::new();
    let topic = durable_orders(&billing, "billing").await;
    let seen = tally(&system, "billing", &topic).await;
    let orders = durable_orders(&shop, "billing").await;
    publish_all(&orders, 0..5).await;
    let stream = format!("{ns}:topic:orders");
    admin(
        redis.url(),
        &[b"XADD", stream.as_bytes(), b"*", b"m", b"garbage"],
    )
    .await;
    admin(
        redis.url(),
        &[b"XADD", stream.as_bytes(), b"*", b"other", b"field"],
    )
    .await;
    publish_all(&orders, 5..10).await;

    let got = wait_for("billing", &seen, 10).await;
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    assert_eq!(topic.malformed(), 2);
    let letters = topic.dead_letters(10).await.unwrap();
    assert_eq!(letters.len(), 2, "{letters:?}");
    assert!(
        letters[0].error().contains("does not decode"),
        "{}",
        letters[0].error()
    );
    assert!(
        letters[1].error().contains("no message field"),
        "{}",
        letters[1].error()
    );
    assert_eq!(letters[0].fields(), [(b"m".to_vec(), b"garbage".to_vec())]);
    // Left in the stream for the other subscriptions: 10 orders and the 2 entries.
    assert_eq!(
        admin(redis.url(), &[b"XLEN", stream.as_bytes()]).await,
        redis::Value::Int(12)
    );
    system.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_ends_neither_kind_of_subscription() {
    let mut server = RedisServer::start(true);
    let url = server.url();
    let ns = unique("pubsub-restart");
    let (shop, billing) = (station(&url, &ns).await, station(&url, &ns).await);
    let system = System::new();
    let prices_out = shop.topic::<Order>("prices").await.unwrap();
    let prices_in = billing.topic::<Order>("prices").await.unwrap();
    let prices = tally(&system, "prices", &prices_in).await;
    let orders_out = durable_orders(&shop, "billing").await;
    let orders_in = durable_orders(&billing, "billing").await;
    let orders = tally(&system, "orders", &orders_in).await;
    publish_all(&prices_out, [0]).await;
    publish_all(&orders_out, 0..10).await;
    wait_for("prices", &prices, 1).await;
    wait_for("orders", &orders, 10).await;

    server.restart();

    // Durable: published during and after the restart, every one arrives.
    for id in 10..20 {
        orders_out.publish(order(id)).await;
    }
    // Fire-and-forget: what is published before it subscribed again is missed; it does
    // subscribe again, by itself.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut id = 100;
    while prices.lock().unwrap().len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never subscribed again"
        );
        prices_out.publish(order(id)).await;
        id += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(prices_in.reconnects() >= 1);
    orders_out.flushed().await.unwrap();
    let got = wait_for("orders", &orders, 20).await;
    assert_eq!(got, (0..20).collect::<Vec<_>>());
    system.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_checks_the_acl_users_rights_on_its_channel_at_open() {
    let server = RedisServer::start_with(Options::default().tcp());
    let ns = unique("pubsub-acl");
    let url = |user: &str| format!("redis://{user}:secret@127.0.0.1:{}", server.port());
    // What the guide's chapter on Redis gives a station; then the channels of its topics.
    let keys = format!("~{ns}:*");
    let mut rules = vec![
        "ACL",
        "SETUSER",
        "jobs",
        "reset",
        "on",
        ">secret",
        &keys,
        "+@stream",
        "+@hash",
        "+@string",
        "+@keyspace",
        "+@scripting",
        "+@connection",
    ];
    server.command(&rules);
    let jobs = station(&url("jobs"), &ns).await;
    let Err(Error::Redis(refused)) = jobs.topic::<Order>("prices").await else {
        panic!("a user without Pub/Sub may not open a fire-and-forget topic");
    };
    assert_eq!(refused.kind(), RedisErrorKind::Permission, "{refused}");
    assert!(
        refused.message().contains("PUBLISH") && refused.message().contains("SUBSCRIBE"),
        "{refused}"
    );
    // Durable topics are streams of the namespace: allowed already.
    let orders = durable_orders(&jobs, "billing").await;
    publish_all(&orders, 0..3).await;

    let channels = format!("&{ns}:topic:*");
    rules[2] = "topics";
    rules.extend([channels.as_str(), "+@pubsub"]);
    server.command(&rules);
    let (a, b) = (
        station(&url("topics"), &ns).await,
        station(&url("topics"), &ns).await,
    );
    let system = System::new();
    let prices_b = b.topic::<Order>("prices").await.unwrap();
    let seen = tally(&system, "prices", &prices_b).await;
    let prices_a = a.topic::<Order>("prices").await.unwrap();
    publish_all(&prices_a, [7]).await;
    assert_eq!(wait_for("prices", &seen, 1).await, [7]);
    system.shutdown().await;
}

/// A subscriber that takes its first order and then holds forever, with room for one more in
/// its mailbox: its process reads a batch and cannot hand it all over (so acknowledges none).
struct Stuck;

impl Actor for Stuck {
    fn mailbox(&self) -> Mailbox {
        Mailbox::bounded(1)
    }
}

#[actor]
impl Stuck {
    async fn order(&mut self, order: Order) {
        println!("holding {}", order.id);
        std::future::pending::<()>().await;
    }
}

/// A process of the subscription `billing` whose subscriber gets stuck (see [`Stuck`]);
/// returns at once when not started by the test below.
#[test]
fn stuck_subscriber_process() {
    let Ok(url) = std::env::var("APLAY_PUBSUB_STUCK_URL") else {
        return;
    };
    println!(); // ends the test harness's `test … ` line
    let ns = std::env::var("APLAY_PUBSUB_CHILD_NS").expect("a namespace");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let station = RedisStation::connect_with(&url, config(&ns).read_batch(16))
            .await
            .unwrap();
        let system = System::new();
        let orders = durable_orders(&station, "billing").await;
        let stuck = system.spawn("stuck", Stuck).await.unwrap();
        orders.subscribe(ActorRef::recipient(&stuck, StuckMsg::order));
        println!("ready");
        std::future::pending::<()>().await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_what_a_killed_process_had_read_goes_to_another_process_of_its_subscription() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-killed");
    // This process is the other one of `billing`: it takes over entries idle for 300 ms.
    let billing = RedisStation::connect_with(
        redis.url(),
        config(&ns).claim_idle(Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let orders_in = durable_orders(&billing, "billing").await;
    let shop = station(redis.url(), &ns).await;
    let orders = durable_orders(&shop, "billing").await;
    let sent = 50u64;
    publish_all(&orders, 0..sent).await;

    // The child reads a batch of 16, hands over two (one held by the handler, one in the
    // mailbox), waits for room for the third, and is killed: it acknowledged none.
    let mut child = ChildTest::spawn(
        &test_name(module_path!(), "stuck_subscriber_process"),
        &[
            ("APLAY_PUBSUB_STUCK_URL", redis.url()),
            ("APLAY_PUBSUB_CHILD_NS", &ns),
        ],
    );
    let limit = Duration::from_secs(30);
    tokio::task::spawn_blocking(move || {
        child.wait_for(limit, |line| line == "holding 0");
        child.kill();
    })
    .await
    .unwrap();

    let system = System::new();
    let seen = tally(&system, "billing", &orders_in).await;
    let got = wait_for("the other process of billing", &seen, sent as usize).await;
    let distinct: BTreeSet<u64> = got.iter().copied().collect();
    assert_eq!(
        (sent as usize - distinct.len(), got.len() - distinct.len()),
        (0, 0),
        "none lost, none twice: {got:?}"
    );
    system.shutdown().await;
}

/// A subscriber process: a fire-and-forget and a durable subscription of `orders`, each id
/// printed as `got fire {id}` or `got durable {id}`; returns at once when not started by
/// the test below.
#[test]
fn subscriber_process() {
    let Ok(url) = std::env::var("APLAY_PUBSUB_CHILD_URL") else {
        return;
    };
    println!(); // ends the test harness's `test … ` line
    let ns = std::env::var("APLAY_PUBSUB_CHILD_NS").expect("a namespace");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let station = station(&url, &ns).await;
        let system = System::new();
        let fire = station.topic::<Order>("orders").await.unwrap();
        let durable = durable_orders(&station, "billing").await;
        for (label, topic) in [("fire", fire.topic()), ("durable", durable.topic())] {
            let actor = system
                .spawn(
                    label,
                    Tally {
                        report: Report::Stdout(label.to_owned()),
                    },
                )
                .await
                .unwrap();
            topic.subscribe(ActorRef::recipient(&actor, TallyMsg::order));
        }
        println!("ready");
        // Until the parent closes stdin.
        tokio::task::spawn_blocking(|| {
            let mut rest = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut rest);
        })
        .await
        .unwrap();
        durable.stop().await;
        system.shutdown().await;
        println!("stopped");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_process_gets_what_this_process_publishes_on_both_kinds_of_topic() {
    let redis = TestRedis::shared_or_private();
    let ns = unique("pubsub-process");
    let mut child = ChildTest::spawn(
        &test_name(module_path!(), "subscriber_process"),
        &[
            ("APLAY_PUBSUB_CHILD_URL", redis.url()),
            ("APLAY_PUBSUB_CHILD_NS", &ns),
        ],
    );
    let limit = Duration::from_secs(30);
    let ready = tokio::task::spawn_blocking(move || {
        child.wait_for(limit, |line| line == "ready");
        child
    });
    let mut child = ready.await.unwrap();

    let shop = station(redis.url(), &ns).await;
    let fire = shop.topic::<Order>("orders").await.unwrap();
    let durable = durable_orders(&shop, "billing").await;
    let sent = 200u64;
    for id in 0..sent {
        fire.publish(order(id)).await;
        durable.publish(order(id)).await;
    }
    fire.flushed().await.unwrap();
    durable.flushed().await.unwrap();

    let (fire_got, durable_got) = tokio::task::spawn_blocking(move || {
        let (mut fire, mut durable) = (Vec::new(), Vec::new());
        while fire.len() < sent as usize || durable.len() < sent as usize {
            let line = child.wait_for(limit, |line| line.starts_with("got "));
            let mut words = line.split(' ').skip(1);
            let (Some(kind), Some(id)) = (words.next(), words.next()) else {
                panic!("a line `got KIND ID`: {line}");
            };
            let id: u64 = id.parse().unwrap();
            match kind {
                "fire" => fire.push(id),
                _ => durable.push(id),
            }
        }
        child.close_stdin();
        child.wait_for(limit, |line| line == "stopped");
        assert!(child.wait(), "the subscriber process ends cleanly");
        (fire, durable)
    })
    .await
    .unwrap();
    let all: Vec<u64> = (0..sent).collect();
    assert_eq!(fire_got, all, "fire-and-forget: every one, in order, once");
    assert_eq!(durable_got, all, "durable: every one, in order, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pubsub_example_runs_its_local_and_its_redis_part() {
    let redis = TestRedis::shared_or_private();
    let summary = pubsub_example::run(Some(redis.url()), &unique("pubsub-example"))
        .await
        .unwrap();
    assert_eq!(summary.local, (3, 3));
    let redis_part = summary.redis.expect("the Redis part ran");
    assert_eq!(redis_part.prices_heard, 3);
    assert_eq!(redis_part.billed, 4);
    assert_eq!(redis_part.shipped, 4);
}
