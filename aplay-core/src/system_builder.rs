//! `SystemBuilder`: a system with options, for what `System::new` leaves off.

use std::fmt;
use std::sync::Arc;

use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::ActorRef;
use crate::observe::{MetricsSink, Observing};
use crate::system::System;

/// Builds a [`System`] with options; from [`System::builder`].
///
/// # Examples
///
/// ```
/// use aplay_core::System;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Every actor's handler time and mailbox high-water mark are measured.
/// let system = System::builder().metered(true).build();
/// assert!(system.root().handler_time().is_some());
/// assert!(System::new().root().handler_time().is_none());
/// # }
/// ```
#[derive(Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct SystemBuilder {
    observing: Observing,
}

impl System {
    /// A builder, for a system with options.
    ///
    /// See the example on [`SystemBuilder`].
    pub fn builder() -> SystemBuilder {
        SystemBuilder::default()
    }
}

impl SystemBuilder {
    /// Whether every actor measures the time its handlers take and its mailbox's high-water
    /// mark (off by default: two clock reads per message are a visible share of a cheap
    /// message's cost). The values are read with [`AnyRef::handler_time`](crate::AnyRef::handler_time),
    /// [`AnyRef::mailbox_high_water`](crate::AnyRef::mailbox_high_water) and the tree
    /// ([`TreeNode`](crate::TreeNode)). The message and restart counts are always kept.
    ///
    /// See the example on [`SystemBuilder`].
    pub fn metered(mut self, metered: bool) -> Self {
        self.observing.metered = metered;
        self
    }

    /// Reports every actor's metrics to `sink` (and meters the system, as
    /// [`metered(true)`](Self::metered) does).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use aplay_core::System;
    /// use aplay_core::observe::{MessageHandled, MetricsSink};
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    ///
    /// #[derive(Default)]
    /// struct Handled(AtomicU64);
    /// impl MetricsSink for Handled {
    ///     fn message_handled(&self, _event: &MessageHandled<'_>) {
    ///         self.0.fetch_add(1, Ordering::Relaxed);
    ///     }
    /// }
    ///
    /// let handled = Arc::new(Handled::default());
    /// let system = System::builder().metrics(Arc::clone(&handled)).build();
    /// let counter = system.spawn("counter", Counter::default()).await?;
    /// counter.add(1).await?;
    /// assert_eq!(counter.get().await?, 1);
    /// counter.stop().await; // every message handled, and counted
    /// assert_eq!(handled.0.load(Ordering::Relaxed), 2);
    /// # Ok(()) }
    /// ```
    pub fn metrics(mut self, sink: impl MetricsSink) -> Self {
        self.observing.sink = Some(Arc::new(sink));
        self.observing.metered = true;
        self
    }

    /// The system, with the built-in kernel at `/`, as [`System::new`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (it spawns the kernel's task).
    ///
    /// See the example on [`SystemBuilder`].
    pub fn build(self) -> System {
        System::start(self.observing)
    }

    /// The system with `kernel` at `/`, as [`System::with_kernel`]. Returns once the kernel's
    /// `on_start` has run.
    ///
    /// # Errors
    ///
    /// [`Error::StartFailed`] or [`Error::StartDeclined`] from the kernel's start.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    ///
    /// As [`System::with_kernel`].
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::System;
    /// # use aplay_doc_actors::Counter;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let (system, kernel) = System::builder().metered(true).build_with_kernel(Counter::default()).await?;
    /// kernel.add(1).await?;
    /// assert!(system.root().handler_time().is_some());
    /// # Ok(()) }
    /// ```
    pub async fn build_with_kernel<K: Dispatch>(
        self,
        kernel: K,
    ) -> Result<(System, ActorRef<K>), Error> {
        System::start_with_kernel(self.observing, kernel).await
    }
}

impl fmt::Debug for SystemBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemBuilder")
            .field("metered", &self.observing.metered)
            .field("metrics", &self.observing.sink.is_some())
            .finish()
    }
}
