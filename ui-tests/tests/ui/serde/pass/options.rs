// `serde` with the other options: `crate = path` (the serde derive goes through the facade at
// that path), `vis = pub(crate)`, a `#[cfg]`'d handler, a tell, an ask and a `Result` reply.
// It must compile without warnings and run: every assert holds.

mod runtime {
    // The facade under another path, as a crate that re-exports aplay would have it.
    pub use aplay as actors;
}

use aplay::prelude::*;
use aplay::wire::{self, Outcome, Wire};

#[actor(crate = crate::runtime::actors)]
#[derive(Default)]
pub(crate) struct Tally {
    seen: Vec<String>,
}

#[actor(vis = pub(crate), serde, crate = crate::runtime::actors)]
impl Tally {
    fn see(&mut self, word: String) {
        self.seen.push(word);
    }

    fn count(&self) -> usize {
        self.seen.len()
    }

    fn nth(&self, n: usize) -> Result<String, String> {
        self.seen.get(n).cloned().ok_or_else(|| format!("no word {n}"))
    }

    #[cfg(any())]
    fn never_built(&self, missing: NoSuchType) {}
}

/// The enum is `pub(crate)`, as asked, and serializable.
fn encoded(msg: &TallyMsg) -> Vec<u8> {
    wire::encode(msg).unwrap()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = System::new();
        let tally = system.spawn("tally", Tally::default()).await.unwrap();

        let see = wire::decode(&encoded(&TallyMsg::see("hello".into()))).unwrap();
        ActorRef::send(&tally, see).await.unwrap();
        assert_eq!(tally.count().await.unwrap(), 1);

        let mut nth: TallyMsg = wire::decode(&encoded(&TallyMsg::nth(3))).unwrap();
        let outcome = Tally::expect_outcome(&mut nth);
        ActorRef::send(&tally, nth).await.unwrap();
        match outcome.await {
            Outcome::Replied { error, .. } => assert_eq!(error.as_deref(), Some("no word 3")),
            other => panic!("expected a reply, got {other:?}"),
        }

        system.shutdown().await;
    });
}
