//! The task that reads a durable subscription: the topic's stream through the subscription's
//! consumer group, a batch at a time, each entry decoded and handed to every local subscriber
//! (waiting for room in their mailboxes), then the batch acknowledged (`XACK`). Entries that
//! do not decode go to the subscription's dead letters.
//!
//! It reads only while the topic has a local subscriber: a process that only publishes (or
//! whose subscribers all stopped) leaves the subscription's messages to its other processes.
//! An entry read when no subscriber is left stays pending for this consumer, and is read
//! again first when one comes (as after a restart under the same consumer name, or a fault).
//! Entries left too long at a consumer that died are taken over, as a served mailbox does.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::redis::conn::Conn;

use super::{Message, TopicShared};
use crate::pubsub::WeakTopic;
use crate::redis::backoff::Backoff;
use crate::redis::conn::{ensure_group, query};
use crate::redis::dead_letter::dead_letter_topic_entry;
use crate::redis::entry::{Entry, MESSAGE, autoclaim_reply, read_reply};
use crate::redis::error::RedisError;
use crate::redis::group;
use crate::redis::retry::settle;
use crate::wire::decode;

/// Returns once `stopping` is set (a guard of the watch is not held across a later await).
async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}

/// Reads the subscription until the topic is gone or stopped.
pub(super) async fn run<T: Message>(topic: WeakTopic<T>, shared: Arc<TopicShared>) {
    let config = &shared.station.config;
    let mut consumer = Consumer {
        backoff: Backoff::new(config.reconnect_initial, config.reconnect_max),
        conn: None,
        conn_id: None,
        // This consumer's pending entries first: those a former run under its name read and
        // did not acknowledge.
        faulted: true,
        next_claim: Instant::now(),
        topic,
        shared: Arc::clone(&shared),
    };
    consumer.run().await;
    shared.finished.send_replace(true);
}

struct Consumer<T> {
    topic: WeakTopic<T>,
    shared: Arc<TopicShared>,
    backoff: Backoff,
    /// The connection for blocking reads, opened on first use and after a fault.
    conn: Option<Conn>,
    /// Its client id.
    conn_id: Option<i64>,
    /// A read failed, or entries were left pending, since this consumer's pending entries
    /// were last read.
    faulted: bool,
    next_claim: Instant,
}

/// What a delivery came to.
enum Delivered {
    /// Every entry handed over (or dead-lettered) and acknowledged.
    All,
    /// No local subscriber was left: the rest stay pending.
    NoSubscriber,
    /// The topic is gone: stop.
    TopicGone,
}

impl<T: Message> Consumer<T> {
    fn group(&self) -> &str {
        self.shared.subscription.as_deref().unwrap_or_default()
    }

    fn consumer(&self) -> &str {
        &self.shared.station.consumer.name
    }

    async fn run(&mut self) {
        let claim_idle = self.shared.station.config.claim_idle;
        let claim_every = (claim_idle / 2).max(Duration::from_millis(1));
        let mut stopping = self.shared.stopping.subscribe();
        loop {
            if self.shared.is_stopping() || !self.wait_for_a_subscriber().await {
                return;
            }
            if std::mem::take(&mut self.faulted) {
                if !self.own_pending().await {
                    return;
                }
                continue;
            }
            if Instant::now() >= self.next_claim {
                if !self.claim_abandoned().await {
                    return;
                }
                self.next_claim = Instant::now() + claim_every;
            }
            let block = self
                .shared
                .station
                .config
                .block
                .min(self.next_claim.saturating_duration_since(Instant::now()))
                .max(Duration::from_millis(1));
            if let Err(error) = self.connect().await {
                self.fault("connecting to read the subscription", &error)
                    .await;
                continue;
            }
            // A stop cuts the blocking read short (`CLIENT UNBLOCK`), then takes what it
            // returns: dropping it instead would leave the read blocked in Redis until its
            // time is up (the connection closes only then), and entries appended meanwhile
            // would go to a read no one is waiting for.
            let unblock = self.conn_id.map(|id| {
                let mut cmd = redis::cmd("CLIENT");
                cmd.arg("UNBLOCK").arg(id);
                cmd
            });
            let mut admin = self.shared.station.connections.shared();
            let (read, stopped) = {
                let read = self.read_new(block);
                tokio::pin!(read);
                tokio::select! {
                    read = &mut read => (read, false),
                    () = stopped(&mut stopping) => {
                        if let Some(unblock) = &unblock
                            && let Err(error) = query(&mut admin, unblock).await
                        {
                            tracing::debug!(%error, "redis: cannot cut a blocking read short; waiting for it");
                        }
                        (read.await, true)
                    }
                }
            };
            match read {
                Ok(entries) => {
                    self.backoff.reset();
                    if !self.deliver(entries).await || stopped {
                        return;
                    }
                }
                Err(error) => {
                    self.conn = None;
                    if stopped {
                        return;
                    }
                    self.fault("reading the subscription", &error).await;
                }
            }
        }
    }

