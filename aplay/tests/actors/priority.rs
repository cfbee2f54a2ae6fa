//! Message priority: high messages overtake the normal mail queued, in order among
//! themselves, with room of their own; a stop is never starved by them; a restart keeps them.

use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aplay::prelude::*;
use tokio::sync::{Notify, watch};

/// Records what it handled, in order.
#[actor]
#[derive(Default)]
struct Log {
    lines: Vec<String>,
}

#[actor]
impl Log {
    fn write(&mut self, line: String) {
        self.lines.push(line);
    }

    #[handler(priority = high)]
    fn urgent(&mut self, line: String) {
        self.lines.push(format!("urgent {line}"));
    }

    #[handler(priority = high)]
    fn count(&self) -> usize {
        self.lines.len()
    }

    fn lines(&self) -> Vec<String> {
        self.lines.clone()
    }

    /// Holds the actor until `open` is notified: the mail behind it waits.
    async fn hold(&self, gate: Gate) {
        gate.hold().await;
    }
}

/// A gate a handler waits at: the test knows when the actor is in it, and opens it.
#[derive(Clone, Default)]
struct Gate {
    entered: Arc<Notify>,
    open: Arc<Notify>,
}

impl Gate {
    async fn hold(&self) {
        self.entered.notify_one();
        self.open.notified().await;
    }
    fn open(&self) {
        self.open.notify_one();
    }
}

/// An actor with a small mailbox, to fill.
struct Small(Log);

impl Actor for Small {
    fn mailbox(&self) -> Mailbox {
        Mailbox::bounded(2)
    }
}

#[actor]
impl Small {
    fn write(&mut self, line: String) {
        self.0.lines.push(line);
    }
    fn lines(&self) -> Vec<String> {
        self.0.lines.clone()
    }
    async fn hold(&self, gate: Gate) {
        gate.hold().await;
    }
}

