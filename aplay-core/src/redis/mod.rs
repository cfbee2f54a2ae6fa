//! Redis: durable mailboxes, shared addresses, remote tell and ask, worker pools across
//! processes (feature `redis`).
//!
//! A [`RedisStation`] connects a process to a Redis server. Through it, a process
//! [serves](RedisStation::serve) an actor from the durable mailbox of a path (a Redis stream
//! read through a consumer group), and reaches actors served by other processes through
//! [`RemoteRef`]s, which have the same generated methods as a local `ActorRef`. Its
//! [topics](RedisStation::topic) carry a [`Topic`](crate::Topic)'s messages to the
//! subscribers of every process ([`RedisTopic`]).
//!
//! Messages cross as bytes: the actor's message enum must be serializable, which
//! `#[actor(serde)]` provides (see [`Wire`](crate::wire::Wire)).
//!
//! # Keys
//!
//! All under the namespace `ns` ([`StationConfig::namespace`], `"aplay"` by default):
//!
//! | key | type | holds |
//! |---|---|---|
//! | `{ns}:mailbox:{path}` | stream, consumer group `{ns}` | the messages to the actor at `path` |
//! | `{ns}:mailbox-high:{path}`, `{ns}:mailbox-low:{path}` | streams, consumer group `{ns}` | its jobs of high and low [priority](JobPriority) |
//! | `{ns}:dead:{path}` | stream | the entries that could not be handled, with why |
//! | `{ns}:reply:{consumer}` | stream | the replies to the asks of one process |
//! | `{ns}:addresses` | hash | served path → actor type |
//! | `{ns}:job:{path}:{id}` | hash | a job's record: state, attempts, consumer, error, result |
//! | `{ns}:delayed:{path}` | sorted set | the delayed jobs of `path`, scored by when they are due (ms) |
//! | `{ns}:unique:{path}:{key}` | string | the id of the job holding a unique key |
//! | `{ns}:queue:{path}` | hash | `path`'s settings as a queue: paused, rate limit |
//! | `{ns}:rate:{path}` | hash | the starts counted against `path`'s rate limit in the current window |
//! | `{ns}:periodic:{path}` | set | the names of the periodic jobs of `path` |
//! | `{ns}:periodic:{path}:{name}` | hash | a periodic job: its schedule, message and last fire |
//! | `{ns}:topic:{name}` | Pub/Sub channel | a fire-and-forget topic's messages |
//! | `{ns}:topic:{name}` | stream, a consumer group per subscription | a durable topic's messages |
//! | `{ns}:topic-dead:{name}:{subscription}` | stream | the entries of a durable topic one subscription could not decode |
//!
//! On a Redis Cluster ([`RedisStation::connect_cluster`]) the path and the topic's name are a
//! hash tag in every key: `{ns}:mailbox:{/jobs}` (braces and all), so that all the keys of a
//! path share one slot.
//!
//! A mailbox entry has the field `m` (the encoded message) and, for an ask, `r` (the reply
//! stream) and `q` (the request id); a job's, `j` (its id) and `k` (its unique key).

mod append;
mod backoff;
mod config;
mod conn;
mod consumer;
mod dead_letter;
mod entry;
mod error;
mod forward;
mod group;
mod job;
mod keys;
mod lane;
mod not_flushed;
mod pack;
mod permissions;
mod queue;
mod queues;
mod remote;
mod replicas;
mod replies;
mod retry;
mod serve;
mod shared;
mod station;
mod topic;

pub use config::StationConfig;
pub use dead_letter::DeadLetter;
pub use error::{RedisError, RedisErrorKind};
pub use job::{
    Cancel, Duplicate, Enqueue, IntoJob, Job, JobId, JobState, JobStatus, Periodic, Schedule,
    ScheduleError,
};
pub use lane::JobPriority;
pub use not_flushed::NotFlushed;
pub use queue::{QueueSettings, RateLimit};
pub use queues::{Backlog, QueueInfo};
pub use remote::RemoteRef;
pub use serve::Serving;
pub use station::RedisStation;
pub use topic::RedisTopic;
