//! Handling messages one at a time, with control signals checked between them.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::task::Poll;
use std::time::Instant;

use futures::FutureExt;

use crate::actor::Dispatch;
use crate::cell::{SystemMsg, bits};
use crate::context::Context;
use crate::mailbox::{Envelope, MailboxReceiver, Traced};
use crate::observe::LIFECYCLE_TARGET;
#[cfg(feature = "tracing")]
use crate::observe::spans;
use crate::path::ActorPath;
use crate::stop::{Failure, FailureKind, StopReason, panic_text};
use crate::supervision;

enum Next<M> {
    Message(M),
    Control(u8),
    /// A message from a task of an earlier instance: dropped.
    Stale,
    Closed,
}

/// Handles messages until the actor stops; returns why it stops.
///
/// The fast path per message is one atomic load (the control bits) and one channel receive.
/// Signals wake an idle actor through the mailbox itself (see `CellControl`).
///
/// After a restart, `kept` holds the tells queued for the previous instance: they come first.
pub(super) async fn message_loop<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    receiver: &mut MailboxReceiver<A::Msg>,
    kept: &mut VecDeque<A::Msg>,
) -> StopReason {
    let me = ctx.myself_any().clone();
    let core = me.core();
    let incarnation = core.incarnation();
    // Handler time and high-water marks are measured in a metered system only.
    let meter = core.meter();
    let sink = ctx.system().observing().sink.clone();
    // When the current message was taken, and how many waited then (metered systems).
    let mut clock: Option<(Instant, usize)> = None;
    // The span the next message was sent from, when it came with one. Declared out of the
    // loop, like `clock`: a message without them costs a test, not a move.
    #[cfg(feature = "tracing")]
    let mut from: Option<tracing::Span> = None;
    let mut draining: Option<StopReason> = None;
    loop {
        let next = poll_fn(|cx| {
            let pending = core.control();
            if pending != 0 {
                return Poll::Ready(Next::Control(pending));
            }
            if let Some(msg) = kept.pop_front() {
                return Poll::Ready(Next::Message(msg));
            }
            match receiver.poll_recv(cx) {
                Poll::Ready(Some(Envelope::Message(msg))) => Poll::Ready(Next::Message(msg)),
                Poll::Ready(Some(Envelope::Traced(traced))) => {
                    let Traced { msg, from: sender } = *traced;
                    #[cfg(feature = "tracing")]
                    {
                        from = Some(sender);
                    }
                    #[cfg(not(feature = "tracing"))]
                    drop(sender);
                    Poll::Ready(Next::Message(msg))
                }
                Poll::Ready(Some(Envelope::Attached {
                    incarnation: from,
                    msg,
                })) => {
                    if from == incarnation {
                        Poll::Ready(Next::Message(msg))
                    } else {
                        Poll::Ready(Next::Stale)
                    }
                }
                // A wake-up: the control bits were raised before it was sent.
                Poll::Ready(Some(Envelope::Signal)) => Poll::Ready(Next::Control(core.control())),
                Poll::Ready(None) => Poll::Ready(Next::Closed),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        match next {
            Next::Message(msg) => {
                // Inlined rather than a separate `async fn`: every layer of future around the
                // handler moves the message once more, and this is the hot path.
                let name = A::message_name(&msg);
                // Written here rather than returned by a function: the span is built in place.
                // No parent; it follows from the sender's span, if the message came with one.
                #[cfg(feature = "tracing")]
                let span = tracing::debug_span!(
                    target: spans::MESSAGE_TARGET,
                    parent: None,
                    "message",
                    actor = %core.path,
                    handler = name
                );
                #[cfg(feature = "tracing")]
                if from.is_some() {
                    spans::follow(&span, &mut from);
                }
                if let Some(meter) = meter {
                    // What waits now, and the message just taken.
                    clock = Some(meter.taken(receiver.len() + kept.len() + 1));
                }
                let mut dispatch = pin!(AssertUnwindSafe(actor.dispatch(msg, ctx)).catch_unwind());
                let outcome = poll_fn(|cx| {
                    #[cfg(feature = "tracing")]
                    let _entered = span.enter();
                    dispatch.as_mut().poll(cx)
                })
                .await;
                if let Err(panic) = outcome {
                    return StopReason::Failed(handler_panicked(&core.path, name, &*panic));
                }
                core.count_handled();
                if let Some(meter) = meter {
                    meter.handled(core, name, clock.take(), sink.as_deref());
                }
            }
            Next::Stale => {}
            Next::Control(pending) => {
                if pending & bits::KILL != 0 {
                    return StopReason::Killed;
                }
                if pending & bits::RESTART != 0 {
                    // The parent restarts this actor; the bit stays up for the lifecycle,
                    // which keeps the mailbox for the next instance.
                    return StopReason::Shutdown;
                }
                if pending & bits::SYSTEM != 0 {
                    for notice in core.take_system() {
                        if let Err(failure) = Box::pin(on_system(actor, ctx, notice)).await {
                            return StopReason::Failed(failure);
                        }
                    }
                }
                let stop_bits = pending & (bits::STOP_BY_PERSON | bits::SHUTDOWN);
                if stop_bits != 0 {
                    core.clear_control(stop_bits);
                    if draining.is_none() {
                        // Refuse new messages, then handle those already queued.
                        receiver.close();
                    }
                    // A stop by a person outranks a shutdown.
                    if stop_bits & bits::STOP_BY_PERSON != 0 {
                        draining = Some(StopReason::StoppedByPerson);
                    } else {
                        draining.get_or_insert(StopReason::Shutdown);
                    }
                }
            }
            Next::Closed => return draining.unwrap_or(StopReason::Normal),
        }
        if let Some(reason) = ctx.take_stop() {
            return reason;
        }
    }
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
        } => supervision::on_child_exit(actor, ctx, child, reason, incarnation).await,
        SystemMsg::LinkedFailed { partner, reason } => Err(Failure::new(
            FailureKind::LinkedFailure,
            format!("{partner}, linked to it, {reason}"),
        )),
        SystemMsg::ChildStopped { child, reason } => {
            supervision::child_stopped_hook(actor, ctx, &child, &reason).await
        }
    }
}
