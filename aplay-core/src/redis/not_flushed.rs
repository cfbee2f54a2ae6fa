//! Why [`RemoteRef::flushed`](super::RemoteRef::flushed) could not say that Redis has every
//! message.

use std::fmt;
use std::time::Duration;

use crate::path::ActorPath;
use crate::undelivered::Undelivered;

/// Messages sent through a remote ref that are not in Redis: carried by
/// [`Error::NotFlushed`](crate::Error::NotFlushed).
///
/// Two kinds, either or both:
///
/// - **refused** ([`refused`](Self::refused)): Redis refused them for good (the mailbox key
///   holds another type of value, the ACL user may not write it) or they could not be
///   encoded. They will never be stored; the messages are handed back
///   ([`take_messages`](Self::take_messages)). Each refused message is reported once, to the
///   first `flushed` that waits for it.
/// - **waiting** ([`waiting`](Self::waiting)): not stored yet when the time limit ran out,
///   because Redis cannot take them now (down, loading, out of memory, a replica): they are
///   still queued in this process and go on being retried; a later `flushed` tells when
///   they are in.
///
/// # Examples
///
/// ```
/// use aplay_core::Error;
///
/// /// Sends again what Redis refused, after the caller fixed the cause.
/// fn refused_messages<M: 'static>(error: &Error) -> Vec<M> {
///     match error {
///         Error::NotFlushed(not_flushed) => {
///             println!("{} refused, {} still on their way: {}",
///                 not_flushed.refused(), not_flushed.waiting(), not_flushed.reason());
///             not_flushed.take_messages::<M>()
///         }
///         _ => Vec::new(),
///     }
/// }
/// ```
pub struct NotFlushed {
    path: ActorPath,
    waiting: usize,
    refused: u64,
    reason: String,
    after: Option<Duration>,
    messages: Undelivered,
}

impl NotFlushed {
    pub(crate) fn new<M: Send + 'static>(
        path: ActorPath,
        waiting: usize,
        refused: u64,
        reason: String,
        after: Option<Duration>,
        messages: Vec<M>,
    ) -> Self {
        NotFlushed {
            messages: Undelivered::new(Some(path.clone()), messages),
            path,
            waiting,
            refused,
            reason,
            after,
        }
    }

    /// The path of the remote actor.
    ///
    /// See the example on [`NotFlushed`].
    pub fn path(&self) -> &ActorPath {
        &self.path
    }

    /// How many messages are not in Redis yet and are still being retried.
    ///
    /// See the example on [`NotFlushed`].
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// How many messages were refused for good since the last `flushed` (or the ref's
    /// creation). At most [`remote_capacity`](super::StationConfig::remote_capacity) of them
    /// are handed back; the count is exact.
    ///
    /// See the example on [`NotFlushed`].
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// Why, in words: Redis's refusal, or what held up the waiting ones.
    ///
    /// See the example on [`NotFlushed`].
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The refused messages (the actor's generated message type, `JobsMsg` for `Jobs`), to
    /// send again or keep elsewhere. Empty if `M` is not their type, or once taken.
    ///
    /// See the example on [`NotFlushed`].
    pub fn take_messages<M: 'static>(&self) -> Vec<M> {
        self.messages.take_message::<Vec<M>>().unwrap_or_default()
    }
}

impl fmt::Display for NotFlushed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.refused > 0 {
            write!(
                f,
                "Redis refused {} messages to {} for good (handed back): {}",
                self.refused, self.path, self.reason
            )?;
            if self.waiting > 0 {
                write!(f, "; {} more are not stored yet", self.waiting)?;
            }
            Ok(())
        } else {
            write!(
                f,
                "{} messages to {} are not in Redis yet",
                self.waiting, self.path
            )?;
            if let Some(after) = self.after {
                write!(f, " after {after:?}")?;
            }
            write!(f, " (still being retried): {}", self.reason)
        }
    }
}

impl fmt::Debug for NotFlushed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotFlushed")
            .field("path", &self.path)
            .field("waiting", &self.waiting)
            .field("refused", &self.refused)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_says_what_is_missing_and_hands_back_the_refused_messages() {
        let path = ActorPath::parse("/jobs").unwrap();
        let refused = NotFlushed::new(
            path.clone(),
            0,
            2,
            "WRONGTYPE Operation against a key".to_owned(),
            None,
            vec![1u64, 2],
        );
        assert_eq!(
            refused.to_string(),
            "Redis refused 2 messages to /jobs for good (handed back): WRONGTYPE Operation against a key"
        );
        assert!(refused.take_messages::<String>().is_empty());
        assert_eq!(refused.take_messages::<u64>(), [1, 2]);
        assert!(refused.take_messages::<u64>().is_empty());

        let waiting = NotFlushed::new(
            path,
            40,
            0,
            "LOADING Redis is loading".to_owned(),
            Some(Duration::from_secs(1)),
            Vec::<u64>::new(),
        );
        assert_eq!(
            waiting.to_string(),
            "40 messages to /jobs are not in Redis yet after 1s (still being retried): LOADING Redis is loading"
        );
    }
}
