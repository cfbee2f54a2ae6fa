//! Putting one message into a mailbox: at once when there is room, else waiting in line for
//! room (no allocation either way).

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::RawRef;
use crate::mailbox::{Priority, SendEnvelope};
use crate::undelivered::Refusal;

/// A message on its way into a mailbox.
pub(super) struct Sending<'a, M>(SendEnvelope<'a, M>);

impl<'a, M: Send + 'static> Sending<'a, M> {
    /// `msg`, not tried yet, for the lane of `priority` (the message's own when `None`).
    #[inline]
    pub(super) fn new<A: Dispatch<Msg = M>>(
        target: &'a RawRef<A>,
        msg: M,
        priority: Option<Priority>,
    ) -> Self {
        Sending(target.sending(msg, priority))
    }

    /// Drives the message into `target`'s mailbox.
    #[inline]
    pub(super) fn poll_send<A>(
        &mut self,
        target: &'a RawRef<A>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Error>>
    where
        A: Dispatch<Msg = M>,
    {
        match ready!(self.0.poll(cx)) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(msg) => Poll::Ready(Err(Error::Stopped(
                target.undelivered(msg, Refusal::Stopped),
            ))),
        }
    }

    /// Gives the message back if it never got in (for a timeout's error).
    pub(super) fn take_unsent(&mut self) -> Option<M> {
        self.0.take_unsent()
    }

    pub(super) fn is_done(&self) -> bool {
        self.0.is_done()
    }
}

/// Polls an optional deadline. One already passed is ready without waiting for its timer to
/// fire (at the clock's next millisecond): a zero limit gives up on the first poll.
pub(super) fn poll_deadline(
    deadline: &mut Option<Pin<Box<tokio::time::Sleep>>>,
    cx: &mut Context<'_>,
) -> Poll<()> {
    match deadline {
        Some(sleep) => {
            if sleep.deadline() > tokio::time::Instant::now() {
                ready!(sleep.as_mut().poll(cx));
            }
            Poll::Ready(())
        }
        None => Poll::Pending,
    }
}
