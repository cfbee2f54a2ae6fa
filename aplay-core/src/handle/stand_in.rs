//! A stand-in: an `ActorRef<A>` with no actor behind it, whose messages someone else takes.
//!
//! The Redis remote refs forward what they receive to another process; the testkit's probes
//! record it. Both need a ref with the generated methods of `A` (`counter.add(5)`), so they
//! hold the receiving side of an ordinary mailbox instead of running `A`.

use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use crate::actor::Dispatch;
use crate::cell::{ActorCell, ActorState, CellCore, bits};
use crate::handle::ActorRef;
use crate::mailbox::{Envelope, Mailbox, MailboxReceiver, channel};
use crate::path::ActorPath;
use crate::stop::StopReason;
use crate::supervision::Restart;

/// The receiving side of a stand-in's mailbox. Dropping it ends the stand-in: its refs see it
/// stopped ([`Error::Stopped`](crate::Error::Stopped) on a send, queued asks get
/// [`Error::NoReply`](crate::Error::NoReply)).
pub(crate) struct StandIn<A: Dispatch> {
    cell: Arc<ActorCell<A>>,
    receiver: MailboxReceiver<A::Msg>,
}

/// Makes a stand-in at `path` (not registered anywhere: it is reached only through its refs).
pub(crate) fn stand_in<A: Dispatch>(
    path: ActorPath,
    mailbox: Mailbox,
) -> (ActorRef<A>, StandIn<A>) {
    let (sender, receiver) = channel(mailbox);
    let core = CellCore::new(path, None, Duration::ZERO, Restart::Temporary);
    core.set_state(ActorState::Running);
    let cell = Arc::new(ActorCell {
        core,
        mailbox: sender,
    });
    let actor_ref = ActorRef::from_cell(Arc::clone(&cell));
    (actor_ref, StandIn { cell, receiver })
}

impl<A: Dispatch> StandIn<A> {
    /// A new ref to the stand-in.
    pub(crate) fn actor_ref(&self) -> ActorRef<A> {
        ActorRef::from_cell(Arc::clone(&self.cell))
    }

    /// The next message; `None` once a stop was asked for through a ref and the queue is
    /// empty (a kill: at once).
    pub(crate) async fn recv(&mut self) -> Option<A::Msg> {
        poll_fn(|cx| {
            loop {
                if self.cell.core.control() & bits::KILL != 0 {
                    return Poll::Ready(None);
                }
                if self.stop_requested() {
                    // Refuse new messages, hand out those already queued. (Checked on every
                    // call: the wake-up signal is not queued when the mailbox is full.)
                    self.receiver.close();
                }
                match self.receiver.poll_recv(cx) {
                    Poll::Ready(Some(Envelope::Message(msg) | Envelope::Attached { msg, .. })) => {
                        return Poll::Ready(Some(msg));
                    }
                    Poll::Ready(Some(Envelope::Signal)) => {}
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Pending => return Poll::Pending,
                }
            }
        })
        .await
    }

    /// The next queued message, without waiting.
    pub(crate) fn try_recv(&mut self) -> Option<A::Msg> {
        loop {
            match self.receiver.try_recv()? {
                Envelope::Message(msg) | Envelope::Attached { msg, .. } => return Some(msg),
                Envelope::Signal => {}
            }
        }
    }

    /// Whether someone asked it to stop (a person's stop, a shutdown or a kill).
    pub(crate) fn stop_requested(&self) -> bool {
        self.cell.core.control() & (bits::KILL | bits::STOP_BY_PERSON | bits::SHUTDOWN) != 0
    }
}

impl<A: Dispatch> Drop for StandIn<A> {
    fn drop(&mut self) {
        let core = &self.cell.core;
        let reason = if core.control() & bits::KILL != 0 {
            StopReason::Killed
        } else if core.stopped_by_person() {
            StopReason::StoppedByPerson
        } else if core.control() & bits::SHUTDOWN != 0 {
            StopReason::Shutdown
        } else {
            StopReason::Normal
        };
        // Queued messages go now, before the waiters wake: their askers get `NoReply`.
        self.receiver.close();
        while self.receiver.try_recv().is_some() {}
        core.record_stop(reason);
        core.notify_stopped();
    }
}

impl<A: Dispatch> fmt::Debug for StandIn<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandIn")
            .field("path", &self.cell.core.path)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, Context, Error};

    struct Echo;
    enum EchoMsg {
        Add(u64, Option<crate::request::ReplyTo<u64>>),
    }
    impl Actor for Echo {}
    impl Dispatch for Echo {
        type Msg = EchoMsg;
        type Handle = crate::BareHandle<Self>;
        async fn dispatch(&mut self, _msg: EchoMsg, _ctx: &mut Context<Self>) {}
        fn message_name(_: &EchoMsg) -> &'static str {
            "add"
        }
    }

    fn path() -> ActorPath {
        ActorPath::root().child("echo").unwrap()
    }

    #[tokio::test]
    async fn messages_reach_the_holder_and_a_stop_ends_after_the_queue() {
        let (r, mut holder) = stand_in::<Echo>(path(), Mailbox::bounded(4));
        ActorRef::send(&r, EchoMsg::Add(1, None)).await.unwrap();
        ActorRef::send(&r, EchoMsg::Add(2, None)).await.unwrap();
        let stopper = tokio::spawn({
            let r = r.clone();
            async move { r.stop().await }
        });
        let mut seen = Vec::new();
        while let Some(EchoMsg::Add(n, _)) = holder.recv().await {
            seen.push(n);
        }
        assert_eq!(seen, [1, 2]);
        drop(holder);
        assert_eq!(stopper.await.unwrap(), StopReason::StoppedByPerson);
        assert!(!r.is_alive());
        assert!(matches!(
            ActorRef::try_send(&r, EchoMsg::Add(3, None)),
            Err(Error::Stopped(_))
        ));
    }

    #[tokio::test]
    async fn a_full_mailbox_does_not_hide_a_stop() {
        let (r, mut holder) = stand_in::<Echo>(path(), Mailbox::bounded(1));
        ActorRef::send(&r, EchoMsg::Add(1, None)).await.unwrap();
        r.kill();
        assert!(holder.recv().await.is_none());
        let (r, mut holder) = stand_in::<Echo>(path(), Mailbox::bounded(1));
        ActorRef::send(&r, EchoMsg::Add(1, None)).await.unwrap();
        let stop = tokio::spawn(async move { r.stop().await });
        tokio::task::yield_now().await;
        assert!(matches!(holder.recv().await, Some(EchoMsg::Add(1, _))));
        assert!(holder.recv().await.is_none());
        drop(holder);
        assert_eq!(stop.await.unwrap(), StopReason::StoppedByPerson);
    }

    #[tokio::test]
    async fn dropping_it_answers_queued_asks_with_no_reply() {
        let (r, holder) = stand_in::<Echo>(path(), Mailbox::bounded(4));
        let (tx, rx) = tokio::sync::oneshot::channel();
        ActorRef::send(&r, EchoMsg::Add(1, Some(crate::request::ReplyTo(tx))))
            .await
            .unwrap();
        drop(holder);
        assert!(rx.await.is_err());
        assert_eq!(r.join().await, StopReason::Normal);
    }
}
