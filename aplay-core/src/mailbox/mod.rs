//! Mailboxes: the queue of messages in front of each actor.
//!
//! Bounded by default: a tell waits for room (back-pressure), `try_tell` never waits and
//! fails with [`Error::Full`](crate::Error::Full). Unbounded on request. A message sent with
//! [`Priority::High`] overtakes the normal ones queued.

mod channel;
mod config;
mod priority;
mod queue;
#[cfg(all(test, aplay_loom))]
mod queue_loom;
mod sync;

#[cfg(feature = "redis")]
pub(crate) use channel::Scope;
pub(crate) use channel::{
    Envelope, MailboxReceiver, MailboxSender, SendEnvelope, Traced, TrySend, channel, sender,
};
pub use config::Mailbox;
pub use priority::Priority;
