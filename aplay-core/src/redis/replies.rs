//! The asking side of a remote ask: the askers waiting in this process, and the task that
//! reads this process's reply stream and hands each reply to its asker.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::backoff::{Backoff, random_u64};
use super::config::StationConfig;
use super::conn::{Connections, query};
use super::entry::{Entry, FAILED, MESSAGE, REQUEST, read_reply};
use super::group::millis;
use crate::wire::ReplyCompleter;

/// The askers of this process waiting for a reply from another, by request id.
pub(crate) struct Replies {
    /// This process's reply stream.
    pub(crate) key: String,
    pending: Mutex<HashMap<u64, ReplyCompleter>>,
    next_id: AtomicU64,
    discarded: AtomicU64,
}

impl Replies {
    pub(crate) fn new(key: String) -> Self {
        Replies {
            key,
            pending: Mutex::new(HashMap::new()),
            // Ids start at random, so a reply left over from an earlier run under the same
            // consumer name does not meet a new asker.
            next_id: AtomicU64::new(random_u64() >> 16),
            discarded: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, ReplyCompleter>> {
        self.pending.lock()
    }

    /// Registers an asker; returns the request id its reply will carry.
    pub(crate) fn register(&self, asker: ReplyCompleter) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut pending = self.lock();
        // Askers that gave up (timed out) are forgotten now and then, even when no reply
        // ever comes for them.
        if pending.len() >= 64 && pending.len().is_power_of_two() {
            pending.retain(|_, asker| !asker.is_closed());
        }
        pending.insert(id, asker);
        id
    }

    /// Forgets the asker of request `id`, whose message Redis refused: it gets `NoReply`.
    pub(crate) fn cancel(&self, id: u64) {
        let asker = self.lock().remove(&id);
        drop(asker);
    }

    /// Forgets the askers that stopped waiting.
    pub(crate) fn sweep(&self) {
        self.lock().retain(|_, asker| !asker.is_closed());
    }

    /// How many askers wait.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// How many replies came for nobody (their asker had timed out or gone).
    pub(crate) fn discarded(&self) -> u64 {
        self.discarded.load(Ordering::Relaxed)
    }

    /// Hands a reply entry to its asker.
    fn deliver(&self, entry: &Entry) {
        let Some(id) = entry.text(REQUEST).and_then(|q| q.parse::<u64>().ok()) else {
            tracing::warn!(entry = %entry.id, stream = %self.key, "redis: a reply without a request id; dropped");
            return;
        };
        let asker = self.lock().remove(&id);
        let Some(asker) = asker.filter(|a| !a.is_closed()) else {
            self.discarded.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                request = id,
                "redis: a reply for an asker that stopped waiting; dropped"
            );
            return;
        };
        match (entry.field(MESSAGE), entry.text(FAILED)) {
            (Some(bytes), _) => {
                if let Err(error) = asker.complete(bytes) {
                    tracing::warn!(request = id, %error, "redis: a reply that does not decode; the asker gets no reply");
                }
            }
            (None, failed) => {
                // Dropping the asker's channel gives it `Error::NoReply`.
                tracing::debug!(
                    request = id,
                    error = failed.unwrap_or("?"),
                    "redis: the message could not be handled"
                );
                drop(asker);
            }
        }
    }
}

/// Reads the reply stream for as long as the station lives (aborted with it), reconnecting
/// after connection faults.
pub(crate) async fn read_replies(
    replies: Arc<Replies>,
    connections: Connections,
    config: StationConfig,
) {
    let mut backoff = Backoff::new(config.reconnect_initial, config.reconnect_max);
    let mut shared = connections.shared();
    let mut conn = None;
    let mut last = "0-0".to_owned();
    let mut swept = Instant::now();
    let block_ms = millis(config.block);
    loop {
        if swept.elapsed() >= config.block.min(Duration::from_secs(1)) {
            replies.sweep();
            swept = Instant::now();
        }
        let dedicated = match conn.as_mut() {
            Some(conn) => conn,
            None => match connections.dedicated().await {
                Ok(c) => conn.insert(c),
                Err(error) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(%error, ?delay, "redis: cannot open the reply reader's connection; retrying");
                    tokio::time::sleep(delay).await;
                    continue;
                }
            },
        };
        let mut read = redis::cmd("XREAD");
        read.arg("COUNT")
            .arg(config.read_batch)
            .arg("BLOCK")
            .arg(block_ms)
            .arg("STREAMS")
            .arg(&replies.key)
            .arg(&last);
        let entries = match query(dedicated, &read).await.and_then(read_reply) {
            Ok(entries) => entries,
            Err(error) => {
                conn = None;
                let delay = backoff.next_delay();
                tracing::warn!(%error, ?delay, "redis: reading replies failed; reconnecting");
                tokio::time::sleep(delay).await;
                continue;
            }
        };
        backoff.reset();
        let Some(newest) = entries.last() else {
            continue;
        };
        last.clone_from(&newest.id);
        for entry in &entries {
            replies.deliver(entry);
        }
        // Read replies are not needed again.
        let mut del = redis::cmd("XDEL");
        del.arg(&replies.key);
        for entry in &entries {
            del.arg(&entry.id);
        }
        if let Err(error) = query(&mut shared, &del).await {
            tracing::debug!(%error, "redis: could not delete read replies (they expire)");
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::oneshot;

    use super::*;
    use crate::request::ReplyTo;
    use crate::wire::encode;
    use crate::wire::outcome::take_reply;

    fn asker() -> (ReplyCompleter, oneshot::Receiver<u64>) {
        let (tx, rx) = oneshot::channel();
        let completer = take_reply(&mut Some(ReplyTo(tx))).expect("an ask");
        (completer, rx)
    }

    fn reply(id: u64, field: &[u8], value: Vec<u8>) -> Entry {
        Entry {
            id: "1-0".to_owned(),
            fields: Some(vec![
                (REQUEST.to_vec(), id.to_string().into_bytes()),
                (field.to_vec(), value),
            ]),
        }
    }

    #[test]
    fn a_reply_reaches_its_asker_once() {
        let replies = Replies::new("r".to_owned());
        let (completer, mut rx) = asker();
        let id = replies.register(completer);
        assert_eq!(replies.len(), 1);
        replies.deliver(&reply(id, MESSAGE, encode(&42u64).unwrap()));
        assert_eq!(rx.try_recv(), Ok(42));
        assert_eq!(replies.len(), 0);
        // The same reply again (a duplicate handling) meets nobody.
        replies.deliver(&reply(id, MESSAGE, encode(&42u64).unwrap()));
        assert_eq!(replies.discarded(), 1);
    }

    #[test]
    fn a_failure_reply_gives_the_asker_no_reply() {
        let replies = Replies::new("r".to_owned());
        let (completer, mut rx) = asker();
        let id = replies.register(completer);
        replies.deliver(&reply(id, FAILED, b"boom".to_vec()));
        assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
    }

    #[test]
    fn askers_that_gave_up_are_swept_and_their_late_replies_dropped() {
        let replies = Replies::new("r".to_owned());
        let (completer, rx) = asker();
        let late = replies.register(completer);
        let (completer, _waiting) = asker();
        replies.register(completer);
        drop(rx); // timed out
        replies.sweep();
        assert_eq!(replies.len(), 1);
        replies.deliver(&reply(late, MESSAGE, encode(&1u64).unwrap()));
        assert_eq!(replies.discarded(), 1);
        assert_eq!(replies.len(), 1);
    }
}
