//! Supervision edge cases: a panicking `on_stop` or `decide_to_start` around a restart, and a
//! person's stop, must not restart a closed mailbox, count toward the limit, or take the
//! supervisor down.

use std::time::Duration;

use aplay::prelude::*;
use aplay::{Restart, StartState, Supervision};

/// A child whose instance 0 can be told to stop itself, and whose `on_stop` panics (instance 0
/// only, or always).
struct Child {
    stop_panics_always: bool,
}

impl Actor for Child {
    async fn on_stop(&mut self, ctx: &mut Context<Self>, _reason: &StopReason) {
        if self.stop_panics_always || ctx.myself_any().restarts() == 0 {
            panic!("on_stop panics");
        }
    }
}

#[aplay::actor]
impl Child {
    fn finish(&self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
    fn ping(&self) -> u32 {
        7
    }
    fn crash(&self) {
        panic!("crash");
    }
    fn link_to(&self, partner: AnyRef, ctx: &mut Context<Self>) {
        ctx.link(&partner);
    }
}

/// A parent with a given limit and restart type for its one child.
struct Parent {
    restart: Restart,
    limit: Supervision,
    always: bool,
}

impl Actor for Parent {
    fn supervision(&self) -> Supervision {
        self.limit
    }
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let always = self.always;
        ctx.spawn_supervised("child", self.restart, move || Child {
            stop_panics_always: always,
        })
        .await?;
        Ok(())
    }
}

#[aplay::actor]
impl Parent {
    fn sync(&self) {}
}

/// A transient child that stops itself and whose `on_stop` panics: the stop was final before
/// `on_stop` ran (its mailbox closed), so the panic does not restart it.
#[tokio::test]
async fn a_final_stop_stays_final_when_on_stop_panics() {
    let system = System::new();
    let parent = Parent {
        restart: Restart::Transient,
        limit: Supervision::default(),
        always: false,
    };
    let parent = system.spawn("parent", parent).await.unwrap();
    let child = system.lookup::<Child>("/parent/child").unwrap();
    child.finish().await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while ActorRef::to_any(&child).restarts() == 0 && child.is_alive() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    parent.sync().ask().await.unwrap();
    // Its own stop was final before `on_stop` panicked: it ends, with that failure, and is
    // not restarted onto a mailbox it had closed.
    assert!(child.wait_stopped().await.is_failure());
    assert_eq!(ActorRef::to_any(&child).restarts(), 0);
    assert!(system.lookup_any("/parent/child").is_none());
}

/// A person's stop of a supervised child whose `on_stop` panics is final: it does not count as
/// a restart, so a supervisor that allows none does not give up.
#[tokio::test]
async fn a_persons_stop_never_counts_toward_the_limit() {
    let system = System::new();
    let strict = Supervision::default().max_restarts(0, Duration::from_secs(60));
    let parent = Parent {
        restart: Restart::Permanent,
        limit: strict,
        always: true,
    };
    let parent = system.spawn("parent", parent).await.unwrap();
    let child = system.lookup::<Child>("/parent/child").unwrap();
    child.stop().await;
    let _ = parent.sync().ask().await;
    assert!(
        parent.is_alive(),
        "{:?}",
        ActorRef::to_any(&parent).stop_reason()
    );
}

/// Vetoes every restart by panicking.
struct PanickyVeto;
impl Actor for PanickyVeto {
    fn decide_to_start(&self, state: &StartState) -> bool {
        assert!(state.restarts == 0, "decide_to_start panics");
        true
    }
}
#[aplay::actor]
impl PanickyVeto {
    fn crash(&self) {
        panic!("crash");
    }
}
struct VetoParent;
impl Actor for VetoParent {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn_supervised("child", Restart::Permanent, || PanickyVeto)
            .await?;
        Ok(())
    }
}
#[aplay::actor]
impl VetoParent {
    fn sync(&self) {}
}

/// A panic in `decide_to_start` during a restart is the child's failure, as at a first start,
/// and never unwinds through its supervisor.
#[tokio::test]
async fn a_panic_in_decide_to_start_at_a_restart_is_the_childs_failure() {
    let system = System::new();
    let parent = system.spawn("parent", VetoParent).await.unwrap();
    let child = system.lookup::<PanickyVeto>("/parent/child").unwrap();
    child.crash().await.unwrap();
    let _ = child.wait_stopped().await;
    let _ = parent.sync().ask().await;
    assert!(
        parent.is_alive(),
        "{:?}",
        ActorRef::to_any(&parent).stop_reason()
    );
}
