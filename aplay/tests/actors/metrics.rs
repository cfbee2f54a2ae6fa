//! Per-actor metrics: message counts, mailbox length and high-water mark, handler time,
//! restarts; readable from refs and the tree, and reported to a `MetricsSink`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Boss, Log, Probe, hold};
use aplay::ActorState;
use aplay::observe::{MessageHandled, MetricsSink};
use aplay::prelude::*;
use tokio::sync::mpsc;

/// Waits (yielding) until `done` holds.
async fn until(mut done: impl FnMut() -> bool) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while !done() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the condition came true");
}

#[tokio::test]
async fn counts_high_water_and_handler_time_are_exact_for_a_scripted_scenario() {
    let wall = Instant::now();
    let system = System::builder().metered(true).build();
    let probe = system
        .spawn(
            "p",
            Probe::new(&Log::default()).with_mailbox(Mailbox::bounded(16)),
        )
        .await
        .unwrap();
    let any = ActorRef::to_any(&probe);
    assert_eq!(any.mailbox_high_water(), Some(0));
    assert_eq!(any.handler_time(), Some(Default::default()));
    assert_eq!(any.mailbox_capacity(), Some(16));

    // The actor is held inside a handler while ten tells queue up.
    let release = hold(&probe).await;
    for _ in 0..10 {
        probe.add(1).await.unwrap();
    }
    let node = system.tree().find("/p").unwrap();
    assert_eq!(node.mailbox_len(), Some(10));
    assert_eq!(node.mailbox_high_water(), Some(10));
    assert_eq!(node.messages_handled(), 0);

    // Released, it handles the hold and the ten tells; nothing else is sent meanwhile.
    release.send(()).unwrap();
    until(|| any.messages_handled() == 11).await;
    let node = system.tree().find("/p").unwrap();
    assert_eq!(node.mailbox_len(), Some(0));
    assert_eq!(node.mailbox_high_water(), Some(10));
    assert_eq!(node.messages_handled(), 11);
    let time = node.handler_time().unwrap();
    assert!(time.max > Duration::ZERO, "{time:?}");
    assert!(
        time.max <= time.total && time.total <= wall.elapsed(),
        "{time:?}"
    );
    assert!(
        node.to_string()
            .starts_with("/p (Probe) running, mailbox 0 (peak 10), 11 handled in "),
        "{node}"
    );
    assert_eq!(probe.get().await.unwrap(), 10);
    system.shutdown().await;
}

#[tokio::test]
async fn an_unmetered_system_measures_no_time_and_keeps_its_rendering() {
    let system = System::new();
    let probe = system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap();
    probe.add(1).await.unwrap();
    assert_eq!(probe.get().await.unwrap(), 1);
    let any = ActorRef::to_any(&probe);
    assert_eq!(any.handler_time(), None);
    assert_eq!(any.mailbox_high_water(), None);
    assert_eq!(any.messages_handled(), 2);
    let node = system.tree().find("/p").unwrap();
    assert_eq!(
        (node.handler_time(), node.mailbox_high_water()),
        (None, None)
    );
    assert_eq!(node.to_string(), "/p (Probe) running, mailbox 0, 2 handled");
    system.shutdown().await;
}

/// What a sink heard, one line per report.
#[derive(Clone, Default)]
struct Heard(Arc<Mutex<Vec<String>>>);

impl Heard {
    fn about(&self, actor: &str) -> Vec<String> {
        let prefix = format!("{actor} ");
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|line| line.strip_prefix(&prefix).map(str::to_owned))
            .collect()
    }
}

impl MetricsSink for Heard {
    fn message_handled(&self, event: &MessageHandled<'_>) {
        assert!(event.actor_type.ends_with("Flaky") || event.actor_type.ends_with("Boss"));
        self.0.lock().unwrap().push(format!(
            "{} handled {} ({} waiting)",
            event.actor, event.handler, event.mailbox_len
        ));
    }
    fn started(&self, actor: &ActorPath) {
        self.0.lock().unwrap().push(format!("{actor} started"));
    }
    fn restarted(&self, actor: &ActorPath, restarts: u32) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{actor} restarted {restarts}"));
    }
    fn stopped(&self, actor: &ActorPath, reason: &StopReason) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{actor} stopped: {reason}"));
    }
}

#[tokio::test]
async fn restarts_are_counted_and_the_sink_hears_every_event() {
    let heard = Heard::default();
    let system = System::builder().metrics(heard.clone()).build();
    let (started, mut starts) = mpsc::unbounded_channel();
    let boss = system
        .spawn("boss", Boss::reporting_starts(started))
        .await
        .unwrap();
    let flaky = boss.hire().await.unwrap().unwrap();
    starts.recv().await.unwrap();
    assert!(flaky.boom().ask().await.is_err());
    // The next instance has started.
    starts.recv().await.unwrap();
    let any = ActorRef::to_any(&flaky);
    until(|| any.state() == ActorState::Running).await;
    flaky.ping().ask().await.unwrap();
    assert_eq!(any.restarts(), 1);
    assert_eq!(system.tree().find("/boss/flaky").unwrap().restarts(), 1);
    system.shutdown().await;

    assert_eq!(
        heard.about("/boss/flaky"),
        [
            "started",
            "restarted 1",
            "handled ping (1 waiting)",
            "stopped: shut down with its parent",
        ]
    );
    assert_eq!(
        heard.about("/boss"),
        [
            "started",
            "handled hire (1 waiting)",
            "stopped: shut down with its parent"
        ]
    );
    assert_eq!(
        heard.about("/"),
        ["started", "stopped: shut down with its parent"]
    );
}

/// A sink that panics on every message.
struct Broken;

impl MetricsSink for Broken {
    fn message_handled(&self, _event: &MessageHandled<'_>) {
        panic!("a broken sink");
    }
}

#[tokio::test]
async fn a_sink_that_panics_does_not_hurt_the_actor() {
    let system = System::builder().metrics(Broken).build();
    let probe = system
        .spawn("p", Probe::new(&Log::default()))
        .await
        .unwrap();
    probe.add(2).await.unwrap();
    assert_eq!(probe.get().await.unwrap(), 2);
    assert!(probe.is_alive());
    assert_eq!(ActorRef::to_any(&probe).messages_handled(), 2);
    system.shutdown().await;
}
