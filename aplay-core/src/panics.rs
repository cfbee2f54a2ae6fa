//! Panics aplay catches (in handlers, hooks, factories, metrics sinks): reported as one
//! tracing event each by the code that catches them, with the actor's path and the handler's
//! name, and kept out of the standard panic output, which would print the message and, with
//! `RUST_BACKTRACE` set, a backtrace of hundreds of lines for a panic the supervisor handles.
//!
//! How: a process-wide panic hook, installed when the first system is made, stays quiet about
//! a panic raised while this thread runs an actor's task ([`quiet`], around the whole task:
//! marking each handler's poll instead cost a tenth of the tell throughput) or something
//! called through [`catch`], and hands every other panic to the hook that was there before
//! (the standard one, or the program's own). A panic located in aplay-core's own code is a
//! bug of the runtime, not of the actor: it is always handed on. A program that sets its own
//! hook after the first system replaces this one, and sees every panic; `APLAY_PANIC_OUTPUT=1`
//! in the environment keeps the standard output for caught panics too (the hook is then not
//! installed).

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll};

use futures::FutureExt;

thread_local! {
    /// Whether this thread runs code whose panic aplay catches and reports.
    static CAUGHT: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread runs an actor's task (or code run through [`catch`]) right now:
/// `false` tells that the caller is no actor's handler or hook, with one thread-local read.
#[inline]
pub(crate) fn in_caught_code() -> bool {
    CAUGHT.with(Cell::get)
}

/// What a panic carries.
pub(crate) type Payload = Box<dyn Any + Send>;

/// Installs the quiet hook, once per process (see the module's docs).
pub(crate) fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("APLAY_PANIC_OUTPUT").is_some_and(|v| v != "0") {
            return;
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let runtime_bug = info
                .location()
                .is_some_and(|at| at.file().contains("aplay-core"));
            if runtime_bug || !CAUGHT.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with its panic caught, and kept out of the panic output.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Payload> {
    let was = CAUGHT.with(|c| c.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    CAUGHT.with(|c| c.set(was));
    result
}

/// `future` (a handler or a hook, run in its actor's task, which is [`quiet`]) with its panic
/// caught.
#[inline(always)]
pub(crate) fn catch_future<F: Future>(
    future: F,
) -> impl Future<Output = Result<F::Output, Payload>> {
    AssertUnwindSafe(future).catch_unwind()
}

/// An actor's task, polled with the thread marked as running code whose panics aplay catches.
pub(crate) fn quiet<F: Future>(future: F) -> Quiet<F> {
    Quiet { future }
}

pin_project_lite::pin_project! {
    /// Polls its future with the thread marked as running caught code.
    pub(crate) struct Quiet<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Quiet<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let was = CAUGHT.with(|c| c.replace(true));
        // A panic unwinds through here to `catch_unwind` around this future, which runs on
        // this thread: the mark is put back there (`Restore` below) on the way out.
        let restore = Restore(was);
        let polled = self.project().future.poll(cx);
        drop(restore);
        polled
    }
}

/// Puts the mark back as it was, also when a panic unwinds past it.
struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        CAUGHT.with(|c| c.set(self.0));
    }
}

/// The text of a panic payload (`panic!("...")` gives a `&str` or a `String`).
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_owned()
    }
}
