//! `RecipientProbe<M>`: stands in for whoever takes an `M`, and asserts what it receives.

use std::fmt;
use std::time::Duration;

use super::DEFAULT_LIMIT;
use crate::inbox::{Inbox, Recipient};

/// Makes a probe that stands for a [`Recipient<M>`], and the recipient: give the recipient to
/// the actor under test (as a message argument, say) and assert with
/// [`RecipientProbe::expect`] what it sent there.
///
/// # Examples
///
/// ```
/// use aplay_core::testkit;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (results, mut probe) = testkit::recipient_probe::<u64>();
/// results.tell(42).await.unwrap(); // what an actor under test would do
/// assert_eq!(probe.expect().await, 42);
/// probe.expect_none(std::time::Duration::from_millis(10)).await;
/// # }
/// ```
#[must_use = "the recipient refuses messages once its probe is dropped"]
pub fn recipient_probe<M: Send + 'static>() -> (Recipient<M>, RecipientProbe<M>) {
    let probe = RecipientProbe {
        inbox: Inbox::new(),
        limit: DEFAULT_LIMIT,
    };
    (probe.recipient(), probe)
}

/// Receives what is sent to its [`Recipient`]s and asserts it, as a [`Probe`](super::Probe)
/// does for an actor. Never full: sends to it never wait. Dropping it makes its recipients
/// refuse further messages ([`Error::Stopped`](crate::Error::Stopped)).
///
/// Its `expect`s **panic** when what they expect does not happen: they are test assertions.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// use std::time::Duration;
/// use aplay_core::testkit;
/// let (first, probe) = testkit::recipient_probe::<&str>();
/// let mut probe = probe.with_limit(Duration::from_secs(1));
/// let second = probe.recipient();
/// first.tell("one").await?;
/// second.try_tell("two")?;
/// assert_eq!(probe.expect().await, "one");
/// assert_eq!(probe.expect_within(Duration::from_millis(100)).await, "two");
/// probe.expect_none(Duration::from_millis(10)).await;
/// drop(probe);
/// assert!(second.try_tell("late").is_err());
/// # Ok(()) }
/// ```
pub struct RecipientProbe<M> {
    inbox: Inbox<M>,
    limit: Duration,
}

impl<M: Send + 'static> RecipientProbe<M> {
    /// The same probe, whose [`expect`](Self::expect) waits at most `limit`.
    /// `Duration::ZERO` expects a message there already; a limit past 30 years
    /// (`Duration::MAX`, say) is taken as 30 years, so that a failing test still ends.
    ///
    /// See the example on [`RecipientProbe`].
    pub fn with_limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// Another recipient that delivers to this probe.
    ///
    /// See the example on [`RecipientProbe`].
    pub fn recipient(&self) -> Recipient<M> {
        self.inbox.recipient()
    }

    /// The next message, waiting at most the probe's limit ([`DEFAULT_LIMIT`] unless
    /// [`with_limit`](Self::with_limit) says otherwise).
    ///
    /// # Panics
    ///
    /// When no message comes within the limit.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is never lost by dropping this future.
    ///
    /// See the example on [`RecipientProbe`].
    pub async fn expect(&mut self) -> M {
        self.expect_within(self.limit).await
    }

    /// The next message, waiting at most `limit`: `Duration::ZERO` takes one already there;
    /// a limit past 30 years (`Duration::MAX`, say) is taken as 30 years.
    ///
    /// # Panics
    ///
    /// When no message comes within `limit`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`RecipientProbe`].
    pub async fn expect_within(&mut self, limit: Duration) -> M {
        match super::within(limit, self.inbox.recv()).await {
            Some(msg) => msg,
            None => panic!(
                "recipient probe of {}: expected a message within {limit:?}, none came",
                std::any::type_name::<M>()
            ),
        }
    }

    /// Asserts that no message comes within `within`. `Duration::ZERO` asserts that none is
    /// there now; a limit past 30 years (`Duration::MAX`, say) is taken as 30 years, on the
    /// paused clock once every timer due within has fired.
    ///
    /// # Panics
    ///
    /// When a message comes, or one was already waiting.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// See the example on [`RecipientProbe`].
    pub async fn expect_none(&mut self, within: Duration) {
        if super::within(within, self.inbox.recv()).await.is_some() {
            panic!(
                "recipient probe of {}: expected no message within {within:?}, got one",
                std::any::type_name::<M>()
            );
        }
    }
}

impl<M> fmt::Debug for RecipientProbe<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecipientProbe")
            .field("of", &std::any::type_name::<M>())
            .field("unread", &self.inbox)
            .finish()
    }
}
