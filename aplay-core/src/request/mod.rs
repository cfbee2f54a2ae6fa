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

/// The parts common to both kinds of request: where to, the arguments, how to build the
/// message from them, and an optional time limit.
struct Request<'a, A: Dispatch, Args, R> {
    target: &'a RawRef<A>,
    args: Args,
    make: fn(Args, Option<ReplyTo<R>>) -> A::Msg,
    timeout: Option<Duration>,
}

impl<'a, A: Dispatch, Args, R> Request<'a, A, Args, R> {
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
        }
    }

    fn build(self, reply: Option<ReplyTo<R>>) -> A::Msg {
        (self.make)(self.args, reply)
    }
}
