//! The channel behind a mailbox: tokio's bounded or unbounded mpsc.

use std::task::{Context, Poll};

use tokio::sync::mpsc;

use super::Mailbox;

/// What travels through a mailbox: a message, or a wake-up for the actor to look at its
/// control signals (see [`CellControl`](crate::cell::CellControl)).
pub(crate) enum Envelope<M> {
    Message(M),
    /// A message from a task attached to one instance of the actor (a stream, a timer): the
    /// next instance, after a restart, drops it.
    Attached {
        incarnation: u32,
        msg: M,
    },
    Signal,
}

/// The sending side, shared by every ref to the actor.
pub(crate) enum MailboxSender<M> {
    Bounded(mpsc::Sender<Envelope<M>>),
    Unbounded(mpsc::UnboundedSender<Envelope<M>>),
}

/// The receiving side, owned by the actor's task.
pub(crate) enum MailboxReceiver<M> {
    Bounded(mpsc::Receiver<Envelope<M>>),
    Unbounded(mpsc::UnboundedReceiver<Envelope<M>>),
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

impl<M> Envelope<M> {
    /// The message of an envelope that came back from a failed send (always a message:
    /// signals are never handed back).
    fn into_message(self) -> M {
        match self {
            Envelope::Message(msg) | Envelope::Attached { msg, .. } => msg,
            Envelope::Signal => unreachable!("a send of a message hands back that message"),
        }
    }
}

impl<M> MailboxSender<M> {
    #[inline]
    pub(crate) fn try_send(&self, msg: M) -> TrySend<M> {
        match self {
            MailboxSender::Bounded(tx) => match tx.try_send(Envelope::Message(msg)) {
                Ok(()) => TrySend::Sent,
                Err(mpsc::error::TrySendError::Full(e)) => TrySend::Full(e.into_message()),
                Err(mpsc::error::TrySendError::Closed(e)) => TrySend::Closed(e.into_message()),
            },
            MailboxSender::Unbounded(tx) => match tx.send(Envelope::Message(msg)) {
                Ok(()) => TrySend::Sent,
                Err(mpsc::error::SendError(e)) => TrySend::Closed(e.into_message()),
            },
        }
    }

    /// Sends a message from an attached task, waiting for room. `Err` once the actor stopped.
    pub(crate) async fn send_attached(&self, incarnation: u32, msg: M) -> Result<(), ()> {
        let envelope = Envelope::Attached { incarnation, msg };
        match self {
            MailboxSender::Bounded(tx) => tx.send(envelope).await.map_err(drop),
            MailboxSender::Unbounded(tx) => tx.send(envelope).map_err(drop),
        }
    }

    /// Wakes the actor if its mailbox is empty. A full mailbox needs no wake-up (the actor
    /// looks at its signals before each message), nor does a closed one (it is stopping).
    pub(crate) fn signal(&self) {
        match self {
            MailboxSender::Bounded(tx) => {
                let _ = tx.try_send(Envelope::Signal);
            }
            MailboxSender::Unbounded(tx) => {
                let _ = tx.send(Envelope::Signal);
            }
        }
    }

    /// The bounded sender, to wait for room on; `None` for an unbounded mailbox (never full).
    pub(crate) fn bounded(&self) -> Option<&mpsc::Sender<Envelope<M>>> {
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
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Envelope<M>>> {
        match self {
            MailboxReceiver::Bounded(rx) => rx.poll_recv(cx),
            MailboxReceiver::Unbounded(rx) => rx.poll_recv(cx),
        }
    }

    /// The next envelope if one is queued, without waiting.
    pub(crate) fn try_recv(&mut self) -> Option<Envelope<M>> {
        match self {
            MailboxReceiver::Bounded(rx) => rx.try_recv().ok(),
            MailboxReceiver::Unbounded(rx) => rx.try_recv().ok(),
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
