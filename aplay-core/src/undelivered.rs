//! A message handed back to its sender: what every error that refused a message carries.

use parking_lot::Mutex;
use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use crate::path::ActorPath;

/// A message that could not be delivered, handed back to the sender inside an [`Error`](crate::Error).
///
/// It holds the actor's generated message (`CounterMsg::Add { .. }` for `#[actor] impl
/// Counter`), which [`Undelivered::take_message`] returns.
///
/// # Examples
///
/// ```
/// use aplay_core::System;
/// # use aplay_doc_actors::{Counter, CounterMsg};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// counter.stop().await;
/// let err = counter.add(7).try_tell().unwrap_err();
/// let undelivered = err.undelivered().expect("a refused message");
/// assert_eq!(undelivered.path().map(|p| p.as_str()), Some("/counter"));
/// assert!(undelivered.message_type().ends_with("CounterMsg"));
/// assert!(undelivered.take_message::<String>().is_none()); // not a String
/// let Some(CounterMsg::Add { n, .. }) = undelivered.take_message::<CounterMsg>() else { panic!() };
/// assert_eq!(n, 7);
/// assert!(undelivered.take_message::<CounterMsg>().is_none()); // taken already
/// # Ok(()) }
/// ```
pub struct Undelivered {
    path: Option<ActorPath>,
    type_name: &'static str,
    // A `Mutex` keeps `Error` `Sync` while the message itself only needs to be `Send`.
    message: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Undelivered {
    pub(crate) fn new<M: Send + 'static>(path: Option<ActorPath>, message: M) -> Self {
        Undelivered {
            path,
            type_name: std::any::type_name::<M>(),
            message: Mutex::new(Some(Box::new(message))),
        }
    }

    /// The address of the actor the message was for; `None` for an [`Inbox`](crate::Inbox).
    ///
    /// See the example on [`Undelivered`].
    pub fn path(&self) -> Option<&ActorPath> {
        self.path.as_ref()
    }

    /// The actor's address, or "the inbox", for messages.
    pub(crate) fn target(&self) -> &dyn std::fmt::Display {
        match &self.path {
            Some(path) => path,
            None => &"the inbox",
        }
    }

    /// The Rust type of the message, e.g. `my_crate::CounterMsg`.
    ///
    /// See the example on [`Undelivered`].
    pub fn message_type(&self) -> &'static str {
        self.type_name
    }

    /// Takes the message back out. `None` if it is not an `M`, or was already taken.
    ///
    /// See the example on [`Undelivered`].
    pub fn take_message<M: 'static>(&self) -> Option<M> {
        let mut slot = self.message.lock();
        match slot.take()?.downcast::<M>() {
            Ok(message) => Some(*message),
            Err(other) => {
                *slot = Some(other);
                None
            }
        }
    }
}

impl fmt::Debug for Undelivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Undelivered")
            .field("path", &self.path)
            .field("message_type", &self.type_name)
            .finish_non_exhaustive()
    }
}

/// Why a mailbox refused a message, as the system's log of undelivered mail says
/// ([`System::recent_undelivered`](crate::System::recent_undelivered)).
///
/// See the example on [`UndeliveredNote`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The mailbox was full and the sender would not wait (`try_tell`, a topic's publish).
    Full,
    /// The actor had stopped, or was stopping.
    Stopped,
    /// The sender's time limit ran out while it waited for room.
    SendTimeout,
    /// An actor asked itself: it would have waited for its own reply.
    WouldDeadlock,
}

impl Refusal {
    /// A short name: `full`, `stopped`, `send timeout`, `would deadlock`.
    ///
    /// See the example on [`UndeliveredNote`].
    pub fn as_str(&self) -> &'static str {
        match self {
            Refusal::Full => "full",
            Refusal::Stopped => "stopped",
            Refusal::SendTimeout => "send timeout",
            Refusal::WouldDeadlock => "would deadlock",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many refused messages a system remembers, the oldest forgotten first.
pub const RECENT_UNDELIVERED: usize = 100;

/// A message an actor's mailbox refused (the local system's dead letters): kept by the system
/// for tools, while the message itself went back to its sender inside the error.
///
/// # Examples
///
/// ```
/// use aplay_core::{Refusal, System};
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// counter.stop().await;
/// assert!(counter.add(7).await.is_err());
/// assert_eq!(system.undelivered_total(), 1);
/// let note = &system.recent_undelivered()[0];
/// assert_eq!(note.to.as_str(), "/counter");
/// assert_eq!(note.message, "add");
/// assert!(note.message_type.ends_with("CounterMsg"));
/// assert_eq!(note.why, Refusal::Stopped);
/// assert_eq!(note.why.to_string(), "stopped");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UndeliveredNote {
    /// When it was refused (the wall clock).
    pub at: SystemTime,
    /// The actor it was for.
    pub to: ActorPath,
    /// The handler it was for (`"add"` for `fn add`).
    pub message: &'static str,
    /// The Rust type of the message, e.g. `my_app::CounterMsg`.
    pub message_type: &'static str,
    /// Why it was refused.
    pub why: Refusal,
}

/// A system's log of undelivered mail: a count, and the last [`RECENT_UNDELIVERED`] notes.
/// Written only when a message is refused.
#[derive(Debug, Default)]
pub(crate) struct UndeliveredLog {
    total: AtomicU64,
    recent: Mutex<VecDeque<UndeliveredNote>>,
}

impl UndeliveredLog {
    pub(crate) fn note(
        &self,
        to: &ActorPath,
        message: &'static str,
        message_type: &'static str,
        why: Refusal,
    ) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let note = UndeliveredNote {
            at: SystemTime::now(),
            to: to.clone(),
            message,
            message_type,
            why,
        };
        let mut recent = self.recent.lock();
        if recent.len() == RECENT_UNDELIVERED {
            recent.pop_front();
        }
        recent.push_back(note);
    }

    pub(crate) fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub(crate) fn recent(&self) -> Vec<UndeliveredNote> {
        self.recent.lock().iter().cloned().collect()
    }
}
