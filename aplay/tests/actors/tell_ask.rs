//! Tell, ask, try_tell and timeouts through the generated handle methods.

use std::time::Duration;

use crate::common;
use crate::common::{Log, Probe, hold};
use aplay::prelude::*;

/// A system with a probe at `/p` that has `mailbox`.
async fn probe(mailbox: Mailbox) -> (System, ActorRef<Probe>) {
    let system = System::new();
    let probe = Probe::new(&Log::default()).with_mailbox(mailbox);
    let probe = system.spawn("p", probe).await.unwrap();
    (system, probe)
}

#[tokio::test]
async fn tell_then_ask_sees_every_message_in_order() {
    let (_system, probe) = probe(Mailbox::default()).await;
    for i in 1..=100 {
        probe.add(i).await.unwrap();
    }
    assert_eq!(probe.get().await.unwrap(), 5050);
}

#[tokio::test]
async fn try_tell_on_a_full_mailbox_is_full_and_hands_the_message_back() {
    let (_system, probe) = probe(Mailbox::bounded(2)).await;
    let release = hold(&probe).await;
    probe.add(1).try_tell().unwrap();
    probe.add(2).try_tell().unwrap();
    let err = probe.add(40).try_tell().unwrap_err();
    assert!(matches!(err, Error::Full(_)), "{err:?}");
    let back: common::ProbeMsg = err.undelivered().unwrap().take_message().unwrap();
    assert!(matches!(back, common::ProbeMsg::Add { n: 40, .. }));
    release.send(()).unwrap();
    assert_eq!(probe.get().await.unwrap(), 3);
}

