//! A tell: the message goes into the mailbox; nobody waits for it to be handled.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::sending::{Sending, poll_deadline};
use super::{ReplyTo, Request};
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::RawRef;
use crate::mailbox::Priority;
use crate::undelivered::Refusal;

/// A message on its way to an actor, sent as a tell when awaited: `counter.add(5).await`.
///
/// Returned by generated handle methods whose handler returns `()`, and by
/// [`AskRequest::tell`](super::AskRequest::tell). Nothing is sent until it is awaited (or [`try_tell`](Self::try_tell)
/// is called).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::{Error, System};
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// counter.add(1).await?;                                    // waits for room
/// counter.add(1).try_tell()?;                               // never waits
/// counter.add(1).timeout(Duration::from_secs(1)).await?;    // waits at most a second
/// counter.add(1).ask().await?;                              // waits until it is handled
/// assert_eq!(counter.get().await?, 4);
/// counter.stop().await;
/// assert!(matches!(counter.add(1).try_tell(), Err(Error::Stopped(_))));
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited or `try_tell` is called"]
pub struct TellRequest<'a, A: Dispatch, Args, R = ()> {
    request: Request<'a, A, Args, R>,
}

impl<'a, A: Dispatch, Args, R> TellRequest<'a, A, Args, R> {
    /// For generated handle methods, through `__private::tell_request`.
    pub(crate) fn new(
        target: &'a RawRef<A>,
        args: Args,
        make: fn(Args, Option<ReplyTo<R>>) -> A::Msg,
    ) -> Self {
        TellRequest {
            request: Request::new(target, args, make),
        }
    }

    /// Waits at most `timeout` for room in a full mailbox; then the tell fails with
    /// [`Error::SendTimeout`], handing the message back.
    ///
    /// `Duration::MAX` (or any limit too long for the clock to count) is no limit.
    /// `Duration::ZERO` waits for nothing: the tell enqueues if there is room, as
    /// [`try_tell`](Self::try_tell) does, and fails with `SendTimeout` if not.
    ///
    /// See the example on [`TellRequest`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request.timeout = Some(timeout);
        self
    }

    /// Sends with `priority` instead of the handler's own (normal unless the handler is
    /// marked `#[handler(priority = high)]`): a [`Priority::High`] message is handled before
    /// the normal ones queued.
    ///
    /// See the example on [`Priority`].
    pub fn priority(mut self, priority: Priority) -> Self {
        self.request.priority = Some(priority);
        self
    }

    /// Enqueues now, without waiting (the seeds' `tell_nowait`).
    ///
    /// # Errors
    ///
    /// [`Error::Full`] when the mailbox is full, [`Error::Stopped`] when the actor is not
    /// running; both hand the message back.
    ///
    /// See the example on [`TellRequest`].
    pub fn try_tell(self) -> Result<(), Error> {
        let (target, priority) = (self.request.target, self.request.priority);
        target.try_send_as(self.request.build(None), priority)
    }

    pub(super) fn from_request(request: Request<'a, A, Args, R>) -> Self {
        TellRequest { request }
    }

    pub(super) fn into_request(self) -> Request<'a, A, Args, R> {
        self.request
    }
}

impl<'a, A: Dispatch, Args, R> IntoFuture for TellRequest<'a, A, Args, R> {
    type Output = Result<(), Error>;
    type IntoFuture = TellFuture<'a, A>;

    #[inline(always)]
    fn into_future(self) -> Self::IntoFuture {
        let (target, priority) = (self.request.target, self.request.priority);
        let deadline = self.request.timeout.and_then(super::deadline);
        TellFuture {
            target,
            sending: Sending::new(target, self.request.build(None), priority),
            deadline,
        }
    }
}

/// The future of a tell: resolves once the message is in the mailbox.
///
/// # Cancel safety
///
/// Dropping it before it resolves leaves the message unsent: it is never enqueued later.
///
/// # Examples
///
/// ```
/// use std::future::IntoFuture;
/// use aplay_core::System;
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// let unsent = counter.add(1).into_future();
/// drop(unsent); // never polled: the message was never sent
/// assert_eq!(counter.get().await?, 0);
/// # Ok(()) }
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct TellFuture<'a, A: Dispatch> {
    target: &'a RawRef<A>,
    sending: Sending<'a, A::Msg>,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<'a, A: Dispatch> TellFuture<'a, A> {
    pub(crate) fn new(target: &'a RawRef<A>, msg: A::Msg) -> Self {
        TellFuture {
            target,
            sending: Sending::new(target, msg, None),
            deadline: None,
        }
    }
}

// No field is ever pinned in place: the message is moved freely, the timer is boxed.
impl<A: Dispatch> Unpin for TellFuture<'_, A> {}

impl<A: Dispatch> Future for TellFuture<'_, A> {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Poll::Ready(result) = this.sending.poll_send(this.target, cx) {
            return Poll::Ready(result);
        }
        if poll_deadline(&mut this.deadline, cx).is_ready()
            && let Some(msg) = this.sending.take_unsent()
        {
            return Poll::Ready(Err(Error::SendTimeout(
                this.target.undelivered(msg, Refusal::SendTimeout),
            )));
        }
        Poll::Pending
    }
}

impl<A: Dispatch, Args, R> fmt::Debug for TellRequest<'_, A, Args, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TellRequest")
            .field("to", self.request.target.path())
            .field("timeout", &self.request.timeout)
            .field("priority", &self.request.priority)
            .finish()
    }
}

impl<A: Dispatch> fmt::Debug for TellFuture<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TellFuture")
            .field("to", self.target.path())
            .field("sent", &self.sending.is_done())
            .finish()
    }
}
