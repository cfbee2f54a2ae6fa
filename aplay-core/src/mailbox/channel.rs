//! The channel behind a mailbox: one [`Queue`] shared by the sending side (in the actor's
//! cell) and the receiving side (owned by the actor's task).

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::queue::{Batch, Push, PushOrWait, Queue, RoomWait};
use super::{Mailbox, Priority};

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

/// A message and the span it was sent from; with the `redis` feature, also what its handler
/// may read from its context while it handles it (a job's state: its id, cancellation).
pub(crate) struct Traced<M> {
    pub(crate) msg: M,
    pub(crate) from: tracing::Span,
    #[cfg(feature = "redis")]
    pub(crate) scope: Option<Scope>,
}

/// What comes with a message for its handler, read through its context (see
/// `Context::scope`).
#[cfg(feature = "redis")]
pub(crate) type Scope = Arc<dyn std::any::Any + Send + Sync>;

/// The sending side, shared by every ref to the actor.
pub(crate) struct MailboxSender<M>(Arc<Queue<Envelope<M>>>);

/// The receiving side, owned by the actor's task. Dropping it closes the mailbox and drops
/// the messages still queued (their askers get `Error::NoReply`).
pub(crate) struct MailboxReceiver<M> {
    queue: Arc<Queue<Envelope<M>>>,
    batch: Batch<Envelope<M>>,
}

/// What an attempt to enqueue without waiting gave.
pub(crate) enum TrySend<M> {
    Sent,
    Full(M),
    Closed(M),
}

pub(crate) fn channel<M>(config: Mailbox) -> (MailboxSender<M>, MailboxReceiver<M>) {
    let queue = Arc::new(Queue::new(config.capacity()));
    let receiver = MailboxReceiver {
        queue: Arc::clone(&queue),
        batch: Batch::new(),
    };
    (MailboxSender(queue), receiver)
}

/// A mailbox's sending side alone, for an actor whose task (which owns the receiving side)
/// starts later: [`MailboxSender::receiver`] makes that side then.
pub(crate) fn sender<M>(config: Mailbox) -> MailboxSender<M> {
    MailboxSender(Arc::new(Queue::new(config.capacity())))
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
            Some(from) => Envelope::Traced(Box::new(Traced {
                msg,
                from,
                #[cfg(feature = "redis")]
                scope: None,
            })),
            None => Envelope::Message(msg),
        }
    }

    /// The envelope of a message whose handler reads `scope` from its context.
    #[cfg(feature = "redis")]
    pub(crate) fn scoped(msg: M, scope: Scope) -> Self {
        #[cfg(feature = "tracing")]
        let from = crate::observe::spans::sender_span().unwrap_or_else(tracing::Span::none);
        #[cfg(not(feature = "tracing"))]
        let from = tracing::Span::none();
        Envelope::Traced(Box::new(Traced {
            msg,
            from,
            scope: Some(scope),
        }))
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
    /// Enqueues `msg` in the lane of `priority` if there is room, without waiting.
    #[inline]
    pub(crate) fn try_send(&self, msg: M, priority: Priority) -> TrySend<M> {
        match self.0.try_push_in(Envelope::sent(msg), priority) {
            Push::Sent => TrySend::Sent,
            Push::Full(e) => TrySend::Full(e.into_message()),
            Push::Closed(e) => TrySend::Closed(e.into_message()),
        }
    }

    /// Starts sending `envelope` in the lane of `priority`, waiting for room if there is
    /// none.
    pub(crate) fn send(&self, envelope: Envelope<M>, priority: Priority) -> SendEnvelope<'_, M> {
        SendEnvelope::Start(self, envelope, priority)
    }

    /// Sends a message from an attached task, waiting for room. `Err` once the actor stopped.
    pub(crate) async fn send_attached(&self, incarnation: u32, msg: M) -> Result<(), ()> {
        let mut send = self.send(Envelope::Attached { incarnation, msg }, Priority::Normal);
        std::future::poll_fn(|cx| send.poll(cx)).await.map_err(drop)
    }

    /// Wakes the actor if its mailbox is empty. A mailbox with messages needs no wake-up (the
    /// actor looks at its signals before each message), nor does a closed one (it is
    /// stopping).
    pub(crate) fn signal(&self) {
        self.0.push_if_empty(Envelope::Signal);
    }

    /// Closes the mailbox if the actor waits for a message and none is queued (nor taken
    /// and unhandled): it will then handle no message again. `true` when it did.
    pub(crate) fn close_if_idle(&self) -> bool {
        self.0.close_if_idle()
    }

    /// [`close_if_idle`](Self::close_if_idle) for a receiver nobody polls (an actor not
    /// started): its waker is dropped, not woken.
    pub(crate) fn close_if_idle_unwoken(&self) -> bool {
        self.0.close_if_idle_unwoken()
    }

    /// Makes `waker` the receiver's until the first message (or signal) wakes it, for a
    /// receiver nobody polls yet; `true` when something is queued already.
    pub(crate) fn wait_with(&self, waker: std::task::Waker) -> bool {
        self.0.wait_with(waker)
    }

    /// The receiving side of a mailbox made by [`sender`], made once, when the actor's task
    /// starts (a second one would steal from the first).
    pub(crate) fn receiver(&self) -> MailboxReceiver<M> {
        MailboxReceiver {
            queue: Arc::clone(&self.0),
            batch: Batch::new(),
        }
    }

    /// Refuses new messages (those queued can still be received).
    pub(crate) fn close(&self) {
        self.0.close();
    }

    /// The capacity, for a bounded mailbox.
    pub(crate) fn capacity(&self) -> Option<usize> {
        self.0.capacity()
    }

    /// How many messages wait, for bounded mailboxes (unbounded ones do not say).
    pub(crate) fn len(&self) -> Option<usize> {
        self.0.len_if_bounded()
    }

    /// How many messages wait, bounded or not (one look under the queue's lock).
    pub(crate) fn queued(&self) -> usize {
        self.0.len()
    }
}

