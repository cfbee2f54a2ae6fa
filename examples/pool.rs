//! A pool of four word counters behind one handle: lines go to the least-loaded worker, a
//! line that makes a worker panic gets it restarted while the others keep serving, each
//! user's lines go to one worker by key, a broadcast collects the totals, and the pool grows
//! and shrinks at run time.
//!
//! Run it with `cargo run --example pool`.

use std::time::Duration;

use aplay::prelude::*;

/// Counts the words of the lines it is given.
#[actor]
#[derive(Default)]
struct WordCounter {
    words: u64,
    lines: u64,
}

#[actor]
impl WordCounter {
    /// A tell: counts the words of `line`. Panics on a line that says so, to show a restart.
    async fn count(&mut self, line: String) {
        if line == "panic" {
            panic!("a line this worker cannot take");
        }
        if line.starts_with("slow") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.words += line.split_whitespace().count() as u64;
        self.lines += 1;
    }

    /// An ask: this worker's totals since its last start.
    fn totals(&self) -> (u64, u64) {
        (self.words, self.lines)
    }

    /// An ask: where this worker runs.
    fn name(&self, ctx: &mut Context<Self>) -> String {
        ctx.path().to_string()
    }
}

/// What the run saw.
#[derive(Debug)]
pub struct Summary {
    /// Words counted, summed over the workers.
    pub words: u64,
    /// Lines counted, summed over the workers.
    pub lines: u64,
    /// The worker that took both of ada's lines.
    pub ada: String,
    /// The pool's size after growing, then after shrinking.
    pub sizes: (usize, usize),
}

/// Spawns the pool, feeds it, and stops it; returns what it counted.
pub async fn run() -> Result<Summary, Error> {
    let system = System::new();
    let counters = system
        .spawn_pool("counters", 4, WordCounter::default)
        .await?
        .with_routing(Routing::LeastLoaded);

    // Slow lines keep some workers busy; the others take the rest.
    for i in 0..20 {
        let line = if i % 5 == 0 {
            "slow line of five".to_owned()
        } else {
            format!("line {i}")
        };
        counters.count(line).await?;
    }

    // One worker panics and is restarted (its counts start again); the pool keeps serving.
    let crashed = counters.pick().clone();
    crashed.count("panic".into()).await?;
    // An ask behind the panic reaches the next instance, or fails with `NoReply` if it was
    // queued while the worker restarted (as for every supervised actor): then ask again.
    loop {
        match crashed.name().await {
            Ok(_) => break,
            Err(Error::NoReply { .. }) => tokio::time::sleep(Duration::from_millis(5)).await,
            Err(other) => return Err(other),
        }
    }
    for _ in 0..4 {
        counters.count("after the restart".into()).await?;
    }

    // By key: ada's lines go to one worker, in order.
    let ada = counters.by_key("ada").name().await?;
    counters
        .by_key("ada")
        .count("hello from ada".into())
        .await?;
    assert_eq!(counters.by_key("ada").name().await?, ada);

    counters.resize(6).await?;
    let grown = counters.size();
    counters.resize(3).await?; // workers 3..5 stop after their queued lines
    let shrunk = counters.size();

    // Every worker's totals, asked of all at once.
    let (mut words, mut lines) = (0, 0);
    for totals in counters.broadcast(|w| w.totals()).await {
        let (w, l) = totals?;
        words += w;
        lines += l;
    }
    counters.stop().await; // the pool and every worker
    system.shutdown().await;
    Ok(Summary {
        words,
        lines,
        ada,
        sizes: (grown, shrunk),
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let summary = run().await?;
    println!(
        "{} words in {} lines still counted by the 3 workers left; ada's worker: {}; sizes {:?}",
        summary.words, summary.lines, summary.ada, summary.sizes
    );
    Ok(())
}
