//! How the actors of a spawn run are stopped: all at once, or one by one in some order.

/// How the idle actors of a spawn run are stopped once they have all started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// All at once, the framework's way (aplay: `system.shutdown()`; raw: every sender
    /// dropped, then every task awaited).
    All,
    /// Each stopped and awaited before the next, in this order.
    OneByOne(Order),
}

impl Stop {
    /// The indexes to stop one by one, in order; `None` for [`Stop::All`]. Computed before the
    /// clock starts.
    pub(crate) fn indexes(self, n: usize) -> Option<Vec<usize>> {
        match self {
            Stop::All => None,
            Stop::OneByOne(order) => Some(order.indexes(n)),
        }
    }
}

/// The orders actors are stopped in, one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Order {
    OldestFirst,
    YoungestFirst,
    Shuffled,
}

impl Order {
    pub(crate) const ALL: [Order; 3] = [Order::OldestFirst, Order::YoungestFirst, Order::Shuffled];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Order::OldestFirst => "oldest first",
            Order::YoungestFirst => "youngest first",
            Order::Shuffled => "shuffled",
        }
    }

    /// The indexes `0..n` in this order (shuffled: a fixed permutation, the same every run).
    pub(crate) fn indexes(self, n: usize) -> Vec<usize> {
        match self {
            Order::OldestFirst => (0..n).collect(),
            Order::YoungestFirst => (0..n).rev().collect(),
            Order::Shuffled => {
                let mut order: Vec<usize> = (0..n).collect();
                let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
                for i in (1..n).rev() {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    order.swap(i, (state % (i as u64 + 1)) as usize);
                }
                order
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_is_a_permutation() {
        for order in Order::ALL {
            let mut indexes = order.indexes(1000);
            indexes.sort_unstable();
            assert_eq!(indexes, (0..1000).collect::<Vec<_>>(), "{}", order.name());
        }
        assert_eq!(Stop::All.indexes(3), None);
        assert_eq!(
            Stop::OneByOne(Order::YoungestFirst).indexes(3),
            Some(vec![2, 1, 0])
        );
    }
}
