//! Mailbox configuration chosen by `Actor::mailbox`.

/// Which mailbox an actor gets, returned by [`Actor::mailbox`](crate::Actor::mailbox).
///
/// # Examples
///
/// ```
/// use aplay_core::{Actor, Mailbox};
///
/// struct Sink;
/// impl Actor for Sink {
///     fn mailbox(&self) -> Mailbox {
///         Mailbox::bounded(16)
///     }
/// }
/// assert_eq!(Mailbox::bounded(16).capacity(), Some(16));
/// assert_eq!(Mailbox::unbounded().capacity(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mailbox {
    capacity: Option<usize>,
}

impl Mailbox {
    /// The capacity of the default mailbox.
    ///
    /// See the example on [`Mailbox`].
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// A mailbox with room for `capacity` messages: senders wait while it is full.
    /// A capacity of 0 is taken as 1.
    ///
    /// The actor takes what is queued in one go and hands it to its handlers one message at
    /// a time; the room of the messages it has handled is given back every quarter of the
    /// capacity (at once for capacities below 8), and whenever it has handled all it took.
    /// So at most `capacity` messages are ever queued, and a sender waiting for room is woken
    /// once per quarter of the capacity rather than once per message.
    ///
    /// See the example on [`Mailbox`].
    pub fn bounded(capacity: usize) -> Self {
        Mailbox {
            capacity: Some(capacity.max(1)),
        }
    }

    /// A mailbox without a limit: tells never wait, and memory grows with the backlog.
    ///
    /// See the example on [`Mailbox`].
    pub fn unbounded() -> Self {
        Mailbox { capacity: None }
    }

    /// The capacity, `None` when unbounded.
    ///
    /// See the example on [`Mailbox`].
    pub fn capacity(&self) -> Option<usize> {
        self.capacity
    }
}

impl Default for Mailbox {
    fn default() -> Self {
        Mailbox::bounded(Self::DEFAULT_CAPACITY)
    }
}
