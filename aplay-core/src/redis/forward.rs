//! The task behind a remote ref: it takes the messages its refs queue, in order, and appends
//! them to the mailbox stream a batch at a time ([`append`](super::append): once each, all of
//! a batch or none of it), retrying while Redis cannot take them. Flush requests are
//! answered once every message queued before them is stored, with the messages Redis refused
//! for good since the last answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use tokio::sync::{mpsc, oneshot};

use super::append::{Appended, Batch};
use super::backoff::{Backoff, random_u64};
use super::error::RedisError;
use super::group::millis;
use super::shared::Station;
use crate::actor::Dispatch;
use crate::handle::StandIn;
use crate::path::ActorPath;
use crate::wire::{Wire, encode};

/// What the refs of one forwarder may ask it.
pub(crate) enum Control<M> {
    /// Answer once every message queued now is stored or refused.
    Flush(oneshot::Sender<Refused<M>>),
}

/// The tells Redis refused for good (or that could not be encoded) since the last flush (a
/// refused ask is answered `NoReply` at once instead).
pub(crate) struct Refused<M> {
    /// The tells, handed back (at most `remote_capacity`).
    pub(crate) messages: Vec<M>,
    /// How many.
    pub(crate) count: u64,
    /// The last refusal, in words.
    pub(crate) reason: Option<String>,
}

impl<M> Default for Refused<M> {
    fn default() -> Self {
        Refused {
            messages: Vec::new(),
            count: 0,
            reason: None,
        }
    }
}

impl<M> Refused<M> {
    fn add(&mut self, message: M, reason: &str, keep: usize) {
        self.count += 1;
        self.reason = Some(reason.to_owned());
        if self.messages.len() < keep {
            self.messages.push(message);
        }
    }
}

/// What the refs can read of the forwarding while they wait.
#[derive(Default)]
pub(crate) struct Progress {
    /// Messages taken from the queue and not stored or refused yet.
    in_flight: AtomicUsize,
    /// Why the batch in flight is not stored yet (a retryable error), if it is held up.
    held_up_by: Mutex<Option<RedisError>>,
}

impl Progress {
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    pub(crate) fn held_up_by(&self) -> Option<RedisError> {
        self.held_up_by.lock().clone()
    }
}

/// Forwards what `holder` receives to the mailbox stream of `path` until the last ref is
/// gone (then what is queued still goes, and the task ends).
pub(crate) async fn forward<A: Wire>(
    station: Arc<Station>,
    path: ActorPath,
    mut holder: StandIn<A>,
    mut control: mpsc::UnboundedReceiver<Control<A::Msg>>,
    progress: Arc<Progress>,
) {
    let mut forwarder = Forwarder {
        stream: station.keys.mailbox(path.as_str()),
        producer: station.keys.producer(
            path.as_str(),
            &format!("{}:{:016x}", station.consumer.name, random_u64()),
        ),
        backoff: Backoff::new(
            station.config.reconnect_initial,
            station.config.reconnect_max,
        ),
        next_batch: 1,
        refused: Refused::default(),
        progress,
        path,
        station,
    };
    let batch = forwarder.station.config.read_batch;
    loop {
        tokio::select! {
            biased;
            ctrl = control.recv() => match ctrl {
                Some(Control::Flush(done)) => {
                    // What is queued now, not what comes meanwhile: a flush is answered even
                    // while other clones keep sending.
                    let queued = holder.queued();
                    forwarder.forward_queued(&mut holder, queued).await;
                    let refused = std::mem::take(&mut forwarder.refused);
                    if let Err(refused) = done.send(refused) {
                        // The flush gave up waiting: the next one hears of these.
                        forwarder.refused = refused;
                    }
                }
                None => break,
            },
            msg = holder.recv() => match msg {
                Some(msg) => {
                    let mut msgs = vec![msg];
                    take_queued(&mut holder, &mut msgs, batch);
                    forwarder.send(msgs).await;
                }
                None => break,
            },
        }
    }
    // The last ref is gone (or the stand-in was stopped): what is queued still goes.
    let queued = holder.queued();
    forwarder.forward_queued(&mut holder, queued).await;
    forwarder.end().await;
}

/// Adds queued messages to `msgs`, without waiting, until it holds `most`.
fn take_queued<A: Dispatch>(holder: &mut StandIn<A>, msgs: &mut Vec<A::Msg>, most: usize) {
    while msgs.len() < most {
        match holder.try_recv() {
            Some(msg) => msgs.push(msg),
            None => return,
        }
    }
}

