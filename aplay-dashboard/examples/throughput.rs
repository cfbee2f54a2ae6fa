//! What the dashboard costs a tell loop: messages per second through one actor, with no
//! dashboard, with one served and watched (a live page's stream and a Prometheus scrape every
//! second), in a metered system (handler time and mailbox peaks measured), and with its
//! `Metrics` as the system's sink too (the handler-time histogram, fed per message). Run it
//! optimized:
//!
//! ```sh
//! cargo run --release -p aplay-dashboard --example throughput
//! ```

use std::time::{Duration, Instant};

use aplay_core::System;
use aplay_dashboard::{Dashboard, Metrics};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Counts.
#[aplay::actor]
#[derive(Default)]
struct Counter {
    count: u64,
}

#[aplay::actor]
impl Counter {
    fn add(&mut self, n: u64) {
        self.count += n;
    }
    fn get(&self) -> u64 {
        self.count
    }
}

const MESSAGES: u64 = 2_000_000;
const RUNS: usize = 5;

/// Messages per second of `MESSAGES` tells and one ask, in `system`.
async fn tell_loop(system: &System, name: &str) -> f64 {
    let counter = system.spawn(name, Counter::default()).await.unwrap();
    let started = Instant::now();
    for _ in 0..MESSAGES {
        counter.add(1).await.unwrap();
    }
    assert_eq!(counter.get().await.unwrap(), MESSAGES);
    let rate = MESSAGES as f64 / started.elapsed().as_secs_f64();
    counter.stop().await;
    rate
}

/// A page's live stream and a scrape of `/metrics` every second, until dropped.
fn watch(addr: std::net::SocketAddr) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut events = tokio::net::TcpStream::connect(addr).await.unwrap();
        events
            .write_all(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let drain = tokio::spawn(async move {
            let mut buffer = vec![0u8; 64 * 1024];
            while matches!(events.read(&mut buffer).await, Ok(n) if n > 0) {}
        });
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let mut scrape = tokio::net::TcpStream::connect(addr).await.unwrap();
            scrape
                .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut text = Vec::new();
            let _ = scrape.read_to_end(&mut text).await;
            if drain.is_finished() {
                return;
            }
        }
    })
}

/// The tell loop's rate on `system` with its dashboard (as `dashboard` sets it up) served on a
/// free port and watched, then the system shut down.
async fn watched(system: System, dashboard: impl FnOnce(&System) -> Dashboard, name: &str) -> f64 {
    let running = dashboard(&system)
        .bind(([127, 0, 0, 1], 0))
        .serve()
        .await
        .unwrap();
    let watching = watch(running.local_addr());
    let rate = tell_loop(&system, name).await;
    watching.abort();
    system.shutdown().await;
    rate
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

#[tokio::main]
async fn main() {
    let mut plain = Vec::new();
    let mut served = Vec::new();
    let mut metered = Vec::new();
    let mut sink = Vec::new();
    // Interleaved, so that a busy moment of the machine hits every variant alike.
    for run in 0..RUNS {
        let system = System::new();
        plain.push(tell_loop(&system, "plain").await);
        system.shutdown().await;

        served.push(watched(System::new(), Dashboard::new, "served").await);
        let metered_system = System::builder().metered(true).build();
        metered.push(watched(metered_system, Dashboard::new, "metered").await);
        let metrics = Metrics::new();
        let sinking = System::builder().metrics(metrics.clone()).build();
        let with_sink = |system: &System| Dashboard::new(system).metrics(metrics);
        sink.push(watched(sinking, with_sink, "sink").await);
        eprintln!(
            "run {}: {:.0} / {:.0} / {:.0} / {:.0} msg/s",
            run + 1,
            plain[run],
            served[run],
            metered[run],
            sink[run]
        );
    }
    let (plain, served) = (median(plain), median(served));
    let (metered, sink) = (median(metered), median(sink));
    println!("tells through one actor, {MESSAGES} per run, median of {RUNS} runs:");
    println!(
        "  no dashboard:                          {:>12.0} msg/s",
        plain
    );
    println!(
        "  dashboard served and watched:          {:>12.0} msg/s ({:.2}x)",
        served,
        served / plain
    );
    println!(
        "  ... in a metered system:                {:>12.0} msg/s ({:.2}x)",
        metered,
        metered / plain
    );
    println!(
        "  ... and its Metrics as the system sink: {:>12.0} msg/s ({:.2}x)",
        sink,
        sink / plain
    );
}
