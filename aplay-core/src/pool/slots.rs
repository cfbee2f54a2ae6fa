//! An append-only list whose values never move: a pool's workers, so that a `&ActorRef` can
//! be lent for as long as the pool's handle lives while other callers resize it.

use std::sync::OnceLock;

use parking_lot::Mutex;

/// Chunk `k` holds `2^k` values: 32 chunks hold `2^32 - 1`, more workers than ever spawned.
const CHUNKS: usize = 32;

pub(super) struct Slots<T> {
    chunks: [OnceLock<Box<[OnceLock<T>]>>; CHUNKS],
    len: Mutex<usize>,
}

/// The chunk and the place in it of index `i`.
fn locate(i: usize) -> (usize, usize) {
    let k = (usize::BITS - 1 - (i + 1).leading_zeros()) as usize;
    (k, i + 1 - (1 << k))
}

impl<T> Slots<T> {
    pub(super) fn new() -> Self {
        Slots {
            chunks: [const { OnceLock::new() }; CHUNKS],
            len: Mutex::new(0),
        }
    }

    /// Keeps `value` for good; returns its index.
    pub(super) fn push(&self, value: T) -> usize {
        let mut len = self.len.lock();
        let i = *len;
        let (k, at) = locate(i);
        let chunk =
            self.chunks[k].get_or_init(|| (0..1usize << k).map(|_| OnceLock::new()).collect());
        if chunk[at].set(value).is_err() {
            unreachable!("slot {i} is filled once, under the lock");
        }
        *len += 1;
        i
    }

    pub(super) fn get(&self, i: usize) -> Option<&T> {
        let (k, at) = locate(i);
        self.chunks.get(k)?.get()?.get(at)?.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_at_their_index() {
        let slots = Slots::new();
        for n in 0..100 {
            assert_eq!(slots.push(n * 10), n);
        }
        for n in 0..100 {
            assert_eq!(slots.get(n), Some(&(n * 10)));
        }
        assert_eq!(slots.get(100), None);
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(1), (1, 0));
        assert_eq!(locate(2), (1, 1));
        assert_eq!(locate(3), (2, 0));
    }
}
