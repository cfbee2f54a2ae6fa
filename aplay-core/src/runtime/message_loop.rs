//! Handling messages one at a time, with control signals checked between them.

use std::future::poll_fn;
use std::task::Poll;

#[cfg(feature = "tracing")]
use super::in_span::InSpan;
use crate::actor::Dispatch;
use crate::cell::{CellCore, SystemMsg, bits};
use crate::context::Context;
use crate::handle::{ActorRef, AnyRef, Handle};
use crate::mailbox::{Envelope, MailboxReceiver, Traced};
use crate::observe::LIFECYCLE_TARGET;
#[cfg(feature = "tracing")]
use crate::observe::spans;
use crate::panics::{self, panic_text};
use crate::path::ActorPath;
use crate::stop::{Failure, FailureKind, StopReason};
use crate::supervision;

enum Next<M> {
    /// An envelope with a message in it (never a wake-up), passed on as it came: the same
    /// layout, so moving it copies it as it was written.
    Envelope(Envelope<M>),
    Control(u8),
    Closed,
}

/// Why the mailbox was closed: the loop ends once it is empty.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Draining {
    No,
    Shutdown,
    /// A stop by a person outranks a shutdown.
    ByPerson,
}

/// Handles messages until the actor stops; returns why it stops.
///
/// The fast path per message is one atomic load (the control bits) and one mailbox receive.
/// Signals wake an idle actor through the mailbox itself (see `CellControl`).
///
/// After a restart, the tells queued for the previous instance are first in the mailbox.
///
/// A plain function around an `async move` block, not an `async fn`: an `async fn` keeps a
/// second copy of its arguments in its future, which every idle actor's task carries.
#[allow(clippy::manual_async_fn)]
pub(super) fn message_loop<'a, A: Dispatch>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    receiver: &'a mut MailboxReceiver<A::Msg>,
) -> impl std::future::Future<Output = StopReason> + Send + 'a {
    async move {
        let me = ctx.myself();
        let incarnation = core_of(&me).incarnation();
        let mut draining = Draining::No;
        loop {
            let next = poll_fn(|cx| {
                let pending = core_of(&me).control();
                if pending != 0 {
                    return Poll::Ready(Next::Control(pending));
                }
                match receiver.poll_recv(cx) {
                    // A wake-up: the control bits were raised before it was sent.
                    Poll::Ready(Some(Envelope::Signal)) => {
                        Poll::Ready(Next::Control(core_of(&me).control()))
                    }
                    Poll::Ready(Some(envelope)) => Poll::Ready(Next::Envelope(envelope)),
                    Poll::Ready(None) => Poll::Ready(Next::Closed),
                    // No message waits: the streams this task reads, unless it is stopping.
                    Poll::Pending if draining == Draining::No => ctx
                        .poll_inline(cx)
                        .map(|msg| Next::Envelope(Envelope::Message(msg))),
                    Poll::Pending => Poll::Pending,
                }
            })
            .await;
            match next {
                Next::Envelope(envelope) => {
                    // Inlined rather than a separate `async fn`: every layer of future around the
                    // handler moves the message once more, and this is the hot path. Built in
                    // a block, so that nothing but the handler's future is kept across its
                    // `await` (every idle actor's task carries what is).
                    let (msg, name, span) = {
                        // A message from a task of an earlier instance is dropped.
                        let Some(Opened {
                            msg,
                            from,
                            #[cfg(feature = "redis")]
                            scope,
                        }) = open(envelope, incarnation)
                        else {
                            continue;
                        };
                        #[cfg(feature = "redis")]
                        if scope.is_some() {
                            ctx.set_scope(scope);
                        }
                        let name = A::message_name(&msg);
                        // Handler time and high-water marks are measured in metered systems.
                        if let Some(meter) = core_of(&me).meter() {
                            meter.taken(receiver.len() + 1);
                        }
                        #[cfg(feature = "tracing")]
                        let span = message_span(&core_of(&me).path, name, from);
                        #[cfg(not(feature = "tracing"))]
                        let span = from;
                        (msg, name, span)
                    };
                    // The handler's future is built where it is awaited: every layer moved
                    // separately would copy it once more.
                    #[cfg(feature = "tracing")]
                    let outcome =
                        InSpan::new(span, panics::catch_future(actor.dispatch(msg, ctx))).await;
                    #[cfg(not(feature = "tracing"))]
                    let outcome = {
                        drop(span);
                        panics::catch_future(actor.dispatch(msg, ctx)).await
                    };
                    #[cfg(feature = "redis")]
                    ctx.set_scope(None);
                    let core = core_of(&me);
                    if let Err(panic) = outcome {
                        return StopReason::Failed(handler_panicked(&core.path, name, &*panic));
                    }
                    core.count_handled();
                    if let Some(meter) = core.meter() {
                        let sink = ctx.system().observing().sink.as_deref();
                        meter.handled(&core.path, std::any::type_name::<A>(), name, sink);
                    }
                }
                Next::Control(pending) => {
                    if pending & bits::KILL != 0 {
                        return StopReason::Killed;
                    }
                    if pending & bits::RESTART != 0 {
                        // The parent restarts this actor; the bit stays up for the lifecycle,
                        // which keeps the mailbox for the next instance.
                        return StopReason::Shutdown;
                    }
                    if pending & bits::SYSTEM != 0
                        && let Err(failure) =
                            Box::pin(on_notices(actor, ctx, core_of(&me).take_system())).await
                    {
                        return StopReason::Failed(failure);
                    }
                    let stop_bits = pending & (bits::STOP_BY_PERSON | bits::SHUTDOWN);
                    if stop_bits != 0 {
                        core_of(&me).clear_control(stop_bits);
                        if draining == Draining::No {
                            // Refuse new messages, then handle those already queued.
                            receiver.close();
                        }
                        if stop_bits & bits::STOP_BY_PERSON != 0 {
                            draining = Draining::ByPerson;
                        } else if draining == Draining::No {
                            draining = Draining::Shutdown;
                        }
                    }
                }
                Next::Closed => {
                    return match draining {
                        Draining::No => StopReason::Normal,
                        Draining::Shutdown => StopReason::Shutdown,
                        Draining::ByPerson => StopReason::StoppedByPerson,
                    };
                }
            }
            if let Some(reason) = ctx.take_stop() {
                return reason;
            }
        }
    }
}

