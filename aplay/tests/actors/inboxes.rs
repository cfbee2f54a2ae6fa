//! `Inbox` (actorio's `Reference`) and `Recipient` (actorio's `message.sender`): replies to
//! whoever asked, an inbox or an actor, without knowing its type.

use std::time::Duration;

use aplay::prelude::*;

/// Squares numbers and sends the result to whoever the request names.
#[actor]
struct Squarer;

#[actor]
impl Squarer {
    async fn square(&mut self, n: u64, reply_to: Recipient<u64>) -> Result<(), Error> {
        reply_to.tell(n * n).await
    }
}

/// Collects results as one of its own messages.
#[actor]
#[derive(Default)]
struct Collector {
    got: Vec<u64>,
}

#[actor]
impl Collector {
    fn result(&mut self, n: u64) {
        self.got.push(n);
    }

    fn got(&self) -> Vec<u64> {
        self.got.clone()
    }
}

#[tokio::test]
async fn a_worker_replies_to_an_inbox_or_an_actor_alike() {
    let system = System::new();
    let squarer = system.spawn("squarer", Squarer).await.unwrap();

    let mut inbox = Inbox::new();
    squarer.square(3, inbox.recipient()).await.unwrap().unwrap();
    assert_eq!(inbox.recv().await, 9);

    let collector = system
        .spawn("collector", Collector::default())
        .await
        .unwrap();
    let to_collector = ActorRef::recipient(&collector, CollectorMsg::result);
    assert_eq!(to_collector.path().map(|p| p.as_str()), Some("/collector"));
    squarer
        .square(4, to_collector.clone())
        .await
        .unwrap()
        .unwrap();
    squarer.square(5, to_collector).await.unwrap().unwrap();
    assert_eq!(collector.got().await.unwrap(), [16, 25]);
}

#[tokio::test(start_paused = true)]
async fn recv_timeout_gives_up_after_the_timeout() {
    let mut inbox = Inbox::<u8>::new();
    let started = tokio::time::Instant::now();
    assert_eq!(inbox.recv_timeout(Duration::from_secs(2)).await, None);
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    inbox.recipient().try_tell(7).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox.recv_timeout(Duration::from_secs(2)).await, Some(7));
    assert!(inbox.is_empty());
    assert_eq!(inbox.try_recv(), None);
}

#[tokio::test]
async fn a_recipient_whose_target_is_gone_hands_the_message_back() {
    let inbox = Inbox::<String>::new();
    let to_inbox = inbox.recipient();
    drop(inbox);
    assert!(!to_inbox.is_alive());
    let err = to_inbox.tell("late".into()).await.unwrap_err();
    assert!(matches!(err, Error::Stopped(_)), "{err:?}");
    assert_eq!(err.to_string(), "the inbox is not running");
    assert_eq!(
        err.undelivered().unwrap().take_message::<String>().unwrap(),
        "late"
    );

    let system = System::new();
    let collector = system
        .spawn("collector", Collector::default())
        .await
        .unwrap();
    let to_collector = ActorRef::recipient(&collector, CollectorMsg::result);
    collector.stop().await;
    assert!(!to_collector.is_alive());
    let err = to_collector.try_tell(1).unwrap_err();
    assert!(matches!(err, Error::Stopped(_)));
    // For an actor, what comes back is the actor's own message.
    let back: CollectorMsg = err.undelivered().unwrap().take_message().unwrap();
    assert!(matches!(back, CollectorMsg::Result { n: 1, .. }));
}
