//! Failures: panics in handlers and hooks, errors from `on_start` and from told handlers.
//! The actor stops with a failure reason, its parent is told, the rest goes on.

use crate::common::{Log, Probe};
use aplay::prelude::*;
use aplay::{Directive, FailureKind, HandlerError};

fn failure_kind(reason: &StopReason) -> FailureKind {
    match reason {
        StopReason::Failed(failure) => failure.kind().clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_panicking_handler_stops_its_actor_tells_the_parent_and_spares_the_siblings() {
    let system = System::new();
    let log = Log::default();
    let parent = system.spawn("parent", Probe::new(&log)).await.unwrap();
    parent.spawn_child("bad".into()).await.unwrap().unwrap();
    parent.spawn_child("good".into()).await.unwrap().unwrap();
    let bad = system.lookup::<Probe>("/parent/bad").unwrap();
    let good = system.lookup::<Probe>("/parent/good").unwrap();

    assert!(matches!(
        bad.boom("no more".into()).await,
        Err(Error::NoReply { .. })
    ));
    let reason = bad.wait_stopped().await;
    assert_eq!(failure_kind(&reason), FailureKind::HandlerPanic);
    assert!(reason.to_string().contains("no more"), "{reason}");

    // The parent heard of it (between its messages), and the sibling is fine.
    assert_eq!(parent.get().await.unwrap(), 0);
    assert!(
        log.entries()
            .iter()
            .any(|e| e.starts_with("child /parent/bad failed: a handler panicked")),
        "{:?}",
        log.entries()
    );
    good.add(1).await.unwrap();
    assert_eq!(good.get().await.unwrap(), 1);
    assert_eq!(ActorRef::to_any(&parent).children().len(), 1);
}

#[tokio::test]
async fn on_child_stopped_fires_for_every_kind_of_stop() {
    let system = System::new();
    let log = Log::default();
    let parent = system.spawn("parent", Probe::new(&log)).await.unwrap();
    for name in ["a", "b", "c"] {
        parent.spawn_child(name.into()).await.unwrap().unwrap();
    }
    system.lookup::<Probe>("/parent/a").unwrap().stop().await;
    system
        .lookup::<Probe>("/parent/b")
        .unwrap()
        .stop_after()
        .await
        .unwrap();
    let c = system.lookup::<Probe>("/parent/c").unwrap();
    c.kill();
    c.wait_stopped().await;
    // Wait until the parent has seen all three notices: a message queued behind them.
    let entries = loop {
        parent.get().await.unwrap();
        let e: Vec<_> = log
            .entries()
            .into_iter()
            .filter(|e| e.starts_with("child "))
            .collect();
        if e.len() == 3 {
            break e;
        }
        tokio::task::yield_now().await;
    };
    assert!(entries.contains(&"child /parent/a stopped by a person".to_string()));
    assert!(entries.contains(&"child /parent/b stopped itself".to_string()));
    assert!(entries.contains(&"child /parent/c killed".to_string()));
}

struct FailsToStart {
    panic: bool,
}

impl Actor for FailsToStart {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn("helper", Probe::new(&Log::default())).await?;
        if self.panic {
            panic!("cannot start");
        }
        Err("no database".into())
    }
}

#[actor]
impl FailsToStart {}

#[tokio::test]
async fn an_error_or_panic_in_on_start_is_a_start_failure_and_frees_everything() {
    let system = System::new();
    let err = system
        .spawn("db", FailsToStart { panic: false })
        .await
        .unwrap_err();
    let Error::StartFailed { path, reason } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "/db");
    assert_eq!(failure_kind(reason), FailureKind::StartError);
    assert!(err.to_string().contains("no database"), "{err}");
    // The failed actor and the child it spawned are gone, the name is free.
    assert!(system.lookup_any("/db").is_none());
    assert!(system.lookup_any("/db/helper").is_none());

    let err = system
        .spawn("db", FailsToStart { panic: true })
        .await
        .unwrap_err();
    let Error::StartFailed { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure_kind(reason), FailureKind::StartPanic);
    assert!(reason.to_string().contains("cannot start"));
    assert_eq!(system.actor_count(), 1);
}

