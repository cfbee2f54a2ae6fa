//! Stopping: by a person (`ActorRef::stop`), by itself (`ctx.stop`), `kill`, and the system
//! shutdown with its order and time limits.

use std::time::Duration;

use crate::common::{Log, Probe, hold};
use aplay::prelude::*;

#[tokio::test]
async fn stop_handles_what_is_queued_then_returns_once_stopped() {
    let system = System::new();
    let log = Log::default();
    let probe = system.spawn("p", Probe::new(&log)).await.unwrap();
    let release = hold(&probe).await;
    for _ in 0..5 {
        probe.add(1).await.unwrap();
    }
    let stopping = {
        let probe = probe.clone();
        tokio::spawn(async move { probe.stop().await })
    };
    release.send(()).unwrap();
    assert_eq!(stopping.await.unwrap(), StopReason::StoppedByPerson);
    assert!(!probe.is_alive());
    assert_eq!(ActorRef::state(&probe), aplay::ActorState::Stopped);
    assert!(
        log.entries()
            .contains(&"stop /p count=5 (stopped by a person)".to_string())
    );
    // A stopped actor's address is free again, at once.
    assert!(system.lookup::<Probe>("/p").is_none());
    let again = system.spawn("p", Probe::new(&log)).await.unwrap();
    assert!(again.is_alive());
    assert_ne!(again, probe);
}

#[tokio::test]
async fn stopping_a_stopped_actor_returns_at_once() {
    let system = System::new();
    let probe = system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap();
    assert_eq!(probe.stop().await, StopReason::StoppedByPerson);
    assert_eq!(probe.stop().await, StopReason::StoppedByPerson);
    assert_eq!(probe.wait_stopped().await, StopReason::StoppedByPerson);
}

#[tokio::test]
async fn a_person_stop_is_visible_in_the_state() {
    let system = System::new();
    let probe = system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap();
    let any = ActorRef::to_any(&probe);
    assert!(!any.stopped_by_person());
    probe.stop().await;
    assert!(any.stopped_by_person());
    assert_eq!(any.stop_reason(), Some(StopReason::StoppedByPerson));
}

#[tokio::test]
async fn ctx_stop_stops_after_the_current_message_and_refuses_the_queue() {
    let system = System::new();
    let log = Log::default();
    let probe = system.spawn("p", Probe::new(&log)).await.unwrap();
    let release = hold(&probe).await;
    probe.add(1).await.unwrap();
    probe.stop_after().await.unwrap();
    probe.add(10).await.unwrap();
    let late_ask = {
        let probe = probe.clone();
        tokio::spawn(async move { probe.get().await })
    };
    while ActorRef::to_any(&probe).mailbox_len() != Some(4) {
        tokio::task::yield_now().await;
    }
    release.send(()).unwrap();
    assert_eq!(probe.wait_stopped().await, StopReason::Normal);
    assert!(
        log.entries()
            .contains(&"stop /p count=1 (stopped itself)".to_string())
    );
    let err = late_ask.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::NoReply { .. }), "{err:?}");
}

#[tokio::test]
async fn kill_stops_now_and_queued_asks_get_errors() {
    let system = System::new();
    let log = Log::default();
    let probe = system.spawn("p", Probe::new(&log)).await.unwrap();
    let _release = hold(&probe).await;
    let asks: Vec<_> = (0..3)
        .map(|_| {
            let probe = probe.clone();
            tokio::spawn(async move { probe.get().await })
        })
        .collect();
    // Let every ask reach the mailbox.
    while ActorRef::to_any(&probe).mailbox_len() != Some(3) {
        tokio::task::yield_now().await;
    }
    probe.kill();
    assert_eq!(probe.wait_stopped().await, StopReason::Killed);
    for ask in asks {
        let err = ask.await.unwrap().unwrap_err();
        assert!(matches!(err, Error::NoReply { .. }), "{err:?}");
    }
    // `on_stop` does not run for a kill.
    assert!(!log.entries().iter().any(|e| e.starts_with("stop ")));
    assert!(system.lookup::<Probe>("/p").is_none());
}

#[tokio::test]
async fn killing_a_parent_kills_its_children() {
    let system = System::new();
    let log = Log::default();
    let parent = system.spawn("parent", Probe::new(&log)).await.unwrap();
    parent.spawn_child("child".into()).await.unwrap().unwrap();
    let child = system.lookup::<Probe>("/parent/child").unwrap();
    parent.kill();
    assert_eq!(parent.wait_stopped().await, StopReason::Killed);
    assert_eq!(child.wait_stopped().await, StopReason::Killed);
}

