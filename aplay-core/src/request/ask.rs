//! An ask: the message goes into the mailbox and the caller waits for the handler's reply.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::oneshot;

use super::sending::{Sending, poll_deadline};
use super::{ReplyTo, Request};
use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::RawRef;
use crate::mailbox::Priority;
use crate::undelivered::Refusal;

/// A message on its way to an actor, sent as an ask when awaited: `counter.get().await`
/// resolves to the handler's return value.
///
/// Returned by generated handle methods whose handler returns a value, and by
/// [`TellRequest::ask`](super::TellRequest::ask). An ask never hangs on a dead actor: if the actor stops or the handler
/// panics before replying, it resolves to [`Error::NoReply`].
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
/// counter.add(2).await?;
/// assert_eq!(counter.get().await?, 2);                             // waits for the reply
/// assert_eq!(counter.get().timeout(Duration::from_secs(1)).await?, 2);
/// counter.get().tell().await?;                                     // the reply is dropped
/// counter.get().try_tell()?;
/// counter.kill();
/// counter.wait_stopped().await;
/// assert!(matches!(counter.get().await, Err(Error::Stopped(_))));
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct AskRequest<'a, A: Dispatch, Args, R> {
    request: Request<'a, A, Args, R>,
}

impl<'a, A: Dispatch, Args, R> AskRequest<'a, A, Args, R> {
    /// For generated handle methods, through `__private::ask_request`.
    pub(crate) fn new(
        target: &'a RawRef<A>,
        args: Args,
        make: fn(Args, Option<ReplyTo<R>>) -> A::Msg,
    ) -> Self {
        AskRequest {
            request: Request::new(target, args, make),
        }
    }

    pub(super) fn from_request(request: Request<'a, A, Args, R>) -> Self {
        AskRequest { request }
    }

    /// Waits at most `timeout`, from the first poll, for room and for the reply.
    /// Then the ask fails with [`Error::SendTimeout`] (never enqueued, message handed back) or
    /// [`Error::Timeout`] (enqueued; a later reply is dropped).
    ///
    /// `Duration::MAX` (or any limit too long for the clock to count) is no limit.
    /// `Duration::ZERO` waits for nothing: `SendTimeout` on a full mailbox, else the message
    /// is enqueued (and handled) and the ask fails with `Timeout`, since no reply is there at
    /// once.
    ///
    /// See the example on [`AskRequest`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request.timeout = Some(timeout);
        self
    }

    /// Sends with `priority` instead of the handler's own: a [`Priority::High`] ask is
    /// handled before the normal messages queued (a health check that must not wait behind
    /// a backlog, say).
    ///
    /// See the example on [`Priority`].
    pub fn priority(mut self, priority: Priority) -> Self {
        self.request.priority = Some(priority);
        self
    }

    pub(super) fn into_request(self) -> Request<'a, A, Args, R> {
        self.request
    }
}

impl<'a, A: Dispatch, Args, R: Send + 'static> IntoFuture for AskRequest<'a, A, Args, R> {
    type Output = Result<R, Error>;
    type IntoFuture = AskFuture<'a, A, R>;

    #[inline(always)]
    fn into_future(self) -> Self::IntoFuture {
        let (tx, rx) = oneshot::channel();
        let target = self.request.target;
        let (timeout, priority) = (self.request.timeout, self.request.priority);
        AskFuture {
            target,
            own: target.is_own_task(),
            sending: Sending::new(target, self.request.build(Some(ReplyTo(tx))), priority),
            reply: rx,
            deadline: timeout.and_then(super::deadline),
            timeout,
        }
    }
}

/// The future of an ask: resolves to the handler's reply.
///
/// # Cancel safety
///
/// Dropping it before the message is in the mailbox leaves it unsent. Dropping it after that
/// does not take the message back: it is still handled, and its reply dropped.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::System;
/// # use aplay_doc_actors::Counter;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// let system = System::new();
/// let counter = system.spawn("counter", Counter::default()).await?;
/// // An ask raced against something else; if the other side wins, the ask's future is dropped
/// // and its reply, if any comes, is dropped too.
/// tokio::select! {
///     n = counter.get() => assert_eq!(n?, 0),
///     () = tokio::time::sleep(Duration::from_secs(60)) => unreachable!("the counter replies at once"),
/// }
/// # Ok(()) }
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct AskFuture<'a, A: Dispatch, R> {
    target: &'a RawRef<A>,
    /// Asked from the target's own task: it would wait for its own reply.
    own: bool,
    sending: Sending<'a, A::Msg>,
    reply: oneshot::Receiver<R>,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    timeout: Option<Duration>,
}

// No field is ever pinned in place: the message is moved freely, the timer is boxed and the
// reply receiver is `Unpin`.
impl<A: Dispatch, R> Unpin for AskFuture<'_, A, R> {}

impl<A: Dispatch, R> Future for AskFuture<'_, A, R> {
    type Output = Result<R, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if this.own
            && let Some(msg) = this.sending.take_unsent()
        {
            return Poll::Ready(Err(Error::WouldDeadlock(
                this.target.undelivered(msg, Refusal::WouldDeadlock),
            )));
        }
        if !this.sending.is_done() {
            match this.sending.poll_send(this.target, cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    if poll_deadline(&mut this.deadline, cx).is_ready()
                        && let Some(msg) = this.sending.take_unsent()
                    {
                        return Poll::Ready(Err(Error::SendTimeout(
                            this.target.undelivered(msg, Refusal::SendTimeout),
                        )));
                    }
                    return Poll::Pending;
                }
            }
        }
        match Pin::new(&mut this.reply).poll(cx) {
            Poll::Ready(Ok(value)) => Poll::Ready(Ok(value)),
            Poll::Ready(Err(_)) => Poll::Ready(Err(Error::NoReply {
                path: this.target.path().clone(),
            })),
            Poll::Pending => match poll_deadline(&mut this.deadline, cx) {
                Poll::Ready(()) => {
                    this.target.cell.core.note_ask_timed_out();
                    Poll::Ready(Err(Error::Timeout {
                        path: this.target.path().clone(),
                        after: this.timeout.unwrap_or_default(),
                    }))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl<A: Dispatch, Args, R> fmt::Debug for AskRequest<'_, A, Args, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AskRequest")
            .field("to", self.request.target.path())
            .field("timeout", &self.request.timeout)
            .field("priority", &self.request.priority)
            .finish()
    }
}

impl<A: Dispatch, R> fmt::Debug for AskFuture<'_, A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AskFuture")
            .field("to", self.target.path())
            .field("sent", &self.sending.is_done())
            .finish()
    }
}