struct PanicsOnStop;

impl Actor for PanicsOnStop {
    async fn on_stop(&mut self, _ctx: &mut Context<Self>, _reason: &StopReason) {
        panic!("bad cleanup");
    }
}

#[actor]
impl PanicsOnStop {}

#[tokio::test]
async fn a_panic_in_on_stop_turns_the_stop_into_a_failure() {
    let system = System::new();
    let actor = system.spawn("x", PanicsOnStop).await.unwrap();
    let reason = actor.stop().await;
    assert_eq!(failure_kind(&reason), FailureKind::StopPanic);
    assert!(system.lookup_any("/x").is_none());
}

/// An actor whose told errors are handled as `on_error` decides.
struct Picky {
    directive: Directive,
    errors: Log,
}

impl Actor for Picky {
    fn on_error(&mut self, _ctx: &mut Context<Self>, error: HandlerError) -> Directive {
        self.errors
            .push(format!("{}: {}", error.handler(), error.message()));
        self.directive
    }
}

#[actor]
impl Picky {
    fn parse(&mut self, text: String) -> Result<u32, std::num::ParseIntError> {
        text.parse()
    }
}

#[tokio::test]
async fn an_asked_result_is_passed_through_and_a_told_error_goes_to_on_error() {
    let system = System::new();
    let errors = Log::default();
    let picky = system
        .spawn(
            "resume",
            Picky {
                directive: Directive::Resume,
                errors: errors.clone(),
            },
        )
        .await
        .unwrap();
    // Asked: the caller gets the handler's own Result, errors included.
    assert_eq!(picky.parse("7".into()).await.unwrap(), Ok(7));
    assert!(picky.parse("x".into()).await.unwrap().is_err());
    assert!(errors.entries().is_empty(), "an asked error is the asker's");
    // Told: the error goes to on_error; Resume goes on.
    picky.parse("y".into()).tell().await.unwrap();
    assert_eq!(picky.parse("8".into()).await.unwrap(), Ok(8));
    assert_eq!(errors.entries(), ["parse: invalid digit found in string"]);

    let stopping = system
        .spawn(
            "stop",
            Picky {
                directive: Directive::Stop,
                errors: errors.clone(),
            },
        )
        .await
        .unwrap();
    stopping.parse("z".into()).tell().await.unwrap();
    assert_eq!(stopping.wait_stopped().await, StopReason::Normal);

    let failing = system
        .spawn(
            "fail",
            Picky {
                directive: Directive::Fail,
                errors: errors.clone(),
            },
        )
        .await
        .unwrap();
    failing.parse("z".into()).tell().await.unwrap();
    let reason = failing.wait_stopped().await;
    assert_eq!(failure_kind(&reason), FailureKind::HandlerError);
    assert!(reason.to_string().contains("invalid digit"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runtime_survives_many_panics() {
    let system = System::new();
    let log = Log::default();
    for i in 0..50 {
        let p = system
            .spawn(&format!("p{i}"), Probe::new(&log))
            .await
            .unwrap();
        let _ = p.boom(format!("panic {i}")).await;
        assert!(p.wait_stopped().await.is_failure());
    }
    let survivor = system.spawn("survivor", Probe::new(&log)).await.unwrap();
    survivor.add(1).await.unwrap();
    assert_eq!(survivor.get().await.unwrap(), 1);
}

struct PanicsDeciding;

impl Actor for PanicsDeciding {
    fn decide_to_start(&self, _state: &aplay::StartState) -> bool {
        panic!("undecided");
    }
}

#[actor]
impl PanicsDeciding {}

#[tokio::test]
async fn a_panic_in_a_hook_run_at_spawn_is_a_start_failure_not_the_spawners() {
    let system = System::new();
    let err = system.spawn("x", PanicsDeciding).await.unwrap_err();
    let Error::StartFailed { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure_kind(reason), FailureKind::StartPanic);
    assert!(reason.to_string().contains("undecided"));
    assert!(system.lookup_any("/x").is_none());
}
