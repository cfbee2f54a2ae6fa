//! Input streams (actorio's `register_input_task`): outside event sources whose items the
//! actor handles one at a time, between its other messages.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use futures::{Stream, StreamExt};

use crate::actor::Dispatch;
use crate::attached::TaskHandle;
use crate::context::Context;

/// The streams read by an actor's own task, merged into one stream of its messages.
type Inline<M> = Pin<Box<dyn Stream<Item = M> + Send>>;

impl<A: Dispatch> Context<A> {
    /// Feeds the items of `stream` to this actor: each becomes the message `on_item(item)`,
    /// handled like any other, never at the same time as another message (actorio's
    /// `register_input_task`). Items keep their order. A stream of `Result`s hands its errors
    /// to the handler, which can stop the actor (`ctx.stop()`) as actorio's `EndMainLoop` does.
    ///
    /// The stream is read only as fast as the actor handles its items: with a bounded
    /// mailbox, a fast stream waits for room instead of filling memory. Its task ends when the
    /// stream ends, when [`TaskHandle::cancel`] is called, or when the actor stops.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, BoxError, Context};
    ///
    /// struct Summer { total: u64 }
    ///
    /// impl Actor for Summer {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         ctx.attach_stream(futures::stream::iter(1..=3), SummerMsg::add);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// #[aplay::actor]
    /// impl Summer {
    ///     fn add(&mut self, n: u64) {
    ///         self.total += n;
    ///     }
    /// }
    /// ```
    pub fn attach_stream<S, F>(&mut self, stream: S, on_item: F) -> TaskHandle
    where
        S: Stream + Send + 'static,
        F: FnMut(S::Item) -> A::Msg + Send + 'static,
    {
        self.feed(stream, on_item, None)
    }

