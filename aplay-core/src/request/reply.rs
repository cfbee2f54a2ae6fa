//! The reply channel a message carries when someone waits for its answer.

use std::fmt;

use tokio::sync::oneshot;

/// Where the handler's return value goes: the asker's side of a one-shot channel.
/// Dropping it unanswered (the actor stopped, the handler panicked) gives the asker
/// [`Error::NoReply`](crate::Error::NoReply).
pub struct ReplyTo<R>(pub(crate) oneshot::Sender<R>);

impl<R> ReplyTo<R> {
    /// Sends the reply. An asker that stopped waiting (timed out, dropped its future) is not
    /// an error: the reply is dropped.
    pub fn send(self, value: R) {
        let _ = self.0.send(value);
    }

    /// Whether the asker stopped waiting.
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
}

impl<R> fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyTo")
            .field("closed", &self.is_closed())
            .finish()
    }
}
