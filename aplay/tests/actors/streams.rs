//! Input streams and repeated futures: items reach a handler one at a time with the actor's
//! messages, in order, with back-pressure, and their tasks end with the actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use aplay::TaskHandle;
use aplay::prelude::*;
use futures::stream::{self, BoxStream, StreamExt};
use tokio::sync::oneshot;

/// Records what it handles, and checks no two handlers ever run at once.
struct Sink {
    log: Vec<String>,
    busy: Arc<AtomicUsize>,
    overlaps: Arc<AtomicUsize>,
    done: Option<Recipient<Vec<String>>>,
    mailbox: Mailbox,
}

impl Sink {
    fn new(mailbox: Mailbox) -> Self {
        Sink {
            log: Vec::new(),
            busy: Arc::default(),
            overlaps: Arc::default(),
            done: None,
            mailbox,
        }
    }

    /// Marks a handler as running for the duration of `work`, counting overlaps.
    async fn exclusive(&self, work: impl std::future::Future<Output = ()>) {
        if self.busy.fetch_add(1, Ordering::SeqCst) != 0 {
            self.overlaps.fetch_add(1, Ordering::SeqCst);
        }
        work.await;
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Actor for Sink {
    fn mailbox(&self) -> Mailbox {
        self.mailbox
    }
}

#[actor]
impl Sink {
    fn attach(&mut self, items: BoxStream<'static, u64>, ctx: &mut Context<Self>) -> TaskHandle {
        ctx.attach_stream(items, SinkMsg::item)
    }

    fn attach_until_end(
        &mut self,
        items: BoxStream<'static, u64>,
        done: Recipient<Vec<String>>,
        ctx: &mut Context<Self>,
    ) -> TaskHandle {
        self.done = Some(done);
        ctx.attach_stream_with_end(items, SinkMsg::item, SinkMsg::ended())
    }

    /// Reads `items` on the actor's own task; `ended` comes at their end if `done` is given.
    fn attach_inline(
        &mut self,
        items: BoxStream<'static, u64>,
        done: Option<Recipient<Vec<String>>>,
        ctx: &mut Context<Self>,
    ) {
        let end = done.is_some().then(SinkMsg::ended);
        if done.is_some() {
            self.done = done;
        }
        ctx.attach_stream_inline(items, SinkMsg::item, end);
    }

    fn attach_results(
        &mut self,
        items: BoxStream<'static, Result<u64, String>>,
        ctx: &mut Context<Self>,
    ) {
        ctx.attach_stream(items, SinkMsg::result);
    }

    async fn item(&mut self, n: u64) {
        self.exclusive(tokio::task::yield_now()).await;
        self.log.push(format!("item {n}"));
    }

    async fn message(&mut self, n: u64) {
        self.exclusive(tokio::task::yield_now()).await;
        self.log.push(format!("message {n}"));
    }

    fn result(&mut self, item: Result<u64, String>, ctx: &mut Context<Self>) {
        match item {
            Ok(n) => self.log.push(format!("ok {n}")),
            Err(e) => {
                // actorio: on an error from the event source, end the main loop.
                self.log.push(format!("error {e}"));
                ctx.stop();
            }
        }
    }

    async fn ended(&mut self) {
        self.log.push("end".into());
        if let Some(done) = self.done.take() {
            done.tell(self.log.clone()).await.unwrap();
        }
    }

    fn crash(&mut self) {
        panic!("crashed");
    }

    fn log(&self) -> Vec<String> {
        self.log.clone()
    }

    fn overlaps(&self) -> usize {
        self.overlaps.load(Ordering::SeqCst)
    }
}

fn entries(log: &[String], prefix: &str) -> Vec<u64> {
    log.iter()
        .filter_map(|e| e.strip_prefix(prefix)?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_and_messages_are_handled_one_at_a_time_each_in_order() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::bounded(8)))
        .await
        .unwrap();
    let mut inbox = Inbox::new();
    sink.attach_until_end(stream::iter(1..=200).boxed(), inbox.recipient())
        .await
        .unwrap();
    for n in 1..=200 {
        sink.message(n).await.unwrap();
    }
    let log = tokio::time::timeout(Duration::from_secs(10), inbox.recv())
        .await
        .unwrap();
    // Every item, in its stream's order; every message, in send order; the end after the
    // last item.
    assert_eq!(entries(&log, "item "), (1..=200).collect::<Vec<_>>());
    assert_eq!(log.last().unwrap(), "end");
    let messages_so_far = entries(&log, "message ");
    assert_eq!(
        messages_so_far,
        (1..=messages_so_far.len() as u64).collect::<Vec<_>>()
    );
    assert_eq!(entries(&sink.log().await.unwrap(), "message ").len(), 200);
    assert_eq!(
        sink.overlaps().await.unwrap(),
        0,
        "two handlers ran at once"
    );
}

#[tokio::test]
async fn an_error_from_the_stream_reaches_the_handler_which_may_stop_the_actor() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::default()))
        .await
        .unwrap();
    let items: Vec<Result<u64, String>> = vec![Ok(1), Ok(2), Err("connection reset".into()), Ok(3)];
    sink.attach_results(stream::iter(items).boxed())
        .await
        .unwrap();
    assert_eq!(sink.wait_stopped().await, StopReason::Normal);
    // The item after the error was never handled: the actor stopped first.
    let any = system.lookup_any("/sink");
    assert!(any.is_none());
}

