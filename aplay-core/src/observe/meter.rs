//! What a metered system measures of each actor beyond its message count: the time spent in
//! its handlers and its mailbox's high-water mark.
//!
//! Measuring a handler costs two clock reads, a sizeable share of a cheap message's handling,
//! so it is opt-in per system ([`Observing`]). An actor of a metered system has a [`Meter`];
//! the message loop looks once, before its first message, whether there is one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::metrics::{MessageHandled, MetricsSink};
use crate::path::ActorPath;
use crate::stop::StopReason;

/// What a system observes beyond what every actor counts, set when it is built.
#[derive(Clone, Default)]
pub(crate) struct Observing {
    /// Measure handler time and mailbox high-water marks.
    pub(crate) metered: bool,
    /// Where to report metrics (implies `metered`).
    pub(crate) sink: Option<Arc<dyn MetricsSink>>,
}

impl Observing {
    /// Calls `report` on the sink, if there is one; a panic in it is logged and forgotten.
    pub(crate) fn report(&self, report: impl FnOnce(&dyn MetricsSink)) {
        if let Some(sink) = &self.sink {
            report_to(&**sink, report);
        }
    }
}

/// Calls `report` on `sink`, catching a panic: a broken sink must not end the actor.
pub(crate) fn report_to(sink: &dyn MetricsSink, report: impl FnOnce(&dyn MetricsSink)) {
    if let Err(panic) = crate::panics::catch(|| report(sink)) {
        let text = crate::panics::panic_text(&*panic);
        tracing::error!(panic = %text, "the metrics sink panicked; the report is lost");
    }
}

/// The time an actor spent in its handlers.
///
/// # Examples
///
/// ```
/// use aplay_core::{ActorRef, System};
/// use aplay_core::observe::HandlerTime;
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::builder().metered(true).build();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// counter.add(1).await?;
/// let any = ActorRef::to_any(&counter);
/// counter.stop().await; // all handled, all measured
/// let time: HandlerTime = any.handler_time().expect("a metered system");
/// assert!(time.max <= time.total);
/// assert_eq!(any.mailbox_capacity(), Some(1024));
/// assert!(any.mailbox_high_water() >= Some(1));
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct HandlerTime {
    /// All handled messages together.
    pub total: Duration,
    /// The longest single message.
    pub max: Duration,
}

/// The measurements of one actor of a metered system. Only the actor's task writes them (one
/// instance at a time), so updates are plain loads and stores.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    total_nanos: AtomicU64,
    max_nanos: AtomicU64,
    high_water: AtomicUsize,
    /// When the message being handled was taken ([`since_epoch`], 0 when none is), and how
    /// many waited then. Kept here rather than in the actor's task, whose future every idle
    /// actor carries.
    taken_at: AtomicU64,
    taken_len: AtomicUsize,
}

/// Nanoseconds since the first call in this process, plus one (so that 0 means "none").
fn since_epoch() -> u64 {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let elapsed = EPOCH.get_or_init(Instant::now).elapsed();
    u64::try_from(elapsed.as_nanos())
        .unwrap_or(u64::MAX - 1)
        .saturating_add(1)
}

impl Meter {
    /// Notes that the actor takes a message while `mailbox_len` wait, this one included, and
    /// starts the clock for [`handled`](Self::handled).
    pub(crate) fn taken(&self, mailbox_len: usize) {
        if mailbox_len > self.high_water.load(Ordering::Relaxed) {
            self.high_water.store(mailbox_len, Ordering::Relaxed);
        }
        self.taken_len.store(mailbox_len, Ordering::Relaxed);
        self.taken_at.store(since_epoch(), Ordering::Relaxed);
    }

    /// Records a handled message, timed from [`taken`](Self::taken); then reports it to
    /// `sink`.
    pub(crate) fn handled(
        &self,
        actor: &ActorPath,
        actor_type: &'static str,
        handler: &'static str,
        sink: Option<&dyn MetricsSink>,
    ) {
        let started = self.taken_at.swap(0, Ordering::Relaxed);
        if started == 0 {
            return;
        }
        let mailbox_len = self.taken_len.load(Ordering::Relaxed);
        let nanos = since_epoch().saturating_sub(started);
        let took = Duration::from_nanos(nanos);
        let total = self.total_nanos.load(Ordering::Relaxed);
        self.total_nanos
            .store(total.saturating_add(nanos), Ordering::Relaxed);
        if nanos > self.max_nanos.load(Ordering::Relaxed) {
            self.max_nanos.store(nanos, Ordering::Relaxed);
        }
        if let Some(sink) = sink {
            report_to(sink, |sink| {
                sink.message_handled(&MessageHandled {
                    actor,
                    actor_type,
                    handler,
                    took,
                    mailbox_len,
                });
            });
        }
    }

    pub(crate) fn handler_time(&self) -> HandlerTime {
        HandlerTime {
            total: Duration::from_nanos(self.total_nanos.load(Ordering::Relaxed)),
            max: Duration::from_nanos(self.max_nanos.load(Ordering::Relaxed)),
        }
    }

    /// The most messages seen waiting when the actor took one.
    pub(crate) fn high_water(&self) -> usize {
        self.high_water.load(Ordering::Relaxed)
    }
}

/// The lifecycle reports to the sink, for the runtime.
pub(crate) fn report_started(observing: &Observing, actor: &ActorPath, restarts: u32) {
    observing.report(|sink| match restarts {
        0 => sink.started(actor),
        n => sink.restarted(actor, n),
    });
}

/// Reports a final stop to the sink.
pub(crate) fn report_stopped(observing: &Observing, actor: &ActorPath, reason: &StopReason) {
    observing.report(|sink| sink.stopped(actor, reason));
}