struct Forwarder<A: Dispatch> {
    station: Arc<Station>,
    path: ActorPath,
    stream: String,
    /// The key where Redis keeps this forwarder's last batch number.
    producer: String,
    backoff: Backoff,
    next_batch: u64,
    refused: Refused<A::Msg>,
    progress: Arc<Progress>,
}

impl<A: Wire> Forwarder<A> {
    /// Forwards the next `count` queued messages (fewer if fewer are queued).
    async fn forward_queued(&mut self, holder: &mut StandIn<A>, mut count: usize) {
        let batch = self.station.config.read_batch;
        while count > 0 {
            let mut msgs = Vec::with_capacity(count.min(batch));
            take_queued(holder, &mut msgs, count.min(batch));
            if msgs.is_empty() {
                return;
            }
            count -= msgs.len();
            self.send(msgs).await;
        }
    }

    /// Appends `msgs` to the stream as one batch, retried until Redis takes it or refuses it
    /// for good. What is refused is kept for the next flush; the askers among the refused get
    /// `NoReply` at once.
    async fn send(&mut self, msgs: Vec<A::Msg>) {
        let replies = &self.station.replies;
        let keep_ms = millis(self.station.config.reply_expiry);
        let mut batch = Batch::new(self.next_batch, &self.stream, &self.producer, keep_ms);
        self.next_batch += 1;
        // Each message in the batch, with its asker's request id.
        let mut sent: Vec<(A::Msg, Option<u64>)> = Vec::with_capacity(msgs.len());
        let capacity = self.station.config.remote_capacity;
        self.progress.in_flight.store(msgs.len(), Ordering::Release);
        for mut msg in msgs {
            let asker = A::take_reply(&mut msg);
            match encode(&msg) {
                Ok(bytes) => {
                    // Registered before the message leaves: the reply may come back at once.
                    let request = asker.map(|asker| replies.register(asker));
                    batch.push(&bytes, request.map(|id| (replies.key.as_str(), id)));
                    sent.push((msg, request));
                }
                Err(error) => {
                    let reason = format!("the message cannot be encoded: {error}");
                    tracing::error!(path = %self.path, handler = A::message_name(&msg), %reason, "redis: a message is refused");
                    // An asker gets `NoReply` as `asker` drops; a tell is reported to
                    // `flushed`.
                    if asker.is_none() {
                        self.refused.add(msg, &reason, capacity);
                    }
                }
            }
        }
        if batch.len() > 0 {
            let appended = self.append(&batch).await;
            self.settle(sent, appended);
        }
        self.progress.in_flight.store(0, Ordering::Release);
    }

    /// Appends `batch`, waiting out every retryable error.
    async fn append(&mut self, batch: &Batch) -> Result<Appended, RedisError> {
        let conn = self.station.connections.shared();
        batch
            .append_retried(
                &conn,
                self.station.config.replicas(),
                "appending messages",
                &mut self.backoff,
                &self.progress.held_up_by,
            )
            .await
    }

    /// Keeps what Redis refused of `sent` for the next flush.
    fn settle(&mut self, sent: Vec<(A::Msg, Option<u64>)>, appended: Result<Appended, RedisError>) {
        let capacity = self.station.config.remote_capacity;
        let refused: Vec<(usize, String)> = match appended {
            Ok(appended) => appended.refused,
            Err(error) => {
                let reason = error.to_string();
                (0..sent.len()).map(|i| (i, reason.clone())).collect()
            }
        };
        if refused.is_empty() {
            return;
        }
        let mut sent: Vec<Option<(A::Msg, Option<u64>)>> = sent.into_iter().map(Some).collect();
        for (index, reason) in refused {
            let Some((msg, request)) = sent.get_mut(index).and_then(Option::take) else {
                continue;
            };
            tracing::error!(path = %self.path, stream = %self.stream, %reason, "redis: a message is refused for good");
            match request {
                // The asker hears at once (`NoReply`) instead of waiting for its timeout; it
                // is not reported again to `flushed`.
                Some(id) => self.station.replies.cancel(id),
                None => self.refused.add(msg, &reason, capacity),
            }
        }
    }

    /// The forwarder's last words: its batch number is not needed any more.
    async fn end(&mut self) {
        if self.refused.count > 0 {
            tracing::error!(
                path = %self.path,
                refused = self.refused.count,
                reason = self.refused.reason.as_deref().unwrap_or(""),
                "redis: messages refused by Redis were never asked for with `flushed` and are dropped with the last remote ref"
            );
        }
        let mut conn = self.station.connections.shared();
        if let Err(error) =
            super::conn::query(&mut conn, redis::cmd("DEL").arg(&self.producer)).await
        {
            tracing::debug!(%error, "redis: cannot delete a remote ref's batch number (it expires)");
        }
    }
}
