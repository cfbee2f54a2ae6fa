//! The testkit itself: probes for actors and recipients (each expect passing and failing),
//! children replaced by probes, and the paused clock with timers.

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
    assert_eq!(worker.join().await, StopReason::Killed);
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
    assert_eq!(worker.join().await, StopReason::Normal);
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

// ---- children replaced by probes --------------------------------------------------------

/// A kernel in the seed's manner: spawns `/worker` in `on_start` and hands it jobs; hears of
/// its children's ends.
struct Kernel {
    stops: Recipient<(String, StopReason)>,
}

impl Actor for Kernel {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn("worker", Worker::default()).await?;
        Ok(())
    }

    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        let _ = self
            .stops
            .tell((child.path().to_string(), reason.clone()))
            .await;
    }
}

#[actor]
impl Kernel {
    async fn start(&mut self, jobs: u32, ctx: &mut Context<Self>) -> Result<(), Error> {
        let worker = ctx.system().address::<Worker>("/worker")?;
        for n in 0..jobs {
            worker.job(n).await?;
        }
        Ok(())
    }

    fn children(&self, ctx: &mut Context<Self>) -> Vec<String> {
        ctx.children()
            .iter()
            .map(|c| c.path().to_string())
            .collect()
    }
}

#[tokio::test]
async fn a_replaced_child_is_a_child_found_by_address() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/worker");
    assert!(worker.actor_ref().is_none(), "nothing spawned yet");
    let (stops, _stops_probe) = testkit::recipient_probe();
    let kernel = kit.start_kernel(Kernel { stops }).await.unwrap();
    let system = kit.system();

    kernel.start(3).await.unwrap().unwrap();
    for n in 0..3 {
        assert!(matches!(worker.expect().await, WorkerMsg::Job { n: m, .. } if m == n));
    }
    // Found by address and by type, the same actor as the probe's ref and the parent's child.
    let found = system.address::<Worker>("/worker").unwrap();
    assert_eq!(Some(found.clone()), worker.actor_ref());
    assert_eq!(worker.expect_spawned().await, found);
    assert!(
        system.lookup::<Kernel>("/worker").is_none(),
        "it is a Worker"
    );
    assert_eq!(kernel.children().await.unwrap(), ["/worker"]);
    assert!(system.tree().find("/worker").is_some());
    assert_eq!(system.actor_count(), 2);
    // Sending by address reaches the probe.
    found.job(9).await.unwrap();
    assert!(matches!(worker.expect().await, WorkerMsg::Job { n: 9, .. }));

    system.shutdown().await;
    assert_eq!(worker.expect_stopped().await, StopReason::Shutdown);
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test]
async fn a_shutdown_ends_a_replaced_child_the_test_never_reads() {
    let kit = TestKit::new();
    let probe = kit.replace::<Worker>("/worker");
    let (stops, _stops_probe) = testkit::recipient_probe();
    let kernel = kit.start_kernel(Kernel { stops }).await.unwrap();
    kernel.start(50).await.unwrap().unwrap();
    let started = std::time::Instant::now();
    assert_eq!(kit.system().shutdown().await, StopReason::Shutdown);
    // Well within the stand-in's five-second stop limit: it ended at once, not by a kill.
    assert!(started.elapsed() < Duration::from_secs(4));
    let worker = probe.actor_ref().unwrap();
    assert_eq!(worker.join().await, StopReason::Shutdown);
}

/// A parent spawning its worker when told, supervised or not.
#[actor]
struct Boss;

#[actor]
impl Boss {
    async fn hire(&mut self, ctx: &mut Context<Self>) -> Result<ActorRef<Worker>, Error> {
        ctx.spawn("worker", Worker::default()).await
    }

    async fn hire_supervised(
        &mut self,
        ctx: &mut Context<Self>,
    ) -> Result<ActorRef<Worker>, Error> {
        ctx.spawn_supervised("worker", Restart::Permanent, || -> Worker {
            panic!("the factory of a replaced child is not called")
        })
        .await
    }

    async fn hire_adder(&mut self, ctx: &mut Context<Self>) -> Result<ActorRef<Adder>, Error> {
        ctx.spawn("worker", Adder).await
    }
}

#[tokio::test]
async fn the_parent_gets_the_stand_in_and_a_parent_stop_ends_it() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    let hired = boss.hire().await.unwrap().unwrap();
    assert_eq!(Some(hired.clone()), worker.actor_ref());
    assert_eq!(hired.path(), "/boss/worker");
    assert_eq!(
        ActorRef::to_any(&boss).children(),
        [ActorRef::to_any(&hired)]
    );
    boss.stop().await;
    assert_eq!(worker.expect_stopped().await, StopReason::Shutdown);
    assert!(
        kit.system().lookup_any("/boss/worker").is_none(),
        "its address is free"
    );
}

