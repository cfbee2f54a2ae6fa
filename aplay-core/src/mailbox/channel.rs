//! The channel behind a mailbox: tokio's bounded or unbounded mpsc.

use std::task::{Context, Poll};

use tokio::sync::mpsc;

use super::Mailbox;

/// The sending side, shared by every ref to the actor.
pub(crate) enum MailboxSender<M> {
    Bounded(mpsc::Sender<M>),
    Unbounded(mpsc::UnboundedSender<M>),
}

/// The receiving side, owned by the actor's task.
pub(crate) enum MailboxReceiver<M> {
    Bounded(mpsc::Receiver<M>),
    Unbounded(mpsc::UnboundedReceiver<M>),
}

/// What an attempt to enqueue without waiting gave.
pub(crate) enum TrySend<M> {
    Sent,
    Full(M),
    Closed(M),
}

pub(crate) fn channel<M>(config: Mailbox) -> (MailboxSender<M>, MailboxReceiver<M>) {
    match config.capacity() {
        Some(capacity) => {
            let (tx, rx) = mpsc::channel(capacity);
            (MailboxSender::Bounded(tx), MailboxReceiver::Bounded(rx))
        }
        None => {
            let (tx, rx) = mpsc::unbounded_channel();
            (MailboxSender::Unbounded(tx), MailboxReceiver::Unbounded(rx))
        }
    }
}

impl<M> MailboxSender<M> {
    #[inline]
    pub(crate) fn try_send(&self, msg: M) -> TrySend<M> {
        match self {
            MailboxSender::Bounded(tx) => match tx.try_send(msg) {
                Ok(()) => TrySend::Sent,
                Err(mpsc::error::TrySendError::Full(m)) => TrySend::Full(m),
                Err(mpsc::error::TrySendError::Closed(m)) => TrySend::Closed(m),
            },
            MailboxSender::Unbounded(tx) => match tx.send(msg) {
                Ok(()) => TrySend::Sent,
                Err(mpsc::error::SendError(m)) => TrySend::Closed(m),
            },
        }
    }

    /// The bounded sender, to wait for room on; `None` for an unbounded mailbox (never full).
    pub(crate) fn bounded(&self) -> Option<&mpsc::Sender<M>> {
        match self {
            MailboxSender::Bounded(tx) => Some(tx),
            MailboxSender::Unbounded(_) => None,
        }
    }

    /// How many messages wait, when the sending side can tell (bounded mailboxes).
    pub(crate) fn len(&self) -> Option<usize> {
        match self {
            MailboxSender::Bounded(tx) => Some(tx.max_capacity() - tx.capacity()),
            MailboxSender::Unbounded(_) => None,
        }
    }
}

impl<M> MailboxReceiver<M> {
    #[inline]
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<M>> {
        match self {
            MailboxReceiver::Bounded(rx) => rx.poll_recv(cx),
            MailboxReceiver::Unbounded(rx) => rx.poll_recv(cx),
        }
    }

    /// Refuses new messages; those already queued can still be received.
    pub(crate) fn close(&mut self) {
        match self {
            MailboxReceiver::Bounded(rx) => rx.close(),
            MailboxReceiver::Unbounded(rx) => rx.close(),
        }
    }
}
