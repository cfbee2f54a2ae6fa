//! How a [`RedisStation`](super::RedisStation) names its keys, reads, retries and reconnects.

use std::time::Duration;

/// The longest time a setting takes: a year, "forever" in practice. Longer ones (up to
/// [`Duration::MAX`]) are taken as this, so that no deadline overflows and Redis takes every
/// time it is given (`BLOCK`, `PEXPIRE`).
pub(crate) const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

/// The settings of a [`RedisStation`](super::RedisStation): a builder, each setter returns the
/// changed config.
///
/// Every time setting takes any [`Duration`], from [`Duration::ZERO`] to [`Duration::MAX`]:
/// below its least (said on each) it is raised to it, and above a year it is taken as a year
/// (forever, in practice), except [`flush_timeout`](Self::flush_timeout), where
/// `Duration::MAX` is really forever.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use aplay_core::redis::StationConfig;
///
/// let config = StationConfig::default()
///     .namespace("shop")
///     .consumer("worker-1")
///     .claim_idle(Duration::from_secs(60))
///     .max_deliveries(3)
///     .topic_max_len(10_000);
/// assert_eq!(config.namespace_str(), "shop");
/// assert_eq!(config.max_deliveries_count(), 3);
/// assert_eq!(config.topic_max_len_entries(), 10_000);
/// ```
#[derive(Clone, Debug)]
pub struct StationConfig {
    pub(crate) namespace: String,
    pub(crate) consumer: Option<String>,
    pub(crate) read_batch: usize,
    pub(crate) block: Duration,
    pub(crate) claim_idle: Duration,
    pub(crate) max_deliveries: u32,
    pub(crate) retry_delay: Duration,
    pub(crate) reconnect_initial: Duration,
    pub(crate) reconnect_max: Duration,
    pub(crate) reply_expiry: Duration,
    pub(crate) command_timeout: Duration,
    pub(crate) remote_capacity: usize,
    pub(crate) flush_timeout: Duration,
    pub(crate) consumer_expiry: Duration,
    pub(crate) topic_max_len: usize,
    pub(crate) job_retention: Duration,
    pub(crate) delayed_poll: Duration,
    pub(crate) wait_replicas: u32,
    pub(crate) replica_timeout: Duration,
    #[cfg(feature = "redis-tls")]
    pub(crate) tls: Tls,
}

/// The certificates of a TLS connection (`rediss://`), when the system's are not the ones.
#[cfg(feature = "redis-tls")]
#[derive(Clone, Default)]
pub(crate) struct Tls {
    /// The CA that signed the server's certificate (PEM).
    pub(crate) root: Option<Vec<u8>>,
    /// This client's certificate and private key (PEM), for servers that ask for one.
    pub(crate) client: Option<(Vec<u8>, Vec<u8>)>,
}

#[cfg(feature = "redis-tls")]
impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("Tls")
            .field("root", &self.root.as_ref().map(|_| "a CA certificate"))
            .field(
                "client",
                &self.client.as_ref().map(|_| "a certificate and its key"),
            )
            .finish()
    }
}

impl Default for StationConfig {
    fn default() -> Self {
        StationConfig {
            namespace: "aplay".to_owned(),
            consumer: None,
            read_batch: 128,
            block: Duration::from_secs(2),
            claim_idle: Duration::from_secs(30),
            max_deliveries: 5,
            retry_delay: Duration::from_millis(200),
            reconnect_initial: Duration::from_millis(50),
            reconnect_max: Duration::from_secs(5),
            reply_expiry: Duration::from_secs(3600),
            command_timeout: Duration::from_secs(10),
            remote_capacity: crate::Mailbox::DEFAULT_CAPACITY,
            flush_timeout: Duration::from_secs(30),
            consumer_expiry: Duration::from_secs(3600),
            topic_max_len: 100_000,
            job_retention: Duration::from_secs(24 * 3600),
            delayed_poll: Duration::from_millis(200),
            wait_replicas: 0,
            replica_timeout: Duration::from_secs(1),
            #[cfg(feature = "redis-tls")]
            tls: Tls::default(),
        }
    }
}

impl StationConfig {
    /// The prefix of every key (`{namespace}:mailbox:/jobs`), and the name of the consumer
    /// group. `"aplay"` by default. Programs that must not see each other's actors use
    /// different namespaces on the same server.
    ///
    /// See the example on [`StationConfig`].
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// This process's name in the consumer groups, and the name of its reply stream. A
    /// worker restarted under the same name takes back at once the entries it had read and
    /// not acknowledged (others would claim them only after [`claim_idle`](Self::claim_idle)).
    /// Two processes running at the same time must never share a name: they would share
    /// their pending entries.
    ///
    /// Without it, the name is the environment variable `APLAY_CONSUMER` if set (a pod or
    /// unit name), else `{host}-{program}-{n}`, with `n` the lowest number no running process
    /// of that program on that host uses for this namespace (held by a lock file in the
    /// temporary directory, which the system releases when the process ends, however it
    /// ends): the same worker restarted gets the same name. See
    /// [`RedisStation::consumer`](super::RedisStation::consumer) for the name chosen.
    ///
    /// See the example on [`StationConfig`].
    pub fn consumer(mut self, consumer: impl Into<String>) -> Self {
        self.consumer = Some(consumer.into());
        self
    }