/// Resolves `dropped` when the stream holding it is dropped.
fn guarded_pending(dropped: oneshot::Sender<()>) -> BoxStream<'static, u64> {
    struct Guard(Option<oneshot::Sender<()>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.0.take().map(|tx| tx.send(()));
        }
    }
    let guard = Guard(Some(dropped));
    stream::pending::<u64>()
        .map(move |n| {
            let _keep = &guard;
            n
        })
        .boxed()
}

#[tokio::test]
async fn a_stream_task_ends_when_its_actor_stops() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::default()))
        .await
        .unwrap();
    let (dropped_tx, dropped) = oneshot::channel();
    let task = sink.attach(guarded_pending(dropped_tx)).await.unwrap();
    assert!(!task.is_finished());
    sink.stop().await;
    // The stream (and its task) is dropped: no task outlives the actor.
    tokio::time::timeout(Duration::from_secs(5), dropped)
        .await
        .expect("the stream was not dropped")
        .unwrap();
    assert!(task.is_finished());
}

#[tokio::test]
async fn a_cancelled_stream_delivers_nothing_more() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::default()))
        .await
        .unwrap();
    let (dropped_tx, dropped) = oneshot::channel();
    let task = sink.attach(guarded_pending(dropped_tx)).await.unwrap();
    task.cancel();
    tokio::time::timeout(Duration::from_secs(5), dropped)
        .await
        .unwrap()
        .unwrap();
    assert!(
        sink.is_alive(),
        "cancelling a stream does not stop the actor"
    );
}

/// Handles an item only when the test hands out a permit.
struct Slow {
    permits: Arc<tokio::sync::Semaphore>,
    started: Arc<AtomicU64>,
}

impl Actor for Slow {
    fn mailbox(&self) -> Mailbox {
        Mailbox::bounded(4)
    }
}

#[actor]
impl Slow {
    fn attach(&mut self, items: BoxStream<'static, u64>, ctx: &mut Context<Self>) -> TaskHandle {
        ctx.attach_stream(items, SlowMsg::item)
    }

    async fn item(&mut self, _n: u64) {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.permits.acquire().await.unwrap().forget();
    }
}

#[tokio::test(start_paused = true)]
async fn a_fast_stream_into_a_slow_actor_waits_for_room() {
    let system = System::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(0));
    let started = Arc::new(AtomicU64::new(0));
    let slow = Slow {
        permits: permits.clone(),
        started: started.clone(),
    };
    let slow = system.spawn("slow", slow).await.unwrap();
    let produced = Arc::new(AtomicU64::new(0));
    let counter = produced.clone();
    let endless = stream::iter(0..)
        .inspect(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .boxed();
    slow.attach(endless).await.unwrap();
    for round in 0..3 {
        // With the paused clock, this sleep returns only once every task is idle: the actor
        // waits for a permit and the stream's task for room in the mailbox.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (produced, started) = (
            produced.load(Ordering::SeqCst),
            started.load(Ordering::SeqCst),
        );
        // One item in the handler, a mailbox's worth queued, one in the forwarding task:
        // memory does not grow with the stream's speed.
        assert!(
            produced <= started + 4 + 1,
            "round {round}: produced {produced}, started {started}"
        );
        permits.add_permits(10);
    }
    assert!(
        started.load(Ordering::SeqCst) >= 20,
        "the actor kept handling items"
    );
    slow.kill();
}

/// A source of events polled by re-arming a future, as `websocket.receive` is.
struct Poller {
    results: Vec<u64>,
}

#[actor]
impl Poller {
    fn start(&mut self, calls: Arc<AtomicU64>, ctx: &mut Context<Self>) -> TaskHandle {
        ctx.attach_repeat(
            move || {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    tokio::task::yield_now().await;
                    n
                }
            },
            PollerMsg::result,
        )
    }

    fn result(&mut self, n: u64) {
        self.results.push(n);
    }

    fn results(&self) -> Vec<u64> {
        self.results.clone()
    }
}

impl Actor for Poller {
    fn mailbox(&self) -> Mailbox {
        Mailbox::bounded(2)
    }
}

