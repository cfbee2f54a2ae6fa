//! Job priorities: a served path's three lanes, each a stream of its own, read in turns that
//! favour the higher ones without starving the lower.

use std::fmt;

/// How soon a job runs among the jobs queued at its path
/// ([`Enqueue::priority`](crate::redis::Enqueue::priority)).
///
/// Each priority is a lane of the path, a stream of its own (`{ns}:mailbox-high:{path}`,
/// `{ns}:mailbox:{path}`, `{ns}:mailbox-low:{path}`). A worker fills the room it has for new
/// messages in turns: of every ten, six go to high, three to normal and one to low, and the
/// room a lane leaves unused (it has fewer waiting) goes to the others, higher first. So
/// while all three have work, a worker starts about 6 high, 3 normal and 1 low of every 10;
/// a lane alone gets all of it; **low is never starved**, only slowed. Within a lane, jobs
/// keep their order. The messages a worker holds already (at most twice
/// [`read_batch`](crate::redis::StationConfig::read_batch)) are not overtaken.
///
/// A path's workers read the three lanes once a job with a priority other than normal was
/// sent to it (the queue's settings say so, [`QueueSettings::priorities`]); before, only the
/// normal one.
///
/// [`QueueSettings::priorities`]: crate::redis::QueueSettings::priorities
///
/// See the example on [`Enqueue::priority`](crate::redis::Enqueue::priority).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum JobPriority {
    /// About six in ten starts while every lane has work.
    High,
    /// About three in ten. Plain tells and periodic jobs are normal.
    #[default]
    Normal,
    /// About one in ten: never starved.
    Low,
}

impl JobPriority {
    /// The lanes, highest first.
    pub(crate) const ALL: [JobPriority; 3] =
        [JobPriority::High, JobPriority::Normal, JobPriority::Low];

    /// Whose turn each of ten slots is: six high, three normal, one low, spread out.
    const TURNS: [JobPriority; 10] = [
        JobPriority::High,
        JobPriority::Normal,
        JobPriority::High,
        JobPriority::Low,
        JobPriority::High,
        JobPriority::Normal,
        JobPriority::High,
        JobPriority::High,
        JobPriority::Normal,
        JobPriority::High,
    ];

    /// Its position in [`ALL`](Self::ALL).
    pub(crate) fn index(self) -> usize {
        match self {
            JobPriority::High => 0,
            JobPriority::Normal => 1,
            JobPriority::Low => 2,
        }
    }

    /// Its name, as records and entries hold it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            JobPriority::High => "high",
            JobPriority::Normal => "normal",
            JobPriority::Low => "low",
        }
    }

    /// The lane named `name` (normal for anything else).
    pub(crate) fn from_name(name: &[u8]) -> Self {
        match name {
            b"high" => JobPriority::High,
            b"low" => JobPriority::Low,
            _ => JobPriority::Normal,
        }
    }

    /// How many of `slots` each lane gets, by the turns from `turn` on (which it advances).
    pub(crate) fn shares(slots: usize, turn: &mut usize) -> [usize; 3] {
        let mut shares = [0; 3];
        for _ in 0..slots {
            shares[Self::TURNS[*turn % Self::TURNS.len()].index()] += 1;
            *turn = turn.wrapping_add(1);
        }
        shares
    }
}

/// A Lua function, `lane_stream(lane, high, normal, low)`: of the three streams, the one of
/// the lane named `lane` (as records and entries hold it: `high`, `low`, anything else is
/// normal). For the scripts that find a job's entry.
pub(crate) const LANE_STREAM_FN: &str = r#"
local function lane_stream(lane, high, normal, low)
  if lane == 'high' then
    return high
  elseif lane == 'low' then
    return low
  end
  return normal
end
"#;

impl fmt::Display for JobPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_slots_go_six_three_one_and_single_slots_take_turns() {
        let mut turn = 0;
        assert_eq!(JobPriority::shares(10, &mut turn), [6, 3, 1]);
        let mut singles = [0; 3];
        for _ in 0..100 {
            let shares = JobPriority::shares(1, &mut turn);
            for (total, share) in singles.iter_mut().zip(shares) {
                *total += share;
            }
        }
        assert_eq!(
            singles,
            [60, 30, 10],
            "one slot at a time, low still gets its turn"
        );
    }
}
