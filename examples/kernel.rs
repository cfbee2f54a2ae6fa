//! aplay's "Get Started", in Rust.
//!
//! A kernel at `/` spawns a `Worker` at `/test`. The worker spawns its `Monitor`, `count`
//! (`/test/count`), which spawns its `Displayer`, `display` (`/test/count/display`). The
//! kernel sends 100 jobs of a random type ("text" or "voice") to `/test` *by address*; the
//! worker hands each to the monitor, which counts jobs per type and tells the displayer, which
//! prints the counts and sends them back to `/test` by address. When the counts that come back
//! cover every job, the worker tells the kernel, which stops: its children stop first, and the
//! program prints a summary and ends.
//!
//! Run it with `cargo run --example kernel`.

use std::collections::BTreeMap;

use aplay::prelude::*;
use tokio::sync::oneshot;

/// Jobs per type, as the monitor counts them.
type Counts = BTreeMap<String, u64>;

/// What the run did, printed at the end (and checked by `tests/actors/examples.rs`).
#[derive(Debug)]
pub struct Summary {
    /// Jobs sent by the kernel, per type.
    pub sent: Counts,
    /// The counts the worker last got back from the displayer, by address.
    pub counted: Counts,
    /// How many count reports came back to `/test`.
    pub reports: u64,
    /// Why the kernel stopped.
    pub kernel_stop: StopReason,
}

/// The kernel (aplay's `KernelActor`): the root of the tree, at `/`.
struct MyKernel {
    rng: XorShift,
    sent: Counts,
    done: Option<oneshot::Sender<Summary>>,
}

impl Actor for MyKernel {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        // aplay's `prepare_children`: the worker lives at `/test`.
        ctx.spawn("test", Worker::default()).await?;
        Ok(())
    }
}

#[actor]
impl MyKernel {
    /// Sends `jobs` random jobs to `/test`, by address.
    async fn start(&mut self, jobs: u64, ctx: &mut Context<Self>) -> Result<(), Error> {
        let worker = ctx.system().address::<Worker>("/test")?;
        worker.expect(jobs).await?;
        for i in 0..jobs {
            let kind = if self.rng.next().is_multiple_of(2) {
                "voice"
            } else {
                "text"
            };
            *self.sent.entry(kind.to_owned()).or_default() += 1;
            // `job` returns a `Result`, so awaiting it would be an ask; `.tell()` only sends.
            worker
                .job(kind.to_owned(), format!("hello {kind} {i}"))
                .tell()
                .await?;
        }
        Ok(())
    }

    /// The worker saw every job counted: report and stop.
    fn finished(&mut self, counted: Counts, reports: u64, ctx: &mut Context<Self>) {
        if let Some(done) = self.done.take() {
            let sent = std::mem::take(&mut self.sent);
            let _ = done.send(Summary {
                sent,
                counted,
                reports,
                kernel_stop: StopReason::Normal,
            });
        }
        ctx.stop();
    }
}

/// Receives jobs at `/test` and counts what comes back.
#[derive(Default)]
struct Worker {
    monitor: Option<ActorRef<Monitor>>,
    expected: u64,
    reports: u64,
}

impl Actor for Worker {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.monitor = Some(ctx.spawn("count", Monitor::default()).await?);
        Ok(())
    }
}

#[actor]
impl Worker {
    /// How many jobs to wait for.
    fn expect(&mut self, jobs: u64) {
        self.expected = jobs;
    }

    /// One job: hand it to the monitor. When told, an `Err` goes to `on_error`, which logs it.
    async fn job(&mut self, kind: String, content: String) -> Result<(), Error> {
        if content.ends_with('0') {
            println!("/test got --{kind}-- {content:?}");
        }
        self.monitor
            .as_ref()
            .expect("spawned in on_start")
            .count(kind)
            .tell()
            .await
    }

    /// The displayer sent the counts back, by address.
    async fn counts(&mut self, counts: Counts, ctx: &mut Context<Self>) -> Result<(), Error> {
        self.reports += 1;
        if counts.values().sum::<u64>() == self.expected {
            let kernel = ctx.system().address::<MyKernel>("/")?;
            kernel.finished(counts, self.reports).await?;
        }
        Ok(())
    }
}

/// Counts jobs per type at `/test/count`.
#[derive(Default)]
struct Monitor {
    counts: Counts,
    displayer: Option<ActorRef<Displayer>>,
}

impl Actor for Monitor {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.displayer = Some(ctx.spawn("display", Displayer).await?);
        Ok(())
    }
}

#[actor]
impl Monitor {
    async fn count(&mut self, kind: String) -> Result<(), Error> {
        *self.counts.entry(kind).or_default() += 1;
        self.displayer
            .as_ref()
            .expect("spawned in on_start")
            .show(self.counts.clone())
            .tell()
            .await
    }
}

/// Prints the counts at `/test/count/display`, and sends them back to `/test`.
#[actor]
struct Displayer;

#[actor]
impl Displayer {
    async fn show(&mut self, counts: Counts, ctx: &mut Context<Self>) -> Result<(), Error> {
        let total: u64 = counts.values().sum();
        if total.is_multiple_of(20) {
            println!(
                "{}: after {total} jobs the monitor counts {counts:?}",
                ctx.path()
            );
        }
        // aplay's `send_to_address("/test", msg)`.
        ctx.system()
            .address::<Worker>("/test")?
            .counts(counts)
            .tell()
            .await
    }
}

/// A small deterministic random source (xorshift64), so every run sends the same jobs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Runs the whole program: the kernel, 100 jobs, until the kernel stops by itself.
pub async fn run(jobs: u64, seed: u64) -> Result<Summary, Error> {
    let (done_tx, done_rx) = oneshot::channel();
    let kernel = MyKernel {
        rng: XorShift(seed.max(1)),
        sent: Counts::new(),
        done: Some(done_tx),
    };
    let (system, kernel) = System::with_kernel(kernel).await?;
    // aplay's `tell_nowait("start")`: never waits.
    kernel.start(jobs).try_tell()?;
    let kernel_stop = system.run().await;
    let mut summary = done_rx.await.expect("the kernel reports before it stops");
    summary.kernel_stop = kernel_stop;
    Ok(summary)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let summary = run(100, 2024).await?;
    println!();
    println!("summary");
    println!("  sent to /test by address : {:?}", summary.sent);
    println!("  counted by /test/count   : {:?}", summary.counted);
    println!("  reports back to /test    : {}", summary.reports);
    println!("  kernel                   : {}", summary.kernel_stop);
    Ok(())
}