#[tokio::test]
async fn a_supervised_spawn_is_replaced_without_calling_the_factory() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    let hired = boss.hire_supervised().await.unwrap().unwrap();
    hired.job(1).await.unwrap();
    assert!(matches!(worker.expect().await, WorkerMsg::Job { n: 1, .. }));
    // A probe is never restarted: its stop is final.
    hired.kill();
    assert_eq!(worker.expect_stopped().await, StopReason::Killed);
    assert!(
        boss.hire().await.unwrap().is_ok(),
        "the address is free for a real worker"
    );
    kit.system().shutdown().await;
}

#[tokio::test]
async fn a_replacement_is_used_by_the_first_spawn_only() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    let first = boss.hire().await.unwrap().unwrap();
    assert!(matches!(
        boss.hire().await.unwrap(),
        Err(Error::NameTaken { .. })
    ));
    first.stop().await;
    assert_eq!(worker.expect_stopped().await, StopReason::StoppedByPerson);
    // The next spawn is a real worker, which handles its messages.
    let second = boss.hire().await.unwrap().unwrap();
    second.job(4).await.unwrap();
    assert_eq!(second.load().await.unwrap(), 1);
    kit.system().shutdown().await;
}

#[tokio::test]
async fn the_parent_hears_how_a_probe_ends() {
    let kit = TestKit::new();
    let worker = kit.replace::<Worker>("/worker");
    let (stops, mut heard) = testkit::recipient_probe();
    kit.start_kernel(Kernel { stops }).await.unwrap();
    let failure = StopReason::Failed(Failure::new(FailureKind::HandlerPanic, "disk full"));
    worker.stop_with(failure.clone());
    assert_eq!(heard.expect().await, ("/worker".to_owned(), failure));
    kit.system().shutdown().await;
}

#[tokio::test]
async fn a_spawn_of_another_type_at_a_replaced_address_fails_and_the_probe_says_so() {
    let kit = TestKit::new();
    let mut worker = kit.replace::<Worker>("/boss/worker");
    let boss = kit.system().spawn("boss", Boss).await.unwrap();
    match boss.hire_adder().await.unwrap() {
        Err(Error::WrongType {
            path,
            expected,
            actual,
        }) => {
            assert_eq!(path, "/boss/worker");
            assert!(expected.ends_with("Adder") && actual.ends_with("Worker"));
        }
        other => panic!("expected WrongType, got {other:?}"),
    }
    let panic = tokio::spawn(async move { worker.expect().await })
        .await
        .expect_err("the probe panics");
    let text = panic.into_panic();
    let text = text.downcast_ref::<String>().unwrap();
    assert!(
        text.contains("/boss spawned a `testkit::Adder` at /boss/worker, where this probe stands in for a `testkit::Worker`"),
        "{text}"
    );
    kit.system().shutdown().await;
}

#[test]
#[should_panic(
    expected = "probe /boss/worker: expected a message within 3s, none came (nothing was spawned at /boss/worker yet)"
)]
fn a_probe_whose_child_is_never_spawned_says_so() {
    testkit::paused(async {
        let kit = TestKit::new();
        let mut worker = kit.replace::<Worker>("/boss/worker");
        kit.system().spawn("boss", Boss).await.unwrap();
        worker.expect().await;
    });
}

#[tokio::test]
#[should_panic(expected = "TestKit::replace: /worker is replaced already")]
async fn an_address_is_replaced_once_at_a_time() {
    let kit = TestKit::new();
    let _first = kit.replace::<Worker>("/worker");
    let _second = kit.replace::<Worker>("/worker");
}

#[tokio::test]
async fn an_ordinary_system_spawns_real_actors() {
    let kit = TestKit::new();
    let _probe = kit.replace::<Worker>("/kit/worker");
    // Replacements belong to the kit's system, not to others.
    let system = System::new();
    let boss = system.spawn("kit", Boss).await.unwrap();
    let worker = boss.hire().await.unwrap().unwrap();
    worker.job(1).await.unwrap();
    assert_eq!(worker.load().await.unwrap(), 1);
    system.shutdown().await;
}

// ---- the paused clock -------------------------------------------------------------------

/// Beats every second from its start, and reports each beat (the seconds since its start).
struct Heart {
    started: Instant,
    beats: Recipient<u64>,
}

impl Actor for Heart {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.send_interval(Duration::from_secs(1), HeartMsg::beat);
        Ok(())
    }
}

#[actor]
impl Heart {
    async fn beat(&mut self) {
        let _ = self.beats.tell(self.started.elapsed().as_secs()).await;
    }

