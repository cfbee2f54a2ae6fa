//! Every public `Duration` at its extremes: `Duration::MAX` (and the longest duration the
//! clock can still add to now, whose deadline tokio's timers could not round) means no limit
//! or never, `Duration::ZERO` means at once (a millisecond where zero cannot work), and
//! neither panics. On tokio's paused clock, so that an hour passes at once.

use std::time::Duration;

use crate::common::{Log, Probe, ProbeMsg, clock, hold, settle};
use aplay::prelude::*;
use aplay::{FailureKind, Restart, Strategy, Supervision, TaskHandle};
use tokio::time::Instant;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The longest `d` for which `Instant::now() + d` does not overflow (found by halving): the
/// clock counts that far, but the deadline leaves tokio no room to round it up to its next
/// millisecond, so a timer set for it would panic.
fn longest_on_the_clock() -> Duration {
    let now = Instant::now();
    let (mut fits, mut overflows) = (Duration::ZERO, Duration::MAX);
    while overflows - fits > Duration::from_nanos(1) {
        let mid = fits + (overflows - fits) / 2;
        if now.checked_add(mid).is_some() {
            fits = mid;
        } else {
            overflows = mid;
        }
    }
    fits
}

/// `Duration::MAX`, and the longest duration the clock can add to now (computed when
/// called, since the clock moves).
const ENDLESS: [fn() -> Duration; 2] = [|| Duration::MAX, longest_on_the_clock];

/// Waits a century (`tokio::time::sleep` would stop at 30 years, its "far future").
async fn a_century_passes() {
    tokio::time::sleep_until(Instant::now() + CENTURY).await;
}

// Asks and tells.

