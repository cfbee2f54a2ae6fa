//! `JobId<R>`: the id of a job, typed by what its handler returns.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::redis::backoff::random_u64;

/// The id of a job sent with [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue), typed
/// by what its handler returns (`R`), so that
/// [`RemoteRef::result`](crate::redis::RemoteRef::result) gives the reply as its type.
///
/// The text is unique across processes: the time it was made and 64 random bits; for a job
/// enqueued in a pack with others (see
/// [`RemoteRef::enqueue_all`](crate::redis::RemoteRef::enqueue_all)), its pack's id and its
/// place in it (`{pack}.{i}`); or the id given with [`Enqueue::id`](crate::redis::Enqueue::id).
/// Another process that has only the text makes the id again with [`JobId::new`].
///
/// # Examples
///
/// ```
/// use aplay_core::redis::JobId;
///
/// let id: JobId<u64> = JobId::new("report-2026-12-04");
/// assert_eq!(id.as_str(), "report-2026-12-04");
/// assert_eq!(id.to_string(), "report-2026-12-04");
/// ```
pub struct JobId<R = ()> {
    id: String,
    _reply: PhantomData<fn() -> R>,
}

impl<R> JobId<R> {
    /// The job whose id is `id`.
    ///
    /// See the example on [`JobId`].
    pub fn new(id: impl Into<String>) -> Self {
        JobId {
            id: id.into(),
            _reply: PhantomData,
        }
    }

    /// A new id: the milliseconds since the Unix epoch, then a counter of this process (24
    /// bits) and 40 random bits, in hexadecimal. The ids one process makes sort in the order
    /// it made them (so jobs due at the same time run in the order they were sent).
    pub(crate) fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let seq = NEXT.fetch_add(1, Ordering::Relaxed) & 0xff_ffff;
        let random = random_u64() & 0xff_ffff_ffff;
        JobId::new(format!("{ms:011x}-{seq:06x}{random:010x}"))
    }

    /// The id as text.
    ///
    /// See the example on [`JobId`].
    pub fn as_str(&self) -> &str {
        &self.id
    }
}

impl<R> Clone for JobId<R> {
    fn clone(&self) -> Self {
        JobId::new(self.id.clone())
    }
}

impl<R> PartialEq for JobId<R> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<R> Eq for JobId<R> {}

impl<R> Hash for JobId<R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl<R> fmt::Display for JobId<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl<R> fmt::Debug for JobId<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JobId").field(&self.id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_differ_and_keep_their_shape() {
        let a = JobId::<()>::fresh();
        let b = JobId::<()>::fresh();
        assert_ne!(a, b);
        let (ms, random) = a.as_str().split_once('-').unwrap();
        assert_eq!((ms.len(), random.len()), (11, 16));
        // Made later in one millisecond, sorted later (unless the counter wrapped).
        let ids: Vec<JobId> = (0..100).map(|_| JobId::fresh()).collect();
        let wrapped = ids
            .windows(2)
            .filter(|w| w[0].as_str() > w[1].as_str())
            .count();
        assert!(wrapped <= 1, "{wrapped} out of order");
    }
}
