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
    /// A message sent from inside a span, when a subscriber wants message spans: its span
    /// follows from that one (see `observe::spans`). Boxed, so that carrying the span does
    /// not make every envelope bigger. Never made without the `tracing` feature.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    Traced(Box<Traced<M>>),
}

/// A message and the span it was sent from.
pub(crate) struct Traced<M> {
    pub(crate) msg: M,
    pub(crate) from: tracing::Span,
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
    /// The envelope of a message sent now: plain, or with the sender's span when a subscriber
    /// wants message spans and the sender is inside a span.
    #[inline(always)]
    pub(crate) fn sent(msg: M) -> Self {
        #[cfg(feature = "tracing")]
        if crate::observe::spans::wants_sender_span() {
            return Envelope::traced(msg);
        }
        Envelope::Message(msg)
    }

    /// The envelope of a message sent while message spans are wanted.
    #[cfg(feature = "tracing")]
    #[cold]
    #[inline(never)]
    fn traced(msg: M) -> Self {
        match crate::observe::spans::sender_span() {
            Some(from) => Envelope::Traced(Box::new(Traced { msg, from })),
            None => Envelope::Message(msg),
        }
    }

    /// The message of an envelope that came back from a failed send (always a message:
    /// signals are never handed back).
    fn into_message(self) -> M {
        match self {
            Envelope::Message(msg) | Envelope::Attached { msg, .. } => msg,
            Envelope::Traced(traced) => traced.msg,
            Envelope::Signal => unreachable!("a send of a message hands back that message"),
        }
    }
}

impl<M> MailboxSender<M> {
    #[inline]
    pub(crate) fn try_send(&self, msg: M) -> TrySend<M> {
        match self {
            MailboxSender::Bounded(tx) => match tx.try_send(Envelope::sent(msg)) {
                Ok(()) => TrySend::Sent,
                Err(mpsc::error::TrySendError::Full(e)) => TrySend::Full(e.into_message()),
                Err(mpsc::error::TrySendError::Closed(e)) => TrySend::Closed(e.into_message()),
            },
            MailboxSender::Unbounded(tx) => match tx.send(Envelope::sent(msg)) {
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

    /// The capacity, for a bounded mailbox.
    pub(crate) fn capacity(&self) -> Option<usize> {
        self.bounded().map(mpsc::Sender::max_capacity)
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

    /// How many envelopes wait (wake-ups included).
    pub(crate) fn len(&self) -> usize {
        match self {
            MailboxReceiver::Bounded(rx) => rx.len(),
            MailboxReceiver::Unbounded(rx) => rx.len(),
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

#[cfg(test)]
mod tests {
    use super::Envelope;

    /// The envelope as it was before it could carry a span.
    #[allow(dead_code)]
    enum Plain<M> {
        Message(M),
        Attached { incarnation: u32, msg: M },
        Signal,
    }

    #[test]
    fn carrying_a_span_does_not_make_envelopes_bigger() {
        // A generated message: arguments, and a reply channel (a pointer).
        type Msg = (u64, Option<Box<u8>>);
        assert_eq!(size_of::<Envelope<Msg>>(), size_of::<Plain<Msg>>());
        assert_eq!(
            size_of::<Envelope<[u64; 4]>>(),
            size_of::<Plain<[u64; 4]>>()
        );
    }
}