/// A probe at `/p`.
async fn probe(system: &System) -> ActorRef<Probe> {
    system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn an_ask_with_no_limit_still_gets_its_reply_however_late() {
    let system = System::new();
    let probe = probe(&system).await;
    for limit in ENDLESS {
        let limit = limit();
        let release = hold(&probe).await;
        let started = Instant::now();
        let answer = {
            let probe = probe.clone();
            tokio::spawn(async move { probe.get().timeout(limit).await })
        };
        a_century_passes().await;
        release.send(()).unwrap();
        assert_eq!(answer.await.unwrap().unwrap(), 0);
        assert_eq!(started.elapsed(), CENTURY);
    }
}

#[tokio::test(start_paused = true)]
async fn a_tell_with_no_limit_waits_for_room_however_long() {
    let system = System::new();
    let probe = Probe::new(&Log::default()).with_mailbox(Mailbox::bounded(1));
    let probe = system.spawn("p", probe).await.unwrap();
    for limit in ENDLESS {
        let limit = limit();
        let release = hold(&probe).await;
        probe.add(1).await.unwrap(); // the mailbox is full now
        let late = {
            let probe = probe.clone();
            tokio::spawn(async move { probe.add(10).timeout(limit).await })
        };
        a_century_passes().await;
        assert!(!late.is_finished(), "no room yet");
        release.send(()).unwrap();
        late.await.unwrap().unwrap();
    }
    assert_eq!(probe.get().await.unwrap(), 22);
}

#[tokio::test(start_paused = true)]
async fn a_zero_limit_on_an_ask_to_a_busy_actor_fails_at_once() {
    let system = System::new();
    let probe = Probe::new(&Log::default()).with_mailbox(Mailbox::bounded(1));
    let probe = system.spawn("p", probe).await.unwrap();
    let release = hold(&probe).await;
    let started = Instant::now();
    // Room in the mailbox: enqueued, but no reply is there at once.
    let err = probe
        .add(1)
        .ask()
        .timeout(Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::ZERO),
        "{err:?}"
    );
    // The mailbox is full now: not even enqueued, and the message is handed back.
    let err = probe.get().timeout(Duration::ZERO).await.unwrap_err();
    assert!(matches!(err, Error::SendTimeout(_)), "{err:?}");
    let err = probe.add(10).timeout(Duration::ZERO).await.unwrap_err();
    let Error::SendTimeout(undelivered) = err else {
        panic!("expected a send timeout, got {err:?}");
    };
    assert!(undelivered.take_message::<ProbeMsg>().is_some());
    assert_eq!(started.elapsed(), Duration::ZERO, "nothing waited");
    release.send(()).unwrap();
    // The ask that timed out was still handled; the refused tell was not.
    assert_eq!(probe.get().await.unwrap(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_zero_limit_on_a_tell_enqueues_when_there_is_room() {
    let system = System::new();
    let probe = probe(&system).await;
    let release = hold(&probe).await; // busy, but its mailbox has room
    probe.add(2).timeout(Duration::ZERO).await.unwrap();
    release.send(()).unwrap();
    assert_eq!(probe.get().await.unwrap(), 2);
}

// Timers.

#[tokio::test(start_paused = true)]
async fn timers_of_duration_max_never_fire_and_are_cancelled_with_their_actor() {
    let system = System::new();
    let clock = clock(&system, "clock").await;
    let mut timers = Vec::new();
    for endless in ENDLESS {
        timers.push(clock.after(endless()).await.unwrap());
        timers.push(clock.every(endless()).await.unwrap());
    }
    // Past tokio's "far future" (30 years), where a sleep of `Duration::MAX` would end.
    a_century_passes().await;
    settle().await;
    assert!(clock.ticks().await.unwrap().is_empty());
    assert!(timers.iter().all(|timer| !timer.is_finished()));
    clock.stop().await;
    settle().await;
    assert!(timers.iter().all(TaskHandle::is_finished));
}

#[tokio::test(start_paused = true)]
async fn send_after_zero_delivers_at_once() {
    let system = System::new();
    let clock = clock(&system, "clock").await;
    let timer = clock.after(Duration::ZERO).await.unwrap();
    settle().await;
    assert_eq!(clock.ticks().await.unwrap(), [Duration::ZERO]);
    assert!(timer.is_finished());
}

#[tokio::test(start_paused = true)]
async fn send_interval_zero_ticks_every_millisecond_until_cancelled() {
    let system = System::new();
    let clock = clock(&system, "clock").await;
    let timer = clock.every(Duration::ZERO).await.unwrap();
    settle().await;
    assert!(clock.ticks().await.unwrap().is_empty(), "no tick at once");
    for _ in 0..5 {
        tokio::time::advance(Duration::from_millis(1)).await;
        settle().await;
    }
    let millis: Vec<Duration> = (1..=5).map(Duration::from_millis).collect();
    assert_eq!(clock.ticks().await.unwrap(), millis);
    timer.cancel();
    tokio::time::advance(Duration::from_secs(1)).await;
    settle().await;
    assert_eq!(
        clock.ticks().await.unwrap().len(),
        5,
        "no tick after cancel"
    );
}

// Shutdown and stopping.

/// A probe at `/slow` that takes an hour to stop, and is given two before it is killed.
async fn slow_probe(system: &System, log: &Log) -> ActorRef<Probe> {
    let mut slow = Probe::new(log);
    slow.stop_delay = Some(HOUR);
    slow.shutdown_timeout = 2 * HOUR;
    system.spawn("slow", slow).await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn shutdown_within_max_returns_once_everything_stopped() {
    for limit in ENDLESS {
        let limit = limit();
        let system = System::new();
        let log = Log::default();
        let slow = slow_probe(&system, &log).await;
        let started = Instant::now();
        assert_eq!(system.shutdown_within(limit).await, StopReason::Shutdown);
        assert_eq!(started.elapsed(), HOUR);
        assert_eq!(slow.wait_stopped().await, StopReason::Shutdown);
        assert!(log.entries().iter().any(|e| e.starts_with("stop /slow")));
        assert_eq!(system.actor_count(), 0);
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_within_zero_kills_at_once() {
    let system = System::new();
    let log = Log::default();
    let slow = slow_probe(&system, &log).await;
    let started = Instant::now();
    assert_eq!(
        system.shutdown_within(Duration::ZERO).await,
        StopReason::Killed
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(slow.wait_stopped().await, StopReason::Killed);
    assert!(!log.entries().iter().any(|e| e.starts_with("stop /slow")));
    assert_eq!(system.actor_count(), 0);
}

/// Reports its starts and stops to the test; takes `stop_delay` to stop.
struct Member {
    name: &'static str,
    events: Recipient<String>,
    stop_delay: Duration,
    shutdown_timeout: Duration,
}

impl Actor for Member {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.events.tell(format!("start {}", self.name)).await?;
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        if !self.stop_delay.is_zero() {
            tokio::time::sleep(self.stop_delay).await;
        }
        let _ = self.events.tell(format!("stop {}", self.name)).await;
    }

    fn shutdown_timeout(&self) -> Duration {
        self.shutdown_timeout
    }
}

#[actor]
impl Member {
    fn boom(&mut self) {
        panic!("{} fails", self.name);
    }
}

/// Supervises members with a given strategy and restart limit.
struct Team {
    supervision: Supervision,
    events: Recipient<String>,
}

impl Actor for Team {
    fn supervision(&self) -> Supervision {
        self.supervision
    }
}

#[actor]
impl Team {
    async fn hire(
        &mut self,
        name: &'static str,
        shutdown_timeout: Duration,
        stop_delay: Duration,
        ctx: &mut Context<Self>,
    ) -> Result<ActorRef<Member>, Error> {
        let events = self.events.clone();
        ctx.spawn_supervised(name, Restart::Permanent, move || Member {
            name,
            events: events.clone(),
            stop_delay,
            shutdown_timeout,
        })
        .await
    }
}

async fn team(system: &System, supervision: Supervision) -> (ActorRef<Team>, Inbox<String>) {
    let events = Inbox::new();
    let team = Team {
        supervision,
        events: events.recipient(),
    };
    (system.spawn("team", team).await.unwrap(), events)
}

#[tokio::test(start_paused = true)]
async fn a_child_whose_shutdown_timeout_is_max_is_waited_for_not_killed() {
    for limit in ENDLESS {
        let limit = limit();
        let system = System::new();
        let (team, mut events) = team(&system, Supervision::default()).await;
        let slow = team.hire("slow", limit, HOUR).await.unwrap().unwrap();
        assert_eq!(events.recv().await, "start slow");
        let started = Instant::now();
        team.stop().await;
        assert_eq!(started.elapsed(), HOUR);
        assert_eq!(slow.wait_stopped().await, StopReason::Shutdown);
        assert_eq!(events.try_recv().as_deref(), Some("stop slow"));
    }
}

#[tokio::test(start_paused = true)]
async fn a_child_whose_shutdown_timeout_is_zero_is_killed_as_soon_as_asked_to_stop() {
    let system = System::new();
    let (team, mut events) = team(&system, Supervision::default()).await;
    // It would stop at once, but is given no time at all.
    let hasty = team
        .hire("hasty", Duration::ZERO, Duration::ZERO)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(events.recv().await, "start hasty");
    let started = Instant::now();
    team.stop().await;
    assert_eq!(hasty.wait_stopped().await, StopReason::Killed);
    assert!(started.elapsed() < Duration::from_secs(1));
    settle().await;
    assert_eq!(events.try_recv(), None, "its on_stop did not run");
}

#[tokio::test(start_paused = true)]
async fn a_sibling_with_no_shutdown_limit_is_waited_for_before_a_restart() {
    for limit in ENDLESS {
        let limit = limit();
        let system = System::new();
        let (team, mut events) = team(&system, Supervision::new(Strategy::OneForAll)).await;
        team.hire("steady", limit, HOUR).await.unwrap().unwrap();
        let flaky = team
            .hire("flaky", Duration::from_secs(5), Duration::ZERO)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(events.recv().await, "start steady");
        assert_eq!(events.recv().await, "start flaky");
        let started = Instant::now();
        assert!(matches!(
            flaky.boom().ask().await,
            Err(Error::NoReply { .. })
        ));
        let mut seen = Vec::new();
        while seen.last().map(String::as_str) != Some("start flaky") {
            seen.push(events.recv().await);
        }
        assert_eq!(started.elapsed(), HOUR);
        // Stopped by its own `on_stop` (an hour long), not killed; then restarted.
        let at = |event: &str| seen.iter().position(|e| e == event);
        let (Some(stopped), Some(started)) = (at("stop steady"), at("start steady")) else {
            panic!("steady was not stopped and restarted: {seen:?}");
        };
        assert!(stopped < started, "{seen:?}");
        system.shutdown_within(Duration::MAX).await;
    }
}

// The restart limit.

/// Fails `member` and waits for its restart (its next start).
async fn fail_and_restart(member: &ActorRef<Member>, events: &mut Inbox<String>) {
    assert!(matches!(
        member.boom().ask().await,
        Err(Error::NoReply { .. })
    ));
    while events.recv().await != "start flaky" {}
}

/// A team under `limit`, with a flaky child hired and started.
async fn team_with_flaky(
    system: &System,
    limit: Supervision,
) -> (ActorRef<Team>, ActorRef<Member>, Inbox<String>) {
    let (team, mut events) = team(system, limit).await;
    let flaky = team
        .hire("flaky", Duration::from_secs(5), Duration::ZERO)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(events.recv().await, "start flaky");
    (team, flaky, events)
}

fn gave_up(reason: &StopReason) -> bool {
    matches!(reason, StopReason::Failed(failure) if failure.kind() == &FailureKind::RestartLimit)
}

#[tokio::test(start_paused = true)]
async fn max_restarts_within_max_counts_every_restart_forever() {
    let limit = Supervision::default().max_restarts(2, Duration::MAX);
    assert_eq!(limit.limit(), (2, Duration::MAX));
    let system = System::new();
    let (team, flaky, mut events) = team_with_flaky(&system, limit).await;
    // A restart a year: far apart, and still counted.
    for _ in 0..2 {
        fail_and_restart(&flaky, &mut events).await;
        tokio::time::advance(365 * DAY).await;
    }
    assert!(team.is_alive());
    let _ = flaky.boom().ask().await;
    let reason = team.wait_stopped().await;
    assert!(gave_up(&reason), "{reason:?}");
}

#[tokio::test(start_paused = true)]
async fn max_restarts_within_zero_counts_restarts_within_a_millisecond() {
    let limit = Supervision::default().max_restarts(1, Duration::ZERO);
    assert_eq!(limit.limit(), (1, Duration::from_millis(1)));
    let system = System::new();
    let (team, flaky, mut events) = team_with_flaky(&system, limit).await;
    // Two milliseconds apart: each restart is alone in its window.
    for _ in 0..3 {
        fail_and_restart(&flaky, &mut events).await;
        tokio::time::advance(Duration::from_millis(2)).await;
    }
    assert!(team.is_alive());
    // Two at the same instant: the second is one too many.
    fail_and_restart(&flaky, &mut events).await;
    let _ = flaky.boom().ask().await;
    let reason = team.wait_stopped().await;
    assert!(gave_up(&reason), "{reason:?}");
}

// Inboxes.

#[tokio::test(start_paused = true)]
async fn recv_timeout_max_waits_for_a_late_message() {
    let mut inbox = Inbox::new();
    for limit in ENDLESS {
        let limit = limit();
        let to = inbox.recipient();
        let started = Instant::now();
        tokio::spawn(async move {
            a_century_passes().await;
            to.tell(7u32).await.unwrap();
        });
        assert_eq!(inbox.recv_timeout(limit).await, Some(7));
        assert_eq!(started.elapsed(), CENTURY);
    }
}

#[tokio::test(start_paused = true)]
async fn recv_timeout_zero_takes_only_what_is_there() {
    let mut inbox = Inbox::new();
    let started = Instant::now();
    assert_eq!(inbox.recv_timeout(Duration::ZERO).await, None);
    inbox.recipient().try_tell(1u32).unwrap();
    assert_eq!(inbox.recv_timeout(Duration::ZERO).await, Some(1));
    assert_eq!(started.elapsed(), Duration::ZERO);
}