    /// Like [`attach_stream`](Self::attach_stream), and when the stream ends the actor gets
    /// `on_end`, after the last item.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, BoxError, Context, Inbox, Recipient, System};
    ///
    /// /// Counts the lines of its input, and says how many at the end.
    /// struct LineCount { lines: usize, out: Recipient<usize> }
    /// impl Actor for LineCount {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         let input = futures::stream::iter(["a", "b", "c"].map(String::from));
    ///         ctx.attach_stream_with_end(input, LineCountMsg::line, LineCountMsg::end());
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl LineCount {
    ///     fn line(&mut self, _line: String) {
    ///         self.lines += 1;
    ///     }
    ///     async fn end(&mut self, ctx: &mut Context<Self>) {
    ///         let _ = self.out.tell(self.lines).await;
    ///         ctx.stop();
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let mut counts = Inbox::new();
    /// let counter = system.spawn("lines", LineCount { lines: 0, out: counts.recipient() }).await?;
    /// assert_eq!(counts.recv().await, 3);
    /// counter.wait_stopped().await;
    /// # Ok(()) }
    /// ```
    pub fn attach_stream_with_end<S, F>(
        &mut self,
        stream: S,
        on_item: F,
        on_end: A::Msg,
    ) -> TaskHandle
    where
        S: Stream + Send + 'static,
        F: FnMut(S::Item) -> A::Msg + Send + 'static,
    {
        self.feed(stream, on_item, Some(on_end))
    }

    /// Re-arms `next` after each result and feeds the results to this actor as
    /// `on_item(result)`, the way actorio registers `websocket.receive`: the factory is called
    /// again only once the previous result is in the mailbox. It runs until it is cancelled or
    /// the actor stops.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, BoxError, Context, Inbox, Recipient, System};
    /// use tokio::sync::mpsc;
    ///
    /// /// Reads a channel one value at a time, as actorio reads `websocket.receive`.
    /// struct Reader { rx: Option<mpsc::Receiver<u32>>, out: Recipient<u32> }
    /// impl Actor for Reader {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         let rx = std::sync::Arc::new(tokio::sync::Mutex::new(self.rx.take().expect("set")));
    ///         ctx.attach_repeat(
    ///             move || {
    ///                 let rx = rx.clone();
    ///                 async move { rx.lock().await.recv().await }
    ///             },
    ///             ReaderMsg::got,
    ///         );
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Reader {
    ///     async fn got(&mut self, value: Option<u32>, ctx: &mut Context<Self>) {
    ///         match value {
    ///             Some(n) => { let _ = self.out.tell(n).await; }
    ///             None => ctx.stop(), // the channel closed
    ///         }
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let (tx, rx) = mpsc::channel(4);
    /// let mut out = Inbox::new();
    /// let reader = system.spawn("reader", Reader { rx: Some(rx), out: out.recipient() }).await?;
    /// tx.send(7).await.unwrap();
    /// assert_eq!(out.recv().await, 7);
    /// drop(tx);
    /// reader.wait_stopped().await;
    /// # Ok(()) }
    /// ```
    pub fn attach_repeat<N, Fut, F>(&mut self, mut next: N, on_item: F) -> TaskHandle
    where
        N: FnMut() -> Fut + Send + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: Send,
        F: FnMut(Fut::Output) -> A::Msg + Send + 'static,
    {
        let results = futures::stream::unfold((), move |()| {
            let result = next();
            async move { Some((result.await, ())) }
        });
        self.feed(results, on_item, None)
    }

    /// Like [`attach_stream_with_end`](Self::attach_stream_with_end) (`on_end` is optional
    /// here), but the stream is read by the actor's own task, between its messages: no task of
    /// its own, and no room in the mailbox for its items. So an actor that serves one socket
    /// is one task, not two, and a frame goes from the socket to its handler without a hop.
    ///
    /// The stream is read when no message waits in the mailbox (messages go first), one item
    /// at a time, each handled like a message (the same handlers, in the stream's order). It
    /// is dropped when it ends (after `on_end`, if given), or when the actor stops, once its
    /// last message is handled and before `on_stop`; a restarted instance does not read it.
    /// There is no [`TaskHandle`]: a stream that should end earlier can be made to end (with
    /// [`StreamExt::take_until`], say). Several streams attached this way are read in turn.
    ///
    /// A stream whose `poll_next` blocks, or runs long, holds up the actor: that is for
    /// [`attach_stream`](Self::attach_stream), which gives it a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use aplay_core::{Actor, BoxError, Context, Inbox, Recipient, System};
    ///
    /// /// Sums its input, read by its own task, and says the sum at the end.
    /// struct Summer { total: u64, out: Recipient<u64> }
    /// impl Actor for Summer {
    ///     async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
    ///         let input = futures::stream::iter(1..=100);
    ///         ctx.attach_stream_inline(input, SummerMsg::add, Some(SummerMsg::end()));
    ///         Ok(())
    ///     }
    /// }
    /// #[aplay::actor]
    /// impl Summer {
    ///     fn add(&mut self, n: u64) {
    ///         self.total += n;
    ///     }
    ///     async fn end(&mut self, ctx: &mut Context<Self>) {
    ///         let _ = self.out.tell(self.total).await;
    ///         ctx.stop();
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), aplay_core::Error> {
    /// let system = System::new();
    /// let mut sums = Inbox::new();
    /// let summer = system.spawn("summer", Summer { total: 0, out: sums.recipient() }).await?;
    /// assert_eq!(sums.recv().await, 5050);
    /// summer.wait_stopped().await;
    /// # Ok(()) }
    /// ```
    pub fn attach_stream_inline<S, F>(&mut self, stream: S, on_item: F, on_end: Option<A::Msg>)
    where
        S: Stream + Send + 'static,
        F: FnMut(S::Item) -> A::Msg + Send + 'static,
    {
        let items: Inline<A::Msg> =
            Box::pin(stream.map(on_item).chain(futures::stream::iter(on_end)));
        let merged = match self
            .take_inline()
            .map(|old| old.downcast::<Inline<A::Msg>>())
        {
            Some(Ok(old)) => Box::pin(futures::stream::select(*old, items)),
            _ => items,
        };
        self.set_inline(Box::new(merged));
    }

    /// The next item of the streams read by the actor's own task, if one is ready. When they
    /// have all ended they are dropped, and this stays pending.
    #[inline]
    pub(crate) fn poll_inline(&mut self, cx: &mut std::task::Context<'_>) -> Poll<A::Msg> {
        let Some(inline) = self.inline() else {
            return Poll::Pending;
        };
        let inline = inline
            .downcast_mut::<Inline<A::Msg>>()
            .expect("only attach_stream_inline fills the slot");
        match inline.as_mut().poll_next(cx) {
            Poll::Ready(Some(msg)) => Poll::Ready(msg),
            Poll::Ready(None) => {
                self.end_inline();
                Poll::Pending
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn feed<S, F>(&mut self, stream: S, mut on_item: F, on_end: Option<A::Msg>) -> TaskHandle
    where
        S: Stream + Send + 'static,
        F: FnMut(S::Item) -> A::Msg + Send + 'static,
    {
        self.spawn_attached(move |target| async move {
            let mut stream = std::pin::pin!(stream);
            loop {
                let msg = match stream.next().await {
                    Some(item) => on_item(item),
                    None => break,
                };
                if target.send(msg).await.is_err() {
                    return; // the actor stopped
                }
            }
            if let Some(end) = on_end {
                let _ = target.send(end).await;
            }
        })
    }
}