#[tokio::test]
async fn shutdown_stops_children_before_parents_and_younger_siblings_first() {
    let system = System::new();
    let log = Log::default();
    let a = system.spawn("a", Probe::new(&log)).await.unwrap();
    a.spawn_child("a1".into()).await.unwrap().unwrap();
    a.spawn_child("a2".into()).await.unwrap().unwrap();
    let b = system.spawn("b", Probe::new(&log)).await.unwrap();
    b.add(2).await.unwrap();
    assert_eq!(system.actor_count(), 5);
    system.shutdown().await;
    let stops: Vec<_> = log
        .entries()
        .into_iter()
        .filter(|e| e.starts_with("stop "))
        .collect();
    assert_eq!(
        stops,
        [
            "stop /b count=2 (shut down with its parent)",
            "stop /a/a2 count=0 (shut down with its parent)",
            "stop /a/a1 count=0 (shut down with its parent)",
            "stop /a count=0 (shut down with its parent)",
        ]
    );
    assert_eq!(system.actor_count(), 0);
    assert!(!system.root().is_alive());
    // After a shutdown nothing new can start.
    let err = system.spawn("late", Probe::new(&log)).await.unwrap_err();
    assert!(matches!(err, Error::ParentStopping { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn an_actor_that_overruns_its_shutdown_time_limit_is_killed() {
    let system = System::new();
    let log = Log::default();
    let mut slow = Probe::new(&log);
    slow.stop_delay = Some(Duration::from_secs(3600));
    slow.shutdown_timeout = Duration::from_millis(100);
    let slow = system.spawn("slow", slow).await.unwrap();
    let quick = system.spawn("quick", Probe::new(&log)).await.unwrap();
    let started = tokio::time::Instant::now();
    system.shutdown().await;
    assert_eq!(slow.wait_stopped().await, StopReason::Killed);
    assert_eq!(quick.wait_stopped().await, StopReason::Shutdown);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Siblings stop one after the other, youngest first, each within its own time limit: a
/// short limit of a sibling stopped before does not cut a longer one short, and a long one
/// does not delay a shorter one.
#[tokio::test(start_paused = true)]
async fn each_sibling_gets_its_own_shutdown_time_limit() {
    let system = System::new();
    let log = Log::default();
    let probe = |limit: u64, stuck: bool| {
        let mut probe = Probe::new(&log);
        probe.shutdown_timeout = Duration::from_secs(limit);
        if stuck {
            probe.stop_delay = Some(Duration::from_secs(3600));
        }
        probe
    };
    // Stopped in this order: quick (1 s, stops at once), patient (10 s, stuck), hasty (2 s,
    // stuck), calm (60 s, stops at once).
    let calm = system.spawn("calm", probe(60, false)).await.unwrap();
    let hasty = system.spawn("hasty", probe(2, true)).await.unwrap();
    let patient = system.spawn("patient", probe(10, true)).await.unwrap();
    let quick = system.spawn("quick", probe(1, false)).await.unwrap();
    let started = tokio::time::Instant::now();
    system.shutdown().await;
    let elapsed = started.elapsed();
    assert_eq!(quick.wait_stopped().await, StopReason::Shutdown);
    assert_eq!(patient.wait_stopped().await, StopReason::Killed);
    assert_eq!(hasty.wait_stopped().await, StopReason::Killed);
    assert_eq!(calm.wait_stopped().await, StopReason::Shutdown);
    // 10 s for `patient`, then 2 s for `hasty`: not cut at 1 s, and not 10 s each.
    assert!(
        elapsed >= Duration::from_secs(12) && elapsed < Duration::from_secs(13),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_within_kills_what_is_left_after_the_limit() {
    let system = System::new();
    let log = Log::default();
    let mut stuck = Probe::new(&log);
    stuck.stop_delay = Some(Duration::from_secs(3600));
    stuck.shutdown_timeout = Duration::from_secs(7200);
    let stuck = system.spawn("stuck", stuck).await.unwrap();
    system.shutdown_within(Duration::from_secs(1)).await;
    assert_eq!(stuck.wait_stopped().await, StopReason::Killed);
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test]
async fn join_waits_for_the_end_from_many_places() {
    let system = System::new();
    let probe = system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap();
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let probe = probe.clone();
            tokio::spawn(async move { probe.wait_stopped().await })
        })
        .collect();
    probe.stop_after().await.unwrap();
    for w in waiters {
        assert_eq!(w.await.unwrap(), StopReason::Normal);
    }
}

/// Stops itself or the whole system from inside its own handler.
#[actor]
struct SelfStopper;

#[actor]
impl SelfStopper {
    async fn stop_myself(&mut self, ctx: &mut Context<Self>) -> StopReason {
        ctx.myself().stop().await
    }

    async fn shut_everything_down(&mut self, ctx: &mut Context<Self>) -> StopReason {
        ctx.system().shutdown().await
    }

    async fn stop_my_parent(&mut self, ctx: &mut Context<Self>) -> StopReason {
        ctx.parent().expect("spawned under a parent").stop().await
    }

    async fn spawn_stopper(
        &mut self,
        name: String,
        ctx: &mut Context<Self>,
    ) -> Result<ActorRef<SelfStopper>, Error> {
        ctx.spawn(&name, SelfStopper).await
    }
}

#[tokio::test]
async fn stopping_itself_through_its_own_ref_does_not_wait_for_itself() {
    let system = System::new();
    let actor = system.spawn("me", SelfStopper).await.unwrap();
    assert_eq!(
        actor.stop_myself().await.unwrap(),
        StopReason::StoppedByPerson
    );
    assert_eq!(actor.wait_stopped().await, StopReason::StoppedByPerson);
}

#[tokio::test]
async fn a_shutdown_requested_from_a_handler_does_not_wait_for_that_handler() {
    let system = System::new();
    let actor = system.spawn("me", SelfStopper).await.unwrap();
    assert_eq!(
        actor.shut_everything_down().await.unwrap(),
        StopReason::Shutdown
    );
    assert_eq!(system.root().wait_stopped().await, StopReason::Shutdown);
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test]
async fn a_child_stopping_its_parent_from_a_handler_does_not_wait_for_itself() {
    let system = System::new();
    let parent = system.spawn("parent", SelfStopper).await.unwrap();
    let child = parent.spawn_stopper("child".into()).await.unwrap().unwrap();
    // The parent's stop waits for the child, whose handler is the one asking: it must not
    // wait, or the child would only end when its shutdown time limit kills it.
    assert_eq!(
        child.stop_my_parent().await.unwrap(),
        StopReason::StoppedByPerson
    );
    assert_eq!(parent.wait_stopped().await, StopReason::StoppedByPerson);
    assert_eq!(
        child.wait_stopped().await,
        StopReason::Shutdown,
        "stopped, not killed"
    );
}

/// A parent whose child takes longer to stop than the parent's own time limit.
struct Impatient;

impl Actor for Impatient {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn("slow", Slow).await?;
        Ok(())
    }

    fn shutdown_timeout(&self) -> Duration {
        Duration::from_millis(100)
    }
}

#[actor]
impl Impatient {}

/// Its `on_stop` never ends; only a kill stops it. Below it, a chain of actors, each killed
/// by its parent's end, one task after another.
struct Slow;

impl Actor for Slow {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn("link", Link(200)).await?;
        Ok(())
    }

    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        std::future::pending::<()>().await;
    }

    fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(7200)
    }
}

#[actor]
impl Slow {}

struct Link(u32);

impl Actor for Link {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if self.0 > 0 {
            ctx.spawn("link", Link(self.0 - 1)).await?;
        }
        Ok(())
    }
}

