//! Putting one message into a mailbox: at once when there is room, else waiting for room.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::sync::mpsc::Permit;
use tokio::sync::mpsc::error::SendError;

use crate::actor::Dispatch;
use crate::error::Error;
use crate::handle::RawRef;
use crate::mailbox::{Envelope, TrySend};

type Reserve<'a, M> =
    Pin<Box<dyn Future<Output = Result<Permit<'a, Envelope<M>>, SendError<()>>> + Send + 'a>>;

/// The state of a message on its way into a mailbox.
pub(super) enum Sending<'a, M> {
    /// Not tried yet.
    Start(M),
    /// The mailbox was full: waiting for a slot. Boxed because tokio's reserve future cannot
    /// be named; this only happens under back-pressure, where the task parks anyway.
    WaitRoom { msg: M, reserve: Reserve<'a, M> },
    /// In the mailbox (or handed back in an error).
    Done,
}

impl<'a, M: Send + 'static> Sending<'a, M> {
    /// Drives the message into `target`'s mailbox.
    pub(super) fn poll_send<A>(
        &mut self,
        target: &'a RawRef<A>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Error>>
    where
        A: Dispatch<Msg = M>,
    {
        loop {
            match std::mem::replace(self, Sending::Done) {
                Sending::Start(msg) => match target.cell.mailbox.try_send(msg) {
                    TrySend::Sent => return Poll::Ready(Ok(())),
                    TrySend::Closed(msg) => {
                        return Poll::Ready(Err(Error::Stopped(target.undelivered(msg))));
                    }
                    TrySend::Full(msg) => {
                        let tx = target
                            .cell
                            .mailbox
                            .bounded()
                            .expect("only a bounded mailbox is ever full");
                        *self = Sending::WaitRoom {
                            msg,
                            reserve: Box::pin(tx.reserve()),
                        };
                    }
                },
                Sending::WaitRoom { msg, mut reserve } => match reserve.as_mut().poll(cx) {
                    Poll::Pending => {
                        *self = Sending::WaitRoom { msg, reserve };
                        return Poll::Pending;
                    }
                    Poll::Ready(Ok(permit)) => {
                        permit.send(Envelope::sent(msg));
                        return Poll::Ready(Ok(()));
                    }
                    Poll::Ready(Err(_closed)) => {
                        return Poll::Ready(Err(Error::Stopped(target.undelivered(msg))));
                    }
                },
                Sending::Done => return Poll::Ready(Ok(())),
            }
        }
    }

    /// Gives the message back if it never got in (for a timeout's error).
    pub(super) fn take_unsent(&mut self) -> Option<M> {
        match std::mem::replace(self, Sending::Done) {
            Sending::Start(msg) | Sending::WaitRoom { msg, .. } => Some(msg),
            Sending::Done => None,
        }
    }

    pub(super) fn is_done(&self) -> bool {
        matches!(self, Sending::Done)
    }
}

/// Polls an optional deadline.
pub(super) fn poll_deadline(
    deadline: &mut Option<Pin<Box<tokio::time::Sleep>>>,
    cx: &mut Context<'_>,
) -> Poll<()> {
    match deadline {
        Some(sleep) => {
            ready!(sleep.as_mut().poll(cx));
            Poll::Ready(())
        }
        None => Poll::Pending,
    }
}