    /// A reminder `after` from now.
    fn remind(&mut self, after: Duration, ctx: &mut Context<Self>) {
        ctx.send_after(after, HeartMsg::beat());
    }
}

#[test]
fn advance_fires_each_tick_at_its_own_time() {
    testkit::paused(async {
        let system = System::new();
        let (beats, mut probe) = testkit::recipient_probe();
        let started = Instant::now();
        system
            .spawn("heart", Heart { started, beats })
            .await
            .unwrap();

        testkit::advance(Duration::from_millis(999)).await;
        probe.expect_none(Duration::ZERO).await;
        testkit::advance(Duration::from_millis(4001)).await;
        // Five ticks, each handled at its own second, all before `advance` returned.
        for second in 1..=5 {
            assert_eq!(probe.expect_within(Duration::ZERO).await, second);
        }
        probe.expect_none(Duration::ZERO).await;
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        system.shutdown().await;
    });
}

#[test]
fn a_delayed_message_comes_at_its_exact_time() {
    testkit::paused(async {
        let system = System::new();
        let (beats, mut probe) = testkit::recipient_probe();
        let started = Instant::now();
        let heart = system
            .spawn("heart", Heart { started, beats })
            .await
            .unwrap();
        heart.remind(Duration::from_millis(1500)).await.unwrap();
        testkit::advance(Duration::from_secs(1)).await;
        assert_eq!(probe.expect_within(Duration::ZERO).await, 1); // the interval
        testkit::advance(Duration::from_millis(499)).await;
        probe.expect_none(Duration::ZERO).await;
        testkit::advance(Duration::from_millis(1)).await;
        assert_eq!(probe.expect_within(Duration::ZERO).await, 1); // the reminder, at 1.5 s
        system.shutdown().await;
    });
}

#[test]
fn settle_lets_a_tell_be_handled_without_moving_the_clock() {
    testkit::paused(async {
        let system = System::new();
        let worker = system.spawn("worker", Worker::default()).await.unwrap();
        let before = Instant::now();
        worker.job(1).await.unwrap();
        testkit::settle().await;
        let any = ActorRef::to_any(&worker);
        assert_eq!(any.messages_handled(), 1);
        assert_eq!(before.elapsed(), Duration::ZERO);
        system.shutdown().await;
    });
}

#[tokio::test]
#[should_panic(expected = "testkit::advance works inside testkit::paused")]
async fn advance_needs_the_paused_runtime() {
    testkit::advance(Duration::from_secs(1)).await;
}

// ---- limits at their extremes -----------------------------------------------------------

/// Thirty years: the longest an `expect` or `advance` waits, whatever it is told.
const LONGEST: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// Tells `worker` a job at `after` from now, from another task.
fn job_after(worker: &ActorRef<Worker>, after: Duration, n: u32) {
    let worker = worker.clone();
    let at = Instant::now() + after;
    tokio::spawn(async move {
        tokio::time::sleep_until(at).await;
        worker.job(n).await.unwrap();
    });
}

#[test]
fn a_limit_of_duration_max_waits_for_a_late_message() {
    testkit::paused(async {
        let (worker, probe) = testkit::probe::<Worker>("worker");
        let mut probe = probe.with_limit(Duration::MAX);
        let start = Instant::now();
        job_after(&worker, Duration::from_secs(10 * 365 * 24 * 3600), 1);
        assert!(matches!(probe.expect().await, WorkerMsg::Job { n: 1, .. }));
        job_after(&worker, Duration::from_secs(3600), 2);
        let msg = probe.expect_within(Duration::MAX).await;
        assert!(matches!(msg, WorkerMsg::Job { n: 2, .. }));
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(10 * 365 * 24 * 3600 + 3600)
        );
    });
}

#[test]
#[should_panic(
    expected = "probe /worker: expected a message within 18446744073709551615.999999999s, none came"
)]
fn a_limit_of_duration_max_still_fails_a_test_where_nothing_comes() {
    testkit::paused(async {
        let (_worker, mut probe) = testkit::probe::<Worker>("worker");
        let start = Instant::now();
        let outcome = tokio::spawn(async move { probe.expect_within(Duration::MAX).await });
        let panic = outcome.await.unwrap_err().into_panic();
        assert_eq!(start.elapsed(), LONGEST, "thirty years on the paused clock");
        std::panic::resume_unwind(panic);
    });
}

#[test]
fn expect_within_zero_takes_a_message_already_there() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        worker.job(1).await.unwrap();
        testkit::settle().await;
        let msg = probe.expect_within(Duration::ZERO).await;
        assert!(matches!(msg, WorkerMsg::Job { n: 1, .. }));
        let mut probe = probe.with_limit(Duration::ZERO);
        worker.job(2).await.unwrap();
        testkit::settle().await;
        assert!(matches!(probe.expect().await, WorkerMsg::Job { n: 2, .. }));
    });
}