    /// Waits until the topic has a live local subscriber; `false` when the topic is gone or
    /// stopped meanwhile.
    async fn wait_for_a_subscriber(&self) -> bool {
        let mut stopping = self.shared.stopping.subscribe();
        loop {
            let subscribed = self.shared.subscribed.notified();
            match self.topic.upgrade() {
                None => return false,
                Some(topic) if topic.subscribers() > 0 => return true,
                Some(_) => {}
            }
            // Subscribers that stop are not announced: look again now and then.
            tokio::select! {
                _ = subscribed => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = stopping.wait_for(|s| *s) => return false,
            }
        }
    }

    /// Logs a failed command and waits before the next attempt; the group is made again if
    /// it is gone (a server without persistence restarted: its stream holds only what came
    /// since, all of it for this subscription).
    async fn fault(&mut self, what: &str, error: &RedisError) {
        self.faulted = true;
        let delay = self.backoff.next_delay();
        tracing::warn!(topic = %self.shared.name, subscription = self.group(), %error, ?delay, "redis: {what} failed; retrying");
        let mut stopping = self.shared.stopping.subscribe();
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stopping.wait_for(|s| *s) => return,
        }
        let mut conn = self.shared.station.connections.shared();
        if let Err(error) = ensure_group(&mut conn, &self.shared.key, self.group()).await {
            tracing::debug!(%error, "redis: cannot check the subscription's consumer group");
        }
    }

    /// The entries this consumer read before and did not acknowledge; `false` when the topic
    /// is gone.
    async fn own_pending(&mut self) -> bool {
        let mut after = "0-0".to_owned();
        loop {
            if self.shared.is_stopping() {
                return true;
            }
            let read = group::read_pending(
                &self.shared.key,
                self.group(),
                self.consumer(),
                self.shared.station.config.read_batch,
                &after,
            );
            let mut conn = self.shared.station.connections.shared();
            let entries = match query(&mut conn, &read).await.and_then(read_reply) {
                Ok(entries) => entries,
                Err(error) => {
                    self.fault("reading this consumer's pending entries", &error)
                        .await;
                    self.faulted = false;
                    continue;
                }
            };
            self.backoff.reset();
            let Some(last) = entries.last() else {
                return true;
            };
            after.clone_from(&last.id);
            tracing::info!(topic = %self.shared.name, subscription = self.group(), entries = entries.len(), "redis: taking back the entries this consumer had read");
            match self.deliver_all(entries).await {
                Delivered::All => {}
                Delivered::NoSubscriber => {
                    self.faulted = true;
                    return true;
                }
                Delivered::TopicGone => return false,
            }
        }
    }

    /// Opens the connection for blocking reads, if it is not open, and learns its client id
    /// (to cut a read short at a stop; `None` when the user may not ask).
    async fn connect(&mut self) -> Result<(), RedisError> {
        if self.conn.is_some() {
            return Ok(());
        }
        let mut conn = self.shared.station.connections.dedicated().await?;
        let mut id = redis::cmd("CLIENT");
        id.arg("ID");
        self.conn_id = match query(&mut conn, &id).await {
            Ok(redis::Value::Int(id)) => Some(id),
            _ => None,
        };
        self.conn = Some(conn);
        Ok(())
    }

    async fn read_new(&mut self, block: Duration) -> Result<Vec<Entry>, RedisError> {
        let read = group::read_new(
            &self.shared.key,
            self.group(),
            self.consumer(),
            self.shared.station.config.read_batch,
            block,
        );
        let Some(conn) = self.conn.as_mut() else {
            return Err(RedisError::new(
                crate::redis::RedisErrorKind::Connection,
                "no connection to read on",
            ));
        };
        read_reply(query(conn, &read).await?)
    }

    /// Takes over the entries idle longer than `claim_idle` at other consumers of the
    /// subscription (taken for dead); `false` when the topic is gone.
    async fn claim_abandoned(&mut self) -> bool {
        let config = &self.shared.station.config;
        let (idle, batch) = (config.claim_idle, config.read_batch);
        let mut cursor = "0-0".to_owned();
        loop {
            let claim = group::claim_idle(
                &self.shared.key,
                self.group(),
                self.consumer(),
                idle,
                &cursor,
                batch,
            );
            let mut conn = self.shared.station.connections.shared();
            let claimed = match query(&mut conn, &claim).await.and_then(autoclaim_reply) {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(topic = %self.shared.name, subscription = self.group(), %error, "redis: claiming abandoned entries failed; trying later");
                    return true;
                }
            };
            if !claimed.entries.is_empty() {
                tracing::info!(topic = %self.shared.name, subscription = self.group(), entries = claimed.entries.len(), "redis: took over entries of a consumer that stopped answering");
                match self.deliver_all(claimed.entries).await {
                    Delivered::All => {}
                    Delivered::NoSubscriber => {
                        self.faulted = true;
                        return true;
                    }
                    Delivered::TopicGone => return false,
                }
            }
            if claimed.next == "0-0" || self.shared.is_stopping() {
                return true;
            }
            cursor = claimed.next;
        }
    }

    /// [`deliver_all`](Self::deliver_all); `false` when the topic is gone.
    async fn deliver(&mut self, entries: Vec<Entry>) -> bool {
        match self.deliver_all(entries).await {
            Delivered::All => true,
            Delivered::NoSubscriber => {
                self.faulted = true;
                true
            }
            Delivered::TopicGone => false,
        }
    }

    /// Hands each entry to the local subscribers in order, then acknowledges those handed
    /// over; an entry that does not decode goes to the dead letters; an entry deleted from
    /// the stream while pending (trimmed) is acknowledged and reported.
    async fn deliver_all(&mut self, entries: Vec<Entry>) -> Delivered {
        let mut acks: Vec<String> = Vec::with_capacity(entries.len());
        let mut outcome = Delivered::All;
        for entry in entries {
            if entry.fields.is_none() {
                tracing::warn!(topic = %self.shared.name, subscription = self.group(), entry = %entry.id, "redis: an entry was trimmed from the topic's stream before this subscription had it: lost (see topic_max_len)");
                acks.push(entry.id);
                continue;
            }
            let decoded = entry
                .field(MESSAGE)
                .ok_or_else(|| "the entry has no message field `m`".to_owned())
                .and_then(|bytes| decode::<T>(bytes).map_err(|e| e.to_string()));
            let msg = match decoded {
                Ok(msg) => msg,
                Err(reason) => {
                    self.dead_letter(&entry, &reason).await;
                    continue;
                }
            };
            let Some(topic) = self.topic.upgrade() else {
                outcome = Delivered::TopicGone;
                break;
            };
            if topic.publish_local(msg).await == 0 {
                outcome = Delivered::NoSubscriber;
                break;
            }
            self.shared.received.fetch_add(1, Ordering::Relaxed);
            acks.push(entry.id);
        }
        self.acknowledge(&acks).await;
        outcome
    }

    /// Acknowledges `ids` for the subscription, retried until Redis takes it.
    async fn acknowledge(&mut self, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        let mut ack = redis::cmd("XACK");
        ack.arg(&self.shared.key).arg(self.group()).arg(ids);
        let conn = self.shared.station.connections.shared();
        if let Err(error) = settle(
            &conn,
            &ack,
            "acknowledging topic entries",
            &mut self.backoff,
        )
        .await
        {
            // They stay pending: handed over again at the next fault or start (a duplicate).
            tracing::error!(topic = %self.shared.name, subscription = self.group(), %error, entries = ids.len(), "redis: acknowledging entries was refused for good");
        }
    }

    /// Moves an entry that does not decode to the subscription's dead letters (and
    /// acknowledges it), logged and counted.
    async fn dead_letter(&mut self, entry: &Entry, reason: &str) {
        self.shared.malformed.fetch_add(1, Ordering::Relaxed);
        let Some(dead) = &self.shared.dead else {
            return;
        };
        let error = format!(
            "does not decode as {}: {reason}",
            std::any::type_name::<T>()
        );
        tracing::warn!(topic = %self.shared.name, subscription = self.group(), entry = %entry.id, %error, dead_letters = %dead, "redis: a topic entry does not decode; moved to the dead letters");
        let cmd = dead_letter_topic_entry(
            &self.shared.key,
            dead,
            self.group(),
            entry,
            &error,
            self.consumer(),
        );
        let conn = self.shared.station.connections.shared();
        if let Err(error) = settle(
            &conn,
            &cmd,
            "dead-lettering a topic entry",
            &mut self.backoff,
        )
        .await
        {
            tracing::error!(topic = %self.shared.name, %error, "redis: moving an entry to the dead letters was refused for good; it stays pending");
        }
    }
}
