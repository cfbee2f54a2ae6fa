//! What a station tells of the queues it serves, and what it does to them for tools: the
//! backlog, the jobs and periodic jobs, the settings (pause, rate limits), the dead letters.
//! The second `impl` block of [`RedisStation`]; the first (`station.rs`) connects, serves and
//! sends.

use super::conn::{Conn, query};
use super::dead_letter::{self, DeadLetter, original_fields};
use super::entry::{PRIORITY, entries, integer, string};
use super::error::{RedisError, RedisErrorKind};
use super::group;
use super::job::{self, Cancel, JobStatus, Periodic};
use super::lane::JobPriority;
use super::queue::{QueueSettings, RateLimit};
use super::station::RedisStation;
#[allow(unused_imports)] // for the docs' links
use super::{config::StationConfig, remote::RemoteRef};
use crate::error::Error;

impl RedisStation {
    /// How many messages wait in the mailbox of `path`: not yet read by any worker, and read
    /// but not yet acknowledged (in hand, or left by a worker that died).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn backlog(&self, path: &str) -> Result<Backlog, Error> {
        let mut conn = self.inner.connections.shared();
        let mut backlog = Backlog::default();
        let group = self.inner.keys.group();
        for stream in self.inner.keys.lanes(path) {
            let unread = integer(query(&mut conn, &group::unread(&stream, group)).await?)?;
            let pending = match self.pending_summary(&mut conn, &stream).await? {
                Some(summary) => integer(summary.into_iter().next().unwrap_or_default())?,
                None => 0,
            };
            backlog.unread += u64::try_from(unread).unwrap_or(0);
            backlog.pending += u64::try_from(pending).unwrap_or(0);
        }
        Ok(backlog)
    }

    /// The parts of `XPENDING {stream} {group}`; `None` when the group does not exist (nothing
    /// was ever read).
    async fn pending_summary(
        &self,
        conn: &mut Conn,
        stream: &str,
    ) -> Result<Option<Vec<redis::Value>>, Error> {
        let mut summary = redis::cmd("XPENDING");
        summary.arg(stream).arg(self.inner.keys.group());
        match summary.query_async::<redis::Value>(conn).await {
            Ok(redis::Value::Array(parts)) => Ok(Some(parts)),
            Ok(_) => Err(RedisError::reply("XPENDING did not return a summary").into()),
            Err(e) if e.code() == Some("NOGROUP") => Ok(None),
            Err(e) => Err(RedisError::from_client(e).into()),
        }
    }

    /// The record of the job `id` sent to `path`, for tools that have only its id as text;
    /// `None` when there is no such job or its record expired. See
    /// [`RemoteRef::status`].
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached or the record is not one.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use aplay_core::redis::{Cancel, RedisStation};
    /// # async fn f(station: RedisStation) -> Result<(), aplay_core::Error> {
    /// if let Some(status) = station.job_status("/jobs", "0193a2b4c5d-9f2e4a7b1c3d5e6f").await? {
    ///     println!("{} after {} attempts: {:?}", status.state, status.attempts, status.error);
    /// }
    /// if station.cancel_job("/jobs", "0193a2b4c5d-9f2e4a7b1c3d5e6f").await? == Cancel::Requested {
    ///     println!("a worker has it: it will not run again");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn job_status(&self, path: &str, id: &str) -> Result<Option<JobStatus>, Error> {
        job::status(&self.inner, path, id).await
    }

    /// Cancels the job `id` sent to `path`, for tools that have only its id as text. See
    /// [`RemoteRef::cancel`].
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis refuses it for good (it waits while Redis cannot answer).
    ///
    /// See the example on [`job_status`](Self::job_status).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the cancel is one step in Redis, done or not.
    pub async fn cancel_job(&self, path: &str, id: &str) -> Result<Cancel, Error> {
        job::cancel_job(&self.inner, path, id).await
    }

    /// The periodic jobs of `path`, by name: their schedules, last and next fires. See
    /// [`RemoteRef::schedule`].
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`RemoteRef::schedule`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn periodic_jobs(&self, path: &str) -> Result<Vec<Periodic>, Error> {
        let mut conn = self.inner.connections.shared();
        let now = job::server_now(&mut conn).await?;
        let mut listed = Vec::new();
        for name in job::names(&mut conn, &self.inner.keys.periodic_index(path)).await? {
            let key = self.inner.keys.periodic(path, &name);
            if let Some((schedule, last)) = job::read(&mut conn, &key).await? {
                listed.push(job::describe(name, schedule, last, now));
            }
        }
        Ok(listed)
    }

    /// Pauses the queue of `path`: its workers, in every process, start nothing new (within
    /// [`delayed_poll`](StationConfig::delayed_poll)) until [`resume`](Self::resume); what
    /// they hold already is finished. Messages and jobs sent meanwhile wait in Redis;
    /// delayed and periodic jobs still become due (and wait too).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`set_rate_limit`](Self::set_rate_limit).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: one write.
    pub async fn pause(&self, path: &str) -> Result<(), Error> {
        let mut conn = self.inner.connections.shared();
        Ok(QueueSettings::set_paused(&mut conn, &self.inner.keys.queue(path), true).await?)
    }

    /// Resumes the queue of `path` after a [`pause`](Self::pause).
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`set_rate_limit`](Self::set_rate_limit).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: one write.
    pub async fn resume(&self, path: &str) -> Result<(), Error> {
        let mut conn = self.inner.connections.shared();
        Ok(QueueSettings::set_paused(&mut conn, &self.inner.keys.queue(path), false).await?)
    }

    /// Limits how many messages the workers of `path` start per period, all processes
    /// together (`None`: no limit), for a third-party API with a quota, say. Read by every
    /// worker within [`delayed_poll`](StationConfig::delayed_poll). The messages over the
    /// limit wait (in Redis, or in a worker's hand) for the next period; retries count too.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use aplay_core::redis::{RateLimit, RedisStation};
    /// # async fn f(station: RedisStation) -> Result<(), aplay_core::Error> {
    /// station.set_rate_limit("/emails", Some(RateLimit::new(100, Duration::from_secs(60)))).await?;
    /// station.pause("/emails").await?;
    /// let settings = station.queue_settings("/emails").await?;
    /// assert!(settings.paused);
    /// assert_eq!(settings.rate.map(|r| r.max()), Some(100));
    /// station.resume("/emails").await?;
    /// let info = station.queue_info("/emails").await?;
    /// println!("{} unread, {} in hand, {} delayed, {} dead", info.backlog.unread,
    ///     info.backlog.pending, info.delayed, info.dead);
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: one write.
    pub async fn set_rate_limit(&self, path: &str, rate: Option<RateLimit>) -> Result<(), Error> {
        let mut conn = self.inner.connections.shared();
        Ok(QueueSettings::set_rate(&mut conn, &self.inner.keys.queue(path), rate, false).await?)
    }

    /// Limits how many jobs of each **rate key** the workers of `path` start per period, all
    /// processes together (`None`: no limit per key): the jobs sent with
    /// [`Enqueue::rate_key`](crate::redis::Enqueue::rate_key), one key at a time (one
    /// customer, one account of a third-party API), while other keys go on. A job over its
    /// key's limit waits in the path's delayed set until the key's next period. Jobs without
    /// a rate key, and plain tells, are not counted. Works beside
    /// [`set_rate_limit`](Self::set_rate_limit), which counts them all.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`Enqueue::rate_key`](crate::redis::Enqueue::rate_key).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: one write.
    pub async fn set_key_rate_limit(
        &self,
        path: &str,
        rate: Option<RateLimit>,
    ) -> Result<(), Error> {
        let mut conn = self.inner.connections.shared();
        Ok(QueueSettings::set_rate(&mut conn, &self.inner.keys.queue(path), rate, true).await?)
    }

    /// The settings of `path` as a queue: paused, rate limit.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`set_rate_limit`](Self::set_rate_limit).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn queue_settings(&self, path: &str) -> Result<QueueSettings, Error> {
        let mut conn = self.inner.connections.shared();
        Ok(QueueSettings::read(&mut conn, &self.inner.keys.queue(path)).await?)
    }

    /// The paths ever served in this namespace (the address book), sorted: the queues a
    /// tool lists.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn served_paths(&self) -> Result<Vec<String>, Error> {
        let mut conn = self.inner.connections.shared();
        let reply = query(
            &mut conn,
            redis::cmd("HKEYS").arg(self.inner.keys.addresses()),
        )
        .await?;
        let mut paths = match reply {
            redis::Value::Array(items) | redis::Value::Set(items) => items
                .into_iter()
                .map(string)
                .collect::<Result<Vec<_>, _>>()?,
            _ => Vec::new(),
        };
        paths.sort();
        Ok(paths)
    }

    /// What the queue of `path` holds: its backlog, delayed jobs, dead letters, the entries
    /// each consumer has in hand, its settings.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`set_rate_limit`](Self::set_rate_limit).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn queue_info(&self, path: &str) -> Result<QueueInfo, Error> {
        let backlog = self.backlog(path).await?;
        let mut conn = self.inner.connections.shared();
        let keys = &self.inner.keys;
        let delayed =
            integer(query(&mut conn, redis::cmd("ZCARD").arg(keys.delayed(path))).await?)?;
        let dead = integer(query(&mut conn, redis::cmd("XLEN").arg(keys.dead(path))).await?)?;
        let mut consumers: Vec<(String, u64)> = Vec::new();
        for stream in keys.lanes(path) {
            let Some(summary) = self.pending_summary(&mut conn, &stream).await? else {
                continue;
            };
            for (name, held) in pending_by_consumer(summary.into_iter().nth(3))? {
                match consumers.iter_mut().find(|(known, _)| *known == name) {
                    Some((_, total)) => *total += held,
                    None => consumers.push((name, held)),
                }
            }
        }
        consumers.sort();
        let served = query(
            &mut conn,
            redis::cmd("HEXISTS").arg(keys.addresses()).arg(path),
        )
        .await?;
        Ok(QueueInfo {
            path: path.to_owned(),
            served: served == redis::Value::Int(1),
            backlog,
            delayed: u64::try_from(delayed).unwrap_or(0),
            dead: u64::try_from(dead).unwrap_or(0),
            consumers,
            settings: QueueSettings::read(&mut conn, &keys.queue(path)).await?,
        })
    }

    /// Up to `count` of the oldest dead letters of `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only reads.
    pub async fn dead_letters(&self, path: &str, count: usize) -> Result<Vec<DeadLetter>, Error> {
        let mut conn = self.inner.connections.shared();
        dead_letter::oldest(&mut conn, &self.inner.keys.dead(path), count).await
    }

    /// Puts the dead letter `id` of `path` back into the mailbox of `path` (as a new entry,
    /// with its original fields and a fresh delivery count) and removes it from the
    /// dead-letter stream. Returns `false` when there is no such dead letter.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// See the example on [`serve`](Self::serve).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropped between putting the letter back in the mailbox and deleting it from the dead letters, it is in both, and a later replay would deliver it twice.
    pub async fn replay_dead_letter(&self, path: &str, id: &str) -> Result<bool, Error> {
        let mut conn = self.inner.connections.shared();
        let dead = self.inner.keys.dead(path);
        let mut range = redis::cmd("XRANGE");
        range.arg(&dead).arg(id).arg(id);
        let Some(letter) = entries(query(&mut conn, &range).await?)?.pop() else {
            return Ok(false);
        };
        let fields: Vec<_> = original_fields(&letter).collect();
        if fields.is_empty() {
            return Err(RedisError::new(
                RedisErrorKind::Reply,
                format!("the dead letter {id} has no fields of its own to replay"),
            )
            .into());
        }
        let lane = fields
            .iter()
            .find(|(k, _)| *k == PRIORITY)
            .map_or(JobPriority::Normal, |(_, v)| JobPriority::from_name(v));
        let mut add = redis::cmd("XADD");
        add.arg(self.inner.keys.lane(path, lane)).arg("*");
        for (k, v) in fields {
            add.arg(k).arg(v);
        }
        query(&mut conn, &add).await?;
        query(&mut conn, redis::cmd("XDEL").arg(&dead).arg(id)).await?;
        Ok(true)
    }

    /// Deletes the dead letter `id` of `path` (`Some(id)`), or all of them (`None`). Returns
    /// how many were deleted.
    ///
    /// # Errors
    ///
    /// [`Error::Redis`] when Redis cannot be reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use aplay_core::redis::RedisStation;
    /// # async fn f(station: RedisStation) -> Result<(), aplay_core::Error> {
    /// for letter in station.dead_letters("/jobs", 100).await? {
    ///     if letter.error().contains("cannot decode") {
    ///         station.purge_dead_letters("/jobs", Some(letter.id())).await?;
    ///     }
    /// }
    /// station.purge_dead_letters("/jobs", None).await?; // and the rest
    /// # Ok(()) }
    /// ```
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: one command.
    pub async fn purge_dead_letters(&self, path: &str, id: Option<&str>) -> Result<u64, Error> {
        let mut conn = self.inner.connections.shared();
        let dead = self.inner.keys.dead(path);
        let deleted = match id {
            Some(id) => query(&mut conn, redis::cmd("XDEL").arg(&dead).arg(id)).await?,
            None => {
                let len = query(&mut conn, redis::cmd("XLEN").arg(&dead)).await?;
                query(&mut conn, redis::cmd("DEL").arg(&dead)).await?;
                len
            }
        };
        Ok(u64::try_from(integer(deleted)?).unwrap_or(0))
    }
}