#[test]
#[should_panic(expected = "probe /worker: expected a message within 0ns, none came")]
fn expect_within_zero_fails_when_the_message_is_only_due_later() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        job_after(&worker, Duration::from_millis(1), 1);
        probe.expect_within(Duration::ZERO).await;
    });
}

#[test]
fn expect_none_max_passes_once_every_timer_within_thirty_years_fired() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        let start = Instant::now();
        probe.expect_none(Duration::MAX).await;
        assert_eq!(start.elapsed(), LONGEST);
        // And a zero one: nothing is there yet, though a message is due in a millisecond.
        job_after(&worker, Duration::from_millis(1), 1);
        probe.expect_none(Duration::ZERO).await;
        assert!(matches!(probe.expect().await, WorkerMsg::Job { n: 1, .. }));
    });
}

#[test]
#[should_panic(
    expected = "probe /worker: expected no message within 18446744073709551615.999999999s, got `job`"
)]
fn expect_none_max_fails_when_a_message_comes_years_later() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        job_after(&worker, Duration::from_secs(20 * 365 * 24 * 3600), 1);
        probe.expect_none(Duration::MAX).await;
    });
}

#[test]
#[should_panic(expected = "probe /worker: expected no message within 0ns, got `job`")]
fn expect_none_zero_fails_when_a_message_is_waiting() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        worker.job(1).await.unwrap();
        testkit::settle().await;
        probe.expect_none(Duration::ZERO).await;
    });
}

#[test]
fn expect_stopped_within_max_waits_and_zero_takes_a_stop_already_there() {
    testkit::paused(async {
        let (worker, mut probe) = testkit::probe::<Worker>("worker");
        let start = Instant::now();
        let stopper = tokio::spawn({
            let worker = worker.clone();
            async move {
                tokio::time::sleep_until(Instant::now() + Duration::from_secs(3600)).await;
                worker.stop().await
            }
        });
        assert_eq!(
            probe.expect_stopped_within(Duration::MAX).await,
            StopReason::StoppedByPerson
        );
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
        stopper.await.unwrap();
        assert_eq!(
            probe.expect_stopped_within(Duration::ZERO).await,
            StopReason::StoppedByPerson
        );
    });
}

#[test]
#[should_panic(expected = "probe /worker: expected it to stop within 0ns, it is still running")]
fn expect_stopped_within_zero_fails_while_it_runs() {
    testkit::paused(async {
        let (_worker, mut probe) = testkit::probe::<Worker>("worker");
        probe.expect_stopped_within(Duration::ZERO).await;
    });
}

#[test]
fn a_recipient_probe_takes_duration_max_and_zero() {
    testkit::paused(async {
        let (to, probe) = testkit::recipient_probe::<u32>();
        let mut probe = probe.with_limit(Duration::MAX);
        let late = to.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(Instant::now() + Duration::from_secs(3600)).await;
            late.tell(1).await.unwrap();
        });
        assert_eq!(probe.expect().await, 1);
        probe.expect_none(Duration::ZERO).await;
        to.try_tell(2).unwrap();
        assert_eq!(probe.expect_within(Duration::ZERO).await, 2);
        let start = Instant::now();
        probe.expect_none(Duration::MAX).await;
        assert_eq!(start.elapsed(), LONGEST);
    });
}

#[test]
#[should_panic(expected = "recipient probe of u32: expected a message within 0ns, none came")]
fn a_recipient_probe_with_a_zero_limit_fails_when_nothing_is_there() {
    testkit::paused(async {
        let (_to, probe) = testkit::recipient_probe::<u32>();
        probe.with_limit(Duration::ZERO).expect().await;
    });
}

#[test]
fn advance_max_moves_the_clock_thirty_years_and_zero_only_settles() {
    testkit::paused(async {
        let system = System::new();
        let worker = system.spawn("worker", Worker::default()).await.unwrap();
        let start = Instant::now();
        worker.job(1).await.unwrap();
        testkit::advance(Duration::ZERO).await;
        assert_eq!(worker.load().await.unwrap(), 1);
        assert_eq!(start.elapsed(), Duration::ZERO);

        job_after(&worker, Duration::from_secs(20 * 365 * 24 * 3600), 2);
        testkit::advance(Duration::MAX).await;
        assert_eq!(start.elapsed(), LONGEST);
        assert_eq!(ActorRef::to_any(&worker).messages_handled(), 3);
        system.shutdown().await;
    });
}
