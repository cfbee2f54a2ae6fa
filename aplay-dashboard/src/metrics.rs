//! `/metrics`: the Prometheus text format, rendered by `metrics-exporter-prometheus` from a
//! recorder of the dashboard's own (no global recorder, no listener of its own).
//!
//! Most series are read from the system when Prometheus scrapes (the counters every actor
//! keeps: no cost per message); the handler-time histogram needs each message's time, so it
//! is fed by [`Metrics`] installed as the system's [`MetricsSink`].
//!
//! Labels are bounded: by actor type by default (a program has a fixed set of types), by
//! actor path when asked ([`Metrics::per_path`]), up to [`Metrics::max_paths`] paths; the
//! actors past that share the path label `"other"`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use aplay_core::observe::{MessageHandled, MetricsSink};
use aplay_core::{ActorPath, System};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// The buckets of the handler-time histogram, in seconds: 1 µs to 10 s.
const BUCKETS: &[f64] = &[
    1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0, 5.0, 10.0,
];

/// The dashboard's metrics: a Prometheus recorder, the handler-time histogram it is fed
/// as the system's [`MetricsSink`], and what the scrapes read of the system.
///
/// Give it to the system's builder to have handler times (the builder then meters the
/// system), and the same one to the dashboard; without it, `/metrics` has every series but
/// the histogram. Measuring each message costs: about 95 ns for the metering and 90 ns for
/// the histogram on a 2-core VM, which a no-op handler feels (0.3x its throughput) and a
/// handler doing a microsecond of work hardly does; see the guide's chapter on observability.
///
/// ```
/// use aplay_core::System;
/// use aplay_dashboard::{Dashboard, Metrics};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let metrics = Metrics::new(); // labels by actor type
/// let system = System::builder().metrics(metrics.clone()).build();
/// let dashboard = Dashboard::new(&system).metrics(metrics).serve().await?;
/// println!("scrape http://{}/metrics", dashboard.local_addr());
/// # system.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    per_path: bool,
    max_paths: usize,
    /// The histogram of each label set, by the address of the actor type's name (a
    /// `&'static str`) or by path.
    histograms: Mutex<HashMap<HistogramKey, Histogram>>,
    scrape: Mutex<Scrape>,
    /// Messages recorded, to fold the samples into buckets every [`FOLD_EVERY`].
    recorded: AtomicU64,
}

/// How many handler times the exporter keeps as samples before they are folded into their
/// buckets (it keeps each until then): a bound on its memory whatever the message rate.
const FOLD_EVERY: u64 = 1 << 16;

#[derive(Clone, PartialEq, Eq, Hash)]
enum HistogramKey {
    Type(usize),
    Path(ActorPath),
}

/// What the last scrape saw, to turn the actors' counters into monotonic ones.
#[derive(Default)]
struct Scrape {
    /// Each live actor's counters at the last scrape.
    seen: HashMap<ActorPath, Seen>,
    /// The paths given a label of their own, in the order met (at most `max_paths`).
    labelled: HashSet<ActorPath>,
    /// The gauge label sets set by the last scrape, to zero those gone.
    gauges: HashSet<Key>,
}

#[derive(Clone, Copy, Default)]
struct Seen {
    handled: u64,
    restarts: u64,
    panics: u64,
    asks_timed_out: u64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("per_path", &self.inner.per_path)
            .field("max_paths", &self.inner.max_paths)
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// Metrics labelled by actor type.
    ///
    /// See the example on [`Metrics`].
    pub fn new() -> Metrics {
        Metrics::build(false, 0)
    }

    /// Metrics labelled by actor path (and type), for the first `max_paths` paths met; the
    /// actors past that share the path label `"other"`. Each path is a series of every
    /// actor metric: keep `max_paths` to what your Prometheus takes (a few thousand series
    /// is usual).
    ///
    /// ```
    /// let metrics = aplay_dashboard::Metrics::per_path(200);
    /// assert_eq!(metrics.max_paths(), Some(200));
    /// assert_eq!(aplay_dashboard::Metrics::new().max_paths(), None);
    /// ```
    pub fn per_path(max_paths: usize) -> Metrics {
        Metrics::build(true, max_paths)
    }

