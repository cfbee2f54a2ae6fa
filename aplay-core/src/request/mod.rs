//! What the generated handle methods return: a request to tell or ask, awaited to send.
//!
//! `counter.add(5)` builds a [`TellRequest`] (the handler returns `()`), `counter.get()` an
//! [`AskRequest`] (it returns a value). Awaiting sends; methods on the request choose another
//! way first.
//!
//! | written | waits for | result |
//! |---|---|---|
//! | `r.add(5).await` | room in the mailbox | `Result<(), Error>` |
//! | `r.add(5).ask().await` | the message to be handled | `Result<(), Error>` |
//! | `r.add(5).try_tell()` | nothing | `Result<(), Error>`, [`Error::Full`](crate::Error::Full) when full |
//! | `r.get().await` | the reply | `Result<u64, Error>` |
//! | `r.get().tell().await` | room in the mailbox; the reply is dropped | `Result<(), Error>` |
//! | `r.get().timeout(d).await` | the reply, at most `d` | `Result<u64, Error>`, [`Error::Timeout`](crate::Error::Timeout) after `d` |
//! | `r.add(5).priority(Priority::High).await` | room in the high lane | `Result<(), Error>`; handled before the normal mail queued (see [`Priority`]) |
//!
//! # Examples
//!
//! Every row of the table, on a counter whose `add` is a tell and `get` an ask:
//!
//! ```
//! use std::time::Duration;
//! use aplay_core::System;
//! # use aplay_doc_actors::Counter;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), aplay_core::Error> {
//! let system = System::new();
//! let counter = system.spawn("counter", Counter::default()).await?;
//! counter.add(5).await?;
//! counter.add(5).ask().await?;
//! counter.add(5).try_tell()?;
//! assert_eq!(counter.get().await?, 15);
//! counter.get().tell().await?;
//! assert_eq!(counter.get().timeout(Duration::from_secs(1)).await?, 15);
//! counter.add(5).priority(aplay_core::Priority::High).await?;
//! assert_eq!(counter.get().await?, 20);
//! # Ok(()) }
//! ```

mod ask;
mod reply;
mod sending;
mod tell;

pub use ask::{AskFuture, AskRequest};
pub use reply::ReplyTo;
pub use tell::{TellFuture, TellRequest};

use std::time::Duration;

use crate::actor::Dispatch;
use crate::handle::RawRef;
use crate::mailbox::Priority;

/// The parts common to both kinds of request: where to, the arguments, how to build the
/// message from them, and an optional time limit.
struct Request<'a, A: Dispatch, Args, R> {
    target: &'a RawRef<A>,
    args: Args,
    make: fn(Args, Option<ReplyTo<R>>) -> A::Msg,
    timeout: Option<Duration>,
    /// Chosen for this send; the message's own (its handler's) when `None`.
    priority: Option<Priority>,
}

impl<'a, A: Dispatch, Args, R> Request<'a, A, Args, R> {
    #[inline]
    fn new(
        target: &'a RawRef<A>,
        args: Args,
        make: fn(Args, Option<ReplyTo<R>>) -> A::Msg,
    ) -> Self {
        Request {
            target,
            args,
            make,
            timeout: None,
            priority: None,
        }
    }

    /// The message. Inlined with the request's construction, `make` is a known function
    /// that builds the message in place (through the pointer, the message would be written to
    /// the stack and read back in pieces of another width, which stalls the processor).
    #[inline(always)]
    fn build(self, reply: Option<ReplyTo<R>>) -> A::Msg {
        (self.make)(self.args, reply)
    }
}

// The two forms of a request turn into each other here, above both.

impl<'a, A: Dispatch, Args, R> AskRequest<'a, A, Args, R> {
    /// Sends without waiting for the reply, which is dropped.
    ///
    /// See the example on [`AskRequest`].
    pub fn tell(self) -> TellRequest<'a, A, Args, R> {
        TellRequest::from_request(self.into_request())
    }

    /// Enqueues now without waiting, dropping the reply.
    ///
    /// # Errors
    ///
    /// [`Error::Full`](crate::Error::Full) or [`Error::Stopped`](crate::Error::Stopped),
    /// handing the message back.
    ///
    /// See the example on [`AskRequest`].
    pub fn try_tell(self) -> Result<(), crate::Error> {
        self.tell().try_tell()
    }
}

impl<'a, A: Dispatch, Args, R> AskRequest<'a, A, Args, R> {
    /// The message, without a reply channel (for a job, whose reply is kept in Redis).
    #[cfg(feature = "redis")]
    pub(crate) fn into_message(self) -> A::Msg {
        self.into_request().build(None)
    }
}

impl<'a, A: Dispatch, Args, R> TellRequest<'a, A, Args, R> {
    /// The message, without a reply channel (for a job, whose reply is kept in Redis).
    #[cfg(feature = "redis")]
    pub(crate) fn into_message(self) -> A::Msg {
        self.into_request().build(None)
    }

    /// Waits until the message has been handled (and gets the handler's return value).
    ///
    /// See the example on [`TellRequest`].
    pub fn ask(self) -> AskRequest<'a, A, Args, R> {
        AskRequest::from_request(self.into_request())
    }
}

/// The timer of a request's time limit, if it has one (rare: kept out of the inlined path);
/// none for a limit too long for the clock to count, which is no limit.
#[cold]
#[inline(never)]
fn deadline(timeout: Duration) -> Option<std::pin::Pin<Box<tokio::time::Sleep>>> {
    crate::time::deadline_after(timeout).map(|at| Box::pin(tokio::time::sleep_until(at)))
}