/// What an envelope holds for the loop.
struct Opened<M> {
    msg: M,
    /// The span it was sent from.
    from: Option<tracing::Span>,
    /// What its handler reads from its context.
    #[cfg(feature = "redis")]
    scope: Option<crate::mailbox::Scope>,
}

/// The message of an envelope, with what came with it; `None` for a message from a task of
/// an instance other than `incarnation` (stale after a restart).
#[inline(always)]
fn open<M>(envelope: Envelope<M>, incarnation: u32) -> Option<Opened<M>> {
    let plain = |msg| Opened {
        msg,
        from: None,
        #[cfg(feature = "redis")]
        scope: None,
    };
    match envelope {
        Envelope::Message(msg) => Some(plain(msg)),
        Envelope::Traced(traced) => {
            let Traced {
                msg,
                from,
                #[cfg(feature = "redis")]
                scope,
            } = *traced;
            Some(Opened {
                msg,
                from: Some(from),
                #[cfg(feature = "redis")]
                scope,
            })
        }
        Envelope::Attached {
            incarnation: from,
            msg,
        } => (from == incarnation).then(|| plain(msg)),
        Envelope::Signal => unreachable!("wake-ups are not opened"),
    }
}

/// The cell's untyped part, reached from the typed ref without a virtual call (and without
/// keeping a second pointer in the loop's future).
#[inline]
fn core_of<A: Dispatch>(me: &ActorRef<A>) -> &CellCore {
    &Handle::raw(&**me).cell.core
}

/// The failure of a handler that panicked, logged.
fn handler_panicked(
    actor: &ActorPath,
    name: &'static str,
    panic: &(dyn std::any::Any + Send),
) -> Failure {
    let text = panic_text(panic);
    tracing::error!(
        target: LIFECYCLE_TARGET,
        %actor,
        handler = name,
        panic = %text,
        "a handler panicked; the actor stops"
    );
    Failure::new(FailureKind::HandlerPanic, format!("in `{name}`: {text}"))
}

/// Handles notices from the runtime, in order, until one fails the actor.
async fn on_notices<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    notices: thin_vec::ThinVec<SystemMsg>,
) -> Result<(), Failure> {
    for notice in notices {
        on_system(actor, ctx, notice).await?;
    }
    Ok(())
}

/// Handles a notice from the runtime.
async fn on_system<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    notice: SystemMsg,
) -> Result<(), Failure> {
    match notice {
        SystemMsg::ChildExited {
            child,
            reason,
            incarnation,
        } => supervision::on_child_exit(actor, ctx, AnyRef::new(child), reason, incarnation).await,
        SystemMsg::LinkedFailed { partner, reason } => Err(Failure::new(
            FailureKind::LinkedFailure,
            format!("{partner}, linked to it, {reason}"),
        )),
        SystemMsg::ChildStopped { child, reason } => {
            supervision::child_stopped_hook(actor, ctx, &AnyRef::new(child), &reason).await
        }
    }
}

/// The span of one message, made only while a subscriber wants it, and then boxed, so that
/// an idle actor's task does not carry 40 bytes for it (it allocates only when someone
/// listens). No parent: it follows from the span the message was sent from, if it came with
/// one (see `observe::spans`).
#[cfg(feature = "tracing")]
#[inline]
fn message_span(
    actor: &ActorPath,
    name: &'static str,
    mut from: Option<tracing::Span>,
) -> Option<Box<tracing::Span>> {
    if !tracing::level_enabled!(tracing::Level::DEBUG) {
        return None;
    }
    let span = tracing::debug_span!(
        target: spans::MESSAGE_TARGET,
        parent: None,
        "message",
        actor = %actor,
        handler = name
    );
    if span.is_disabled() {
        return None;
    }
    if from.is_some() {
        spans::follow(&span, &mut from);
    }
    Some(Box::new(span))
}
