//! Jobs: messages to a served actor sent with an id and a record of their own, so that any
//! process can follow them (status, result), delay them, keep them unique by a key, or
//! cancel them. See [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue).
//!
//! A job is an ordinary entry of the mailbox stream with more fields (`j`: its id, `k`: its
//! unique key, `p`: its lane, `rk`: its rate key), and a record, the hash
//! `{ns}:job:{path}:{id}`. A job to run now without a key, a rate key or an id of the
//! caller's gets its record only when it ends: until then the hash `{ns}:job-entries:{path}`
//! maps its id to its entry, and its entry says where it is (waiting, or pending at a worker).
//! Such jobs enqueued together share an entry, a pack (see [`crate::redis::pack`]); done at
//! their first attempt, they are a field of a book instead of a record (see [`book`]).
//! Delayed jobs wait in the sorted set `{ns}:delayed:{path}` (scored by when they are due)
//! with their message in their record, until a process serving the path moves them to the
//! stream. A unique key is held by `{ns}:unique:{path}:{key}` (the id of the job holding it)
//! until the job finishes.
//!
//! ```text
//!  enqueue ──(script: XADD of a pack or a job + entry list, or record, lock, XADD or ZADD)──▶
//!          stream / delayed set
//!  serving: mover (delayed → stream) · start, for a job taken again (record: running, or
//!           skip if cancelled or done) · a pack read first: its cancel marks · acker
//!           (book or record: done + result / failed / dead; lock released)
//! ```

use self::cancel::cancel;
use super::backoff::Backoff;
use super::group::millis;
use super::shared::Station;
use crate::error::Error;

mod book;
mod cancel;
mod delayed;
mod enqueue;
mod entries;
mod id;
mod periodic;
mod record;
mod running;
mod schedule;
mod status;
mod writer;

pub use cancel::Cancel;
pub use enqueue::{Duplicate, Enqueue, IntoJob};
pub(crate) use enqueue::{enqueue_all, message_of};
pub use id::JobId;
pub use periodic::Periodic;
pub use running::Job;
pub use schedule::{Schedule, ScheduleError};
pub use status::{JobState, JobStatus};

pub(crate) use delayed::{Postponed, move_due, postpone};
pub(crate) use entries::cancelled_in_packs;
pub(crate) use periodic::{declare, describe, fire, names, read, server_now};
pub(crate) use record::{Ending, Outcome as JobOutcome, Start, Starting, finish, start};
pub(crate) use running::{Running, Watchlist};
pub(crate) use writer::Writer;

/// The record of the job `id` of `path`.
pub(crate) async fn status(
    station: &Station,
    path: &str,
    id: &str,
) -> Result<Option<JobStatus>, Error> {
    let conn = station.connections.shared();
    let record = station.keys.job(path, id);
    let [high, normal, low] = station.keys.lanes(path);
    let entries = station.keys.job_entries(path);
    let keys = [&*record, &high, &normal, &low, &entries];
    let book = station.keys.done_book_prefix(path);
    let retention = millis(station.config.job_retention);
    Ok(status::read(&conn, keys, station.keys.group(), id, &book, retention).await?)
}

/// Cancels the job `id` of `path`.
pub(crate) async fn cancel_job(station: &Station, path: &str, id: &str) -> Result<Cancel, Error> {
    let conn = station.connections.shared();
    let record = station.keys.job(path, id);
    let delayed = station.keys.delayed(path);
    let [high, normal, low] = station.keys.lanes(path);
    let entries = station.keys.job_entries(path);
    let mut backoff = Backoff::new(
        station.config.reconnect_initial,
        station.config.reconnect_max,
    );
    Ok(cancel(
        &conn,
        [&record, &delayed, &high, &normal, &low, &entries],
        id,
        station.keys.group(),
        millis(station.config.job_retention),
        &station.keys.unique_prefix(path),
        &station.keys.done_book_prefix(path),
        &mut backoff,
    )
    .await?)
}
