//! Seeing a running system: tracing spans and events, per-actor metrics, and the tree served
//! as JSON.
//!
//! - **Tracing** (feature `tracing`, on by default): every handled message is a span of its
//!   own, named `message`, with the fields `actor` (its path) and `handler` (the message's
//!   handler), at level `DEBUG` and target [`MESSAGE_TARGET`]. It has no parent: it *follows
//!   from* the span the message was sent from, when there was one. Lifecycle events (started,
//!   restarted, stopped with the reason, a stop by a person, the restart limit) have the target
//!   [`LIFECYCLE_TARGET`] and the actor's path in the field `actor`.
//! - **Metrics**: every actor counts the messages it handled and its restarts; a system built
//!   with [`SystemBuilder::metered`](crate::SystemBuilder::metered) or
//!   [`SystemBuilder::metrics`](crate::SystemBuilder::metrics) also measures the time spent in
//!   handlers and each mailbox's high-water mark, readable from the tree
//!   ([`TreeNode`](crate::TreeNode)) and reported to a [`MetricsSink`].
//! - **Troubles**: every actor keeps its last error, its panics, its asks that timed out and
//!   its recent restarts with their reasons ([`AnyRef::last_error`](crate::AnyRef::last_error),
//!   [`AnyRef::recent_restarts`](crate::AnyRef::recent_restarts)); the system keeps the mail
//!   its mailboxes refused ([`System::recent_undelivered`](crate::System::recent_undelivered)).
//! - **The tree**: [`System::tree`](crate::System::tree) renders as text; with the feature
//!   `serde` it serializes (as a flat list of actors), and with the feature `observe`,
//!   `TreeNode::to_json` writes it as JSON. The `aplay-dashboard` crate serves it, live, to a
//!   browser, with a Prometheus endpoint.

mod history;
mod meter;
mod metrics;
mod readings;
pub(crate) mod spans;

#[cfg(feature = "serde")]
mod json;

pub(crate) use history::History;
pub use history::{ErrorNote, RECENT_RESTARTS, RestartNote};
pub use meter::HandlerTime;
pub(crate) use meter::{Meter, Observing, report_started, report_stopped};
pub use metrics::{MessageHandled, MetricsSink};
pub use spans::{LIFECYCLE_TARGET, MESSAGE_TARGET};