/// Spawns a `Log` and holds it at a gate, so that what is sent next queues up behind.
async fn held_log(system: &System) -> Result<(ActorRef<Log>, Gate), Error> {
    let log = system.spawn("log", Log::default()).await?;
    let gate = Gate::default();
    log.hold(gate.clone()).await?;
    gate.entered.notified().await;
    Ok((log, gate))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_high_handler_overtakes_the_normal_mail_queued() -> Result<(), Error> {
    let system = System::new();
    let (log, gate) = held_log(&system).await?;
    for i in 0..3 {
        log.write(format!("normal {i}")).await?;
    }
    log.urgent("a".into()).await?;
    log.urgent("b".into()).await?;
    gate.open();
    assert_eq!(
        log.lines().await?,
        ["urgent a", "urgent b", "normal 0", "normal 1", "normal 2"]
    );
    system.shutdown().await;
    Ok(())
}

/// Polls `future` once (an ask's first poll sends it).
async fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> std::task::Poll<F::Output> {
    let mut future = Some(future);
    std::future::poll_fn(|cx| std::task::Poll::Ready(future.take().expect("polled once").poll(cx)))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_chooses_its_priority_over_the_handlers() -> Result<(), Error> {
    let system = System::new();
    let (log, gate) = held_log(&system).await?;
    log.write("normal".into()).await?;
    log.write("raised".into()).priority(Priority::High).await?;
    // Lowered: it goes behind the normal mail, though its handler is high.
    log.urgent("lowered".into())
        .priority(Priority::Normal)
        .try_tell()?;
    // A high ask is answered before the normal mail ahead of it is handled.
    let mut count = std::pin::pin!(log.count().into_future());
    let mut lines = std::pin::pin!(log.lines().priority(Priority::High).into_future());
    assert!(
        poll_once(count.as_mut()).await.is_pending(),
        "sent, not handled"
    );
    assert!(
        poll_once(lines.as_mut()).await.is_pending(),
        "sent, not handled"
    );
    gate.open();
    assert_eq!(
        count.await?,
        1,
        "only the raised write was handled before it"
    );
    assert_eq!(lines.await?, ["raised"]);
    assert_eq!(log.lines().await?, ["raised", "normal", "urgent lowered"]);
    system.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_sent_without_the_handle_keep_their_handlers_priority() -> Result<(), Error> {
    let system = System::new();
    let (log, gate) = held_log(&system).await?;
    log.write("normal".into()).await?;
    ActorRef::send(&log, LogMsg::urgent("sent".into())).await?;
    let recipient = ActorRef::recipient(&log, LogMsg::urgent);
    recipient.tell("recipient".into()).await?;
    gate.open();
    assert_eq!(
        log.lines().await?,
        ["urgent sent", "urgent recipient", "normal"]
    );
    system.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_mailbox_still_takes_high_mail_and_high_mail_has_its_own_room() -> Result<(), Error>
{
    let system = System::new();
    let small = system.spawn("small", Small(Log::default())).await?;
    let gate = Gate::default();
    small.hold(gate.clone()).await?;
    gate.entered.notified().await;
    small.write("n1".into()).try_tell()?;
    small.write("n2".into()).try_tell()?;
    let full = small.write("n3".into()).try_tell();
    assert!(matches!(full, Err(Error::Full(_))), "{full:?}");
    small
        .write("h1".into())
        .priority(Priority::High)
        .try_tell()?;
    small
        .write("h2".into())
        .priority(Priority::High)
        .try_tell()?;
    let full = small.write("h3".into()).priority(Priority::High).try_tell();
    assert!(matches!(full, Err(Error::Full(_))), "{full:?}");
    // A high send waits for high room, and gets it when a high message is handled.
    let waiting = tokio::spawn({
        let small = small.clone();
        async move { small.write("h3".into()).priority(Priority::High).await }
    });
    gate.open();
    waiting.await.expect("the sender does not panic")?;
    // h3 got its room when h1 was handled (the normal lane was still full); whether it is
    // queued before the actor reaches n1 is a race with the actor.
    let mut lines = small.lines().await?;
    assert_eq!(lines[..2], ["h1", "h2"]);
    lines.sort();
    assert_eq!(lines, ["h1", "h2", "h3", "n1", "n2"]);
    system.shutdown().await;
    Ok(())
}

/// Counts what it handles, forever busy with high mail.
#[actor]
#[derive(Default)]
struct Busy {
    handled: Arc<AtomicU64>,
}

#[actor]
impl Busy {
    #[handler(priority = high)]
    fn ping(&self) {
        self.handled.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_high_mail_does_not_hold_a_stop_back() -> Result<(), Error> {
    let system = System::new();
    let handled = Arc::new(AtomicU64::new(0));
    let busy = system
        .spawn(
            "busy",
            Busy {
                handled: handled.clone(),
            },
        )
        .await?;
    // Two senders that never stop on their own: only the actor's stop ends them.
    let flood: Vec<_> = (0..2)
        .map(|_| {
            let busy = busy.clone();
            tokio::spawn(async move {
                let mut sent = 0u64;
                while busy.ping().await.is_ok() {
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    // The senders are busy: let the actor handle a thousand pings before it is stopped.
    while handled.load(Ordering::Relaxed) < 1_000 {
        tokio::task::yield_now().await;
    }
    busy.stop().await;
    assert!(!busy.is_alive());
    let mut sent = 0;
    for sender in flood {
        sent += sender.await.expect("the sender does not panic");
    }
    // Every ping that got in was handled before the actor stopped.
    assert_eq!(handled.load(Ordering::Relaxed), sent);
    system.shutdown().await;
    Ok(())
}

/// Fails on demand; its restarts keep the mail queued for it.
#[actor]
struct Fragile {
    seen: Arc<watch::Sender<Vec<String>>>,
}

#[actor]
impl Fragile {
    async fn crash(&self, gate: Gate) {
        gate.hold().await;
        panic!("fails on purpose");
    }
    fn note(&self, what: String) {
        self.seen.send_modify(|seen| seen.push(what));
    }
    #[handler(priority = high)]
    fn alert(&self, what: String) {
        self.seen
            .send_modify(|seen| seen.push(format!("alert {what}")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_high_mail_queued_and_its_order() -> Result<(), Error> {
    let system = System::new();
    let seen = Arc::new(watch::Sender::new(Vec::new()));
    let mut seen_rx = seen.subscribe();
    // A pool of one: its worker is restarted (`Permanent`) by the pool.
    let pool = system
        .spawn_pool("fragile", 1, {
            let seen = seen.clone();
            move || Fragile { seen: seen.clone() }
        })
        .await?;
    let fragile = pool.workers()[0].clone();
    let gate = Gate::default();
    fragile.crash(gate.clone()).await?;
    gate.entered.notified().await;
    fragile.note("n".into()).await?;
    fragile.alert("a".into()).await?;
    gate.open();
    // The next instance handles both, high first.
    let seen = seen_rx
        .wait_for(|seen| seen.len() == 2)
        .await
        .expect("the actor keeps the sender")
        .clone();
    assert_eq!(seen, ["alert a", "n"]);
    assert_eq!(ActorRef::to_any(&fragile).restarts(), 1);
    system.shutdown().await;
    Ok(())
}
