//! `/metrics`: the OpenMetrics text format (what Prometheus asks for first), encoded by
//! `prometheus-client` from a registry of the dashboard's own (no global registry, no
//! listener of its own).
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
use std::sync::{Arc, Mutex, PoisonError};

use aplay_core::observe::{MessageHandled, MetricsSink};
use aplay_core::{ActorPath, System};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// The buckets of the handler-time histogram, in seconds: 1 µs to 10 s.
const BUCKETS: [f64; 15] = [
    1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0, 5.0, 10.0,
];

/// A series' labels: `actor_type` (and `path`), or `queue`.
type Labels = Vec<(&'static str, String)>;

type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// The dashboard's metrics: a Prometheus registry, the handler-time histogram it is fed as
/// the system's [`MetricsSink`], and what the scrapes read of the system.
///
/// Give it to the system's builder to have handler times (the builder then meters the
/// system), and the same one to the dashboard; without it, `/metrics` has every series but
/// the histogram. Measuring each message costs: the metering about 120 ns and the histogram
/// under 20 ns more on a 2-core VM, which a no-op handler feels (about 0.4x its throughput)
/// and a handler doing a microsecond of work hardly does; see the guide's chapter on
/// observability.
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
    registry: Registry,
    per_path: bool,
    max_paths: usize,
    handled: Family<Labels, Counter>,
    restarts: Family<Labels, Counter>,
    panics: Family<Labels, Counter>,
    asks_timed_out: Family<Labels, Counter>,
    undelivered: Counter,
    actors: Family<Labels, Gauge>,
    mailbox_len: Family<Labels, Gauge>,
    mailbox_high_water: Family<Labels, Gauge>,
    handler_seconds: Histograms,
    /// The queues' sizes, by name: backlog, pending, delayed, dead.
    queues: [Family<Labels, Gauge>; 4],
    scrape: Mutex<Scrape>,
}