    /// How many entries one read takes at most (and how many a served actor has in hand at
    /// most: twice this). 128 by default; at least 1.
    ///
    /// See the example on [`StationConfig`].
    pub fn read_batch(mut self, entries: usize) -> Self {
        self.read_batch = entries.max(1);
        self
    }

    /// How long a read waits for new entries before it looks again (Redis's `BLOCK`).
    /// Two seconds by default; at least one millisecond. A graceful stop does not wait for
    /// the read in progress.
    ///
    /// See the example on [`StationConfig`].
    pub fn block(mut self, block: Duration) -> Self {
        self.block = block.clamp(Duration::from_millis(1), LONGEST);
        self
    }

    /// How long an entry may sit at a consumer without news before another consumer takes it
    /// over (the consumer is taken for dead). 30 seconds by default. A live consumer refreshes
    /// the entries it holds every third of this, so keep it well above the longest stall of a
    /// process (a pause, a Redis outage): otherwise an entry may be handled twice.
    ///
    /// See the example on [`StationConfig`].
    pub fn claim_idle(mut self, idle: Duration) -> Self {
        self.claim_idle = idle.clamp(Duration::from_millis(3), LONGEST);
        self
    }

    /// How many times an entry is delivered (handled and failed) before it goes to the
    /// dead-letter stream. 5 by default; at least 1.
    ///
    /// See the example on [`StationConfig`].
    pub fn max_deliveries(mut self, deliveries: u32) -> Self {
        self.max_deliveries = deliveries.max(1);
        self
    }

