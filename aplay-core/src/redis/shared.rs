//! What every clone of a [`RedisStation`](super::RedisStation), its remote refs and its
//! served actors share: the configuration, the consumer name, the key names, the
//! connections and the askers waiting for replies. Below the station, the remote refs and the
//! serving, which all use it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use tokio::task::AbortHandle;

use super::config::StationConfig;
use super::conn::Connections;
use super::consumer::ConsumerName;
use super::keys::Keys;
use super::replies::{Replies, read_replies};

/// What every clone of a station, its remote refs and its served actors share.
pub(crate) struct Station {
    pub(crate) config: StationConfig,
    /// This process's consumer name (chosen at connect).
    pub(crate) consumer: ConsumerName,
    pub(crate) keys: Keys,
    pub(crate) connections: Connections,
    pub(crate) replies: Arc<Replies>,
    /// The topics open in this station, so that opening one again gives the same topic (one
    /// subscription to Redis, one reader per durable subscription).
    pub(crate) topics: Mutex<HashMap<TopicKey, Box<dyn OpenTopic>>>,
    reader: OnceLock<AbortHandle>,
}

/// Which topic: its name, and the subscription of a durable one (`None`: fire-and-forget).
pub(crate) type TopicKey = (String, Option<String>);

/// A topic open in a station, whatever its message type.
pub(crate) trait OpenTopic: Send + Sync {
    /// Whether it is still in use and receiving (not dropped, not stopped).
    fn is_open(&self) -> bool;
    /// For a downcast to its message type.
    fn as_any(&self) -> &dyn std::any::Any;
}

impl Station {
    pub(crate) fn new(
        config: StationConfig,
        consumer: ConsumerName,
        keys: Keys,
        connections: Connections,
        replies: Arc<Replies>,
    ) -> Self {
        Station {
            config,
            consumer,
            keys,
            connections,
            replies,
            topics: Mutex::new(HashMap::new()),
            reader: OnceLock::new(),
        }
    }

    /// Starts the reply reader, once: before the first ask can leave.
    pub(crate) fn ensure_reply_reader(&self) {
        self.reader.get_or_init(|| {
            tokio::spawn(read_replies(
                Arc::clone(&self.replies),
                self.connections.clone(),
                self.config.clone(),
            ))
            .abort_handle()
        });
    }
}

impl Drop for Station {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.get() {
            reader.abort();
        }
    }
}