#[actor]
impl Link {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_only_after_descendants_killed_on_the_way_have_ended() {
    let system = System::new();
    let parent = system.spawn("impatient", Impatient).await.unwrap();
    let child = system.lookup::<Slow>("/impatient/slow").unwrap();
    system.shutdown().await;
    // The parent overran its limit and was killed; killing it killed its child, which ends
    // on its own task. Shutdown waited for that end too.
    assert!(!parent.is_alive());
    assert!(!child.is_alive());
    assert_eq!(system.actor_count(), 0);
    assert_eq!(child.wait_stopped().await, StopReason::Killed);
}

/// An actor with every hook left to its default (`#[actor]` on the struct): its spawn does
/// not wait for its task to run a no-op `on_start`.
#[actor]
#[derive(Default)]
struct Plain {
    seen: Vec<u32>,
}

#[actor]
impl Plain {
    fn push(&mut self, n: u32) {
        self.seen.push(n);
    }

    fn seen(&self) -> Vec<u32> {
        self.seen.clone()
    }
}

// One thread: nothing runs the new actor's task until this test yields.
#[tokio::test(flavor = "current_thread")]
async fn an_actor_with_default_hooks_runs_from_its_spawn_on() {
    let system = System::new();
    let plain = system.spawn("plain", Plain::default()).await.unwrap();
    assert_eq!(ActorRef::state(&plain), aplay::ActorState::Running);
    for n in 1..=3 {
        plain.push(n).try_tell().unwrap();
    }
    assert_eq!(plain.seen().await.unwrap(), [1, 2, 3]);
    assert_eq!(plain.stop().await, StopReason::StoppedByPerson);

    // Killed before its task ever ran: it still ends for good, and frees its address.
    let early = system.spawn("early", Plain::default()).await.unwrap();
    early.kill();
    assert_eq!(early.wait_stopped().await, StopReason::Killed);
    assert!(system.lookup::<Plain>("/early").is_none());
    let again = system.spawn("early", Plain::default()).await.unwrap();
    assert!(again.is_alive());
    system.shutdown().await;
}

#[tokio::test]
async fn children_stopped_in_any_order_leave_the_others_in_start_order() {
    let system = System::new();
    let mut alive: Vec<ActorRef<Probe>> = Vec::new();
    for i in 0..300 {
        let name = format!("p{i}");
        alive.push(
            system
                .spawn(&name, Probe::new(&Log::default()))
                .await
                .unwrap(),
        );
    }
    let children = |system: &System| -> Vec<String> {
        system
            .root()
            .children()
            .iter()
            .map(|c| c.path().to_string())
            .collect()
    };
    // A scrambled order (a fixed permutation: 7 is prime to 300), checked after every stop:
    // slots emptied in the middle, compaction as they add up, the youngest and the oldest.
    let order: Vec<usize> = (0..300).map(|i| (i * 7 + 3) % 300).collect();
    let mut stopped = vec![false; 300];
    for (done, &i) in order.iter().enumerate() {
        alive[i].stop().await;
        stopped[i] = true;
        let expected: Vec<String> = (0..300)
            .filter(|&j| !stopped[j])
            .map(|j| format!("/p{j}"))
            .collect();
        assert_eq!(children(&system), expected, "after {} stops", done + 1);
    }
    // Spawned again after all that: in order, as new.
    let a = system
        .spawn("a", Probe::new(&Log::default()))
        .await
        .unwrap();
    let b = system
        .spawn("b", Probe::new(&Log::default()))
        .await
        .unwrap();
    assert_eq!(children(&system), ["/a", "/b"]);
    a.stop().await;
    assert_eq!(children(&system), ["/b"]);
    b.stop().await;
    assert!(children(&system).is_empty());
}

/// Every hook the default's, as `#[actor]` on the struct gives: an idle one is stopped by a
/// shutdown without a round trip. Its handlers note what they do in a log.
#[actor]
#[derive(Default)]
struct Quiet {
    name: &'static str,
    log: Log,
}

#[actor]
impl Quiet {
    fn note(&mut self) {
        self.log.push(format!("note {}", self.name));
    }

