//! `JobId<R>`: the id of a job, typed by what its handler returns.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::redis::backoff::random_u64;

/// The id of a job sent with [`RemoteRef::enqueue`](crate::redis::RemoteRef::enqueue), typed
/// by what its handler returns (`R`), so that
/// [`RemoteRef::result`](crate::redis::RemoteRef::result) gives the reply as its type.
///
/// The text is unique across processes (the time it was made and 64 random bits, or the id
/// given with [`Enqueue::id`](crate::redis::Enqueue::id)). Another process that has only the
/// text makes the id again with [`JobId::new`].
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

    /// A new id: the milliseconds since the Unix epoch and 64 random bits, in hexadecimal
    /// (ids made later sort later, mostly).
    pub(crate) fn fresh() -> Self {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        JobId::new(format!("{ms:011x}-{:016x}", random_u64()))
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
    }
}
