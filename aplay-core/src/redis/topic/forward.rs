//! The task that takes a topic's published messages to Redis, in order, a batch at a time:
//! `PUBLISH`es, pipelined, on the topic's channel (fire-and-forget), or appended to its
//! stream at most once per batch (durable, [`append`](crate::redis::append)) and the stream
//! trimmed to about [`topic_max_len`](crate::redis::StationConfig::topic_max_len). Every
//! retryable failure is waited out with back-off; what Redis refuses for good is counted
//! and reported to the next flush.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use super::{Flush, Message, Refusals, TopicShared};
use crate::redis::append::Batch;
use crate::redis::backoff::{Backoff, random_u64};
use crate::redis::conn::query;
use crate::redis::error::{RedisError, RedisErrorKind, kind_of_code};
use crate::redis::group::millis;
use crate::redis::retry::{settle, settle_all};
use crate::wire::encode;

/// Forwards what `queue` receives until the topic is gone (then what is queued still goes).
pub(super) async fn run<T: Message>(
    shared: Arc<TopicShared>,
    mut queue: mpsc::Receiver<T>,
    mut flushes: mpsc::UnboundedReceiver<Flush>,
) {
    let station = &shared.station;
    let mut forwarder = Forwarder {
        backoff: Backoff::new(
            station.config.reconnect_initial,
            station.config.reconnect_max,
        ),
        producer: station.keys.topic_producer(
            &shared.name,
            &format!("{}:{:016x}", station.consumer.name, random_u64()),
        ),
        next_batch: 1,
        refusals: Refusals::default(),
        shared: Arc::clone(&shared),
    };
    let batch = station.config.read_batch;
    loop {
        tokio::select! {
            biased;
            Some(done) = flushes.recv() => {
                // What is queued now, not what comes meanwhile.
                let mut queued = queue.len();
                while queued > 0 {
                    let msgs = take(&mut queue, queued.min(batch));
                    if msgs.is_empty() {
                        break;
                    }
                    queued -= msgs.len();
                    forwarder.send(msgs).await;
                }
                let refusals = std::mem::take(&mut forwarder.refusals);
                if let Err(refusals) = done.send(refusals) {
                    // The flush gave up waiting: the next one hears of these.
                    forwarder.refusals = refusals;
                }
            }
            msg = queue.recv() => match msg {
                Some(msg) => {
                    let mut msgs = vec![msg];
                    msgs.extend(take(&mut queue, batch - 1));
                    forwarder.send(msgs).await;
                }
                None => break,
            },
        }
    }
    forwarder.end().await;
}

/// Up to `most` queued messages, without waiting.
fn take<T>(queue: &mut mpsc::Receiver<T>, most: usize) -> Vec<T> {
    let mut msgs = Vec::new();
    while msgs.len() < most {
        match queue.try_recv() {
            Ok(msg) => msgs.push(msg),
            Err(_) => break,
        }
    }
    msgs
}

struct Forwarder {
    shared: Arc<TopicShared>,
    backoff: Backoff,
    /// The key where Redis keeps the number of this forwarder's last batch (durable).
    producer: String,
    next_batch: u64,
    refusals: Refusals,
}

impl Forwarder {
    /// Puts `msgs` in Redis, retried until Redis takes or refuses them.
    async fn send<T: Message>(&mut self, msgs: Vec<T>) {
        self.shared.in_flight.store(msgs.len(), Ordering::Release);
        let mut encoded = Vec::with_capacity(msgs.len());
        for msg in &msgs {
            match encode(msg) {
                Ok(bytes) => encoded.push(bytes),
                Err(error) => self.refuse(&RedisError::new(
                    RedisErrorKind::Config,
                    format!("a message cannot be encoded: {error}"),
                )),
            }
        }
        drop(msgs);
        if !encoded.is_empty() {
            if self.shared.subscription.is_some() {
                self.append(&encoded).await;
            } else {
                self.publish(&encoded).await;
            }
        }
        self.shared.in_flight.store(0, Ordering::Release);
    }

    /// One `PUBLISH` per message, pipelined; each message is this topic's origin mark, then
    /// the encoded message.
    async fn publish(&mut self, encoded: &[Vec<u8>]) {
        let origin = self.shared.origin.to_le_bytes();
        let cmds: Vec<redis::Cmd> = encoded
            .iter()
            .map(|bytes| {
                let mut payload = Vec::with_capacity(origin.len() + bytes.len());
                payload.extend_from_slice(&origin);
                payload.extend_from_slice(bytes);
                let mut cmd = redis::cmd("PUBLISH");
                cmd.arg(&self.shared.key).arg(payload);
                cmd
            })
            .collect();
        let mut conn = self.shared.station.connections.shared();
        let results =
            settle_all(&mut conn, &cmds, "publishing on a topic", &mut self.backoff).await;
        for result in results {
            if let Err(error) = result {
                self.refuse(&error);
            }
        }
    }

    /// Appends the batch to the topic's stream (at most once), then trims the stream.
    async fn append(&mut self, encoded: &[Vec<u8>]) {
        let station = Arc::clone(&self.shared.station);
        let keep_ms = millis(station.config.reply_expiry);
        let mut batch = Batch::new(self.next_batch, &self.shared.key, &self.producer, keep_ms);
        self.next_batch += 1;
        for bytes in encoded {
            batch.push(bytes, None);
        }
        let conn = station.connections.shared();
        let appended = batch
            .append_retried(
                &conn,
                station.config.replicas(),
                "appending to a durable topic",
                &mut self.backoff,
                &self.shared.held_up_by,
            )
            .await;
        match appended {
            Ok(appended) => {
                for (_, reason) in appended.refused {
                    self.refuse(&RedisError::new(
                        kind_of_code(reason.split(' ').next().unwrap_or_default()),
                        reason,
                    ));
                }
            }
            Err(error) => {
                for _ in 0..batch.len() {
                    self.refuse(&error);
                }
            }
        }
        let mut trim = redis::cmd("XTRIM");
        trim.arg(&self.shared.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(station.config.topic_max_len);
        if let Err(error) =
            settle(&conn, &trim, "trimming a durable topic", &mut self.backoff).await
        {
            tracing::warn!(topic = %self.shared.name, %error, "redis: cannot trim the topic's stream");
        }
    }

    /// Counts a message Redis refused for good, for the next flush.
    fn refuse(&mut self, error: &RedisError) {
        tracing::error!(topic = %self.shared.name, key = %self.shared.key, %error, "redis: a message published on a topic is refused for good");
        self.shared.refused.fetch_add(1, Ordering::Relaxed);
        self.refusals.count += 1;
        self.refusals.last = Some(error.clone());
    }

    /// The forwarder's last words: its batch number is not needed any more.
    async fn end(&mut self) {
        if self.shared.subscription.is_none() {
            return;
        }
        let mut conn = self.shared.station.connections.shared();
        if let Err(error) = query(&mut conn, redis::cmd("DEL").arg(&self.producer)).await {
            tracing::debug!(%error, "redis: cannot delete a topic publisher's batch number (it expires)");
        }
    }
}
