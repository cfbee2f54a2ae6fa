//! Items the `#[actor]` macro's generated code uses. Not a public API: names and shapes may
//! change in any release.

use std::fmt::Display;

pub use crate::actor::raw::HandleParts;
pub use crate::actor::{Actor, Dispatch, HandlerError};
pub use crate::context::Context;
pub use crate::handle::{Handle, RawRef};
pub use crate::local::{Local, LocalDispatch};
pub use crate::mailbox::Priority;
pub use crate::request::{AskRequest, ReplyTo, TellRequest};

/// The request a generated tell method returns (`counter.add(5)`): `make` builds the message
/// from the arguments and the reply channel when it is sent.
#[inline]
pub fn tell_request<'a, A: Dispatch, Args, R>(
    target: &'a RawRef<A>,
    args: Args,
    make: fn(Args, Option<ReplyTo<R>>) -> A::Msg,
) -> TellRequest<'a, A, Args, R> {
    TellRequest::new(target, args, make)
}

/// The request a generated ask method returns (`counter.get()`), as [`tell_request`].
#[inline]
pub fn ask_request<'a, A: Dispatch, Args, R>(
    target: &'a RawRef<A>,
    args: Args,
    make: fn(Args, Option<ReplyTo<R>>) -> A::Msg,
) -> AskRequest<'a, A, Args, R> {
    AskRequest::new(target, args, make)
}

/// Sends a handler's return value to the asker, if there is one.
#[inline]
pub fn reply<R>(reply: Option<ReplyTo<R>>, value: R) {
    if let Some(reply) = reply {
        reply.send(value);
    }
}

/// Sends a fallible handler's result to the asker; with nobody asking (a tell), gives an `Err`
/// to the actor's `on_error` and applies its directive.
#[inline]
pub fn reply_or_report<A, T, E>(
    actor: &mut A,
    ctx: &mut Context<A>,
    handler: &'static str,
    reply: Option<ReplyTo<Result<T, E>>>,
    value: Result<T, E>,
) where
    A: Actor,
    E: Display,
{
    if let Some(error) = reply_or_error(handler, reply, value) {
        crate::actor::report_error(actor, ctx, error);
    }
}

/// Sends a handler's `Result` to the asker, if there is one; else hands an `Err` back, to be
/// reported to `on_error` (by [`reply_or_report`], or by a local actor's shell: a local
/// handler has no context to report it with).
#[inline]
pub fn reply_or_error<T, E: Display>(
    handler: &'static str,
    reply: Option<ReplyTo<Result<T, E>>>,
    value: Result<T, E>,
) -> Option<HandlerError> {
    match (reply, value) {
        (Some(reply), value) => {
            reply.send(value);
            None
        }
        (None, Ok(_)) => None,
        (None, Err(error)) => Some(HandlerError::new(handler, &error)),
    }
}

/// The bound generated for every message argument: spanned onto the argument, so a type that
/// cannot cross to another task is reported where it is written.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a message argument: it is not `Send + 'static`",
    label = "this argument travels to the actor's task",
    note = "message arguments are moved into the actor's mailbox and handled on another task; use an owned, `Send` type (`String` for `&str`, `Arc` for `Rc`)"
)]
pub trait MessageArgumentsMustBeSend: Send + 'static {}
impl<T: Send + 'static> MessageArgumentsMustBeSend for T {}

/// The bound generated for every reply type, spanned onto the return type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a reply: it is not `Send + 'static`",
    label = "this reply travels back to the asker's task",
    note = "a reply is sent back over a channel to another task; return an owned, `Send` type"
)]
pub trait RepliesMustBeSend: Send + 'static {}
impl<T: Send + 'static> RepliesMustBeSend for T {}

/// Asserts `T: MessageArgumentsMustBeSend` (used in generated `const _` blocks).
pub const fn assert_argument<T: MessageArgumentsMustBeSend + ?Sized>() {}

/// Asserts `T: RepliesMustBeSend`, and that the reply field of a message (an
/// `Option<ReplyTo<T>>`) is `Send`: the generated `unsafe impl Send` of the message enum relies
/// on every field being checked. Both bounds fail together, on the same span, so rustc reports
/// only the first.
pub const fn assert_reply<T>()
where
    T: RepliesMustBeSend,
    Option<ReplyTo<T>>: Send,
{
}

#[cfg(feature = "serde")]
pub use crate::wire::checks::{
    CheckDeserialize, CheckSerialize, IsSerialize, NotSerialize, Probe, SerializableArgument,
    SerializableError, SerializableReply, SerializeProbe, SerializeProbeFallback, probe,
};
#[cfg(feature = "serde")]
pub use crate::wire::outcome::{expect_outcome, expect_result_outcome, take_reply};
#[cfg(feature = "serde")]
pub use crate::wire::probes::{
    Decode, DecodeField, DecodeFieldFallback, Encode, EncodeField, EncodeFieldFallback, Reply,
    WireReply, WireReplyFallback, WireResultReply,
};
#[cfg(feature = "serde")]
pub use crate::wire::{OutcomeReceiver, ReplyCompleter, Wire};
#[cfg(feature = "serde")]
pub use serde;

/// `#[actor(serde)]` expands its serde parts through this switch: `{ with } { without }`. With
/// the `serde` feature, the first group; without, the second: the plain enum and an error
/// (spanned on the option's `serde` token) asking for the feature.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __aplay_with_serde {
    ({ $($with:tt)* } { $($without:tt)* }) => {
        $($with)*
    };
}

/// `#[actor(serde)]` expands its serde parts through this switch: `{ with } { without }`. With
/// the `serde` feature, the first group; without, the second: the plain enum and an error
/// (spanned on the option's `serde` token) asking for the feature.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __aplay_with_serde {
    ({ $($with:tt)* } { $($without:tt)* }) => {
        $($without)*
    };
}

pub use crate::__aplay_with_serde as with_serde;
