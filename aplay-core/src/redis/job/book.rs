//! The books of jobs done without a record: a job that never had a record (run now, without
//! a unique key, a rate key or an id of the caller's, and never failed) is written,
//! when done, as one field of a hash shared by the jobs done in the same period, instead of a
//! hash of its own with an expiry of its own. That is one field per job in one `HSET` per
//! batch, where a record is a key, its fields and its expiry.
//!
//! A book is `{ns}:done:{path}:{n}`, `n` the number of the period of
//! [`job_retention`](crate::redis::StationConfig::job_retention) in which the jobs were done
//! (by the server's clock); it expires at the end of the next period, so a job stays in it at
//! least as long as a record would. A field is the job's id; its value says, one per line:
//! `d1` (the format), its attempts, how long its attempt took (ms), when it was done and when
//! it was enqueued (ms since the Unix epoch), its consumer, then its encoded result (all the
//! rest). The values are made of the script's arguments as they come: no number is turned
//! into text per job (Lua's number formatting was most of the script's own time).
//! `status`, `cancel` and a worker taking a job again read the two books alive.

/// Lua functions for the scripts that write or read the books (`now` and `retention` in ms):
///
/// - `book_of(prefix, now, retention)`: the book of the jobs done now, and when it expires.
/// - `booked(prefix, now, retention, id)`: the value of the job `id` in a book alive, or nil.
/// - `book_fields(value)`: the fields of a record (as `HGETALL` gives them) from a value.
pub(crate) const BOOK_FNS: &str = r#"
local function book_of(prefix, now, retention)
  local n = math.floor(now / math.max(tonumber(retention), 1))
  return prefix .. string.format('%d', n), (n + 2) * math.max(tonumber(retention), 1)
end
local function booked(prefix, now, retention, id)
  local book = book_of(prefix, now, retention)
  local value = redis.call('HGET', book, id)
  if value then
    return value
  end
  local earlier = book_of(prefix, now - math.max(tonumber(retention), 1), retention)
  return redis.call('HGET', earlier, id) or nil
end
local function book_fields(value)
  local attempts, took, finished, created, consumer, result =
    string.match(value, '^d1\n(%d+)\n(%d+)\n(%d+)\n(%d+)\n([^\n]*)\n(.*)$')
  if not attempts then
    return nil
  end
  local started = string.format('%d', tonumber(finished) - tonumber(took))
  local fields = {'state', 'done', 'attempts', attempts, 'started', started, 'finished', finished, 'consumer', consumer, 'result', result}
  if created ~= '0' then
    fields[#fields + 1] = 'created'
    fields[#fields + 1] = created
  end
  return fields
end
"#;
