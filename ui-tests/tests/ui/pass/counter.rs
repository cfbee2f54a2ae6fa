// A counter, the everyday shape of an actor: a tell (`add` returns nothing) and asks (`get`,
// `add_and_get` return a value), sent every way the generated handle offers.
// It must compile without warnings and run: every assert holds.

use std::time::Duration;

use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    /// Adds `n`: a tell.
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    /// The count so far: an ask.
    fn get(&self) -> u64 {
        self.count
    }

    fn add_and_get(&mut self, n: u64) -> u64 {
        self.count += n;
        self.count
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let counter = system.spawn("counter", Counter::default()).await.unwrap();
        assert_eq!(counter.path(), "/counter");

        counter.add(2).await.unwrap(); // into the mailbox
        counter.add(3).ask().await.unwrap(); // handled
        counter.add(1).try_tell().unwrap(); // without waiting
        assert_eq!(counter.get().await.unwrap(), 6);

        let timeout = Duration::from_secs(5);
        assert_eq!(counter.add_and_get(4).timeout(timeout).await.unwrap(), 10);
        counter.add_and_get(1).tell().await.unwrap(); // the reply is dropped
        assert_eq!(counter.get().await.unwrap(), 11);

        // The generated enum, sent as it is.
        ActorRef::send(&counter, CounterMsg::Add { n: 1, reply: None })
            .await
            .unwrap();
        assert_eq!(counter.get().await.unwrap(), 12);
        assert_eq!(
            format!("{:?}", CounterMsg::Get { reply: None }),
            "CounterMsg::Get"
        );

        // A handle is cheap to clone and reaches the same actor.
        let other = counter.clone();
        other.add(8).await.unwrap();
        assert_eq!(counter.get().await.unwrap(), 20);

        system.shutdown().await;
        assert!(!counter.is_alive());
    });
}
