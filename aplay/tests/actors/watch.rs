//! Watching (one notice when another actor stops for good) and linking (failures travel).

use std::time::Duration;

use aplay::prelude::*;
use aplay::{ActorState, FailureKind, Restart};

/// Records the ends it hears of.
#[derive(Default)]
struct Watcher {
    seen: Vec<(String, bool)>,
}

impl Actor for Watcher {}

#[actor]
impl Watcher {
    fn watch_it(&mut self, path: String, ctx: &mut Context<Self>) -> bool {
        let Some(target) = ctx.system().lookup_any(&path) else {
            return false;
        };
        ctx.watch(&target, move |reason| {
            WatcherMsg::gone(path, reason.is_failure())
        });
        true
    }

    fn watch_ref(&mut self, target: AnyRef, ctx: &mut Context<Self>) {
        let path = target.path().to_string();
        ctx.watch(&target, move |reason| {
            WatcherMsg::gone(path, reason.is_failure())
        });
    }

    fn gone(&mut self, path: String, failed: bool) {
        self.seen.push((path, failed));
    }

    fn seen(&self) -> Vec<(String, bool)> {
        self.seen.clone()
    }

    fn link_to(&mut self, path: String, ctx: &mut Context<Self>) {
        let partner = ctx.system().lookup_any(&path).expect("partner exists");
        ctx.link(&partner);
    }

    fn boom(&mut self) {
        panic!("watcher fails");
    }
}

async fn seen_after(watcher: &ActorRef<Watcher>, n: usize) -> Vec<(String, bool)> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let seen = watcher.seen().await.unwrap();
            if seen.len() >= n {
                return seen;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the notice did not come")
}

#[tokio::test]
async fn a_watcher_gets_exactly_one_notice_with_the_reason() {
    let system = System::new();
    let watcher = system.spawn("watcher", Watcher::default()).await.unwrap();
    let a = system.spawn("a", Watcher::default()).await.unwrap();
    let b = system.spawn("b", Watcher::default()).await.unwrap();
    assert!(watcher.watch_it("/a".into()).await.unwrap());
    assert!(watcher.watch_it("/b".into()).await.unwrap());
    a.stop().await;
    let _ = b.boom().ask().await;
    let mut seen = seen_after(&watcher, 2).await;
    seen.sort();
    assert_eq!(seen, [("/a".to_string(), false), ("/b".to_string(), true)]);
    // Exactly one each: nothing more comes.
    watcher.gone("marker".into(), false).await.unwrap();
    assert_eq!(watcher.seen().await.unwrap().len(), 3);
}

#[tokio::test]
async fn watching_an_actor_already_gone_notifies_at_once() {
    let system = System::new();
    let watcher = system.spawn("watcher", Watcher::default()).await.unwrap();
    let a = system.spawn("a", Watcher::default()).await.unwrap();
    let any = ActorRef::to_any(&a);
    a.stop().await;
    watcher.watch_ref(any).await.unwrap();
    assert_eq!(seen_after(&watcher, 1).await, [("/a".to_string(), false)]);
}

/// Supervises one flaky child, to watch it across restarts.
struct Parent;

impl Actor for Parent {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn_supervised("child", Restart::Transient, Watcher::default)
            .await?;
        Ok(())
    }
}

#[actor]
impl Parent {}

#[tokio::test]
async fn a_restart_is_not_a_stop_for_watchers() {
    let system = System::new();
    let watcher = system.spawn("watcher", Watcher::default()).await.unwrap();
    system.spawn("parent", Parent).await.unwrap();
    let child = system.lookup::<Watcher>("/parent/child").unwrap();
    assert!(watcher.watch_it("/parent/child".into()).await.unwrap());
    let _ = child.boom().ask().await;
    let any = ActorRef::to_any(&child);
    while !(any.restarts() == 1 && any.state() == ActorState::Running) {
        tokio::task::yield_now().await;
    }
    child.stop().await;
    assert_eq!(
        seen_after(&watcher, 1).await,
        [("/parent/child".to_string(), false)]
    );
}

#[tokio::test]
async fn a_failure_travels_through_a_link_and_a_normal_stop_does_not() {
    let system = System::new();
    let a = system.spawn("a", Watcher::default()).await.unwrap();
    let b = system.spawn("b", Watcher::default()).await.unwrap();
    let c = system.spawn("c", Watcher::default()).await.unwrap();
    a.link_to("/b".into()).await.unwrap();
    c.link_to("/a".into()).await.unwrap();
    let _ = b.boom().ask().await;
    // b failed: a, linked to b, fails; c, linked to a, fails in turn.
    for linked in [&a, &c] {
        let reason = linked.wait_stopped().await;
        let StopReason::Failed(failure) = &reason else {
            panic!("{reason:?}")
        };
        assert_eq!(failure.kind(), &FailureKind::LinkedFailure);
    }

    let d = system.spawn("d", Watcher::default()).await.unwrap();
    let e = system.spawn("e", Watcher::default()).await.unwrap();
    d.link_to("/e".into()).await.unwrap();
    e.stop().await;
    d.gone("still here".into(), false).await.unwrap();
    assert!(d.is_alive(), "a normal stop does not travel through a link");
}

/// Panics when told a child stopped.
struct Fragile;

impl Actor for Fragile {
    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        _child: &AnyRef,
        _reason: &StopReason,
    ) {
        panic!("cannot bear it");
    }
}

#[actor]
impl Fragile {
    async fn adopt(&mut self, ctx: &mut Context<Self>) -> ActorRef<Watcher> {
        ctx.spawn("kid", Watcher::default()).await.unwrap()
    }
}

#[tokio::test]
async fn a_panic_in_on_child_stopped_fails_the_parent() {
    let system = System::new();
    let fragile = system.spawn("fragile", Fragile).await.unwrap();
    let kid = fragile.adopt().await.unwrap();
    kid.stop().await;
    let reason = fragile.wait_stopped().await;
    let StopReason::Failed(failure) = &reason else {
        panic!("{reason:?}")
    };
    assert_eq!(failure.kind(), &FailureKind::HookPanic);
    assert!(failure.message().contains("cannot bear it"));
}
