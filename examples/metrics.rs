//! aplay's metrics, exported through the `metrics` crate: a `MetricsSink` that turns each
//! report into a counter, a gauge or a histogram of the `metrics` facade. Any `metrics`
//! exporter (Prometheus, StatsD, ...) then publishes them; here a small recorder that tallies
//! the values stands in for one, and the tally is printed at the end.
//!
//! Run it with `cargo run --example metrics`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use aplay::observe::{MessageHandled, MetricsSink};
use aplay::prelude::*;
use aplay::{Restart, SystemBuilder};
use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use tokio::sync::mpsc;

// ---- the binding: aplay's reports as `metrics` calls ----------------------------------------

/// Sends a system's metrics to whatever recorder the `metrics` crate has.
#[derive(Debug)]
pub struct ToMetricsCrate;

impl MetricsSink for ToMetricsCrate {
    fn message_handled(&self, event: &MessageHandled<'_>) {
        // A label per actor suits a tree of a bounded size; for thousands of short-lived
        // actors, label by `event.actor_type` instead.
        let actor = event.actor.to_string();
        let labels = [
            ("actor", actor.clone()),
            ("handler", event.handler.to_owned()),
        ];
        metrics::counter!("aplay_messages_handled_total", &labels).increment(1);
        metrics::histogram!("aplay_handler_seconds", &labels).record(event.took.as_secs_f64());
        // How many waited when this message was taken: a gauge of the backlog.
        metrics::gauge!("aplay_mailbox_waiting", "actor" => actor).set(event.mailbox_len as f64);
    }

    fn started(&self, _actor: &ActorPath) {
        metrics::counter!("aplay_actors_started_total").increment(1);
        metrics::gauge!("aplay_actors_running").increment(1.0);
    }

    fn restarted(&self, actor: &ActorPath, _restarts: u32) {
        metrics::counter!("aplay_restarts_total", "actor" => actor.to_string()).increment(1);
    }

    fn stopped(&self, _actor: &ActorPath, reason: &StopReason) {
        let reason = match reason {
            StopReason::Normal => "normal",
            StopReason::StoppedByPerson => "person",
            StopReason::Shutdown => "shutdown",
            StopReason::Killed => "killed",
            _ => "failed",
        };
        metrics::counter!("aplay_actors_stopped_total", "reason" => reason).increment(1);
        metrics::gauge!("aplay_actors_running").decrement(1.0);
    }
}

// ---- a few actors to measure ------------------------------------------------------------------

/// Adds up what it is told.
#[actor]
#[derive(Default)]
struct Adder {
    total: u64,
}

#[actor]
impl Adder {
    fn add(&mut self, n: u64) {
        self.total += n;
    }
    fn total(&self) -> u64 {
        self.total
    }
}

/// Hires a `Worker` that its supervision restarts when it fails.
#[actor]
struct Boss;

#[actor]
impl Boss {
    async fn hire(
        &mut self,
        started: mpsc::UnboundedSender<()>,
        ctx: &mut Context<Self>,
    ) -> Result<ActorRef<Worker>, Error> {
        ctx.spawn_supervised("worker", Restart::Permanent, move || Worker {
            started: started.clone(),
        })
        .await
    }
}

/// Says when each of its instances has started; fails when told to.
struct Worker {
    started: mpsc::UnboundedSender<()>,
}

impl Actor for Worker {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let _ = self.started.send(());
        Ok(())
    }
}

#[actor]
impl Worker {
    fn crash(&self) {
        panic!("the worker crashes, as told");
    }
    fn work(&self) {}
}

/// Runs a small system with its metrics sent to the `metrics` crate, then shuts it down;
/// returns the tally of every metric.
pub async fn run() -> Result<Tally, BoxError> {
    let tally = Tally::default();
    metrics::set_global_recorder(tally.clone())
        .map_err(|_| "a global metrics recorder was installed already")?;
    let system = SystemBuilder::default().metrics(ToMetricsCrate).build();

    let adder = system.spawn("adder", Adder::default()).await?;
    for n in 1..=5 {
        adder.add(n).await?;
    }
    assert_eq!(adder.total().await?, 15);

    let boss = system.spawn("boss", Boss).await?;
    let (started, mut starts) = mpsc::unbounded_channel();
    let worker = boss.hire(started).await??;
    starts.recv().await;
    // It crashes (the ask gets no reply) and its boss restarts it.
    assert!(worker.crash().ask().await.is_err());
    starts.recv().await;
    worker.work().await?;

    system.shutdown().await;
    Ok(tally)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    print!("{}", run().await?);
    Ok(())
}

// ---- a stand-in for an exporter: a recorder that tallies the values ------------------------

/// Every metric recorded, by name and labels (`name{label=value,...}`).
#[derive(Clone, Debug, Default)]
pub struct Tally(Arc<Mutex<BTreeMap<String, Reading>>>);

/// The value of one metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reading {
    /// A counter's total.
    Count(u64),
    /// A gauge's last value.
    Level(f64),
    /// A histogram's number of samples, their sum and the largest.
    Samples {
        /// How many samples.
        count: u64,
        /// Their sum.
        sum: f64,
        /// The largest.
        max: f64,
    },
}

impl Tally {
    /// The reading of `key` (`name{label=value,...}`), if it was recorded.
    pub fn get(&self, key: &str) -> Option<Reading> {
        self.lock().get(key).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Reading>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, key: &str, change: impl FnOnce(Option<Reading>) -> Reading) {
        let mut readings = self.lock();
        let new = change(readings.get(key).copied());
        readings.insert(key.to_owned(), new);
    }

    fn entry(&self, key: &Key) -> Arc<Entry> {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        let name = if labels.is_empty() {
            key.name().to_owned()
        } else {
            format!("{}{{{}}}", key.name(), labels.join(","))
        };
        Arc::new(Entry {
            tally: self.clone(),
            key: name,
        })
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, reading) in self.lock().iter() {
            match reading {
                Reading::Count(n) => writeln!(f, "{key} {n}")?,
                Reading::Level(v) => writeln!(f, "{key} {v}")?,
                Reading::Samples { count, sum, max } => {
                    writeln!(f, "{key} count={count} sum={sum:.6} max={max:.6}")?;
                }
            }
        }
        Ok(())
    }
}

/// One metric's handle.
struct Entry {
    tally: Tally,
    key: String,
}

impl CounterFn for Entry {
    fn increment(&self, value: u64) {
        self.tally.update(&self.key, |old| match old {
            Some(Reading::Count(n)) => Reading::Count(n + value),
            _ => Reading::Count(value),
        });
    }
    fn absolute(&self, value: u64) {
        self.tally.update(&self.key, |_| Reading::Count(value));
    }
}

impl GaugeFn for Entry {
    fn increment(&self, value: f64) {
        self.tally.update(&self.key, |old| match old {
            Some(Reading::Level(v)) => Reading::Level(v + value),
            _ => Reading::Level(value),
        });
    }
    fn decrement(&self, value: f64) {
        GaugeFn::increment(self, -value);
    }
    fn set(&self, value: f64) {
        self.tally.update(&self.key, |_| Reading::Level(value));
    }
}

impl HistogramFn for Entry {
    fn record(&self, value: f64) {
        self.tally.update(&self.key, |old| match old {
            Some(Reading::Samples { count, sum, max }) => Reading::Samples {
                count: count + 1,
                sum: sum + value,
                max: max.max(value),
            },
            _ => Reading::Samples {
                count: 1,
                sum: value,
                max: value,
            },
        });
    }
}

impl Recorder for Tally {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.entry(key))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(self.entry(key))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.entry(key))
    }
}
