//! The testkit itself: probes for actors and recipients (each expect passing and failing),
//! here; children replaced by probes (`replaced_children.rs`), and the paused clock with
//! timers and limits at their extremes (`clock.rs`).

use std::time::Duration;

use aplay::prelude::*;
use aplay::testkit::{self, TestKit};
use aplay::{Failure, FailureKind, Restart};
use tokio::time::Instant;

const SHORT: Duration = Duration::from_millis(50);

/// What the probes stand in for: one tell and one ask.
#[actor]
#[derive(Default)]
struct Worker {
    done: Vec<u32>,
}

#[actor]
impl Worker {
    fn job(&mut self, n: u32) {
        self.done.push(n);
    }

    fn load(&self) -> u64 {
        self.done.len() as u64
    }
}

// ---- probes for an actor ----------------------------------------------------------------

#[tokio::test]
async fn expect_returns_what_was_sent_in_order() {
    let (worker, mut probe) = testkit::probe::<Worker>("worker");
    assert_eq!(worker.path(), "/worker");
    assert_eq!(probe.path(), "/worker");
    worker.job(1).await.unwrap();
    worker.job(2).try_tell().unwrap();
    for expected in [1, 2] {
        match probe.expect().await {
            WorkerMsg::Job { n, reply } => {
                assert_eq!(n, expected);
                assert!(reply.is_none(), "a tell carries no reply");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    probe.expect_none(SHORT).await;
}

#[test]
#[should_panic(expected = "probe /worker: expected a message within 3s, none came")]
fn expect_fails_when_nothing_comes_within_the_limit() {
    testkit::paused(async {
        let (_worker, mut probe) = testkit::probe::<Worker>("worker");
        probe.expect().await;
    });
}

#[test]
fn expect_waits_up_to_its_limit_and_no_longer() {
    testkit::paused(async {
        let (worker, probe) = testkit::probe::<Worker>("worker");
        let mut probe = probe.with_limit(Duration::from_secs(10));
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(9)).await;
            worker.job(9).await.unwrap();
        });
        let start = Instant::now();
        assert!(matches!(probe.expect().await, WorkerMsg::Job { n: 9, .. }));
        assert_eq!(start.elapsed(), Duration::from_secs(9));
        sender.await.unwrap();
    });
}

#[test]
#[should_panic(expected = "probe /worker: expected a message within 1s, none came")]
fn expect_within_fails_after_its_own_limit() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            worker.job(1).await.unwrap();
        });
        probe.expect_within(Duration::from_secs(1)).await;
    });
}

#[test]
#[should_panic(
    expected = "probe /worker: expected a message, but it stopped (stopped by a person) with none left"
)]
fn expect_fails_at_once_when_the_stand_in_stopped() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        worker.stop().await;
        probe.expect().await;
    });
}

#[tokio::test]
async fn messages_sent_before_a_stop_stay_readable() {
    let (worker, mut probe) = testkit::probe::<Worker>("worker");
    worker.job(1).await.unwrap();
    assert_eq!(worker.stop().await, StopReason::StoppedByPerson);
    assert!(matches!(worker.job(2).await, Err(Error::Stopped(_))));
    assert!(matches!(probe.expect().await, WorkerMsg::Job { n: 1, .. }));
    assert_eq!(probe.expect_stopped().await, StopReason::StoppedByPerson);
}

#[tokio::test]
async fn expect_none_passes_when_nothing_comes() {
    let (_worker, mut probe) = testkit::probe::<Worker>("worker");
    probe.expect_none(SHORT).await;
}

#[test]
#[should_panic(expected = "probe /worker: expected no message within 1s, got `job`")]
fn expect_none_fails_when_a_message_comes() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            worker.job(1).await.unwrap();
        });
        probe.expect_none(Duration::from_secs(1)).await;
    });
}

#[tokio::test]
async fn expect_stopped_says_how_it_stopped() {
    let (worker, mut probe) = testkit::probe::<Worker>("worker");
    let stopper = tokio::spawn({
        let worker = worker.clone();
        async move { worker.stop().await }
    });
    assert_eq!(probe.expect_stopped().await, StopReason::StoppedByPerson);
    assert_eq!(stopper.await.unwrap(), StopReason::StoppedByPerson);
    assert!(!worker.is_alive());

    let (worker, mut probe) = testkit::probe::<Worker>("worker");
    worker.kill();
    assert_eq!(probe.expect_stopped().await, StopReason::Killed);
    assert_eq!(worker.wait_stopped().await, StopReason::Killed);
}

#[test]
#[should_panic(expected = "probe /worker: expected it to stop within 3s, it is still running")]
fn expect_stopped_fails_while_it_runs() {
    testkit::paused(async {
        let (_worker, mut probe) = testkit::probe::<Worker>("worker");
        probe.expect_stopped().await;
    });
}

#[tokio::test]
async fn a_stop_ends_the_stand_in_even_when_nobody_reads_the_probe() {
    let (worker, _probe) = testkit::probe::<Worker>("worker");
    for n in 0..100 {
        worker.job(n).await.unwrap();
    }
    assert_eq!(worker.stop().await, StopReason::StoppedByPerson);
}