    /// How many paths get a label of their own; `None` when labelled by type.
    ///
    /// See the example on [`per_path`](Self::per_path).
    pub fn max_paths(&self) -> Option<usize> {
        self.inner.per_path.then_some(self.inner.max_paths)
    }

    fn build(per_path: bool, max_paths: usize) -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("aplay_handler_seconds".into()), BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        describe(&recorder);
        Metrics {
            inner: Arc::new(Inner {
                handle: recorder.handle(),
                recorder,
                per_path,
                max_paths,
                histograms: Mutex::new(HashMap::new()),
                scrape: Mutex::new(Scrape::default()),
                recorded: AtomicU64::new(0),
            }),
        }
    }

    /// Reads `system` and renders every series in the Prometheus text format.
    pub(crate) fn render(&self, system: &System, extra: impl FnOnce(&Self)) -> String {
        self.read(system);
        extra(self);
        self.inner.handle.render()
    }

    /// Folds the histograms' samples into their buckets (the exporter keeps them until then).
    pub(crate) fn upkeep(&self) {
        self.inner.handle.run_upkeep();
    }

    /// The labels of an actor: its type, and its path when labelled by path.
    fn labels(&self, scrape: &mut Scrape, path: &ActorPath, actor_type: &str) -> Vec<Label> {
        let mut labels = vec![Label::new("actor_type", actor_type.to_owned())];
        if self.inner.per_path {
            let own = scrape.labelled.contains(path)
                || (scrape.labelled.len() < self.inner.max_paths
                    && scrape.labelled.insert(path.clone()));
            let label = if own {
                path.to_string()
            } else {
                "other".to_owned()
            };
            labels.push(Label::new("path", label));
        }
        labels
    }

    fn read(&self, system: &System) {
        let mut scrape = self
            .inner
            .scrape
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let scrape = &mut *scrape;
        let mut seen = HashMap::with_capacity(scrape.seen.len());
        // Gauges summed per label set before they are set.
        let mut actors: HashMap<Vec<Label>, (f64, f64, f64)> = HashMap::new();
        for node in system.tree().walk() {
            let labels = self.labels(scrape, node.path(), node.actor_type());
            let now = Seen {
                handled: node.messages_handled(),
                restarts: u64::from(node.restarts()),
                panics: node.panics(),
                asks_timed_out: node.asks_timed_out(),
            };
            let before = scrape.seen.get(node.path()).copied().unwrap_or_default();
            let grew = |now: u64, before: u64| now.saturating_sub(before);
            for (name, delta) in [
                (
                    "aplay_messages_handled_total",
                    grew(now.handled, before.handled),
                ),
                ("aplay_restarts_total", grew(now.restarts, before.restarts)),
                ("aplay_panics_total", grew(now.panics, before.panics)),
                (
                    "aplay_asks_timed_out_total",
                    grew(now.asks_timed_out, before.asks_timed_out),
                ),
            ] {
                // Registered even at 0, so that the series exists from the first scrape.
                self.counter(name, labels.clone()).increment(delta);
            }
            seen.insert(node.path().clone(), now);
            let entry = actors.entry(labels).or_default();
            entry.0 += 1.0;
            entry.1 += node.mailbox_len().unwrap_or(0) as f64;
            let peak = node.mailbox_high_water().unwrap_or(0) as f64;
            entry.2 = entry.2.max(peak);
        }
        // Actors gone since: their last counts stay in the totals; their paths are free.
        scrape.seen = seen;
        if self.inner.per_path {
            scrape
                .labelled
                .retain(|path| scrape.seen.contains_key(path));
        }
        let mut gauges = HashSet::new();
        for (labels, (count, waiting, peak)) in actors {
            for (name, value) in [
                ("aplay_actors", count),
                ("aplay_mailbox_len", waiting),
                ("aplay_mailbox_high_water", peak),
            ] {
                let key = Key::from_parts(name, labels.clone());
                self.inner
                    .recorder
                    .register_gauge(&key, &METADATA)
                    .set(value);
                gauges.insert(key);
            }
        }
        for gone in scrape.gauges.difference(&gauges) {
            self.inner.recorder.register_gauge(gone, &METADATA).set(0.0);
        }
        scrape.gauges = gauges;
        self.counter("aplay_undelivered_total", Vec::new())
            .absolute(system.undelivered_total());
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> Counter {
        self.inner
            .recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    /// A gauge with one label, for the queues.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn gauge(&self, name: &'static str, label: &'static str, value: &str) -> Gauge {
        let key = Key::from_parts(name, vec![Label::new(label, value.to_owned())]);
        self.inner.recorder.register_gauge(&key, &METADATA)
    }

    fn histogram(&self, event: &MessageHandled<'_>) -> Histogram {
        let key = if self.inner.per_path {
            HistogramKey::Path(event.actor.clone())
        } else {
            HistogramKey::Type(event.actor_type.as_ptr() as usize)
        };
        let mut histograms = self
            .inner
            .histograms
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(histogram) = histograms.get(&key) {
            return histogram.clone();
        }
        let labels = if self.inner.per_path {
            let mut scrape = self
                .inner
                .scrape
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.labels(&mut scrape, event.actor, event.actor_type)
        } else {
            vec![Label::new("actor_type", event.actor_type)]
        };
        let histogram = self
            .inner
            .recorder
            .register_histogram(&Key::from_parts("aplay_handler_seconds", labels), &METADATA);
        // Per path, only the labelled paths are kept (the others share "other").
        if !self.inner.per_path || histograms.len() < self.inner.max_paths {
            histograms.insert(key, histogram.clone());
        }
        histogram
    }
}