#[tokio::test]
async fn a_tell_waits_for_room_when_the_mailbox_is_full() {
    let (_system, probe) = probe(Mailbox::bounded(1)).await;
    let release = hold(&probe).await;
    probe.add(1).await.unwrap();
    let waiting = {
        let probe = probe.clone();
        tokio::spawn(async move { probe.add(2).await })
    };
    // The second tell cannot complete while the mailbox is full...
    tokio::task::yield_now().await;
    assert!(!waiting.is_finished());
    // ...and goes through once the actor drains it.
    release.send(()).unwrap();
    waiting.await.unwrap().unwrap();
    assert_eq!(probe.get().await.unwrap(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_tell_with_a_timeout_on_a_full_mailbox_hands_the_message_back() {
    let (_system, probe) = probe(Mailbox::bounded(1)).await;
    let _release = hold(&probe).await;
    probe.add(1).await.unwrap();
    let err = probe
        .add(7)
        .timeout(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SendTimeout(_)), "{err:?}");
    let back: common::ProbeMsg = err.undelivered().unwrap().take_message().unwrap();
    assert!(matches!(back, common::ProbeMsg::Add { n: 7, .. }));
}

#[tokio::test]
async fn unbounded_mailboxes_never_refuse() {
    let (_system, probe) = probe(Mailbox::unbounded()).await;
    let release = hold(&probe).await;
    for _ in 0..10_000 {
        probe.add(1).try_tell().unwrap();
    }
    release.send(()).unwrap();
    assert_eq!(probe.get().await.unwrap(), 10_000);
}

#[tokio::test(start_paused = true)]
async fn an_ask_times_out_and_a_late_reply_is_dropped() {
    let (_system, probe) = probe(Mailbox::default()).await;
    let release = hold(&probe).await;
    let err = probe
        .get()
        .timeout(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(err.to_string(), "/p did not reply within 1s");
    release.send(()).unwrap();
    // The actor handled the timed-out ask (its reply went nowhere) and goes on.
    assert_eq!(probe.get().await.unwrap(), 0);
}

#[tokio::test]
async fn ask_on_a_unit_handler_waits_until_it_was_handled() {
    let (_system, probe) = probe(Mailbox::default()).await;
    probe.add(5).ask().await.unwrap();
    probe.get().tell().await.unwrap();
    assert_eq!(probe.get().await.unwrap(), 5);
}

#[tokio::test]
async fn an_ask_whose_handler_panics_gets_an_error_not_a_hang() {
    let (_system, probe) = probe(Mailbox::default()).await;
    let err = probe.boom("kaboom".into()).await.unwrap_err();
    assert!(matches!(err, Error::NoReply { .. }), "{err:?}");
    let reason = probe.wait_stopped().await;
    assert!(reason.to_string().contains("kaboom"), "{reason}");
}

#[tokio::test]
async fn tell_and_ask_to_a_stopped_actor_are_refused_with_the_message() {
    let (_system, probe) = probe(Mailbox::default()).await;
    probe.stop().await;
    let err = probe.add(3).await.unwrap_err();
    assert!(matches!(err, Error::Stopped(_)), "{err:?}");
    assert_eq!(err.to_string(), "/p is not running");
    let back: common::ProbeMsg = err.undelivered().unwrap().take_message().unwrap();
    assert!(matches!(back, common::ProbeMsg::Add { n: 3, .. }));
    assert!(matches!(probe.get().await, Err(Error::Stopped(_))));
    assert!(matches!(probe.add(1).try_tell(), Err(Error::Stopped(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_senders_on_many_threads_lose_nothing() {
    let (_system, probe) = probe(Mailbox::bounded(8)).await;
    let senders: Vec<_> = (0..8)
        .map(|_| {
            let probe = probe.clone();
            tokio::spawn(async move {
                for _ in 0..5_000 {
                    probe.add(1).await.unwrap();
                }
            })
        })
        .collect();
    for s in senders {
        s.await.unwrap();
    }
    assert_eq!(probe.get().await.unwrap(), 40_000);
}

/// A chat room: its handlers take everyday names, which the ref leaves to them.
#[actor]
#[derive(Default)]
struct Room {
    members: Vec<String>,
    said: Vec<String>,
}

#[actor]
impl Room {
    fn join(&mut self, who: String) {
        self.members.push(who);
    }

    fn name(&self) -> String {
        "lobby".to_owned()
    }

    fn send(&mut self, line: String) {
        self.said.push(line);
    }

    fn state(&self) -> (usize, usize) {
        (self.members.len(), self.said.len())
    }

    fn recipient(&self) -> u32 {
        7
    }
}

#[tokio::test]
async fn handlers_named_join_name_send_state_and_recipient_are_reached_through_the_ref() {
    let system = System::new();
    let room = system.spawn("room", Room::default()).await.unwrap();
    room.join("ada".to_owned()).await.unwrap();
    room.join("bob".to_owned()).await.unwrap();
    room.send("hello".to_owned()).await.unwrap();
    assert_eq!(room.name().await.unwrap(), "lobby");
    assert_eq!(room.state().await.unwrap(), (2, 1));
    assert_eq!(room.recipient().await.unwrap(), 7);
    // The ref's own ways stay: its name through its path, its end through wait_stopped.
    assert_eq!(room.path().name(), "room");
    room.stop().await;
    assert_eq!(room.wait_stopped().await, StopReason::StoppedByPerson);
    system.shutdown().await;
}

/// An actor that asks itself: `get` from inside its own handler.
#[actor]
#[derive(Default)]
struct Mirror {
    n: u64,
}

#[actor]
impl Mirror {
    fn get(&self) -> u64 {
        self.n
    }

    fn bump(&mut self) {
        self.n += 1;
    }

    /// Asks itself, with a timeout or not: refused at once, the message handed back.
    async fn ask_myself(&mut self, timeout: bool, ctx: &mut Context<Self>) -> String {
        let me = ctx.myself();
        let asked = if timeout {
            me.get().timeout(Duration::from_secs(3600)).await
        } else {
            me.get().await
        };
        let error = asked.expect_err("a self-ask cannot be answered");
        assert!(matches!(error, Error::WouldDeadlock(_)), "{error:?}");
        assert!(
            error
                .undelivered()
                .expect("the message comes back")
                .message_type()
                .ends_with("MirrorMsg"),
            "{error:?}"
        );
        // Waiting for its own unit method to be handled is the same mistake.
        let unit = me.bump().ask().await.expect_err("nor a unit ask");
        assert!(matches!(unit, Error::WouldDeadlock(_)), "{unit:?}");
        // A tell to itself is fine: it is handled after this message.
        me.bump().await.unwrap();
        error.to_string()
    }
}

#[tokio::test]
async fn an_actor_that_asks_itself_gets_would_deadlock_at_once_instead_of_hanging() {
    let system = System::new();
    let mirror = system.spawn("mirror", Mirror::default()).await.unwrap();
    for timeout in [false, true] {
        // Bounded, so that a regression fails here instead of hanging the suite.
        let said = tokio::time::timeout(Duration::from_secs(30), mirror.ask_myself(timeout))
            .await
            .expect("the self-ask hangs")
            .unwrap();
        assert!(said.starts_with("/mirror asked itself"), "{said}");
    }
    // The two tells it sent itself were handled; nothing else was.
    assert_eq!(mirror.get().await.unwrap(), 2);
    system.shutdown().await;
}