#[tokio::test]
async fn a_repeated_future_is_rearmed_after_each_result_and_delivers_in_order() {
    let system = System::new();
    let poller = system
        .spawn("poller", Poller { results: vec![] })
        .await
        .unwrap();
    let calls = Arc::new(AtomicU64::new(0));
    let task = poller.start(calls.clone()).await.unwrap();
    let results = loop {
        let r = poller.results().await.unwrap();
        if r.len() >= 50 {
            break r;
        }
    };
    task.cancel();
    assert_eq!(results, (0..results.len() as u64).collect::<Vec<_>>());
    // The factory is only called again once the previous result is in the mailbox.
    let handled = poller.results().await.unwrap().len() as u64;
    assert!(calls.load(Ordering::SeqCst) <= handled + 2 + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inline_stream_is_read_between_the_messages_each_in_order() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::bounded(8)))
        .await
        .unwrap();
    let mut inbox = Inbox::new();
    sink.attach_inline(stream::iter(1..=200).boxed(), Some(inbox.recipient()))
        .await
        .unwrap();
    for n in 1..=200 {
        sink.message(n).await.unwrap();
    }
    let log = tokio::time::timeout(Duration::from_secs(10), inbox.recv())
        .await
        .unwrap();
    assert_eq!(entries(&log, "item "), (1..=200).collect::<Vec<_>>());
    assert_eq!(log.last().unwrap(), "end");
    let log = sink.log().await.unwrap();
    assert_eq!(entries(&log, "message "), (1..=200).collect::<Vec<_>>());
    assert_eq!(
        sink.overlaps().await.unwrap(),
        0,
        "two handlers ran at once"
    );
}

#[tokio::test]
async fn an_inline_stream_has_no_task_of_its_own() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::default()))
        .await
        .unwrap();
    let tasks = || {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    };
    let before = tasks();
    sink.attach_inline(stream::pending().boxed(), None)
        .await
        .unwrap();
    assert_eq!(tasks(), before, "attach_stream_inline spawned a task");
    let task = sink.attach(stream::pending().boxed()).await.unwrap();
    assert_eq!(tasks(), before + 1, "attach_stream has a task");
    task.cancel();
}

#[tokio::test]
async fn an_inline_stream_is_dropped_when_its_actor_stops() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::default()))
        .await
        .unwrap();
    let (dropped_tx, dropped) = oneshot::channel();
    sink.attach_inline(guarded_pending(dropped_tx), None)
        .await
        .unwrap();
    sink.message(1).await.unwrap();
    assert_eq!(sink.log().await.unwrap(), ["message 1"]);
    sink.stop().await;
    tokio::time::timeout(Duration::from_secs(5), dropped)
        .await
        .expect("the stream was not dropped")
        .unwrap();
}

#[tokio::test]
async fn inline_streams_attached_together_are_each_read_to_the_end() {
    let system = System::new();
    let sink = system
        .spawn("sink", Sink::new(Mailbox::default()))
        .await
        .unwrap();
    let mut inbox = Inbox::new();
    sink.attach_inline(stream::iter(1..=3).boxed(), None)
        .await
        .unwrap();
    sink.attach_inline(stream::iter(11..=13).boxed(), Some(inbox.recipient()))
        .await
        .unwrap();
    let log = tokio::time::timeout(Duration::from_secs(10), inbox.recv())
        .await
        .unwrap();
    // Read in turn: each stream in its order, the end after the last item of its stream.
    let items = entries(&log, "item ");
    let (low, high): (Vec<u64>, Vec<u64>) = items.iter().partition(|&&n| n < 10);
    assert_eq!(low, [1, 2, 3]);
    assert_eq!(high, [11, 12, 13]);
    assert_eq!(log.last().unwrap(), "end");
}

/// Keeps a `Sink` at `/keeper/sink`, restarted whenever it fails.
struct Keeper;

impl Actor for Keeper {
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.spawn_supervised("sink", aplay::Restart::Permanent, || {
            Sink::new(Mailbox::default())
        })
        .await?;
        Ok(())
    }
}

#[actor]
impl Keeper {}

#[tokio::test]
async fn an_inline_stream_is_not_read_by_a_restarted_instance() {
    let system = System::new();
    system.spawn("keeper", Keeper).await.unwrap();
    let sink = system.lookup::<Sink>("/keeper/sink").unwrap();
    let (dropped_tx, dropped) = oneshot::channel();
    sink.attach_inline(guarded_pending(dropped_tx), None)
        .await
        .unwrap();
    // It panics; its parent restarts it, and the stream went with the old instance.
    assert!(sink.crash().ask().await.is_err());
    tokio::time::timeout(Duration::from_secs(5), dropped)
        .await
        .expect("the stream was not dropped")
        .unwrap();
    sink.message(1).await.unwrap();
    assert_eq!(sink.log().await.unwrap(), ["message 1"]);
    assert_eq!(ActorRef::to_any(&sink).restarts(), 1);
}
