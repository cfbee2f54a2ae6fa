//! Publish/subscribe in one process: a typed topic, its subscribers (actors and an inbox),
//! order, back-pressure, a full mailbox, and subscribers that stop.

use std::sync::Arc;

use aplay::prelude::*;
use tokio::sync::Notify;

/// Keeps what it heard; can be held in a handler (`hold`) to fill its mailbox.
#[actor]
#[derive(Default)]
struct Listener {
    heard: Vec<u32>,
}

#[actor]
impl Listener {
    fn hear(&mut self, n: u32) {
        self.heard.push(n);
    }

    fn heard(&self) -> Vec<u32> {
        self.heard.clone()
    }

    async fn hold(&self, open: Arc<Notify>) {
        open.notified().await;
    }
}

async fn listener(system: &System, name: &str) -> ActorRef<Listener> {
    system.spawn(name, Listener::default()).await.unwrap()
}

#[tokio::test]
async fn every_subscriber_gets_every_message_in_the_order_published() {
    let system = System::new();
    let topic: Topic<u32> = Topic::new();
    let mut listeners = Vec::new();
    for i in 0..10 {
        let l = listener(&system, &format!("l{i}")).await;
        topic.subscribe(ActorRef::recipient(&l, ListenerMsg::hear));
        listeners.push(l);
    }
    let mut inbox: Inbox<u32> = Inbox::new();
    topic.subscribe(inbox.recipient());
    assert_eq!(topic.subscribers(), 11);
    for n in 0..100 {
        assert_eq!(topic.publish(n).await, 11);
    }
    let expected: Vec<u32> = (0..100).collect();
    for l in &listeners {
        assert_eq!(l.heard().await.unwrap(), expected);
    }
    for n in 0..100 {
        assert_eq!(inbox.recv().await, n);
    }
    system.shutdown().await;
}

#[tokio::test]
async fn stopped_subscribers_drop_out_and_the_rest_still_hear() {
    let system = System::new();
    let topic: Topic<u32> = Topic::new();
    let a = listener(&system, "a").await;
    let b = listener(&system, "b").await;
    topic.subscribe(ActorRef::recipient(&a, ListenerMsg::hear));
    topic.subscribe(ActorRef::recipient(&b, ListenerMsg::hear));
    b.stop().await;
    assert_eq!(topic.subscribers(), 1);
    assert_eq!(topic.publish(7).await, 1);
    assert_eq!(topic.try_publish(8).delivered, 1);
    assert_eq!(a.heard().await.unwrap(), [7, 8]);
    // Unsubscribing by address.
    assert_eq!(topic.unsubscribe(a.path()), 1);
    assert_eq!(topic.publish(9).await, 0);
    system.shutdown().await;
}

#[tokio::test]
async fn try_publish_skips_a_full_mailbox_and_says_so_publish_waits_for_room() {
    let system = System::new();
    let topic: Topic<u32> = Topic::new();
    let slow = system
        .spawn("slow", Small(Listener::default()))
        .await
        .unwrap();
    let fast = listener(&system, "fast").await;
    topic.subscribe(ActorRef::recipient(&slow, SmallMsg::hear));
    topic.subscribe(ActorRef::recipient(&fast, ListenerMsg::hear));
    // Hold the slow one in a handler and fill its mailbox (room for two).
    let open = Arc::new(Notify::new());
    slow.hold(open.clone()).await.unwrap();
    slow.hear(100).await.unwrap();
    slow.hear(101).await.unwrap();
    let published = topic.try_publish(1);
    assert_eq!((published.delivered, published.full), (1, 1));
    // publish waits for room: it returns once the slow one has taken its messages.
    let waiting = tokio::spawn({
        let topic = topic.clone();
        async move { topic.publish(2).await }
    });
    open.notify_one();
    assert_eq!(waiting.await.unwrap(), 2);
    assert_eq!(slow.heard().await.unwrap(), [100, 101, 2]);
    assert_eq!(fast.heard().await.unwrap(), [1, 2]);
    system.shutdown().await;
}

/// A listener with room for two messages.
struct Small(Listener);

impl Actor for Small {
    fn mailbox(&self) -> Mailbox {
        Mailbox::bounded(2)
    }
}

#[actor]
impl Small {
    fn hear(&mut self, n: u32) {
        self.0.heard.push(n);
    }

    fn heard(&self) -> Vec<u32> {
        self.0.heard.clone()
    }

    async fn hold(&self, open: Arc<Notify>) {
        open.notified().await;
    }
}
