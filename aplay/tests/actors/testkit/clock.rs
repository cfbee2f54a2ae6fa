//! The paused clock, timers, and limits at their extremes.

use super::*;

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