    async fn hold(
        &mut self,
        entered: tokio::sync::oneshot::Sender<()>,
        release: tokio::sync::oneshot::Receiver<()>,
    ) {
        let _ = entered.send(());
        let _ = release.await;
        self.log.push(format!("released {}", self.name));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_stops_many_idle_children_each_as_a_shutdown() {
    let system = System::new();
    let log = Log::default();
    let mut idle = Vec::new();
    for i in 0..2_000 {
        let name = format!("q{i}");
        let quiet = Quiet {
            name: "idle",
            log: log.clone(),
        };
        idle.push(system.spawn(&name, quiet).await.unwrap());
    }
    // Each has run (it waits for a message): the next shutdown finds them idle.
    for actor in &idle {
        actor.note().await.unwrap();
    }
    while log.entries().len() < idle.len() {
        tokio::task::yield_now().await;
    }
    assert_eq!(system.shutdown().await, StopReason::Shutdown);
    for actor in &idle {
        assert_eq!(actor.wait_stopped().await, StopReason::Shutdown);
    }
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_waits_for_a_busy_default_hooks_child_before_its_older_siblings() {
    let system = System::new();
    let log = Log::default();
    let older = system.spawn("older", Probe::new(&log)).await.unwrap();
    let busy = system
        .spawn(
            "busy",
            Quiet {
                name: "busy",
                log: log.clone(),
            },
        )
        .await
        .unwrap();
    let younger = system
        .spawn(
            "younger",
            Quiet {
                name: "younger",
                log: log.clone(),
            },
        )
        .await
        .unwrap();
    younger.note().await.unwrap();
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel();
    busy.hold(entered_tx, release_rx).await.unwrap();
    entered_rx.await.unwrap();
    // Its mailbox is empty, but it is in a handler: not idle.

    let shutdown = tokio::spawn({
        let system = system.clone();
        async move { system.shutdown().await }
    });
    // The youngest, idle, goes at once; the busy one holds up its older sibling.
    assert_eq!(younger.wait_stopped().await, StopReason::Shutdown);
    assert!(
        tokio::time::timeout(Duration::from_millis(100), older.wait_stopped())
            .await
            .is_err(),
        "the older sibling stops only after the busy one"
    );
    release_tx.send(()).unwrap();
    assert_eq!(shutdown.await.unwrap(), StopReason::Shutdown);
    assert_eq!(busy.wait_stopped().await, StopReason::Shutdown);
    let entries = log.entries();
    let at = |entry: &str| {
        entries
            .iter()
            .position(|e| e.starts_with(entry))
            .unwrap_or_else(|| panic!("{entry:?} in {entries:?}"))
    };
    assert!(at("released busy") < at("stop /older"), "{entries:?}");
}