    /// How long a failed entry waits before its next delivery: this, doubled after each
    /// failure, up to the reconnect maximum. 200 ms by default.
    ///
    /// See the example on [`StationConfig`].
    pub fn retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay.min(LONGEST);
        self
    }

    /// The first and the longest wait between two attempts to reach Redis again (doubled
    /// each time, with jitter). 50 ms and 5 s by default.
    ///
    /// See the example on [`StationConfig`].
    pub fn reconnect(mut self, initial: Duration, max: Duration) -> Self {
        self.reconnect_initial = initial.clamp(Duration::from_millis(1), LONGEST);
        self.reconnect_max = max.clamp(self.reconnect_initial, LONGEST);
        self
    }

    /// How long a reply stream lives after its last reply (a process that dies leaves one
    /// behind), and how long Redis remembers the number of the last batch a remote ref
    /// appended (so that a batch sent again after a lost connection is not appended twice).
    /// An hour by default; at least one second.
    ///
    /// See the example on [`StationConfig`].
    pub fn reply_expiry(mut self, expiry: Duration) -> Self {
        self.reply_expiry = expiry.clamp(Duration::from_secs(1), LONGEST);
        self
    }

    /// How long one command may wait for its answer before the connection is taken for lost.
    /// Ten seconds by default.
    ///
    /// See the example on [`StationConfig`].
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout.clamp(Duration::from_millis(10), LONGEST);
        self
    }

    /// How many messages a remote ref queues in the process while they are on their way to
    /// Redis: past that, its tells wait (back-pressure). 1024 by default.
    ///
    /// See the example on [`StationConfig`].
    pub fn remote_capacity(mut self, messages: usize) -> Self {
        self.remote_capacity = messages.max(1);
        self
    }

    /// How long [`RemoteRef::flushed`](super::RemoteRef::flushed) waits for Redis to have
    /// every message before it returns [`Error::NotFlushed`](crate::Error::NotFlushed) (the
    /// messages go on being retried). 30 seconds by default; [`Duration::MAX`] waits as long
    /// as it takes. [`RemoteRef::flushed_within`](super::RemoteRef::flushed_within) gives a
    /// limit per call.
    ///
    /// See the example on [`StationConfig`].
    pub fn flush_timeout(mut self, limit: Duration) -> Self {
        self.flush_timeout = limit;
        self
    }

    /// How long a consumer of a served path's group may stay idle, owning no pending entry,
    /// before a worker removes it from the group (`XGROUP DELCONSUMER`): the names of
    /// processes gone for good do not pile up in `XINFO CONSUMERS`. Removing one loses
    /// nothing (it owns no entry; it comes back when it reads again). An hour by default.
    ///
    /// See the example on [`StationConfig`].
    pub fn consumer_expiry(mut self, idle: Duration) -> Self {
        self.consumer_expiry = idle.min(LONGEST);
        self
    }

    /// How many entries the stream of a durable topic keeps, about (`XADD .. MAXLEN ~`, which
    /// trims whole nodes of the stream, so a few more may stay): the publishers trim it as
    /// they append. A subscription that falls further behind than this (its processes down
    /// for long, or too slow) loses the oldest messages it had not read. 100,000 by default;
    /// at least 1. See [`RedisStation::durable_topic`](super::RedisStation::durable_topic).
    ///
    /// See the example on [`StationConfig`].
    pub fn topic_max_len(mut self, entries: usize) -> Self {
        self.topic_max_len = entries.max(1);
        self
    }

    /// How long the record of a finished job (done, dead or cancelled: its state, attempts,
    /// last error and result) stays in Redis for [`RemoteRef::status`](super::RemoteRef::status)
    /// and [`RemoteRef::result`](super::RemoteRef::result). A day by default; at least a
    /// millisecond. See [`RemoteRef::enqueue`](super::RemoteRef::enqueue).
    ///
    /// See the example on [`StationConfig`].
    pub fn job_retention(mut self, retention: Duration) -> Self {
        self.job_retention = retention.clamp(Duration::from_millis(1), LONGEST);
        self
    }

    /// How often a served actor's process looks for delayed jobs that are due, at most (it
    /// sleeps until the next one it knows is due, or this long, whichever comes first): a
    /// delayed job runs at most this late (plus the time to reach a worker). 200 ms by
    /// default; at least a millisecond.
    ///
    /// See the example on [`StationConfig`].
    pub fn delayed_poll(mut self, poll: Duration) -> Self {
        self.delayed_poll = poll.clamp(Duration::from_millis(1), LONGEST);
        self
    }

    /// Confirms a write only once `count` replicas of its Redis master have it too (`WAIT`),
    /// waiting for them up to `timeout` per attempt, and retrying after that (the writes are
    /// idempotent): a remote ref's [`flushed`](super::RemoteRef::flushed) and a job's
    /// [`enqueue`](super::RemoteRef::enqueue) then mean "on the master and `count` replicas",
    /// so a master that dies right after (`kill -9`, a lost machine) and is replaced by one of
    /// them loses nothing confirmed. 0 (the default) confirms on the master alone: with
    /// asynchronous replication, the last writes a dying master had not passed on are lost
    /// with it. Costs a round trip to a replica per batch or job.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use aplay_core::redis::StationConfig;
    /// let config = StationConfig::default().wait_for_replicas(1, Duration::from_millis(500));
    /// # let _ = config;
    /// ```
    pub fn wait_for_replicas(mut self, count: u32, timeout: Duration) -> Self {
        self.wait_replicas = count;
        self.replica_timeout = timeout.clamp(Duration::from_millis(1), LONGEST);
        self
    }

    /// The replicas a confirmed write waits for, if any.
    pub(crate) fn replicas(&self) -> Option<Replicas> {
        (self.wait_replicas > 0).then_some(Replicas {
            count: self.wait_replicas,
            timeout: self.replica_timeout,
        })
    }

    /// Trusts the CA certificate `pem` (PEM) for `rediss://` connections, instead of the
    /// system's root certificates: for a server whose certificate your own CA signed. A
    /// certificate that does not parse is an error at connect.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), aplay_core::Error> {
    /// use aplay_core::redis::{RedisStation, StationConfig};
    /// let ca = std::fs::read("/etc/redis/ca.crt").expect("the CA certificate");
    /// let config = StationConfig::default().tls_root_certificate(ca);
    /// let station = RedisStation::connect_with("rediss://jobs:secret@redis.internal:6380", config).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "redis-tls")]
    pub fn tls_root_certificate(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.root = Some(pem.into());
        self
    }

    /// Presents the client certificate `certificate` and its private key `key` (both PEM) on
    /// `rediss://` connections, for servers that ask for one (`tls-auth-clients yes`).
    ///
    /// See the example on [`tls_root_certificate`](Self::tls_root_certificate).
    #[cfg(feature = "redis-tls")]
    pub fn tls_client_certificate(
        mut self,
        certificate: impl Into<Vec<u8>>,
        key: impl Into<Vec<u8>>,
    ) -> Self {
        self.tls.client = Some((certificate.into(), key.into()));
        self
    }

    /// The namespace (see [`namespace`](Self::namespace)).
    ///
    /// See the example on [`StationConfig`].
    pub fn namespace_str(&self) -> &str {
        &self.namespace
    }

    /// The consumer name set with [`consumer`](Self::consumer); `None` when it is chosen at
    /// connect (see [`RedisStation::consumer`](super::RedisStation::consumer)).
    ///
    /// See the example on [`StationConfig`].
    pub fn consumer_name(&self) -> Option<&str> {
        self.consumer.as_deref()
    }

    /// The number of deliveries before an entry is dead-lettered.
    ///
    /// See the example on [`StationConfig`].
    pub fn max_deliveries_count(&self) -> u32 {
        self.max_deliveries
    }

    /// The idle time after which another consumer claims an entry.
    ///
    /// See the example on [`StationConfig`].
    pub fn claim_idle_time(&self) -> Duration {
        self.claim_idle
    }

    /// About how many entries the stream of a durable topic keeps (see
    /// [`topic_max_len`](Self::topic_max_len)).
    ///
    /// See the example on [`StationConfig`].
    pub fn topic_max_len_entries(&self) -> usize {
        self.topic_max_len
    }
}

/// How many replicas a confirmed write must reach, within how long (see
/// [`StationConfig::wait_for_replicas`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Replicas {
    pub(crate) count: u32,
    pub(crate) timeout: Duration,
}