/// What the last scrape saw, to turn the actors' counters into monotonic ones.
#[derive(Default)]
struct Scrape {
    /// Each live actor's counters at the last scrape.
    seen: HashMap<ActorPath, Seen>,
    /// The paths given a label of their own (at most `max_paths`).
    labelled: HashSet<ActorPath>,
    /// The gauges' label sets set by the last scrape, to remove those gone.
    gauges: HashSet<Labels>,
    /// The system's count of refused mail at the last scrape.
    undelivered: u64,
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

/// The queue gauges' names and help, in the order of `Inner::queues`.
pub(crate) const QUEUE_GAUGES: [(&str, &str); 4] = [
    (
        "aplay_redis_backlog",
        "Messages of a Redis queue not yet read by any worker",
    ),
    (
        "aplay_redis_pending",
        "Messages of a Redis queue read and not yet acknowledged",
    ),
    ("aplay_redis_delayed", "Delayed jobs of a Redis queue"),
    ("aplay_redis_dead", "Dead letters of a Redis queue"),
];

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
    /// is usual). A stopped actor's path frees its place for the next one met, while its
    /// series stay (its counters are totals): labels by path suit long-lived actors, not
    /// actors that come and go by the thousand (those are better counted by type).
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
        let mut registry = Registry::default();
        let counters = [
            ("aplay_messages_handled", "Messages handled by the actors"),
            ("aplay_restarts", "Restarts of actors by their parents"),
            ("aplay_panics", "Actor instances that ended in a panic"),
            (
                "aplay_asks_timed_out",
                "Asks that timed out waiting for a reply",
            ),
        ]
        .map(|(name, help)| {
            let family = Family::<Labels, Counter>::default();
            registry.register(name, help, family.clone());
            family
        });
        let undelivered = Counter::default();
        registry.register(
            "aplay_undelivered",
            "Messages refused by a mailbox (full, stopped, timed out)",
            undelivered.clone(),
        );
        let gauges = [
            ("aplay_actors", "Running actors"),
            (
                "aplay_mailbox_len",
                "Messages waiting in the mailboxes (bounded mailboxes)",
            ),
            (
                "aplay_mailbox_high_water",
                "The most messages that waited in one mailbox (metered systems)",
            ),
        ]
        .map(|(name, help)| {
            let family = Family::<Labels, Gauge>::default();
            registry.register(name, help, family.clone());
            family
        });
        let queues = QUEUE_GAUGES.map(|(name, help)| {
            let family = Family::<Labels, Gauge>::default();
            registry.register(name, help, family.clone());
            family
        });
        let handler_seconds: Histograms = Family::new_with_constructor(|| Histogram::new(BUCKETS));
        registry.register_with_unit(
            "aplay_handler",
            "Time spent in handlers, per message",
            Unit::Seconds,
            handler_seconds.clone(),
        );
        let [handled, restarts, panics, asks_timed_out] = counters;
        let [actors, mailbox_len, mailbox_high_water] = gauges;
        Metrics {
            inner: Arc::new(Inner {
                registry,
                per_path,
                max_paths,
                handled,
                restarts,
                panics,
                asks_timed_out,
                undelivered,
                actors,
                mailbox_len,
                mailbox_high_water,
                handler_seconds,
                queues,
                scrape: Mutex::new(Scrape::default()),
            }),
        }
    }

    /// Reads `system`, sets the queues' sizes (`queues`: name, then backlog, pending, delayed,
    /// dead), and encodes every series.
    pub(crate) fn render(&self, system: &System, queues: &[(String, [u64; 4])]) -> String {
        self.read(system);
        for (family, sizes) in self.inner.queues.iter().zip(0..) {
            family.clear();
            for (queue, values) in queues {
                let labels = vec![("queue", queue.clone())];
                family
                    .get_or_create(&labels)
                    .set(i64::try_from(values[sizes]).unwrap_or(i64::MAX));
            }
        }
        let mut text = String::new();
        if let Err(error) =
            prometheus_client::encoding::text::encode(&mut text, &self.inner.registry)
        {
            tracing::warn!(%error, "the metrics could not be encoded");
        }
        text
    }

    /// The labels of an actor: its type, and its path when labelled by path.
    fn labels(&self, scrape: &mut Scrape, path: &ActorPath, actor_type: &str) -> Labels {
        let mut labels = vec![("actor_type", actor_type.to_owned())];
        if self.inner.per_path {
            let own = scrape.labelled.contains(path)
                || (scrape.labelled.len() < self.inner.max_paths
                    && scrape.labelled.insert(path.clone()));
            let label = if own {
                path.to_string()
            } else {
                "other".to_owned()
            };
            labels.push(("path", label));
        }
        labels
    }

    fn read(&self, system: &System) {
        let inner = &*self.inner;
        let mut scrape = inner.scrape.lock().unwrap_or_else(PoisonError::into_inner);
        let scrape = &mut *scrape;
        let mut seen = HashMap::with_capacity(scrape.seen.len());
        // Gauges summed per label set before they are set: actors, waiting, peak.
        let mut actors: HashMap<Labels, (i64, i64, i64)> = HashMap::new();
        for node in system.tree().walk() {
            let labels = self.labels(scrape, node.path(), node.actor_type());
            let now = Seen {
                handled: node.messages_handled(),
                restarts: u64::from(node.restarts()),
                panics: node.panics(),
                asks_timed_out: node.asks_timed_out(),
            };
            let before = scrape.seen.get(node.path()).copied().unwrap_or_default();
            for (family, now, before) in [
                (&inner.handled, now.handled, before.handled),
                (&inner.restarts, now.restarts, before.restarts),
                (&inner.panics, now.panics, before.panics),
                (
                    &inner.asks_timed_out,
                    now.asks_timed_out,
                    before.asks_timed_out,
                ),
            ] {
                // Created even at 0, so that the series exists from the first scrape.
                family
                    .get_or_create(&labels)
                    .inc_by(now.saturating_sub(before));
            }
            seen.insert(node.path().clone(), now);
            let entry = actors.entry(labels).or_default();
            let count = |n: Option<usize>| i64::try_from(n.unwrap_or(0)).unwrap_or(i64::MAX);
            entry.0 += 1;
            entry.1 += count(node.mailbox_len());
            entry.2 = entry.2.max(count(node.mailbox_high_water()));
        }
        // Actors gone since: their last counts stay in the totals; their paths are free.
        scrape.seen = seen;
        if inner.per_path {
            scrape
                .labelled
                .retain(|path| scrape.seen.contains_key(path));
        }
        let gauges: HashSet<Labels> = actors.keys().cloned().collect();
        for gone in scrape.gauges.difference(&gauges) {
            for family in [&inner.actors, &inner.mailbox_len, &inner.mailbox_high_water] {
                family.remove(gone);
            }
        }
        for (labels, (count, waiting, peak)) in actors {
            inner.actors.get_or_create(&labels).set(count);
            inner.mailbox_len.get_or_create(&labels).set(waiting);
            inner.mailbox_high_water.get_or_create(&labels).set(peak);
        }
        scrape.gauges = gauges;
        let undelivered = system.undelivered_total();
        inner
            .undelivered
            .inc_by(undelivered.saturating_sub(scrape.undelivered));
        scrape.undelivered = undelivered;
    }

    /// The histogram of a handled message's actor.
    fn histogram(&self, key: &HistogramKey, event: &MessageHandled<'_>) -> Histogram {
        let labels = match key {
            HistogramKey::Path(_) => {
                let mut scrape = self
                    .inner
                    .scrape
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                self.labels(&mut scrape, event.actor, event.actor_type)
            }
            HistogramKey::Type(_) => vec![("actor_type", event.actor_type.to_owned())],
        };
        self.inner.handler_seconds.get_or_create(&labels).clone()
    }
}

/// What a thread's cached histogram is for: an actor type (by the address of its name, a
/// `&'static str`) or a path.
#[derive(Clone, PartialEq, Eq)]
enum HistogramKey {
    Type(usize),
    Path(ActorPath),
}

thread_local! {
    /// The histogram this thread recorded into last, with its key and the `Inner` it belongs
    /// to: an actor's messages are handled on one task, so most messages find it here
    /// without looking it up in the family.
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
                histogram.observe(seconds);
                true
            }
            _ => false,
        });
        if !cached {
            let histogram = self.histogram(&key, event);
            histogram.observe(seconds);
            LAST.with(|last| *last.borrow_mut() = Some((owner, key, histogram)));
        }
    }
}
