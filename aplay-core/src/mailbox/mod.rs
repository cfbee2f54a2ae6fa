//! Mailboxes: the queue of messages in front of each actor.
//!
//! Bounded by default: a tell waits for room (back-pressure), `try_tell` never waits and
//! fails with [`Error::Full`](crate::Error::Full). Unbounded on request.

mod channel;
mod config;

pub(crate) use channel::{Envelope, MailboxReceiver, MailboxSender, Traced, TrySend, channel};
pub use config::Mailbox;
