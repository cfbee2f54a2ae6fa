//! The reply channel a message carries when someone waits for its answer.

use std::fmt;

use tokio::sync::oneshot;

/// Where the handler's return value goes: the asker's side of a one-shot channel.
/// Dropping it unanswered (the actor stopped, the handler panicked) gives the asker
/// [`Error::NoReply`](crate::Error::NoReply).
///
/// # Examples
///
/// ```
/// # use aplay_doc_actors::{Counter, CounterMsg};
/// # #[cfg(feature = "testkit")]
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// use aplay_core::testkit;
/// // A probe stands in for the counter; the test answers its asks by hand.
/// let (counter, mut probe) = testkit::probe::<Counter>("counter");
/// let asker = tokio::spawn(async move { counter.get().await });
/// let CounterMsg::Get { reply: Some(reply) } = probe.expect().await else { panic!("an ask") };
/// assert!(!reply.is_closed()); // the asker waits
/// reply.send(42);
/// assert_eq!(asker.await.unwrap()?, 42);
/// # Ok(()) }
/// # #[cfg(not(feature = "testkit"))]
/// # fn main() {}
/// ```
pub struct ReplyTo<R>(pub(crate) oneshot::Sender<R>);

impl<R> ReplyTo<R> {
    /// Sends the reply. An asker that stopped waiting (timed out, dropped its future) is not
    /// an error: the reply is dropped.
    ///
    /// See the example on [`ReplyTo`].
    pub fn send(self, value: R) {
        let _ = self.0.send(value);
    }

    /// Whether the asker stopped waiting.
    ///
    /// See the example on [`ReplyTo`].
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