#[tokio::test]
async fn dropping_the_probe_ends_its_stand_in() {
    let (worker, probe) = testkit::probe::<Worker>("worker");
    drop(probe);
    assert_eq!(worker.wait_stopped().await, StopReason::Normal);
    assert!(matches!(worker.job(1).await, Err(Error::Stopped(_))));
}

#[test]
#[should_panic(expected = "testkit::probe: \"a/b\" is not a valid actor name")]
fn a_probe_needs_a_valid_name() {
    testkit::paused(async {
        let _ = testkit::probe::<Worker>("a/b");
    });
}

// ---- asks -------------------------------------------------------------------------------

#[tokio::test]
async fn the_test_answers_an_ask_through_the_reply_it_carries() {
    let (worker, mut probe) = testkit::probe::<Worker>("worker");
    let asker = tokio::spawn(async move { worker.load().await });
    match probe.expect().await {
        WorkerMsg::Load { reply } => reply.expect("an ask carries a reply").send(7),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(asker.await.unwrap().unwrap(), 7);
}

#[tokio::test]
async fn an_ask_the_probe_never_answers_gets_no_reply_once_it_stops() {
    let (worker, mut probe) = testkit::probe::<Worker>("worker");
    let asker = tokio::spawn({
        let worker = worker.clone();
        async move { worker.load().await }
    });
    let question = probe.expect().await;
    worker.kill();
    probe.expect_stopped().await;
    drop(question);
    assert!(matches!(asker.await.unwrap(), Err(Error::NoReply { .. })));
}

/// Asks its store and keeps the total: the actor under test, whose store is a probe.
struct Client {
    store: ActorRef<Worker>,
    total: u64,
}

impl Actor for Client {}

#[actor]
impl Client {
    async fn refresh(&mut self) -> Result<u64, Error> {
        self.total += self.store.load().await?;
        Ok(self.total)
    }
}

#[tokio::test]
async fn an_autopilot_answers_the_asks_of_the_actor_under_test() {
    let system = System::new();
    let (store, mut probe) = testkit::probe::<Worker>("store");
    probe.autopilot(|msg| {
        if let WorkerMsg::Load { reply } = msg
            && let Some(reply) = reply.take()
        {
            reply.send(5);
        }
    });
    let client = system
        .spawn("client", Client { store, total: 0 })
        .await
        .unwrap();
    assert_eq!(client.refresh().await.unwrap().unwrap(), 5);
    assert_eq!(client.refresh().await.unwrap().unwrap(), 10);
    // The answered asks are still recorded, without their reply.
    for _ in 0..2 {
        assert!(matches!(
            probe.expect().await,
            WorkerMsg::Load { reply: None }
        ));
    }
    system.shutdown().await;
}

#[tokio::test]
#[should_panic(expected = "probe /store: its autopilot panicked on `load`: no stock")]
async fn a_panicking_autopilot_fails_the_next_expect() {
    let (store, mut probe) = testkit::probe::<Worker>("store");
    probe.autopilot(|_| panic!("no stock"));
    // The panic drops the reply: the asker is not left waiting.
    assert!(matches!(store.load().await, Err(Error::NoReply { .. })));
    probe.expect().await;
}

// ---- recipient probes -------------------------------------------------------------------

/// Does a sum and sends it to whoever asked.
#[actor]
struct Adder;

#[actor]
impl Adder {
    async fn add(&self, a: u64, b: u64, to: Recipient<u64>) -> Result<(), Error> {
        to.tell(a + b).await
    }
}

#[tokio::test]
async fn a_recipient_probe_receives_what_an_actor_sends() {
    let system = System::new();
    let adder = system.spawn("adder", Adder).await.unwrap();
    let (sums, mut probe) = testkit::recipient_probe::<u64>();
    adder.add(2, 3, sums.clone()).await.unwrap().unwrap();
    adder.add(4, 4, probe.recipient()).await.unwrap().unwrap();
    assert_eq!(probe.expect().await, 5);
    assert_eq!(probe.expect().await, 8);
    probe.expect_none(SHORT).await;
    drop(probe);
    assert!(!sums.is_alive());
    system.shutdown().await;
}

#[test]
#[should_panic(expected = "recipient probe of u64: expected a message within 3s, none came")]
fn a_recipient_probe_fails_when_nothing_comes() {
    testkit::paused(async {
        let (_sums, mut probe) = testkit::recipient_probe::<u64>();
        probe.expect().await;
    });
}

#[test]
#[should_panic(expected = "recipient probe of u64: expected no message within 1s, got one")]
fn a_recipient_probe_fails_when_a_message_comes_unexpected() {
    testkit::paused(async {
        let (sums, probe) = testkit::recipient_probe::<u64>();
        let mut probe = probe.with_limit(Duration::from_secs(1));
        sums.tell(1).await.unwrap();
        probe.expect_none(Duration::from_secs(1)).await;
    });
}

mod clock;
mod replaced_children;
