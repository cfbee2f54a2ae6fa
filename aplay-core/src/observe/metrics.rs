//! The trait through which a system reports its metrics to the user's metrics library.

use std::fmt;
use std::time::Duration;

use crate::path::ActorPath;
use crate::stop::StopReason;

/// Receives a system's metrics as they happen: bind it to a metrics library (the repository's
/// `examples/metrics.rs` binds it to the `metrics` crate). Installed with
/// [`SystemBuilder::metrics`](crate::SystemBuilder::metrics), one for the whole system.
///
/// Every method has an empty default body: implement those you need. They are called from the
/// actors' tasks, [`message_handled`](Self::message_handled) once per message, so they should
/// be quick and must not block; a panic in one is caught and logged (the actor goes on).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use aplay_core::observe::{MessageHandled, MetricsSink};
/// use aplay_core::System;
///
/// #[derive(Default)]
/// struct Count(AtomicU64);
///
/// impl MetricsSink for Count {
///     fn message_handled(&self, _event: &MessageHandled<'_>) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let count = Arc::new(Count::default());
/// let system = System::builder().metrics(Arc::clone(&count)).build();
/// // ... spawn actors; every message they handle is counted.
/// # system.shutdown().await;
/// # }
/// ```
pub trait MetricsSink: Send + Sync + 'static {
    /// An actor handled a message (a handler that panicked is reported by
    /// [`stopped`](Self::stopped) instead).
    ///
    /// See the example on [`MetricsSink`].
    fn message_handled(&self, event: &MessageHandled<'_>) {
        let _ = event;
    }

    /// An actor started: its first `on_start` succeeded.
    ///
    /// See the example on [`MetricsSink`].
    fn started(&self, actor: &ActorPath) {
        let _ = actor;
    }

    /// Its parent restarted an actor: the new instance's `on_start` succeeded. `restarts`
    /// counts the restarts so far, this one included.
    ///
    /// See the example on [`MetricsSink`].
    fn restarted(&self, actor: &ActorPath, restarts: u32) {
        let _ = (actor, restarts);
    }

    /// An actor stopped for good, for `reason`.
    ///
    /// See the example on [`MetricsSink`].
    fn stopped(&self, actor: &ActorPath, reason: &StopReason) {
        let _ = (actor, reason);
    }
}

impl<S: MetricsSink + ?Sized> MetricsSink for std::sync::Arc<S> {
    fn message_handled(&self, event: &MessageHandled<'_>) {
        (**self).message_handled(event);
    }
    fn started(&self, actor: &ActorPath) {
        (**self).started(actor);
    }
    fn restarted(&self, actor: &ActorPath, restarts: u32) {
        (**self).restarted(actor, restarts);
    }
    fn stopped(&self, actor: &ActorPath, reason: &StopReason) {
        (**self).stopped(actor, reason);
    }
}

/// One handled message, as reported to [`MetricsSink::message_handled`].
///
/// See the example on [`SystemBuilder::metrics`](crate::SystemBuilder::metrics), a sink that counts them.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct MessageHandled<'a> {
    /// The actor's address.
    pub actor: &'a ActorPath,
    /// The Rust type of the actor, e.g. `my_app::Worker`.
    pub actor_type: &'static str,
    /// The handler, as the message's name (`"add"` for `fn add`).
    pub handler: &'static str,
    /// How long the handler took, from its first poll to its end (awaits included).
    pub took: Duration,
    /// How many messages waited in the mailbox when this one was taken, this one included
    /// (with the wake-ups the runtime queues to signal a stop, if one was pending).
    pub mailbox_len: usize,
}

impl fmt::Display for MessageHandled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} handled `{}` in {:?} ({} waiting)",
            self.actor, self.handler, self.took, self.mailbox_len
        )
    }
}
