//! The reply channel a message carries when someone waits for its answer.

use std::fmt;

use tokio::sync::oneshot;

/// Where the handler's return value goes: the asker's side of a one-shot channel.
/// Dropping it unanswered (the actor stopped, the handler panicked) gives the asker
/// [`Error::NoReply`](crate::Error::NoReply).
///
/// # Examples
///
/// ```
/// # use aplay_core::request::{AskRequest, ReplyTo, TellRequest};
/// # use aplay_core::{Actor, ActorRef, Context, Dispatch, Error, Handle, RawRef, System};
/// # // A counter written without the macro: `#[actor]` in the `aplay` facade generates all this.
/// # #[derive(Default)]
/// # struct Counter { count: u64 }
/// # enum CounterMsg { Add(u64, Option<ReplyTo<()>>), Get(Option<ReplyTo<u64>>) }
/// # #[derive(Clone)]
/// # struct CounterHandle(RawRef<Counter>);
/// # impl aplay_core::__private::HandleParts<Counter> for CounterHandle {
/// #     fn from_raw(raw: RawRef<Counter>) -> Self { CounterHandle(raw) }
/// #     fn raw_ref(&self) -> &RawRef<Counter> { &self.0 }
/// # }
/// # impl CounterHandle {
/// #     fn add(&self, n: u64) -> TellRequest<'_, Counter, u64> {
/// #         aplay_core::__private::tell_request(&self.0, n, |n, reply| CounterMsg::Add(n, reply))
/// #     }
/// #     fn get(&self) -> AskRequest<'_, Counter, (), u64> {
/// #         aplay_core::__private::ask_request(&self.0, (), |(), reply| CounterMsg::Get(reply))
/// #     }
/// # }
/// # impl Actor for Counter {}
/// # impl Dispatch for Counter {
/// #     type Msg = CounterMsg;
/// #     type Handle = CounterHandle;
/// #     async fn dispatch(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) {
/// #         match msg {
/// #             CounterMsg::Add(n, reply) => { self.count += n; if let Some(r) = reply { r.send(()) } }
/// #             CounterMsg::Get(reply) => if let Some(r) = reply { r.send(self.count) },
/// #         }
/// #     }
/// #     fn message_name(msg: &CounterMsg) -> &'static str {
/// #         match msg { CounterMsg::Add(..) => "add", CounterMsg::Get(..) => "get" }
/// #     }
/// #     fn is_ask(msg: &CounterMsg) -> bool {
/// #         matches!(msg, CounterMsg::Add(_, Some(_)) | CounterMsg::Get(Some(_)))
/// #     }
/// # }
/// # #[cfg(feature = "testkit")]
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aplay_core::Error> {
/// use aplay_core::testkit;
/// // A probe stands in for the counter; the test answers its asks by hand.
/// let (counter, mut probe) = testkit::probe::<Counter>("counter");
/// let asker = tokio::spawn(async move { counter.get().await });
/// let CounterMsg::Get(Some(reply)) = probe.expect().await else { panic!("an ask") };
/// assert!(!reply.is_closed()); // the asker waits
/// reply.send(42);
/// assert_eq!(asker.await.unwrap()?, 42);
/// # Ok(()) }
/// # #[cfg(not(feature = "testkit"))]
/// # fn main() {}
/// ```
pub struct ReplyTo<R>(pub(crate) oneshot::Sender<R>);

impl<R> ReplyTo<R> {
    /// Sends the reply. An asker that stopped waiting (timed out, dropped its future) is not
    /// an error: the reply is dropped.
    ///
    /// See the example on [`ReplyTo`].
    pub fn send(self, value: R) {
        let _ = self.0.send(value);
    }

    /// Whether the asker stopped waiting.
    ///
    /// See the example on [`ReplyTo`].
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
}

impl<R> fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyTo")
            .field("closed", &self.is_closed())
            .finish()
    }
}