/// An envelope on its way into a mailbox: at once when there is room, else in line for it.
/// Dropping it before it resolves leaves the envelope unsent (and the line).
pub(crate) enum SendEnvelope<'a, M> {
    Start(&'a MailboxSender<M>, Envelope<M>, Priority),
    WaitRoom(Envelope<M>, RoomWait<'a, Envelope<M>>),
    Done,
}

impl<'a, M> SendEnvelope<'a, M> {
    /// Drives the envelope in: `Ready(Ok)` once queued, `Ready(Err(msg))` if the mailbox is
    /// closed.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), M>> {
        let step = match std::mem::replace(self, SendEnvelope::Done) {
            SendEnvelope::Start(sender, envelope, priority) => {
                sender.0.push_or_wait_in(envelope, priority, cx)
            }
            SendEnvelope::WaitRoom(envelope, mut wait) => wait.poll_push(envelope, cx),
            SendEnvelope::Done => return Poll::Ready(Ok(())),
        };
        match step {
            PushOrWait::Sent => Poll::Ready(Ok(())),
            PushOrWait::Closed(envelope) => Poll::Ready(Err(envelope.into_message())),
            PushOrWait::Wait(envelope, wait) => {
                *self = SendEnvelope::WaitRoom(envelope, wait);
                Poll::Pending
            }
        }
    }

    /// The message, if it is not in the mailbox yet (for a timeout's error).
    pub(crate) fn take_unsent(&mut self) -> Option<M> {
        match std::mem::replace(self, SendEnvelope::Done) {
            SendEnvelope::Start(_, envelope, _) | SendEnvelope::WaitRoom(envelope, _) => {
                Some(envelope.into_message())
            }
            SendEnvelope::Done => None,
        }
    }

    /// Whether it is in the mailbox (or was handed back).
    pub(crate) fn is_done(&self) -> bool {
        matches!(self, SendEnvelope::Done)
    }
}

impl<M> MailboxReceiver<M> {
    /// The next envelope; `Ready(None)` once the mailbox is closed and empty. Takes part in
    /// tokio's cooperative scheduling: a busy actor yields to the others now and then.
    #[inline]
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Envelope<M>>> {
        let coop = ready!(tokio::task::coop::poll_proceed(cx));
        let next = self.queue.poll_pop(&mut self.batch, cx);
        if next.is_ready() {
            coop.made_progress();
        }
        next
    }

    /// Tells it that another task polls it from now on (a restarted actor's next instance):
    /// the waker registered is not that task's.
    pub(crate) fn new_owner(&mut self) {
        self.batch.new_owner();
    }

    /// The next envelope if one is queued, without waiting.
    pub(crate) fn try_recv(&mut self) -> Option<Envelope<M>> {
        self.queue.unbatch(&mut self.batch);
        self.queue.try_pop()
    }

    /// How many envelopes wait (wake-ups included).
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Keeps only the queued envelopes `keep` accepts, in order; the others are dropped.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&Envelope<M>) -> bool) {
        self.queue.unbatch(&mut self.batch);
        // Dropped here, outside the queue's lock.
        drop(self.queue.retain(keep));
    }

    /// Refuses new messages; those already queued can still be received.
    pub(crate) fn close(&mut self) {
        self.queue.close();
    }
}

impl<M> Drop for MailboxReceiver<M> {
    fn drop(&mut self) {
        // Dropped here, outside the queue's lock.
        drop(self.queue.close_and_take());
    }
}

impl<M> fmt::Debug for MailboxSender<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailboxSender").finish_non_exhaustive()
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
