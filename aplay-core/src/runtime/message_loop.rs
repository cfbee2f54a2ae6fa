//! Handling messages one at a time, with control signals checked between them.

use std::future::poll_fn;
use std::panic::AssertUnwindSafe;
use std::task::Poll;

use futures::FutureExt;

use crate::actor::Dispatch;
use crate::cell::{SystemMsg, bits};
use crate::context::Context;
use crate::mailbox::MailboxReceiver;
use crate::stop::{Failure, FailureKind, StopReason, panic_text};

enum Next<M> {
    Message(M),
    Control(u8),
    Closed,
}

/// Handles messages until the actor stops; returns why it stops.
///
/// The fast path per message is one relaxed-cheap atomic load (the control bits) and one
/// channel receive; the waker is only registered with the control signals when the mailbox is
/// empty.
pub(super) async fn message_loop<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    receiver: &mut MailboxReceiver<A::Msg>,
) -> StopReason {
    let me = ctx.myself_any().clone();
    let core = me.core();
    let mut draining: Option<StopReason> = None;
    loop {
        let next = poll_fn(|cx| {
            let pending = core.control();
            if pending != 0 {
                return Poll::Ready(Next::Control(pending));
            }
            match receiver.poll_recv(cx) {
                Poll::Ready(Some(msg)) => Poll::Ready(Next::Message(msg)),
                Poll::Ready(None) => Poll::Ready(Next::Closed),
                Poll::Pending => core.poll_control(cx).map(Next::Control),
            }
        })
        .await;
        match next {
            Next::Message(msg) => {
                if let Err(failure) = handle(actor, ctx, msg).await {
                    return StopReason::Failed(failure);
                }
                core.count_handled();
            }
            Next::Control(pending) => {
                if pending & bits::KILL != 0 {
                    return StopReason::Killed;
                }
                if pending & bits::SYSTEM != 0 {
                    for notice in core.take_system() {
                        if let Err(failure) = on_system(actor, ctx, notice).await {
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

/// Runs one message's handler, catching a panic.
async fn handle<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    msg: A::Msg,
) -> Result<(), Failure> {
    let name = A::message_name(&msg);
    let dispatch = AssertUnwindSafe(actor.dispatch(msg, ctx)).catch_unwind();
    #[cfg(feature = "tracing")]
    let dispatch = {
        use tracing::Instrument;
        dispatch.instrument(tracing::debug_span!("message", handler = name))
    };
    match dispatch.await {
        Ok(()) => Ok(()),
        Err(panic) => {
            let text = panic_text(&*panic);
            tracing::error!(handler = name, panic = %text, "a handler panicked; the actor stops");
            Err(Failure::new(
                FailureKind::HandlerPanic,
                format!("in `{name}`: {text}"),
            ))
        }
    }
}

/// Handles a notice from the runtime.
async fn on_system<A: Dispatch>(
    actor: &mut A,
    ctx: &mut Context<A>,
    notice: SystemMsg,
) -> Result<(), Failure> {
    match notice {
        SystemMsg::ChildStopped { child, reason } => {
            let hook =
                AssertUnwindSafe(actor.on_child_stopped(ctx, &child, &reason)).catch_unwind();
            hook.await
                .map_err(|panic| Failure::new(FailureKind::HookPanic, panic_text(&*panic)))
        }
    }
}
