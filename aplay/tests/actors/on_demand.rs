//! Actors whose hooks are all the defaults' (`#[actor]` on the struct) start their task with
//! their first message: until then they hold no task, yet they are running from their spawn
//! on, and every way of reaching or ending them works as for any actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::common::Log;
use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Idle {
    count: u64,
    /// Set when the actor value is dropped.
    dropped: Option<Arc<AtomicBool>>,
    /// What it added, seen from outside.
    total: Option<Arc<AtomicU64>>,
}

#[actor]
impl Idle {
    fn add(&mut self, n: u64) {
        self.count += n;
        if let Some(total) = &self.total {
            total.fetch_add(n, Ordering::SeqCst);
        }
    }

    fn get(&self) -> u64 {
        self.count
    }
}

impl Drop for Idle {
    fn drop(&mut self) {
        if let Some(dropped) = &self.dropped {
            dropped.store(true, Ordering::SeqCst);
        }
    }
}

/// A parent that hears its children's stops.
struct Parent {
    log: Log,
}

impl Actor for Parent {
    async fn on_child_stopped(
        &mut self,
        _ctx: &mut Context<Self>,
        child: &AnyRef,
        reason: &StopReason,
    ) {
        self.log.push(format!("child {} {reason}", child.path()));
    }
}

#[actor]
impl Parent {
    async fn spawn_idle(
        &mut self,
        name: String,
        ctx: &mut Context<Self>,
    ) -> Result<ActorRef<Idle>, Error> {
        ctx.spawn(&name, Idle::default()).await
    }

    fn ping(&self) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tell_from_a_thread_outside_the_runtime_starts_the_actor() {
    let system = System::new();
    let idle = system.spawn("idle", Idle::default()).await.unwrap();
    assert_eq!(ActorRef::state(&idle), aplay::ActorState::Running);
    // The first message wakes it from a plain thread: its task is spawned on the system's
    // runtime, not the caller's (which has none).
    let from_thread = idle.clone();
    std::thread::spawn(move || from_thread.add(3).try_tell().unwrap())
        .join()
        .expect("a tell from outside the runtime");
    assert_eq!(idle.get().await.unwrap(), 3);
    system.shutdown().await;
}

#[tokio::test]
async fn an_actor_that_never_got_a_message_stops_for_the_right_reason() {
    let system = System::new();
    let log = Log::default();
    let parent = system
        .spawn("parent", Parent { log: log.clone() })
        .await
        .unwrap();

    let stopped = parent.spawn_idle("stopped".into()).await.unwrap().unwrap();
    assert_eq!(stopped.stop().await, StopReason::StoppedByPerson);
    assert!(ActorRef::to_any(&stopped).stopped_by_person());
    assert!(matches!(stopped.add(1).await, Err(Error::Stopped(_))));
    // Its address is free again at once.
    assert!(system.lookup::<Idle>("/parent/stopped").is_none());

    let killed = parent.spawn_idle("killed".into()).await.unwrap().unwrap();
    killed.kill();
    assert_eq!(killed.wait_stopped().await, StopReason::Killed);

    let shut = parent.spawn_idle("shut".into()).await.unwrap().unwrap();
    // Its parent hears of the first two (a notice is handled before the next message).
    parent.ping().await.unwrap();
    assert_eq!(
        log.entries(),
        [
            "child /parent/stopped stopped by a person",
            "child /parent/killed killed",
        ]
    );
    assert_eq!(system.shutdown().await, StopReason::Shutdown);
    assert_eq!(shut.wait_stopped().await, StopReason::Shutdown);
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test]
async fn a_stopped_actor_handles_what_was_queued_first() {
    let system = System::new();
    let total = Arc::new(AtomicU64::new(0));
    let idle = Idle {
        count: 0,
        dropped: None,
        total: Some(Arc::clone(&total)),
    };
    let idle = system.spawn("idle", idle).await.unwrap();
    for _ in 0..5 {
        idle.add(1).try_tell().unwrap();
    }
    // Queued messages start its task: the stop comes after them.
    assert_eq!(idle.stop().await, StopReason::StoppedByPerson);
    assert_eq!(total.load(Ordering::SeqCst), 5);
    let reply = idle.get().await;
    assert!(matches!(reply, Err(Error::Stopped(_))), "{reply:?}");
    system.shutdown().await;
}

#[test]
fn a_never_started_actor_is_dropped_with_its_runtime() {
    let dropped = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let idle = Idle {
            count: 0,
            dropped: Some(Arc::clone(&dropped)),
            total: None,
        };
        system.spawn("idle", idle).await.unwrap();
        // No shutdown: the program ends with the runtime.
    });
    assert!(!dropped.load(Ordering::SeqCst));
    drop(runtime);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the actor value is dropped when its runtime goes, as a started one's task would be"
    );
}
