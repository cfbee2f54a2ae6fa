//! A message handed back to its sender: what every error that refused a message carries.

use parking_lot::Mutex;
use std::any::Any;
use std::fmt;

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
