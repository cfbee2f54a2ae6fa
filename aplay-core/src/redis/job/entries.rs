//! A job's stream entry as the scripts write and find it: appended to its lane's stream with
//! its fields, and, while a job has no record, listed by id in the path's
//! `{ns}:job-entries:{path}` (see `Keys::job_entries`).

use std::sync::LazyLock;

use crate::redis::lane::LANE_STREAM_FN;

/// Lua functions for the scripts that write or find a job's entry (after `lane_stream`):
///
/// - `append_job(high, normal, low, message, id, key, lane, rate_key)`: appends the job's
///   entry (fields `m`, `j`, and `k`, `p`, `rk` when not empty) to the stream of its lane
///   among `high`, `normal` and `low`; returns the entry's id.
/// - `listing(entry, lane)`: the value that lists a job without a record: its entry, then its
///   lane when not normal (`"1700000000000-0 high"`).
/// - `listed(list, id)`: the entry, lane and time of appending (ms) of the job `id` listed
///   in `list`, or nothing when it is not listed.
pub(super) static JOB_ENTRY_FNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{LANE_STREAM_FN}{}",
        r#"
local function append_job(high, normal, low, message, id, key, lane, rate_key)
  local fields = {'m', message, 'j', id}
  if key ~= '' then
    fields[#fields + 1] = 'k'
    fields[#fields + 1] = key
  end
  if lane ~= '' then
    fields[#fields + 1] = 'p'
    fields[#fields + 1] = lane
  end
  if rate_key ~= '' then
    fields[#fields + 1] = 'rk'
    fields[#fields + 1] = rate_key
  end
  return redis.call('XADD', lane_stream(lane, high, normal, low), '*', unpack(fields))
end
local function listing(entry, lane)
  if lane ~= '' then
    return entry .. ' ' .. lane
  end
  return entry
end
local function listed(list, id)
  local at = redis.call('HGET', list, id)
  if not at then
    return nil
  end
  local entry, lane = string.match(at, '^(%S+) ?(%S*)$')
  return entry, lane, string.match(entry, '^(%d+)')
end
"#
    )
});
