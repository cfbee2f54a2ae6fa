//! Carrying a handler's reply across a process boundary, in both directions.

use std::fmt::{self, Display};
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use super::{CodecError, decode, encode};
use crate::request::ReplyTo;

/// How the handling of one message ended.
///
/// See the example on [`Wire`](super::Wire), which awaits one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handler returned; `reply` is its return value, encoded.
    Replied {
        /// The encoded return value (for a fallible handler, the whole `Result`).
        reply: Vec<u8>,
        /// For a handler that returned `Err`: the error, as text.
        error: Option<String>,
    },
    /// No reply came: the handler panicked, or the actor stopped first.
    NoReply,
    /// The reply could not be encoded.
    Unencodable(CodecError),
}

impl Outcome {
    /// Whether the handler finished without an error (returned, and not `Err`).
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::wire::Outcome;
    /// assert!(Outcome::Replied { reply: vec![1, 0], error: None }.is_success());
    /// assert!(!Outcome::Replied { reply: vec![1, 1], error: Some("bad input".into()) }.is_success());
    /// assert!(!Outcome::NoReply.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Replied { error: None, .. })
    }
}

/// Resolves to the [`Outcome`] of one message, once it is handled.
///
/// See the example on [`Wire`](super::Wire).
pub type OutcomeReceiver = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// Installs a reply channel whose reply is encoded. Used by generated code.
pub fn expect_outcome<R>(slot: &mut Option<ReplyTo<R>>) -> OutcomeReceiver
where
    R: Serialize + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    *slot = Some(ReplyTo(tx));
    Box::pin(async move {
        match rx.await {
            Ok(value) => match encode(&value) {
                Ok(reply) => Outcome::Replied { reply, error: None },
                Err(e) => Outcome::Unencodable(e),
            },
            Err(_) => Outcome::NoReply,
        }
    })
}

/// [`expect_outcome`] for a fallible handler: an `Err` is also kept as text.
pub fn expect_result_outcome<T, E>(slot: &mut Option<ReplyTo<Result<T, E>>>) -> OutcomeReceiver
where
    Result<T, E>: Serialize + Send + 'static,
    E: Display,
{
    let (tx, rx) = oneshot::channel();
    *slot = Some(ReplyTo(tx));
    Box::pin(async move {
        match rx.await {
            Ok(value) => {
                let error = value.as_ref().err().map(ToString::to_string);
                match encode(&value) {
                    Ok(reply) => Outcome::Replied { reply, error },
                    Err(e) => Outcome::Unencodable(e),
                }
            }
            Err(_) => Outcome::NoReply,
        }
    })
}

/// Takes an asker's reply channel out of a message. Used by generated code.
pub fn take_reply<R>(slot: &mut Option<ReplyTo<R>>) -> Option<ReplyCompleter>
where
    R: DeserializeOwned + Send + 'static,
{
    slot.take().map(|reply| ReplyCompleter {
        inner: Box::new(Typed(reply)),
    })
}

/// An asker waiting for a reply that comes back encoded (from another process).
///
/// See the example on [`Wire`](super::Wire).
pub struct ReplyCompleter {
    inner: Box<dyn ErasedReply>,
}

impl ReplyCompleter {
    /// Decodes `bytes` and hands the value to the asker.
    ///
    /// # Errors
    ///
    /// [`CodecError`] when the bytes are not a reply of the expected type; the asker then
    /// gets [`Error::NoReply`](crate::Error::NoReply).
    ///
    /// See the example on [`Wire`](super::Wire).
    pub fn complete(self, bytes: &[u8]) -> Result<(), CodecError> {
        self.inner.complete(bytes)
    }

    /// Whether the asker stopped waiting (timed out, dropped its future): its reply can be
    /// forgotten.
    ///
    /// See the example on [`Wire`](super::Wire).
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl fmt::Debug for ReplyCompleter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyCompleter")
            .field("closed", &self.is_closed())
            .finish()
    }
}

trait ErasedReply: Send {
    fn complete(self: Box<Self>, bytes: &[u8]) -> Result<(), CodecError>;
    fn is_closed(&self) -> bool;
}

struct Typed<R>(ReplyTo<R>);

impl<R: DeserializeOwned + Send + 'static> ErasedReply for Typed<R> {
    fn complete(self: Box<Self>, bytes: &[u8]) -> Result<(), CodecError> {
        let value = decode::<R>(bytes)?;
        self.0.send(value);
        Ok(())
    }

    fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
}
