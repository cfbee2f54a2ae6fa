//! A stand-in: an `ActorRef<A>` with no actor behind it, whose messages someone else takes.
//!
//! The Redis remote refs forward what they receive to another process; the testkit's probes
//! record it. Both need a ref with the generated methods of `A` (`counter.add(5)`), so they
//! hold the receiving side of an ordinary mailbox instead of running `A`.
//!
//! A stand-in is either free-standing ([`stand_in`]: reached only through its refs) or a child
//! in a system's tree ([`child_stand_in`], for the testkit's replaced children): registered at
//! its address and adopted by its parent, so lookups, the tree, parent stops and shutdowns see
//! it as any other child.

use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use crate::actor::Dispatch;
use crate::actor::cell::ActorCell;
use crate::cell::{ActorState, CellControl, CellCore, bits};
use crate::handle::{ActorRef, AnyRef};
use crate::mailbox::{Envelope, Mailbox, MailboxReceiver, channel};
use crate::path::ActorPath;
use crate::stop::StopReason;
use crate::stop::finalize;
use crate::supervision::Restart;
use crate::system::System;

/// How long the parent of a child stand-in (or a shutdown) waits for it to stop before it
/// kills it: as for an actor by default. Its holder ends it promptly; this only bounds a
/// holder that does not.
#[cfg(feature = "testkit")]
const CHILD_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The receiving side of a stand-in's mailbox. Dropping it ends the stand-in: its refs see it
/// stopped ([`Error::Stopped`](crate::Error::Stopped) on a send, queued asks get
/// [`Error::NoReply`](crate::Error::NoReply)).
pub(crate) struct StandIn<A: Dispatch> {
    cell: Arc<ActorCell<A>>,
    receiver: MailboxReceiver<A::Msg>,
    /// For a child stand-in: the system it is registered in. Its end then frees its address,
    /// leaves its parent and tells it, as an actor's end does.
    system: Option<System>,
    /// The reason its holder chose to end it with ([`end_with`](StandIn::end_with)); without
    /// one, the reason follows from the stop signals it got.
    reason: Option<StopReason>,
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
        restarts: None,
        unstarted: parking_lot::Mutex::new(None),
    });
    let actor_ref = ActorRef::from_cell(Arc::clone(&cell));
    let stand_in = StandIn {
        cell,
        receiver,
        system: None,
        reason: None,
    };
    (actor_ref, stand_in)
}

/// Makes a stand-in child of `parent` at `path` (a child address of `parent`'s): registered
/// in `system`'s registry and in `parent`'s children, as a spawned actor would be. It is never
/// restarted.
///
/// # Errors
///
/// [`Error::ParentStopping`](crate::Error::ParentStopping) or
/// [`Error::NameTaken`](crate::Error::NameTaken), as a spawn at `path` would give; nothing
/// is registered then.
#[cfg(feature = "testkit")]
pub(crate) fn child_stand_in<A: Dispatch>(
    system: &System,
    parent: &AnyRef,
    path: ActorPath,
    mailbox: Mailbox,
) -> Result<(ActorRef<A>, StandIn<A>), crate::Error> {
    let parent_stopping = || crate::Error::ParentStopping {
        parent: parent.path().clone(),
    };
    if !parent.core().accepts_children() {
        return Err(parent_stopping());
    }
    let (sender, receiver) = channel(mailbox);
    let core = CellCore::new(
        path,
        Some(Arc::downgrade(parent.cell())),
        CHILD_SHUTDOWN_TIMEOUT,
        Restart::Temporary,
    );
    core.set_state(ActorState::Running);
    let cell = Arc::new(ActorCell {
        core,
        mailbox: sender,
        restarts: None,
        unstarted: parking_lot::Mutex::new(None),
    });
    let me = AnyRef::new(Arc::clone(&cell) as Arc<dyn CellControl>);
    system.registry().claim(Arc::clone(me.cell()))?;
    if !parent.core().adopt(Arc::clone(me.cell())) {
        system.registry().release(me.path(), me.core());
        return Err(parent_stopping());
    }
    let actor_ref = ActorRef::from_cell(Arc::clone(&cell));
    let stand_in = StandIn {
        cell,
        receiver,
        system: Some(system.clone()),
        reason: None,
    };
    Ok((actor_ref, stand_in))
}

impl<A: Dispatch> StandIn<A> {
    /// A new ref to the stand-in.
    #[cfg_attr(not(feature = "testkit"), allow(dead_code))]
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
                    Poll::Ready(Some(Envelope::Traced(traced))) => {
                        return Poll::Ready(Some(traced.msg));
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
    #[cfg_attr(not(feature = "redis"), allow(dead_code))] // the probes forward from `recv`
    pub(crate) fn try_recv(&mut self) -> Option<A::Msg> {
        loop {
            match self.receiver.try_recv()? {
                Envelope::Message(msg) | Envelope::Attached { msg, .. } => return Some(msg),
                Envelope::Traced(traced) => return Some(traced.msg),
                Envelope::Signal => {}
            }
        }
    }

    /// How many messages are queued (wake-ups may count too: an upper bound).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn queued(&self) -> usize {
        self.receiver.len()
    }

    /// Whether someone asked it to stop (a person's stop, a shutdown or a kill).
    pub(crate) fn stop_requested(&self) -> bool {
        self.cell.core.control() & (bits::KILL | bits::STOP_BY_PERSON | bits::SHUTDOWN) != 0
    }

    /// Ends the stand-in with `reason` (a failure, say), whatever stop signals it got.
    #[cfg_attr(not(feature = "testkit"), allow(dead_code))]
    pub(crate) fn end_with(mut self, reason: StopReason) {
        self.reason = Some(reason);
    }
}

impl<A: Dispatch> Drop for StandIn<A> {
    fn drop(&mut self) {
        let core = &self.cell.core;
        let reason = self.reason.take().unwrap_or_else(|| {
            if core.control() & bits::KILL != 0 {
                StopReason::Killed
            } else if core.stopped_by_person() {
                StopReason::StoppedByPerson
            } else if core.control() & bits::SHUTDOWN != 0 {
                StopReason::Shutdown
            } else {
                StopReason::Normal
            }
        });
        // Queued messages go now, before the waiters wake: their askers get `NoReply`.
        self.receiver.close();
        while self.receiver.try_recv().is_some() {}
        match &self.system {
            // A child: the end of an actor (address freed, parent told, waiters woken).
            Some(system) => {
                let me = AnyRef::new(Arc::clone(&self.cell) as Arc<dyn CellControl>);
                finalize(&me, system, reason, true);
            }
            None => {
                core.record_stop(reason);
                core.notify_stopped();
            }
        }
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
        // The reply is only ever dropped unanswered: what the tests look at.
        Add(
            u64,
            #[allow(dead_code)] Option<crate::request::ReplyTo<u64>>,
        ),
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
        assert_eq!(r.wait_stopped().await, StopReason::Normal);
    }
}
