//! Inboxes and recipients (actorio's `Reference` and `message.sender`): somewhere outside any
//! actor that actors can send to, and a handle that can stand for either an inbox or an actor.

mod recipient;

pub use recipient::Recipient;

use std::fmt;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::error::{Error, Undelivered};
use recipient::Deliver;

/// A mailbox for code outside any actor (actorio's `Reference`): hand out its
/// [`recipient`](Self::recipient) and read what actors send to it.
///
/// Unbounded: senders never wait on it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::Inbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut inbox = Inbox::new();
/// let me = inbox.recipient();
/// me.tell("hello").await.unwrap();
/// assert_eq!(inbox.recv().await, "hello");
/// assert_eq!(inbox.recv_timeout(Duration::from_millis(10)).await, None);
/// # }
/// ```
pub struct Inbox<M> {
    receiver: mpsc::UnboundedReceiver<M>,
    sender: mpsc::UnboundedSender<M>,
}

impl<M: Send + 'static> Inbox<M> {
    /// An empty inbox.
    ///
    /// See the example on [`Inbox`].
    pub fn new() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Inbox { receiver, sender }
    }

    /// A recipient that delivers here: give it to actors (as a message argument) so they can
    /// reply to whoever asked.
    ///
    /// See the example on [`Inbox`].
    pub fn recipient(&self) -> Recipient<M> {
        Recipient::new(InboxTarget {
            sender: self.sender.clone(),
        })
    }

    /// Waits for the next message.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is never lost by dropping this future.
    ///
    /// See the example on [`Inbox`].
    pub async fn recv(&mut self) -> M {
        // The inbox holds a sender itself, so the channel never closes while it is read.
        match self.receiver.recv().await {
            Some(msg) => msg,
            None => unreachable!("an inbox keeps its own channel open"),
        }
    }

    /// Waits at most `timeout` for the next message; `None` if none came.
    ///
    /// `Duration::MAX` (or any limit too long for the clock to count) waits as long as it
    /// takes. `Duration::ZERO` takes a message only if one is there already, as
    /// [`try_recv`](Self::try_recv) does.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`Inbox`].
    pub async fn recv_timeout(&mut self, timeout: Duration) -> Option<M> {
        crate::time::within(timeout, self.recv()).await
    }

    /// The next message if one is there, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// use aplay_core::Inbox;
    /// let mut inbox = Inbox::new();
    /// assert!(inbox.is_empty());
    /// assert_eq!(inbox.try_recv(), None);
    /// let to = inbox.recipient();
    /// to.try_tell(1)?;
    /// to.try_tell(2)?;
    /// assert_eq!(inbox.len(), 2);
    /// assert_eq!(inbox.try_recv(), Some(1));
    /// # Ok(()) }
    /// ```
    pub fn try_recv(&mut self) -> Option<M> {
        self.receiver.try_recv().ok()
    }

    /// How many messages wait.
    ///
    /// See the example on [`try_recv`](Self::try_recv).
    pub fn len(&self) -> usize {
        self.receiver.len()
    }

    /// Whether no message waits.
    ///
    /// See the example on [`try_recv`](Self::try_recv).
    pub fn is_empty(&self) -> bool {
        self.receiver.is_empty()
    }
}

impl<M: Send + 'static> Default for Inbox<M> {
    fn default() -> Self {
        Inbox::new()
    }
}

impl<M> fmt::Debug for Inbox<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("waiting", &self.receiver.len())
            .finish()
    }
}

/// The sending side of an inbox, behind a [`Recipient`].
struct InboxTarget<M> {
    sender: mpsc::UnboundedSender<M>,
}

impl<M: Send + 'static> Deliver<M> for InboxTarget<M> {
    fn try_deliver(&self, msg: M) -> Result<(), Error> {
        self.sender
            .send(msg)
            .map_err(|mpsc::error::SendError(msg)| Error::Stopped(Undelivered::new(None, msg)))
    }

    fn deliver(&self, msg: M) -> recipient::DeliverFuture<'_> {
        let result = self.try_deliver(msg);
        Box::pin(std::future::ready(result))
    }

    fn is_alive(&self) -> bool {
        !self.sender.is_closed()
    }

    fn describe(&self) -> String {
        "an inbox".to_owned()
    }
}
