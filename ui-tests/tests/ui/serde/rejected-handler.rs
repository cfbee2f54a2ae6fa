// `#[actor(serde)]` with a rejected handler (a borrowed argument) next to a good one, and code
// that calls both.
// Expected: one error, on `&str`; the serializable message enum and `Wire` are generated for
// the good handler, and the call to the rejected one compiles (no E0599).

use aplay::prelude::*;

#[actor]
#[derive(Default)]
struct Ledger {
    total: u64,
}

#[actor(serde)]
impl Ledger {
    fn deposit(&mut self, amount: u64) -> u64 {
        self.total += amount;
        self.total
    }

    fn note(&mut self, text: &str) {
        let _ = text;
    }
}

async fn run(ledger: ActorRef<Ledger>) -> Result<u64, Error> {
    ledger.note("opening").await?;
    ledger.deposit(5).await
}

fn main() {
    let _ = run;
}
