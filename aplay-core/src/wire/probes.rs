//! How the code `#[actor(serde)]` generates encodes fields and replies without adding errors
//! of its own when a type is not serializable.
//!
//! Each call is written where the type is concrete, as `(&&Probe(..)).method(..)`: method
//! resolution picks the real implementation (on `&Probe`) when the type has the serde traits,
//! and otherwise, without an error, the fallback (on `Probe`, one auto-deref further). A
//! fallback never runs: the same expansion checks every type (see `checks`), so a crate where
//! one would be picked does not compile, with that check's error as the only one. Not a
//! public API.

use std::fmt::Display;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned};
use serde::{Deserializer, Serialize, Serializer, ser};

use super::outcome::{expect_outcome, expect_result_outcome, take_reply};
use super::{CodecError, Outcome, OutcomeReceiver, ReplyCompleter};
use crate::request::ReplyTo;

const NOT_SERIALIZABLE: &str = "a type of this message is not serializable";

/// A field to encode.
#[derive(Debug)]
pub struct Encode<'a, T: ?Sized>(pub &'a T);

/// Encodes a `Serialize` field.
pub trait EncodeField {
    /// Serializes the field.
    ///
    /// # Errors
    ///
    /// The serializer's.
    fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}
impl<T: Serialize + ?Sized> EncodeField for &Encode<'_, T> {
    fn encode<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// The fallback for a field that is not `Serialize` (never runs, see the module).
pub trait EncodeFieldFallback {
    /// Fails.
    ///
    /// # Errors
    ///
    /// Always.
    fn encode<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(ser::Error::custom(NOT_SERIALIZABLE))
    }
}
impl<T: ?Sized> EncodeFieldFallback for Encode<'_, T> {}

/// A field of type `T` to decode.
#[derive(Debug)]
pub struct Decode<T>(PhantomData<T>);

impl<T> Decode<T> {
    /// The decoder of a `T`.
    pub const fn new() -> Self {
        Decode(PhantomData)
    }
}

impl<T> Default for Decode<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Decodes a `DeserializeOwned` field.
pub trait DecodeField<T> {
    /// Deserializes the field.
    ///
    /// # Errors
    ///
    /// The deserializer's.
    fn decode<'de, D: Deserializer<'de>>(&self, deserializer: D) -> Result<T, D::Error>;
}
impl<T: DeserializeOwned> DecodeField<T> for &Decode<T> {
    fn decode<'de, D: Deserializer<'de>>(&self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}

/// The fallback for a field that is not `DeserializeOwned` (never runs, see the module).
pub trait DecodeFieldFallback<T> {
    /// Fails.
    ///
    /// # Errors
    ///
    /// Always.
    fn decode<'de, D: Deserializer<'de>>(&self, _deserializer: D) -> Result<T, D::Error> {
        Err(de::Error::custom(NOT_SERIALIZABLE))
    }
}
impl<T> DecodeFieldFallback<T> for Decode<T> {}

/// The reply channel of a message, to carry its reply across.
#[derive(Debug)]
pub struct Reply<'a, R>(pub &'a mut Option<ReplyTo<R>>);

/// [`Wire`](super::Wire)'s two functions for a serializable reply.
pub trait WireReply {
    /// [`expect_outcome`], or [`expect_result_outcome`] when `result`.
    fn expect_outcome(&mut self) -> OutcomeReceiver;
    /// [`take_reply`].
    fn take_reply(&mut self) -> Option<ReplyCompleter>;
}
impl<R> WireReply for &mut Reply<'_, R>
where
    R: Serialize + DeserializeOwned + Send + 'static,
{
    fn expect_outcome(&mut self) -> OutcomeReceiver {
        expect_outcome(self.0)
    }
    fn take_reply(&mut self) -> Option<ReplyCompleter> {
        take_reply(self.0)
    }
}

/// [`Wire`](super::Wire)'s `expect_outcome` for a serializable `Result` reply.
pub trait WireResultReply {
    /// [`expect_result_outcome`].
    fn expect_result_outcome(&mut self) -> OutcomeReceiver;
}
impl<T, E> WireResultReply for &mut Reply<'_, Result<T, E>>
where
    Result<T, E>: Serialize + Send + 'static,
    E: Display,
{
    fn expect_result_outcome(&mut self) -> OutcomeReceiver {
        expect_result_outcome(self.0)
    }
}

/// The fallback for a reply that is not serializable (never runs, see the module).
pub trait WireReplyFallback {
    /// An outcome saying the reply cannot be encoded.
    fn expect_outcome(&mut self) -> OutcomeReceiver {
        Box::pin(async { Outcome::Unencodable(CodecError::Encode(NOT_SERIALIZABLE.into())) })
    }
    /// An outcome saying the reply cannot be encoded.
    fn expect_result_outcome(&mut self) -> OutcomeReceiver {
        self.expect_outcome()
    }
    /// Nothing: the reply cannot come back.
    fn take_reply(&mut self) -> Option<ReplyCompleter> {
        None
    }
}
impl<R> WireReplyFallback for Reply<'_, R> {}