/// The consumers with entries in hand, from the fourth part of an `XPENDING` summary.
fn pending_by_consumer(part: Option<redis::Value>) -> Result<Vec<(String, u64)>, RedisError> {
    let rows = match part {
        Some(redis::Value::Array(rows)) => rows,
        _ => return Ok(Vec::new()),
    };
    let mut consumers = Vec::new();
    for row in rows {
        let redis::Value::Array(pair) = row else {
            return Err(RedisError::reply("an XPENDING consumer row is not a pair"));
        };
        let mut pair = pair.into_iter();
        let (Some(name), Some(count)) = (pair.next(), pair.next()) else {
            return Err(RedisError::reply("an XPENDING consumer row is not a pair"));
        };
        consumers.push((string(name)?, u64::try_from(integer(count)?).unwrap_or(0)));
    }
    Ok(consumers)
}

/// What a queue holds, from [`RedisStation::queue_info`].
///
/// See the example on [`RedisStation::set_rate_limit`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueInfo {
    /// Its path.
    pub path: String,
    /// Whether some process ever served it (it is in the address book).
    pub served: bool,
    /// The messages in its stream: unread, and in hand.
    pub backlog: Backlog,
    /// Its delayed jobs.
    pub delayed: u64,
    /// Its dead letters.
    pub dead: u64,
    /// The consumers with entries in hand, and how many each.
    pub consumers: Vec<(String, u64)>,
    /// Paused, rate limit.
    pub settings: QueueSettings,
}

/// The messages waiting in a mailbox stream, from [`RedisStation::backlog`].
///
/// See the example on [`RedisStation::serve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Backlog {
    /// Appended and not yet read by any worker.
    pub unread: u64,
    /// Read by a worker and not yet acknowledged.
    pub pending: u64,
}

impl Backlog {
    /// Whether nothing waits: every message was handled (or dead-lettered).
    ///
    /// See the example on [`RedisStation::serve`].
    pub fn is_empty(&self) -> bool {
        self.unread == 0 && self.pending == 0
    }
}
