//! The task that receives a fire-and-forget topic's messages: one Pub/Sub connection
//! subscribed to the topic's channel, each message from another process decoded and handed to
//! the local subscribers. A lost connection (a Redis restart, a cut) is made again with
//! back-off and the channel subscribed again; a connection that stops answering is found out
//! by a ping every [`block`](crate::redis::StationConfig::block).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::StreamExt;
use redis::aio::PubSub;

use super::{Message, TopicShared};
use crate::pubsub::WeakTopic;
use crate::redis::backoff::Backoff;
use crate::redis::error::RedisError;
use crate::wire::decode;

/// The bytes in front of each message on the channel: the publishing topic's origin mark.
pub(super) const ORIGIN: usize = 8;

/// Receives until the topic is gone or stopped.
pub(super) async fn run<T: Message>(topic: WeakTopic<T>, shared: Arc<TopicShared>, first: PubSub) {
    let config = &shared.station.config;
    let mut backoff = Backoff::new(config.reconnect_initial, config.reconnect_max);
    let mut stopping = shared.stopping.subscribe();
    let mut next = Some(first);
    loop {
        let conn = match next.take() {
            Some(conn) => conn,
            None => {
                let again = tokio::select! {
                    again = subscribe_again(&shared, &mut backoff) => again,
                    _ = stopping.wait_for(|s| *s) => break,
                };
                shared.reconnects.fetch_add(1, Ordering::Relaxed);
                tracing::info!(topic = %shared.name, "redis: subscribed to the topic again");
                again
            }
        };
        let ended = tokio::select! {
            ended = receive(&topic, &shared, conn) => ended,
            _ = stopping.wait_for(|s| *s) => break,
        };
        match ended {
            Ended::TopicGone => break,
            Ended::Lost(error) => {
                tracing::warn!(topic = %shared.name, %error, "redis: the topic's subscription was lost; subscribing again (messages published meanwhile are missed)");
            }
        }
    }
    shared.finished.send_replace(true);
}

enum Ended {
    TopicGone,
    Lost(RedisError),
}

/// A new connection subscribed to the channel, retried with back-off until it is.
async fn subscribe_again(shared: &TopicShared, backoff: &mut Backoff) -> PubSub {
    loop {
        backoff.wait().await;
        let subscribed = async {
            let mut conn = shared.station.connections.pubsub().await?;
            conn.subscribe(&shared.key)
                .await
                .map_err(RedisError::from_client)?;
            Ok::<_, RedisError>(conn)
        };
        match subscribed.await {
            Ok(conn) => {
                backoff.reset();
                return conn;
            }
            Err(error) => {
                tracing::warn!(topic = %shared.name, %error, "redis: cannot subscribe to the topic again yet; retrying");
            }
        }
    }
}

/// Hands the messages of `conn` to the local subscribers until the connection is lost or
/// the topic is gone.
async fn receive<T: Message>(topic: &WeakTopic<T>, shared: &TopicShared, conn: PubSub) -> Ended {
    let config = &shared.station.config;
    let (mut sink, mut messages) = conn.split();
    let every = config.block.max(Duration::from_millis(100));
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            msg = messages.next() => {
                let Some(msg) = msg else {
                    return Ended::Lost(RedisError::new(
                        crate::redis::RedisErrorKind::Connection,
                        "the Pub/Sub connection was closed",
                    ));
                };
                if !deliver(topic, shared, msg.get_payload_bytes()).await {
                    return Ended::TopicGone;
                }
            }
            _ = ping.tick() => {
                let answered = tokio::time::timeout(config.command_timeout, sink.ping::<redis::Value>()).await;
                match answered {
                    Ok(Ok(_)) => {}
                    Ok(Err(error)) => return Ended::Lost(RedisError::from_client(error)),
                    Err(_) => {
                        return Ended::Lost(RedisError::new(
                            crate::redis::RedisErrorKind::Connection,
                            "the Pub/Sub connection did not answer a ping within the command timeout",
                        ));
                    }
                }
            }
        }
    }
}

/// Hands one message from the channel to the local subscribers, unless this topic published
/// it (they had it then) or it does not decode (logged, counted, skipped). `false` when the
/// topic is gone.
async fn deliver<T: Message>(topic: &WeakTopic<T>, shared: &TopicShared, payload: &[u8]) -> bool {
    let decoded = match payload.split_at_checked(ORIGIN) {
        Some((origin, _)) if origin == shared.origin.to_le_bytes() => return true,
        Some((_, bytes)) => decode::<T>(bytes).map_err(|e| e.to_string()),
        None => Err("shorter than its origin mark".to_owned()),
    };
    match decoded {
        Ok(msg) => {
            let Some(topic) = topic.upgrade() else {
                return false;
            };
            if topic.publish_local(msg).await > 0 {
                shared.received.fetch_add(1, Ordering::Relaxed);
            }
        }
        Err(reason) => {
            shared.malformed.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(topic = %shared.name, channel = %shared.key, %reason, bytes = payload.len(), "redis: a message on the topic's channel does not decode; skipped");
        }
    }
    true
}
