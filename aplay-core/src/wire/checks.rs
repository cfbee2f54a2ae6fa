//! The compile-time checks `#[actor(serde)]` generates: every argument and reply type must be
//! `Serialize + DeserializeOwned`, reported once, on the type as the user wrote it.
//!
//! A plain `T: Serialize + DeserializeOwned` bound reports two errors for a type that derives
//! neither. So the check runs in two steps. A probe first picks, without failing, a marker
//! saying whether `T: Serialize` ([`IsSerialize`] or [`NotSerialize`], by autoref method
//! resolution); the marker's method then requires the one bound that matters: `Serialize` when
//! it is missing, otherwise `DeserializeOwned`. One mistake, one error, with the message of the
//! traits below.
//!
//! Generated as `(&&probe::<T>()).serialize_probe().argument::<T>()`, with both probe traits
//! in scope. Not a public API.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A value standing for the type `T`, to probe it.
#[derive(Debug)]
pub struct Probe<T: ?Sized>(PhantomData<T>);

/// A probe of `T`.
pub const fn probe<T: ?Sized>() -> Probe<T> {
    Probe(PhantomData)
}

/// The probe's answer when `T: Serialize`: what remains to check is `DeserializeOwned`.
#[derive(Debug)]
pub struct IsSerialize<T: ?Sized>(PhantomData<T>);

/// The probe's answer when `T` is not `Serialize`: that is the error to report.
#[derive(Debug)]
pub struct NotSerialize<T: ?Sized>(PhantomData<T>);

/// The step that checks `Serialize`.
#[derive(Debug)]
pub struct CheckSerialize;

/// The step that checks `DeserializeOwned`.
#[derive(Debug)]
pub struct CheckDeserialize;

/// Chosen by method resolution on `&&Probe<T>` when `T: Serialize`.
pub trait SerializeProbe<T: ?Sized> {
    /// [`IsSerialize`].
    fn serialize_probe(&self) -> IsSerialize<T> {
        IsSerialize(PhantomData)
    }
}
impl<T: Serialize + ?Sized> SerializeProbe<T> for &Probe<T> {}

/// Chosen by method resolution on `&&Probe<T>` (one auto-deref further) otherwise.
pub trait SerializeProbeFallback<T: ?Sized> {
    /// [`NotSerialize`].
    fn serialize_probe(&self) -> NotSerialize<T> {
        NotSerialize(PhantomData)
    }
}
impl<T: ?Sized> SerializeProbeFallback<T> for Probe<T> {}

/// The bound on every argument of an `#[actor(serde)]` handler. `Step` is the probe's answer.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a serializable message: it is not `Serialize + DeserializeOwned`",
    label = "this argument is encoded when the message crosses to another process",
    note = "with `#[actor(serde)]` every message is serializable: derive `serde::Serialize` and `serde::Deserialize` for this type, or take one that has them"
)]
pub trait SerializableArgument<Step> {}
impl<T: Serialize> SerializableArgument<CheckSerialize> for T {}
impl<T: DeserializeOwned> SerializableArgument<CheckDeserialize> for T {}

/// The bound on every reply (and the `Ok` type of a `Result` reply) of an `#[actor(serde)]`
/// handler.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the reply of a serializable message: it is not `Serialize + DeserializeOwned`",
    label = "this reply is encoded when it goes back to another process",
    note = "with `#[actor(serde)]` every reply is serializable: derive `serde::Serialize` and `serde::Deserialize` for this type, or return one that has them"
)]
pub trait SerializableReply<Step> {}
impl<T: Serialize> SerializableReply<CheckSerialize> for T {}
impl<T: DeserializeOwned> SerializableReply<CheckDeserialize> for T {}

/// The bound on the error type of a `Result` reply of an `#[actor(serde)]` handler.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the error of a serializable reply: it is not `Serialize + DeserializeOwned`",
    label = "an asker in another process gets the whole `Result`, this error included",
    note = "with `#[actor(serde)]` every reply is serializable: use a serializable error type such as `String`, or derive `serde::Serialize` and `serde::Deserialize` for this one"
)]
pub trait SerializableError<Step> {}
impl<T: Serialize> SerializableError<CheckSerialize> for T {}
impl<T: DeserializeOwned> SerializableError<CheckDeserialize> for T {}

impl<T> NotSerialize<T> {
    /// Requires `T: Serialize`, the bound found missing.
    pub fn argument(self)
    where
        T: SerializableArgument<CheckSerialize>,
    {
    }
    /// Requires `T: Serialize`, the bound found missing.
    pub fn reply(self)
    where
        T: SerializableReply<CheckSerialize>,
    {
    }
    /// Requires `T: Serialize`, the bound found missing.
    pub fn error(self)
    where
        T: SerializableError<CheckSerialize>,
    {
    }
}

impl<T> IsSerialize<T> {
    /// Requires `T: DeserializeOwned`, what remains.
    pub fn argument(self)
    where
        T: SerializableArgument<CheckDeserialize>,
    {
    }
    /// Requires `T: DeserializeOwned`, what remains.
    pub fn reply(self)
    where
        T: SerializableReply<CheckDeserialize>,
    {
    }
    /// Requires `T: DeserializeOwned`, what remains.
    pub fn error(self)
    where
        T: SerializableError<CheckDeserialize>,
    {
    }
}