thread_local! {
    /// The histogram this thread recorded into last, with its key and the `Inner` it belongs
    /// to: an actor's messages are handled on one task, so most messages find it here
    /// without taking the map's lock.
    static LAST: RefCell<Option<(usize, HistogramKey, Histogram)>> = const { RefCell::new(None) };
}

impl MetricsSink for Metrics {
    fn message_handled(&self, event: &MessageHandled<'_>) {
        let seconds = event.took.as_secs_f64();
        let owner = Arc::as_ptr(&self.inner) as usize;
        let key = if self.inner.per_path {
            HistogramKey::Path(event.actor.clone())
        } else {
            HistogramKey::Type(event.actor_type.as_ptr() as usize)
        };
        let cached = LAST.with(|last| match &*last.borrow() {
            Some((o, k, histogram)) if *o == owner && *k == key => {
                histogram.record(seconds);
                true
            }
            _ => false,
        });
        if !cached {
            let histogram = self.histogram(event);
            histogram.record(seconds);
            LAST.with(|last| *last.borrow_mut() = Some((owner, key, histogram)));
        }
        if self.inner.recorded.fetch_add(1, Ordering::Relaxed) % FOLD_EVERY == FOLD_EVERY - 1 {
            self.upkeep();
        }
    }
}

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));

/// The HELP lines.
fn describe(recorder: &PrometheusRecorder) {
    let counters = [
        (
            "aplay_messages_handled_total",
            "Messages handled by the actors.",
        ),
        (
            "aplay_restarts_total",
            "Restarts of actors by their parents.",
        ),
        (
            "aplay_panics_total",
            "Actor instances that ended in a panic.",
        ),
        (
            "aplay_asks_timed_out_total",
            "Asks that timed out waiting for a reply.",
        ),
        (
            "aplay_undelivered_total",
            "Messages refused by a mailbox (full, stopped, timed out).",
        ),
    ];
    for (name, help) in counters {
        recorder.describe_counter(KeyName::from_const_str(name), None, help.into());
    }
    let gauges = [
        ("aplay_actors", "Running actors."),
        (
            "aplay_mailbox_len",
            "Messages waiting in the mailboxes (bounded mailboxes).",
        ),
        (
            "aplay_mailbox_high_water",
            "The most messages that waited in one mailbox (metered systems).",
        ),
        (
            "aplay_redis_backlog",
            "Messages of a Redis queue not yet read by any worker.",
        ),
        (
            "aplay_redis_pending",
            "Messages of a Redis queue read and not yet acknowledged.",
        ),
        ("aplay_redis_delayed", "Delayed jobs of a Redis queue."),
        ("aplay_redis_dead", "Dead letters of a Redis queue."),
    ];
    for (name, help) in gauges {
        recorder.describe_gauge(KeyName::from_const_str(name), None, help.into());
    }
    recorder.describe_histogram(
        KeyName::from_const_str("aplay_handler_seconds"),
        Some(Unit::Seconds),
        "Time spent in handlers, per message.".into(),
    );
}
